"""Differential test: slimguard's parser against BuildKit's own parser.

The reference is the PyPI package ``dockerfile`` (3.4), a wrapper of BuildKit's
Go parser (``moby/buildkit`` v0.12.5, ``frontend/dockerfile/parser``).  Every
file in ``tests/corpus/`` is accepted by it and every file in
``tests/corpus/invalid/`` is rejected by it.

For each accepted file, every instruction must agree on: keyword (as written
and upper-cased), start and end line, JSON form, flags, value, the ONBUILD
trigger, heredocs (name, fd, content; chomp and expand where they can be
derived from the source) and ``original``.  Every file, accepted or not, must
print back to the exact input; for rejected files slimguard must report at
least one error with a line, column and message.

Quirks of the reference package that the comparison undoes (see
``_reference``):

* ``original`` is compared as the package reports it: BuildKit's
  ``Node.Original`` (the logical line, continuations joined) plus, for
  heredoc instructions, ``"\\n" + content + name + "\\n"`` per heredoc (the
  package appends these; the terminator is the bare name even for ``<<-``);
* for ONBUILD it reports the trigger's value and JSON flag, the ONBUILD node's
  own flags, and no heredocs (BuildKit attaches them to the ONBUILD node, the
  package reads them from the trigger).  The trigger itself is checked by
  parsing a copy of the file in which the ``ONBUILD`` keyword is blanked out,
  which turns the trigger into a top-level instruction on the same lines;
* an empty keyword or original (a lone ``\\`` line at the end of the file) is
  reported as ``None``.

Run with ``-s`` for a one-line summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

import pytest

dockerfile = pytest.importorskip("dockerfile", reason="the reference parser (PyPI `dockerfile`) is not installed")

CORPUS = Path(__file__).parent / "corpus"
VALID_FILES = sorted(CORPUS.glob("*.Dockerfile"))
INVALID_FILES = sorted((CORPUS / "invalid").glob("*.Dockerfile"))


def _load_parser():
    try:
        import slimguard

        parse = slimguard.parse
        parse("FROM scratch\n")  # the lazy import of slimguard.dockerfile.syntax happens here
    except (ImportError, AttributeError) as exc:  # parser not written yet
        return None, f"slimguard.parse is not available yet: {exc!r}"
    return parse, ""


sg_parse, _SKIP_REASON = _load_parser()

# Files where the reference (BuildKit v0.12.5) and current BuildKit disagree and
# slimguard deliberately follows current BuildKit.  They are strict xfails: if
# slimguard ever matches v0.12.5 here, the XPASS fails and the entry must go.
VERSION_DIVERGENCES = {
    "285-heredoc-line-with-v0125-unsupported-substitution.Dockerfile":
        "v0.12.5's shell lexer rejects ${VAR%%...} and ${VAR/...}, so the line has no heredoc; "
        "newer BuildKit supports these modifiers and slimguard follows it",
}
needs_parser = pytest.mark.skipif(sg_parse is None, reason=_SKIP_REASON or "slimguard.parse missing")


def read(path: Path) -> str:
    """The file's exact text: no newline translation, BOM kept."""
    return path.read_bytes().decode("utf-8")


# --------------------------------------------------------------- reference side

FIELDS = ("keyword", "name", "start_line", "end_line", "json", "flags", "value", "original", "heredocs", "trigger")


@dataclass
class View:
    """One instruction, reduced to the fields both parsers can report."""

    keyword: str
    name: str
    start_line: int
    end_line: int
    json: bool
    flags: tuple[str, ...]
    value: tuple[str, ...]
    original: str
    heredocs: tuple[tuple, ...]  # (name, fd, content) or (name, fd, content, chomp, expand)
    trigger: tuple | None  # (keyword, json, flags, value) of the ONBUILD trigger

    def row(self, f: str):
        return getattr(self, f)


def _package_original(c) -> str:
    original = c.original or ""
    if c.heredocs:
        suffix = "\n" + "".join(h.content + h.name + "\n" for h in c.heredocs)
        assert original.endswith(suffix), (original, suffix)
        original = original[: -len(suffix)]
    return original


_GO_WS = "[\t\v\f\r ]"  # BuildKit's reWhitespace
_FIRST_WORDS = re.compile(rf"^([\s\ufeff]*)([^\t\v\f\r ]+(?:{_GO_WS}+--[^\t\v\f\r ]*)*)")
KNOWN = frozenset({
    "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
    "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
})


def go_lower(s: str) -> str:
    """Go's strings.ToLower (simple case mapping): U+0130 becomes plain "i"."""
    return "".join("i" if ch == "\u0130" else ch.lower() for ch in s)


def ref_name(keyword: str) -> str:
    """The instruction BuildKit dispatches on (its table is keyed by Go-lower-cased names)."""
    low = go_lower(keyword)
    return low.upper() if low in KNOWN else keyword.upper()


def _trigger_reference(text: str, c):
    """Parse the file again with the ONBUILD keyword (and its own flags) blanked.

    Returns the package Command of the trigger as a top-level instruction, or
    None when that cannot be done (e.g. the trigger is not on the first line).
    """
    parts = text.split("\n")
    i = c.start_line - 1
    m = _FIRST_WORDS.match(parts[i])
    if not m:
        return None
    head = re.split(_GO_WS, m.group(2))[0]
    if go_lower(head) != "onbuild":
        return None
    parts[i] = m.group(1) + " " * len(m.group(2)) + parts[i][m.end():]
    try:
        cmds = dockerfile.parse_string("\n".join(parts))
    except dockerfile.GoParseError:
        return None
    for d in cmds:
        if d.start_line == c.start_line and (d.cmd or "") == c.sub_cmd:
            return d
    return None


_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)([^<]+)")


def _unquote(word: str) -> str:
    out, quote, i = [], None, 0
    while i < len(word):
        ch = word[i]
        if ch == "\\" and quote != "'" and i + 1 < len(word):
            out.append(word[i + 1])
            i += 2
            continue
        if quote is None and ch in "'\"":
            quote = ch
        elif ch == quote:
            quote = None
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _heredoc_flags(line: str, heredocs) -> list[tuple[bool, bool] | None]:
    """(chomp, expand) per heredoc, derived from its ``<<`` word in the line.

    BuildKit: chomp iff the word starts with ``<<-``; expand iff no part of the
    name is quoted.  The package does not report either flag, so they are
    derived here for simple words (None when the word cannot be found).
    """
    words = [m for w in line.split() if (m := _HEREDOC_WORD.fullmatch(w))]
    out: list[tuple[bool, bool] | None] = []
    for h in heredocs:
        found = None
        for k, m in enumerate(words):
            if _unquote(m.group(3)) == h.name and _fd(int(m.group(1) or 0)) == _fd(h.file_descriptor):
                found = m
                del words[k]
                break
        if found is None:
            out.append(None)
        else:
            quoted = re.search(r"(?<!\\)['\"]", found.group(3)) is not None
            out.append((found.group(2) == "-", not quoted))
    return out


def _fd(n: int) -> int:
    """File descriptors as BuildKit's uint: an overflowing number is ParseUint's
    max value, which the package reports as -1."""
    return n % 2**64 if n < 2**64 else 2**64 - 1


def _ref_heredocs(c, line: str, heredocs) -> tuple[tuple, ...]:
    flags = _heredoc_flags(line, heredocs)
    rows = []
    for h, fl in zip(heredocs, flags):
        rows.append((h.name, _fd(h.file_descriptor), h.content) + (fl if fl else ()))
    return tuple(rows)


def _reference(text: str, c) -> View:
    keyword = c.cmd or ""
    original = c.original or ""
    heredocs = _ref_heredocs(c, _package_original(c), c.heredocs)
    trigger = None
    if go_lower(keyword) == "onbuild" and c.sub_cmd is not None:
        t = _trigger_reference(text, c)
        if t is not None:
            trigger = (t.cmd or "", t.json, tuple(t.flags), tuple(t.value))
            heredocs = _ref_heredocs(t, _package_original(t), t.heredocs)
    return View(
        keyword=keyword,
        name=ref_name(keyword),
        start_line=c.start_line,
        end_line=c.end_line,
        json=bool(c.json),
        flags=tuple(c.flags),
        value=tuple(c.value),
        original=original,
        heredocs=heredocs,
        trigger=trigger,
    )


# --------------------------------------------------------------- slimguard side

def _sg_heredocs(hs, ref_rows) -> tuple[tuple, ...]:
    rows = []
    for k, h in enumerate(hs):
        row = (h.name, _fd(h.fd), h.content)
        ref = ref_rows[k] if k < len(ref_rows) else ()
        if len(ref) == 5:  # compare chomp/expand only where the reference could derive them
            row += (bool(h.chomp), bool(h.expand))
        rows.append(row)
    return tuple(rows)


def _actual(ins, ref: View) -> View:
    hs = list(ins.heredocs)
    trigger = None
    if ins.trigger is not None:
        t = ins.trigger
        if not hs:
            hs = list(t.heredocs)
        trigger = (t.keyword, bool(t.is_json), tuple(t.buildkit_flags()), tuple(t.buildkit_value()))
    if ref.trigger is None:
        trigger = None  # nothing to compare against (no trigger, or it could not be derived)
    return View(
        keyword=ins.keyword,
        name=ins.name,
        start_line=ins.start_line,
        end_line=ins.end_line,
        json=bool(ins.is_json),
        flags=tuple(ins.buildkit_flags()),
        value=tuple(ins.buildkit_value()),
        original=ins.original,
        heredocs=_sg_heredocs(hs, ref.heredocs),
        trigger=trigger,
    )


# ------------------------------------------------------------------ reporting

@dataclass
class Stats:
    files: int = 0
    valid: int = 0
    invalid: int = 0
    instructions: int = 0
    mismatched_instructions: int = 0
    mismatched_files: list[str] = field(default_factory=list)
    roundtrip_failures: list[str] = field(default_factory=list)
    missing_errors: list[str] = field(default_factory=list)
    errors_on_valid: list[str] = field(default_factory=list)


STATS = Stats()


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    if STATS.files:
        print(
            f"\ndifferential: {STATS.files} files ({STATS.valid} valid, {STATS.invalid} invalid), "
            f"{STATS.instructions} instructions compared, "
            f"{STATS.mismatched_instructions} instruction mismatches in {len(STATS.mismatched_files)} files "
            f"({sum(f in VERSION_DIVERGENCES for f in STATS.mismatched_files)} of them known version divergences), "
            f"{len(STATS.roundtrip_failures)} round-trip failures, "
            f"{len(STATS.missing_errors)} rejected files without errors, "
            f"{len(STATS.errors_on_valid)} accepted files with slimguard errors (informational)"
        )
        for name in STATS.errors_on_valid:
            print("  errors on accepted file:", name)


def _diff(name: str, index: int, ref: View | None, act: View | None) -> str:
    where = f"{name} instruction #{index + 1}"
    if ref is None:
        return (f"{where}: slimguard has an extra instruction: {act.keyword!r} lines "
                f"{act.start_line}-{act.end_line} original={act.original!r}")
    if act is None:
        return f"{where}: slimguard is missing the instruction at line {ref.start_line}: {ref}"
    lines = [f"{where} (BuildKit lines {ref.start_line}-{ref.end_line}):"]
    for f in FIELDS:
        r, a = ref.row(f), act.row(f)
        if r != a:
            lines.append(f"  {f}:\n    buildkit : {r!r}\n    slimguard: {a!r}")
    lines.append(f"  buildkit : {tuple(ref.row(f) for f in FIELDS)!r}")
    lines.append(f"  slimguard: {tuple(act.row(f) for f in FIELDS)!r}")
    return "\n".join(lines)


def _roundtrip(name: str, text: str, tree) -> str | None:
    printed = str(tree)
    if printed == text:
        return None
    at = next((i for i, (x, y) in enumerate(zip(printed, text)) if x != y), min(len(printed), len(text)))
    return (
        f"{name}: str(parse(text)) != text (first difference at offset {at}; "
        f"lengths {len(printed)} vs {len(text)}):\n"
        f"    expected: {text[max(0, at - 30):at + 30]!r}\n    printed : {printed[max(0, at - 30):at + 30]!r}"
    )


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    compared: int = 0
    mismatched: int = 0
    roundtrip_ok: bool = True
    errors: list = field(default_factory=list)


def compare_accepted(name: str, text: str, commands) -> Outcome:
    """Compare slimguard with BuildKit on a text BuildKit accepts."""
    expected = [_reference(text, c) for c in commands]
    tree = sg_parse(text)
    out = Outcome(errors=list(tree.errors))
    rt = _roundtrip(name, text, tree)
    if rt:
        out.roundtrip_ok = False
        out.problems.append(rt)
    for i, (ins, ref) in enumerate(zip_longest(tree.instructions, expected)):
        if ins is not None and ref is not None:
            out.compared += 1
            act = _actual(ins, ref)
            if act == ref:
                continue
        else:
            act = ins
        out.mismatched += 1
        out.problems.append(_diff(name, i, ref, act))
    return out


def check_rejected(name: str, text: str, reason: str) -> Outcome:
    """slimguard on a text BuildKit rejects: at least one well-formed error, exact round trip."""
    tree = sg_parse(text)
    out = Outcome(errors=list(tree.errors))
    rt = _roundtrip(name, text, tree)
    if rt:
        out.roundtrip_ok = False
        out.problems.append(rt)
    n_lines = text.count("\n") + 1
    if not tree.errors:
        out.problems.append(f"{name}: BuildKit rejects it ({reason}) but slimguard reports no error")
    for e in tree.errors:
        if not (isinstance(e.message, str) and e.message):
            out.problems.append(f"{name}: error without a message: {e!r}")
        if not (isinstance(e.line, int) and 1 <= e.line <= n_lines):
            out.problems.append(f"{name}: error line {e.line!r} outside 1..{n_lines}: {e!r}")
        if not (isinstance(e.column, int) and e.column >= 1):
            out.problems.append(f"{name}: error column {e.column!r} is not >= 1: {e!r}")
    return out


# ---------------------------------------------------------------------- tests

def test_corpus_is_present():
    assert len(VALID_FILES) >= 170, len(VALID_FILES)
    assert len(INVALID_FILES) >= 15, len(INVALID_FILES)
    for p in VALID_FILES + INVALID_FILES:
        assert re.fullmatch(r"\d{3}-[a-z0-9-]+\.Dockerfile", p.name), p.name


def _valid_params():
    for p in VALID_FILES:
        reason = VERSION_DIVERGENCES.get(p.name)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(p, id=p.stem, marks=marks)


@needs_parser
@pytest.mark.parametrize("path", list(_valid_params()))
def test_matches_buildkit(path: Path):
    text = read(path)
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        pytest.fail(f"corpus error: BuildKit rejects {path.name}: {exc}")
    except UnicodeDecodeError as exc:  # BuildKit produced invalid UTF-8 (byte-wise splitting)
        pytest.fail(f"corpus error: the reference package cannot report {path.name}: {exc}")
    out = compare_accepted(path.name, text, commands)
    STATS.files += 1
    STATS.valid += 1
    STATS.instructions += out.compared
    if out.mismatched:
        STATS.mismatched_instructions += out.mismatched
        STATS.mismatched_files.append(path.name)
    if not out.roundtrip_ok:
        STATS.roundtrip_failures.append(path.name)
    if out.errors:
        STATS.errors_on_valid.append(
            f"{path.name}: " + "; ".join(f"{e.line}:{e.column} {e.message}" for e in out.errors))
    assert not out.problems, "\n".join(out.problems)


@needs_parser
@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_rejected_files_have_errors(path: Path):
    text = read(path)
    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        reason = str(exc)
    else:
        pytest.fail(f"corpus error: BuildKit accepts {path.name}, which is in corpus/invalid/")
    out = check_rejected(path.name, text, reason)
    STATS.files += 1
    STATS.invalid += 1
    if not out.errors:
        STATS.missing_errors.append(path.name)
    if not out.roundtrip_ok:
        STATS.roundtrip_failures.append(path.name)
    assert not out.problems, "\n".join(out.problems)


# ------------------------------------------------- generated files (hypothesis)

def _fragments() -> list[str]:
    """Physical lines to recombine: every ASCII line of the corpus plus a few
    structural troublemakers.  (Non-ASCII is left out: the reference package
    crashes on some byte sequences BuildKit itself produces.)"""
    frags = {
        "", " ", "\t", "\\", " \\ ", "`", "# c", "  # c \\", "#", "# escape=`", "# escape=\\",
        "# syntax=x", "EOF", "\tEOF", "  EOF", "EOF ", "A", "B",
        "RUN <<EOF", "RUN <<-EOF", "RUN <<A <<B", "COPY <<EOF /x", "RUN 3<<EOF cat",
        "ONBUILD RUN <<EOF", "RUN ['a']", "CMD [\"a\"] x", "RUN echo \\", "ENV A=b \\",
        "RUN --mount=type=cache,target=/x \\", "FROM a", "RUN", "ONBUILD", "LABEL a=\"b \\",
    }
    for p in VALID_FILES:
        if p.name in VERSION_DIVERGENCES:
            continue
        for line in read(p).replace("\r", "").split("\n"):
            if line.isascii() and len(line) < 200 and "\x00" not in line:
                frags.add(line)
    # BuildKit 0.12.5 (the reference) predates the `check` directive, which
    # newer BuildKit and slimguard accept; it would end the directive block.
    return sorted(f for f in frags if not re.match(r"\s*#\s*check\s*=", f, re.IGNORECASE))


FRAGMENTS = _fragments()


@needs_parser
def test_generated_files_match_buildkit():
    """Random recombinations of corpus lines (with CRLF, BOM and missing final
    newline) must agree with BuildKit too, accepted or rejected."""
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=400, deadline=None, derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(
        lines=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=10),
        eol=st.sampled_from(["\n", "\r\n"]),
        bom=st.booleans(),
        final=st.booleans(),
    )
    def check(lines, eol, bom, final):
        text = ("\ufeff" if bom else "") + eol.join(lines) + (eol if final else "")
        try:
            commands = dockerfile.parse_string(text)
        except UnicodeDecodeError:  # BuildKit produced invalid UTF-8: nothing to compare
            hypothesis.assume(False)
        except dockerfile.GoParseError as exc:
            out = check_rejected("generated", text, str(exc))
        else:
            out = compare_accepted("generated", text, commands)
        assert not out.problems, f"text={text!r}\n" + "\n".join(out.problems)

    check()
