"""Classify simple commands into operations (package installs, users, chmod, ...)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from slimguard.dockerfile.shell.build import build_ops, may_build
from slimguard.dockerfile.shell.files import WRITE_TOOLS, chmod_ops, chown_ops, cleanup_ops, write_ops
from slimguard.dockerfile.shell.model import (
    Download,
    FileWrite,
    Operation,
    PrivilegeTool,
    SimpleCommand,
)
from slimguard.dockerfile.shell.net import DOWNLOAD_TOOLS, download_info
from slimguard.dockerfile.shell.options import parse_opts, spec
from slimguard.dockerfile.shell.packages import has_package_handler, package_ops
from slimguard.dockerfile.shell.parse import SHELLS, CommandInfo, shell_mode
from slimguard.dockerfile.shell.quoting import decode_ansi_c
from slimguard.dockerfile.shell.users import USER_TOOLS, passwd_lines, user_ops
from slimguard.dockerfile.shell.wrappers import PRIVILEGE_WRAPPERS

__all__ = ["classify", "classify_command", "INTERPRETERS"]

INTERPRETERS = re.compile(r"(python|pypy|perl|ruby|node|nodejs|php|lua|tclsh|Rscript)"
                          r"(\d+(\.\d+)*)?$")
_PRIVILEGE_COMMANDS = frozenset({"sudo", "su", "doas", "gosu", "su-exec", "runuser", "setpriv",
                                 "chpst", "setuidgid", "s6-setuidgid", "pkexec"})
_SU = spec("cgGsw", ("--command", "--session-command", "--group", "--supp-group", "--shell",
                     "--whitelist-environment", "--user"))
_ACCOUNT_FILES = ("/etc/passwd", "/etc/group")


_Handler = Callable[[SimpleCommand], list[Operation]]
_HANDLER_CACHE: dict[str, tuple[_Handler, ...]] = {}
_FILE_HANDLERS: dict[str, _Handler] = {
    "chown": chown_ops, "chgrp": chown_ops, "chmod": chmod_ops, "rm": cleanup_ops,
    "find": cleanup_ops,
}


def _handlers(name: str) -> tuple[_Handler, ...]:
    """The classifiers that may apply to commands called ``name`` (memoised)."""
    found = _HANDLER_CACHE.get(name)
    if found is not None:
        return found
    hs: list[_Handler] = []
    if has_package_handler(name):
        hs.append(package_ops)
    if name in USER_TOOLS:
        hs.append(user_ops)
    if name in _FILE_HANDLERS:
        hs.append(_FILE_HANDLERS[name])
    if may_build(name):
        hs.append(build_ops)
    if name in WRITE_TOOLS:
        hs.append(write_ops)
    result = tuple(hs)
    if len(_HANDLER_CACHE) < 4096:
        _HANDLER_CACHE[name] = result
    return result


def _privilege(cmd: SimpleCommand, users: Sequence[str | None]) -> list[Operation]:
    ops: list[Operation] = []
    for i, w in enumerate(cmd.wrappers):
        if w in PRIVILEGE_WRAPPERS:
            target = users[i] if i < len(users) else None
            ops.append(PrivilegeTool(command=cmd, tool=w, user=target))
    name = cmd.name
    if name in _PRIVILEGE_COMMANDS:
        user: str | None = None
        if name in ("su", "runuser"):
            p = parse_opts(cmd.args, _SU)
            pos = [w.text for w in p.positionals if w.text != "-"]
            user = pos[0] if pos else (p.last("--user") or "root")
        elif name in ("sudo", "doas"):
            user = None
        elif cmd.args:
            user = cmd.args[0].text.split(":", 1)[0]
        ops.append(PrivilegeTool(command=cmd, tool=name, user=user))
    return ops


def _reads_script_from_stdin(cmd: SimpleCommand) -> bool:
    name = cmd.name
    if name is None:
        return False
    if name in SHELLS:
        return shell_mode(cmd.args)[0] == "stdin"
    if INTERPRETERS.match(name):
        for a in cmd.args:
            t = a.text
            if t == "-":
                return True
            if t in ("-c", "-e", "-m", "-E", "-r"):
                return False
            if not t.startswith("-"):
                return False
        return True
    return False


def _executed_by(infos: Sequence[CommandInfo], info: CommandInfo) -> str | None:
    """The shell/interpreter that executes the output of ``info``'s command."""
    cmd = info.command
    if info.pipeline >= 0:
        for other in infos:
            if (other.pipeline == info.pipeline
                    and other.command.pipeline_position > cmd.pipeline_position
                    and _reads_script_from_stdin(other.command)):
                return other.command.name
    if info.parent >= 0:
        parent = infos[info.parent].command
        pname = parent.name
        if pname is None:
            return None
        if info.via == "cmdsub":
            if pname in SHELLS:
                mode, idx = shell_mode(parent.args)
                if mode == "c" and idx == info.arg_index:
                    return pname
            elif INTERPRETERS.match(pname) and info.arg_index >= 1 and (
                    parent.args[info.arg_index - 1].text in ("-c", "-e")):
                return pname
            elif pname in ("eval", "source", "."):
                return pname
        elif info.via == "procsub":
            if pname in SHELLS or pname in ("source", ".") or INTERPRETERS.match(pname):
                return pname
    return None


def _echo_content(cmd: SimpleCommand) -> str | None:
    """The text echo/printf/cat-heredoc writes to stdout, when literal."""
    name = cmd.name
    if name == "echo":
        words = list(cmd.args)
        escapes = False
        while words and words[0].value is not None and re.fullmatch(r"-[neE]+", words[0].value):
            escapes = escapes or "e" in words[0].value
            words.pop(0)
        if any(w.value is None for w in words):
            return None
        text = " ".join(w.value or "" for w in words)
        return decode_ansi_c(text) if escapes else text
    if name == "printf":
        if not cmd.args or any(w.value is None for w in cmd.args):
            return None
        fmt = decode_ansi_c(cmd.args[0].value or "")
        rest = [w.value or "" for w in cmd.args[1:]]
        if "%" in fmt:
            out = []
            parts = re.split(r"(%[-+ #0-9.]*[sdbq%])", fmt)
            for part in parts:
                if part == "%%":
                    out.append("%")
                elif part.startswith("%") and len(part) > 1:
                    out.append(rest.pop(0) if rest else "")
                else:
                    out.append(part)
            return "".join(out)
        return fmt
    if name == "cat" and not cmd.args:
        for r in cmd.redirects:
            if r.heredoc is not None:
                return r.heredoc
            if r.op == "<<<" and r.target is not None:
                return r.target + "\n"
    return None


def _account_file(path: str) -> str | None:
    p = path.replace("//", "/")
    return p if p in _ACCOUNT_FILES else None


def _writes(infos: Sequence[CommandInfo], info: CommandInfo) -> list[Operation]:
    cmd = info.command
    ops: list[Operation] = []
    seen: set[str] = set()
    for r in cmd.redirects:
        if r.writes_file and r.target is not None and not r.target.startswith("/dev/"):
            ops.append(FileWrite(command=cmd, path=r.target, via=r.op.lstrip("0123456789")))
            acct = _account_file(r.target)
            if acct and acct not in seen:
                content = _echo_content(cmd)
                if content is not None:
                    seen.add(acct)
                    ops.extend(passwd_lines(cmd, acct, content))
    if cmd.name == "tee" and info.pipeline >= 0:
        cmd_writes = write_ops(cmd)
        for fw in cmd_writes:
            acct = _account_file(fw.path) if isinstance(fw, FileWrite) else None
            if acct is None or acct in seen:
                continue
            for other in infos:
                if (other.pipeline == info.pipeline
                        and other.command.pipeline_position == cmd.pipeline_position - 1):
                    content = _echo_content(other.command)
                    if content is not None:
                        seen.add(acct)
                        ops.extend(passwd_lines(cmd, acct, content))
    return ops


def classify(infos: Sequence[CommandInfo]) -> tuple[Operation, ...]:
    """Operations of all commands, in command order."""
    ops: list[Operation] = []
    for info in infos:
        cmd = info.command
        name = cmd.name
        if cmd.wrappers or name in _PRIVILEGE_COMMANDS:
            ops.extend(_privilege(cmd, info.users))
        if name is not None:
            for handler in _handlers(name):
                ops.extend(handler(cmd))
            if name in DOWNLOAD_TOOLS:
                dl = download_info(cmd)
                if dl is not None:
                    shell = _executed_by(infos, info)
                    ops.append(Download(command=cmd, tool=dl[0], urls=dl[1], output=dl[2],
                                        piped_to_shell=shell is not None, shell=shell))
                    if dl[2] is not None and not dl[2].startswith("/dev/"):
                        ops.append(FileWrite(command=cmd, path=dl[2], via=dl[0]))
        if cmd.redirects or name == "tee":
            ops.extend(_writes(infos, info))
    return tuple(ops)


def classify_command(cmd: SimpleCommand) -> tuple[Operation, ...]:
    """Operations of one command taken on its own (no pipeline or parent context)."""
    info = CommandInfo(cmd, 0, -1, -1, "top", -1, tuple(None for _ in cmd.wrappers))
    return classify([info])
