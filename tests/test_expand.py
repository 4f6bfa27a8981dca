"""Tests for slimguard.dockerfile.expand (BuildKit-compatible variable substitution)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimguard.dockerfile.expand import (
    UNRESOLVED,
    Expansion,
    ExpansionError,
    Unresolved,
    expand_heredoc,
    expand_raw,
    expand_word,
    expand_words,
    references,
)

ENV = {
    "A": "alpha",
    "E": "",
    "S": "a b",
    "P": "/usr/local/bin/app.tar.gz",
    "G": "a*b?c",
    "PWD": "/home",
    "VERSION": "1.2.3",
    "ÉTÉ": "summer",
    "NL": "l1\nl2",
}
ERROR = object()

# (input, expected value or ERROR)
WORD_CASES: list[tuple[str, Any]] = [
    # plain and simple substitution
    ("", ""),
    ("plain", "plain"),
    ("$A", "alpha"),
    ("${A}", "alpha"),
    ("$A/$A", "alpha/alpha"),
    ("${A}x", "alphax"),
    ("$Ax", ""),  # the name is "Ax"
    ("node:${VERSION}-slim", "node:1.2.3-slim"),
    ("$ÉTÉ", "summer"),  # Unicode letters are name characters
    # '$' that does not start a substitution
    ("$", "$"),
    ("a$", "a$"),
    ("$ x", "$ x"),
    ("$.", "$."),
    ("$/path", "$/path"),
    ("100$%", "100$%"),
    # positional and special parameters are ordinary (unset) names
    ("$1", ""),
    ("a$1b", "ab"),
    ("$123x", "x"),
    ("$@", ""),
    ("$$", ""),
    ("$@@", "@"),
    ("${#}", ""),
    ("${0:-zero}", "zero"),
    # defaults and alternatives
    ("${NOPE:-d}", "d"),
    ("${E:-d}", "d"),
    ("${E-d}", ""),
    ("${NOPE-d}", "d"),
    ("${A:-d}", "alpha"),
    ("${A:+alt}", "alt"),
    ("${E:+alt}", ""),
    ("${E+alt}", "alt"),
    ("${NOPE+alt}", ""),
    ("${NOPE:-${A}}", "alpha"),
    ("${NOPE:-${NOPE2:-x}}", "x"),
    ("${NOPE:-a b}", "a b"),
    ("${NOPE:-'quoted }'}", "quoted }"),
    ("${NOPE:-\\}}", "}"),
    ("${NOPE:-a}b}", "ab}"),
    ("${A?}", "alpha"),
    ("${E?}", ""),
    # pattern removal (only * and ? are special)
    ("${P#*/}", "usr/local/bin/app.tar.gz"),
    ("${P##*/}", "app.tar.gz"),
    ("${P%.*}", "/usr/local/bin/app.tar"),
    ("${P%%.*}", "/usr/local/bin/app"),
    ("${P#/usr}", "/local/bin/app.tar.gz"),
    ("${P%.gz}", "/usr/local/bin/app.tar"),
    ("${P#?}", "usr/local/bin/app.tar.gz"),
    ("${G#a\\*}", "b?c"),
    ("${G%\\?c}", "a*b"),
    ("${G#a[*]}", "a*b?c"),  # brackets are literal in BuildKit
    ("${A#'a'*}", "lpha"),  # quote removal happens before pattern matching
    ("${NOPE#x}", ""),
    # '*' and '?' never match a newline (Go regexp '.')
    ("${NL##*l}", "1\nl2"),
    ("${NL%%l*}", "l1\n"),
    ("${NL//?/x}", "xx\nxx"),
    ("${NL//*/x}", "x\nx"),
    # replacement
    ("${P/local/opt}", "/usr/opt/bin/app.tar.gz"),
    ("${P//\\//_}", "_usr_local_bin_app.tar.gz"),
    ("${A//a/A}", "AlphA"),
    ("${A/a/A}", "Alpha"),
    ("${A//*/X}", "X"),  # no second, empty match after a full match
    ("${E//*/X}", "X"),
    ("${A/$E/-}", "-alpha"),
    ("${A//a/\\$0}", "\\alph\\a"),  # Go template: $0 is the match
    ("${A/a/\\$0}", "\\$0lpha"),  # single replacement: no template
    ("${NOPE/a/b}", ""),
    # quotes
    ("'$A'", "$A"),
    ('"$A"', "alpha"),
    ("'a'\"b\"c", "abc"),
    ('"a\'b"', "a'b"),
    ("'a\"b'", 'a"b'),
    ('"a\\"b"', 'a"b'),
    ('"a\\$A"', "a$A"),
    ('"a\\\\b"', "a\\b"),
    ('"a\\b"', "a\\b"),  # other escapes stay literal in double quotes
    ("'a\\b'", "a\\b"),
    ("''", ""),
    # escapes outside quotes
    ("\\$A", "$A"),
    ("\\${A}", "${A}"),
    ("a\\ b", "a b"),
    ("a\\nb", "anb"),
    ("a\\", "a"),
    ("a\\\\", "a\\"),
    ("\\'x", "'x"),
    # heredoc markers pass through
    ("<<EOF", "<<EOF"),
    ("<< EOF", "<< EOF"),
    ("a<b", "a<b"),
    # a leading byte-order mark is skipped, like Go's text/scanner
    ("\ufeff$A", "alpha"),
    # errors
    ("${", ERROR),
    ("${A", ERROR),
    ("${}", ERROR),
    ("${:}", ERROR),
    ("${{A}}", ERROR),
    ("${ A}", ERROR),
    ("${.}", ERROR),
    ("${A:=x}", ERROR),
    ("${A=x}", ERROR),
    ("${A:x}", ERROR),
    ("${A:#x}", ERROR),
    ("${A:%x}", ERROR),
    ("${A/x}", ERROR),
    ("${A/x/y", ERROR),
    ("${NOPE?}", ERROR),
    ("${E:?}", ERROR),
    ("${NOPE:-${}}", ERROR),
    ("'open", ERROR),
    ('"open', ERROR),
    ('"open\\"', ERROR),
    ("${A#\\x}", ERROR),  # invalid escape in a pattern
    ("${NOPE:-${A:?}}x${", ERROR),
]


@pytest.mark.parametrize(("text", "expected"), WORD_CASES)
def test_expand_word(text: str, expected: Any) -> None:
    if expected is ERROR:
        with pytest.raises(ExpansionError):
            expand_word(text, ENV)
    else:
        assert expand_word(text, ENV).value == expected


# (input, expected words)
WORDS_CASES: list[tuple[str, list[str]]] = [
    ("a b c", ["a", "b", "c"]),
    ("  a   b  ", ["a", "b"]),
    ("a\tb\nc", ["a", "b", "c"]),
    ("$S", ["a", "b"]),  # unquoted expansions are split
    ('"$S"', ["a b"]),
    ("x$S y", ["xa", "b", "y"]),
    ("'a b' c", ["a b", "c"]),
    ("a\\ b c", ["a b", "c"]),
    ("'' a", ["a"]),  # empty words disappear
    ('"" ""', []),
    ("$E a", ["a"]),
    ("${NOPE:-'x y'} z", ["x", "y", "z"]),  # quotes inside the default don't protect
    ('"${NOPE:-x y}" z', ["x y", "z"]),
    ("80/tcp 443", ["80/tcp", "443"]),
    ("cat << EOF", ["cat", "<< EOF"]),
    ("a\u3000b", ["a", "b"]),  # Unicode whitespace separates
    ("a\u00a0b", ["a", "b"]),
    ("a\x1cb", ["a\x1cb"]),  # ... but not what Go does not call space
    # BuildKit loses "abc" here (a shared buffer is reset by the nested
    # word of ${X:-...}); slimguard deliberately keeps it.
    ("abc${NOPE:-x} d", ["abcx", "d"]),
]


@pytest.mark.parametrize(("text", "expected"), WORDS_CASES)
def test_expand_words(text: str, expected: list[str]) -> None:
    assert [w.value for w in expand_words(text, ENV)] == expected


def test_patterns_run_in_linear_time() -> None:
    # a backtracking regex engine needs ages for this one; Go's RE2 does not
    value = "a" * 2000
    assert expand_word("${V##*a*a*a*a*a*a*b}", {"V": value}).value == value
    assert expand_word("${V//*a*a*a*a*b/x}", {"V": value}).value == value
    assert expand_word("${V%" + "*" * 3000 + "}", {"V": "abc"}).value == "abc"


def test_expand_words_errors() -> None:
    with pytest.raises(ExpansionError):
        expand_words("a 'b", ENV)


def test_expand_words_attributes_variables_to_words() -> None:
    words = expand_words("$A x$S ${NOPE}y $E", ENV)
    assert [w.value for w in words] == ["alpha", "xa", "b", "y"]
    assert words[0].used == {"A"}
    assert words[1].used == {"S"} and words[2].used == {"S"}
    assert words[3].missing == {"NOPE"}
    assert words[3].used == {"E"}  # an empty trailing expansion joins the last word


def test_expansion_records_used_and_missing() -> None:
    result = expand_word("${A}-${NOPE}-${E:-${OTHER:-x}}", ENV)
    assert result == Expansion("alpha--x", frozenset({"NOPE", "OTHER"}), frozenset({"A", "E"}))
    # BuildKit evaluates the word even when it is not needed
    assert expand_word("${A:-$NOPE}", ENV).missing == {"NOPE"}
    assert expand_word("'$NOPE'", ENV).missing == frozenset()
    assert expand_word("$1$@", ENV).missing == {"1", "@"}
    assert expand_word("${+x}", ENV).missing == frozenset()  # empty name isn't a variable


def test_error_messages() -> None:
    with pytest.raises(ExpansionError) as info:
        expand_word("${NOPE:?must be set}", ENV)
    assert str(info.value) == 'failed to process "${NOPE:?must be set}": NOPE: must be set'
    assert info.value.reason == "NOPE: must be set"
    assert info.value.text == "${NOPE:?must be set}"
    with pytest.raises(ExpansionError, match="is not allowed to be unset"):
        expand_word("${NOPE?}", ENV)
    with pytest.raises(ExpansionError, match="is not allowed to be empty"):
        expand_word("${E:?}", ENV)
    with pytest.raises(ExpansionError, match="bad substitution"):
        expand_word("${}", ENV)
    with pytest.raises(ExpansionError, match="missing '}'"):
        expand_word("${A", ENV)
    with pytest.raises(ExpansionError, match=r"unsupported modifier \(:=\)"):
        expand_word("${A:=x}", ENV)
    with pytest.raises(ExpansionError, match="matching single-quote"):
        expand_word("'x", ENV)
    assert isinstance(ExpansionError("x"), ValueError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a`b", "ab"),
        ("a\\b", "a\\b"),  # backslash is literal with escape=`
        ("c:\\path\\$A", "c:\\path\\alpha"),
        ("`$A", "$A"),
        ('"a`"b"', 'a"b'),
        ('"a\\"', "a\\"),
        ("'a`b'", "a`b"),
        ("a`", "a"),
        ("${A:-`}}", "alpha"),
    ],
)
def test_backtick_escape(text: str, expected: str) -> None:
    assert expand_word(text, ENV, escape="`").value == expected


def test_backtick_escape_words() -> None:
    assert [w.value for w in expand_words("a` b c:\\x", ENV, "`")] == ["a b", "c:\\x"]


def test_bad_escape_argument() -> None:
    with pytest.raises(ValueError):
        expand_word("x", ENV, escape="ab")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\"$A\"", '"alpha"'),
        ("'$A'", "'$A'"),
        ("x='a b' y=\"$S\"", "x='a b' y=\"a b\""),
        ("a\\ b", "a b"),
        ("\"a\\\"b\"", '"a"b"'),
    ],
)
def test_expand_raw_keeps_quotes(text: str, expected: str) -> None:
    assert expand_raw(text, ENV).value == expected


def test_expand_heredoc_ignores_quotes() -> None:
    assert expand_heredoc("echo '$A' \"$A\"\n", ENV).value == "echo 'alpha' \"alpha\"\n"
    assert expand_heredoc("\\$A ${NOPE:-d}", ENV).value == "$A d"


def test_unresolved_values_are_kept_verbatim() -> None:
    env = {"BASE": UNRESOLVED, "TAG": "1.0"}
    result = expand_word("${BASE}:$TAG", env)
    assert result.value == "${BASE}:1.0"
    assert result.unresolved == {"BASE"}
    assert result.used == {"BASE", "TAG"}
    assert not result.exact
    assert expand_word("$BASE", env).value == "$BASE"
    assert expand_word("${BASE:-x$TAG}", env).value == "${BASE:-x1.0}"
    assert expand_word("${BASE:?}", env).value == "${BASE:?}"  # no error
    assert expand_word("${BASE//a/b}", env).value == "${BASE//a/b}"
    assert expand_word("$TAG", env).exact
    assert Unresolved() == UNRESOLVED and repr(UNRESOLVED) == "UNRESOLVED"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", set()),
        ("$A ${B} ${C:-$D} ${E#$F} ${G/$H/$I}", set("ABCDEFGHI")),
        ("'$X' \"$Y\" \\$Z", {"Y"}),
        ("${X:?} ${Y:?msg}", {"X", "Y"}),  # checks never raise here
        ("$A ${B", {"A"}),  # stops at a syntax error
        ("$1 $@", {"1", "@"}),
        ("`$A $B", {"B"}),
    ],
)
def test_references(text: str, expected: set[str]) -> None:
    escape = "`" if text.startswith("`") else "\\"
    assert references(text, escape) == expected


# --- cases from tests/data/buildkit_shell_cases.txt --------------------------

DATA_FILE = Path(__file__).parent / "data" / "buildkit_shell_cases.txt"


def _load_cases() -> list[Any]:
    cases = []
    env: dict[str, str] = {}
    for lineno, line in enumerate(DATA_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@env "):
            env = json.loads(line[5:])
            continue
        case = json.loads(line)
        case.setdefault("env", env)
        cases.append(pytest.param(case, id=f"L{lineno}-{case['mode']}"))
    return cases


_MODES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "word": lambda c: expand_word(c["input"], c["env"], c.get("escape", "\\")),
    "raw": lambda c: expand_raw(c["input"], c["env"], c.get("escape", "\\")),
    "heredoc": lambda c: expand_heredoc(c["input"], c["env"]),
    "words": lambda c: expand_words(c["input"], c["env"], c.get("escape", "\\")),
}


def test_data_file_is_big_enough() -> None:
    assert len(_load_cases()) > 400


@pytest.mark.parametrize("case", _load_cases())
def test_buildkit_data(case: dict[str, Any]) -> None:
    run = _MODES[case["mode"]]
    if case["expect"] == "error":
        with pytest.raises(ExpansionError):
            run(case)
        return
    result = run(case)
    if case["mode"] == "words":
        assert [w.value for w in result] == case["expect"]
        return
    assert result.value == case["expect"]
    if "used" in case:
        assert sorted(result.used) == case["used"]
        assert sorted(result.missing) == case["missing"]


# --- properties --------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("$${}{}:-+?#%/*\\'\"` abAES1@<_.\n\t") + ["${", "${A", "${S:-", "${G#", "${P/", "é", "\u3000"]
)
_TEXT = st.lists(_ALPHABET, max_size=24).map("".join) | st.text(max_size=24)


@settings(max_examples=400, deadline=None)
@given(text=_TEXT, escape=st.sampled_from(["\\", "`"]))
def test_only_expansion_errors(text: str, escape: str) -> None:
    for run in (expand_word, expand_raw, expand_words):
        try:
            run(text, ENV, escape)
        except ExpansionError:
            pass
    try:
        expand_heredoc(text, ENV)
    except ExpansionError:
        pass
    assert isinstance(references(text, escape), set)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT)
def test_words_agree_with_word(text: str) -> None:
    """ProcessWord and ProcessWords fail on the same inputs and look up the same names."""
    try:
        single = expand_word(text, ENV)
    except ExpansionError:
        with pytest.raises(ExpansionError):
            expand_words(text, ENV)
        return
    words = expand_words(text, ENV)
    seen = set().union(*(w.used | w.missing for w in words)) if words else set()
    assert seen <= single.used | single.missing
    assert references(text) >= single.used | single.missing


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_characters="$'\"\\<\ufeff"), max_size=30))
def test_text_without_specials_is_unchanged(text: str) -> None:
    assert expand_word(text, ENV).value == text
    assert expand_raw(text, ENV).value == text


def test_deep_nesting_is_refused_at_a_documented_depth_not_by_the_stack():
    from slimguard.dockerfile.expand import MAX_NESTING

    def nested(n: int) -> str:
        word = "x"
        for _ in range(n):
            word = "${a:-" + word + "}"
        return word

    assert expand_word(nested(MAX_NESTING - 1), {}).value == "x"
    with pytest.raises(ExpansionError, match="nested deeper than"):
        expand_word(nested(5000), {})


def test_deeply_nested_env_lints_and_fixes_without_a_traceback(tmp_path):
    import subprocess
    import sys

    word = "x"
    for _ in range(2000):
        word = "${a:-" + word + "}"
    f = tmp_path / "Dockerfile"
    f.write_text(f"FROM scratch\nARG a\nENV B={word}\nRUN echo $B\n")
    for cmd in ("lint", "fix"):
        proc = subprocess.run([sys.executable, "-m", "slimguard", cmd, "--engine", "never", str(f)],
                              capture_output=True, text=True, timeout=60)
        assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
