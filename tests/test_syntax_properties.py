"""Property tests: the parser never fails and always round-trips exactly."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerfile_strategies import dockerfiles
from slimguard import parse
from slimguard.dockerfile.syntax import Instruction

EXAMPLES = int(os.environ.get("SLIMGUARD_HYPOTHESIS_EXAMPLES", "2000"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(text: str) -> None:
    tree = parse(text)
    assert str(tree) == text
    pos = 0
    for tok in tree.tokens():
        assert tok.offset == pos and tok.text
        pos += len(tok.text)
    assert pos == len(text)
    lines = text.count("\n") + 1
    for err in tree.errors:
        assert 1 <= err.line <= lines and err.column >= 1 and err.message
    for ins in tree.instructions:
        assert isinstance(ins, Instruction)
        assert 1 <= ins.start_line <= ins.end_line <= lines
        assert text[ins.start_offset:ins.end_offset] == str(ins)
        for f in ins.flags:
            assert f.span.start.offset <= f.span.end.offset
        if ins.rest_span is not None:
            assert ins.rest_span.start.offset <= ins.rest_span.end.offset <= len(text)


@SETTINGS
@given(dockerfiles())
def test_generated_dockerfiles_roundtrip(text: str) -> None:
    check(text)


@SETTINGS
@given(st.text())
def test_arbitrary_text_roundtrips(text: str) -> None:
    check(text)
