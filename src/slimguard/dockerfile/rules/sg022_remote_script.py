"""SG022: a script fetched over the network and run without verification."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.dockerfile.shell import SHELLS, Download, FileWrite
from slimguard.dockerfile.shell.classify import INTERPRETERS
from slimguard.core.rule import Rule, RuleDocs
from slimguard.dockerfile.context import LintContext

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Step
    from slimguard.dockerfile.shell import SimpleCommand

_URL = re.compile(r"^(https?|ftp)://", re.I)
# commands that check a download: checksums and signatures
_VERIFIERS = frozenset({"sha256sum", "sha512sum", "sha384sum", "sha224sum", "sha1sum", "shasum", "md5sum",
                        "b2sum", "cksum", "gpg", "gpgv", "gpg2", "cosign", "minisign", "signify",
                        "slsa-verifier"})


@dataclass
class _Fetched:
    path: str  # absolute, normalised
    url: str
    how: str  # "ADD" or the download tool
    line: int


def _norm(path: str, workdir: str) -> str:
    if not path.startswith("/"):
        path = posixpath.join(workdir or "/", path)
    return posixpath.normpath(path)


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


def _script_operand(cmd: "SimpleCommand") -> str | None:
    """The script file a shell or interpreter command runs (``sh install.sh``, ``python3 get-pip.py``)."""
    name = cmd.name
    if name is None:
        return None
    if name in ("source", "."):
        return cmd.args[0].value if cmd.args else None
    if name not in SHELLS and not INTERPRETERS.match(name):
        return None
    for word in cmd.args:
        t = word.value
        if t is None:
            return None
        if t in ("-c", "-s", "-e", "-m", "-", "--command"):
            return None  # a command string, stdin or a module: not a file
        if t == "--":
            continue
        if t.startswith("-"):
            continue
        return t
    return None


class RemoteScript(Rule):
    id = "SG022"
    title = "Remote script run without verification"
    severity = Severity.WARNING
    concern = "remote-script"
    fixable = "none"
    aliases = ()
    docs = RuleDocs(
        what=(
            "Finds scripts fetched over the network and executed without a checksum or signature check, in "
            "every stage (a builder's output ends up in the image too) and in ONBUILD triggers: a download "
            "piped into a shell or interpreter (`curl … | sh`, `wget -O- … | bash`, `curl … | sudo python3 "
            "-`, `bash -c \"$(curl …)\"`, `sh <(curl …)`, `eval \"$(curl …)\"`), and a file fetched with "
            "`ADD <url>` (without `--checksum`) or downloaded with curl/wget and then run (`sh install.sh`, "
            "`./install.sh`, `python3 get-pip.py`, `. ./env.sh`) in the same RUN or a later one of the stage's "
            "FROM chain. A checksum or signature command (sha256sum, shasum, gpg, gpgv, cosign, minisign, "
            "...) between download and execution counts as verification."
        ),
        why=(
            "The script is whatever the server returns at build time, run as the build user (usually "
            "root): a compromised or hijacked host, a redirect or a silently updated installer changes the "
            "image without any change to the Dockerfile, and builds stop being reproducible. A download that "
            "breaks off midway can even run a truncated script."
        ),
        example=(
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates\n"
            "RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\n"
        ),
        instead=(
            "FROM debian:bookworm-slim\n"
            "ADD --checksum=sha256:<sha256 of the reviewed script> \\\n"
            "    https://deb.nodesource.com/setup_20.x /tmp/setup_node.sh\n"
            "RUN bash /tmp/setup_node.sh && rm /tmp/setup_node.sh\n"
            "# or: RUN curl -fsSLo /tmp/s.sh <url> && echo '<sha256>  /tmp/s.sh' | sha256sum -c - && bash /tmp/s.sh\n"
            "# or use the distribution's packages, or COPY --from an official image\n"
        ),
        fix_safety=(
            "No automatic fix: the checksum must come from a copy of the script you have reviewed. Pin it "
            "with `ADD --checksum=sha256:…` or check it with sha256sum before running it, or replace the "
            "installer with packages or a pinned release binary."
        ),
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        reported: set[tuple[int, int]] = set()
        # what each stage leaves fetched-but-unchecked, so a stage built FROM it starts from there: one pass
        # over the steps (a FROM chain of n stages is not walked n times)
        after: dict[int, dict[str, _Fetched]] = {}
        for stage in ctx.model.stages:
            parent = stage.parent  # the stage it is built FROM (None for an external base)
            if parent is not None and id(parent) not in after:
                after[id(parent)] = self._state(ctx, parent)
            fetched: dict[str, _Fetched] = dict(after[id(parent)]) if parent is not None else {}
            for step in stage.steps:
                if step.in_onbuild:
                    if step.run is not None:
                        yield from self._run(ctx, step, {}, reported)
                    continue
                if step.instruction.name == "ADD":
                    self._add(step, fetched)
                elif step.run is not None:
                    yield from list(self._run(ctx, step, fetched, reported))
            after[id(stage)] = fetched

    def _state(self, ctx: LintContext, stage: "Stage") -> dict[str, _Fetched]:
        """What *stage*'s whole chain leaves fetched (a parent not seen before it: does not happen in file order)."""
        fetched: dict[str, _Fetched] = {}
        for step in stage.all_steps():
            if step.in_onbuild:
                continue
            if step.instruction.name == "ADD":
                self._add(step, fetched)
            elif step.run is not None:
                list(self._run(ctx, step, fetched, set()))
        return fetched

    @staticmethod
    def _add(step: "Step", fetched: dict[str, _Fetched]) -> None:
        ins = step.instruction
        if ins.flag("checksum") is not None or len(step.expanded) < 2:
            return
        sources, dest = list(step.expanded[:-1]), step.expanded[-1]
        for src in sources:
            if not _URL.match(src):
                continue
            name = posixpath.basename(src.split("?", 1)[0].split("#", 1)[0].rstrip("/"))
            path = dest + name if dest.endswith("/") or len(sources) > 1 else dest
            fetched[_norm(path, step.workdir)] = _Fetched(_norm(path, step.workdir), src, "ADD", ins.start_line)

    def _run(self, ctx: LintContext, step: "Step", fetched: dict[str, _Fetched],
             reported: set[tuple[int, int]]) -> Iterator[Finding]:
        run = step.run
        assert run is not None
        script = run.script
        by_cmd: dict[int, list] = {}
        for op in script.operations:
            by_cmd.setdefault(id(op.command), []).append(op)
        where = " in an ONBUILD trigger" if step.in_onbuild else ""
        for cmd in script.commands:
            ops = by_cmd.get(id(cmd), [])
            if cmd.name in _VERIFIERS:
                fetched.clear()  # a checksum or signature check follows the downloads so far
            for op in ops:
                if not isinstance(op, Download):
                    continue
                url = _short(op.urls[0]) if op.urls else "the URL"
                if op.piped_to_shell:
                    key = (id(step.instruction), cmd.start)
                    if key in reported:
                        continue
                    reported.add(key)
                    yield ctx.finding(
                        self, run.span_of(cmd.start, cmd.end),
                        f"{op.tool} output is piped into {op.shell}{where}: the script from {url} runs "
                        "unverified with the build's privileges and can change between builds; download it "
                        "to a file, check a pinned checksum (`echo '<sha256>  install.sh' | sha256sum -c -`) "
                        "or use `ADD --checksum=sha256:…`, then run it, or install from packages",
                    )
                    continue
                output = op.output
                if output is None:
                    writes = [w.path for w in ops if isinstance(w, FileWrite) and w.via.startswith(">")]
                    output = writes[0] if writes else None
                if output is not None and not output.startswith("/dev/") and output != "-":
                    path = _norm(output, step.workdir)
                    fetched[path] = _Fetched(path, op.urls[0] if op.urls else "a URL", op.tool,
                                             step.instruction.start_line)
            executed = self._executed(cmd, step.workdir)
            if executed is not None and executed in fetched:
                f = fetched[executed]
                key = (id(step.instruction), cmd.start)
                if key in reported:
                    continue
                reported.add(key)
                yield ctx.finding(
                    self, run.span_of(cmd.start, cmd.end),
                    f"runs {executed}{where}, fetched from {_short(f.url)} by {f.how} (line {f.line}), without "
                    "a checksum or signature check; pin it with `ADD --checksum=sha256:…` or verify it with "
                    "sha256sum/gpg before running it",
                )

    @staticmethod
    def _executed(cmd: "SimpleCommand", workdir: str) -> str | None:
        word = cmd.name_word
        if word is not None and word.value is not None and "/" in word.value:
            return _norm(word.value, workdir)
        operand = _script_operand(cmd)
        if operand is not None:
            return _norm(operand, workdir)
        return None


RULE = RemoteScript
