"""Scale regression tests: generated inputs, linear scaling (n vs 4n), expansion bounds."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from stress_bench import gen_doubling, gen_from_chain, gen_trim  # noqa: E402

from slimguard.dockerfile.expand import MAX_VALUE_LENGTH, ExpansionTooLarge, expand_word  # noqa: E402
from slimguard.dockerfile.model import build_model  # noqa: E402
from slimguard.dockerfile.syntax import parse  # noqa: E402
import pytest  # noqa: E402


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _assert_linear(make, n: int) -> None:
    small, big = make(n), make(4 * n)
    t1 = _best(lambda: build_model(parse(small), base_user=None))
    t4 = _best(lambda: build_model(parse(big), base_user=None))
    assert t4 / max(t1, 1e-4) < 8, (t1, t4)


def test_model_from_chain_is_linear():
    _assert_linear(gen_from_chain, 500)


def test_chain_is_identity_based_and_cached():
    model = build_model(parse(gen_from_chain(300)), base_user=None)
    last = model.stages[-1]
    chain = last.chain()
    assert len(chain) == 300 and chain[0] is last and chain[-1] is model.stages[0]
    assert len(last.all_steps()) == 0
    chain.clear()  # callers get a copy
    assert len(last.chain()) == 300


def test_doubling_is_bounded_with_a_note():
    model = build_model(parse(gen_doubling(40)), base_user=None)
    assert any("1 MB" in n and "unknown" in n for n in model.notes)
    for stage in model.stages:
        for step in stage.steps:
            assert all(len(v) <= 2 * MAX_VALUE_LENGTH for v in step.env.values())


def test_expand_word_raises_too_large():
    env = {"A": "x" * (MAX_VALUE_LENGTH // 2 + 1)}
    with pytest.raises(ExpansionTooLarge) as err:
        expand_word("${A}${A}", env)
    assert "1 MB" in str(err.value)


def test_trim_pattern_is_fast_enough_to_scale():
    env = {"A": "a" * 150}
    t1 = _best(lambda: expand_word("${A##" + "*a" * 1000 + "}", env))
    t4 = _best(lambda: expand_word("${A##" + "*a" * 4000 + "}", env))
    assert t4 / max(t1, 1e-4) < 8, (t1, t4)
    assert expand_word("${A##" + "*a" * 100 + "}", env).value == ""
    assert expand_word("${A#" + "*a" * 100 + "}", env).value == "a" * 50
    assert "ENV" in gen_trim(10)
