"""`docker run ...` (and `podman run`, `docker container run`, `docker create`) -> the common model.

The command is split like a POSIX shell does (:func:`shlex.split` gives the words; a small scanner
gives each word's position so findings and fixes point into the command). docker run's flags are
known, including the ones that take a value (``-v x``, ``-e X=1``, ``-p 80:80``, ``-uroot``, ``-it``),
so the image is the first word that is neither a flag nor a flag's value.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from slimguard.runtime.compose import parse_port_spec, parse_tmpfs, parse_volume_spec
from slimguard.runtime.model import Container, Document, Mount, Port, Val, Workload
from slimguard.runtime.yamlnodes import Loc


class RunError(Exception):
    pass


@dataclass(frozen=True)
class Token:
    value: str
    start: int
    end: int


def split(text: str) -> list[Token]:
    """POSIX shell words with their spans; values are exactly :func:`shlex.split`'s."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and (text[i] in " \t\r\n" or (text[i] == "\\" and i + 1 < n and text[i + 1] == "\n")):
            i += 2 if text[i] == "\\" else 1
        if i >= n:
            break
        start = i
        buf: list[str] = []
        while i < n and text[i] not in " \t\r\n":
            ch = text[i]
            if ch == "\\":
                if i + 1 < n:
                    if text[i + 1] != "\n":
                        buf.append(text[i + 1])
                    i += 2
                else:
                    i += 1
            elif ch == "'":
                j = text.find("'", i + 1)
                if j == -1:
                    raise RunError(f"unterminated single quote at column {i + 1}")
                buf.append(text[i + 1:j])
                i = j + 1
            elif ch == '"':
                i += 1
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n and text[i + 1] in '\\"$`\n':
                        if text[i + 1] != "\n":
                            buf.append(text[i + 1])
                        i += 2
                    else:
                        buf.append(text[i])
                        i += 1
                if i >= n:
                    raise RunError(f"unterminated double quote at column {start + 1}")
                i += 1
            else:
                buf.append(ch)
                i += 1
        tokens.append(Token("".join(buf), start, i))
    try:
        # shlex keeps a backslash-newline as a "\n" word; the shell drops it (line continuation)
        expected = shlex.split(text.replace("\\\r\n", "").replace("\\\n", ""))
    except ValueError as exc:
        raise RunError(f"cannot split the command: {exc}") from None
    if [t.value for t in tokens] != expected:
        # keep shlex's words; positions become approximate
        pos = 0
        approx: list[Token] = []
        for w in expected:
            at = text.find(w, pos)
            at = pos if at == -1 else at
            approx.append(Token(w, at, at + len(w)))
            pos = at + len(w)
        return approx
    return tokens


# docker run (Docker 20.10 - 27) and podman run flags that take a value.
VALUE_FLAGS = {
    "add-host", "annotation", "attach", "blkio-weight", "blkio-weight-device", "cap-add", "cap-drop",
    "cgroup-parent", "cgroupns", "cidfile", "cpu-count", "cpu-percent", "cpu-period", "cpu-quota",
    "cpu-rt-period", "cpu-rt-runtime", "cpu-shares", "cpus", "cpuset-cpus", "cpuset-mems", "detach-keys",
    "device", "device-cgroup-rule", "device-read-bps", "device-read-iops", "device-write-bps",
    "device-write-iops", "dns", "dns-opt", "dns-option", "dns-search", "domainname", "entrypoint", "env",
    "env-file", "expose", "gpus", "group-add", "health-cmd", "health-interval", "health-retries",
    "health-start-period", "health-start-interval", "health-timeout", "hostname", "io-maxbandwidth",
    "io-maxiops", "ip", "ip6", "ipc", "isolation", "kernel-memory", "label", "label-file", "link",
    "link-local-ip", "log-driver", "log-opt", "mac-address", "memory", "memory-reservation", "memory-swap",
    "memory-swappiness", "mount", "name", "network", "net", "network-alias", "net-alias", "oom-score-adj",
    "pid", "pids-limit", "platform", "publish", "pull", "restart", "runtime", "security-opt", "shm-size",
    "stop-signal", "stop-timeout", "storage-opt", "sysctl", "tmpfs", "ulimit", "user", "userns", "uts",
    "volume", "volume-driver", "volumes-from", "workdir", "use-api-socket",
    # podman
    "arch", "authfile", "cert-dir", "chrootdirs", "conmon-pidfile", "creds", "decryption-key",
    "device-cgroup-rule", "env-merge", "gidmap", "group-entry", "hostuser", "image-volume", "init-path",
    "log-opt", "os", "passwd-entry", "personality", "pidfile", "pod", "pod-id-file", "preserve-fds",
    "requires", "sdnotify", "seccomp-policy", "secret", "subgidname", "subuidname", "timeout", "uidmap",
    "umask", "unsetenv", "variant", "cgroup-conf", "cgroups", "chrootdirs", "retry", "retry-delay",
}
BOOL_FLAGS = {
    "detach", "interactive", "tty", "rm", "privileged", "read-only", "init", "publish-all",
    "no-healthcheck", "oom-kill-disable", "sig-proxy", "disable-content-trust", "quiet", "help",
    # podman
    "env-host", "http-proxy", "no-hosts", "read-only-tmpfs", "replace", "rmi", "rootfs", "tls-verify",
    "unsetenv-all", "systemd", "label-nested",
}
SHORT_VALUE = {"a": "attach", "c": "cpu-shares", "e": "env", "h": "hostname", "l": "label", "m": "memory",
               "p": "publish", "u": "user", "v": "volume", "w": "workdir"}
SHORT_BOOL = {"d": "detach", "i": "interactive", "t": "tty", "P": "publish-all", "q": "quiet"}
# docker's global options before the subcommand
GLOBAL_VALUE = {"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert",
                "--tlskey", "--url", "--connection", "--identity", "--root", "--runroot", "--storage-driver",
                "--cgroup-manager", "--events-backend", "--network-cmd-path", "--runtime"}


@dataclass
class Flag:
    name: str  # long name without dashes
    value: str | bool
    index: int  # token index of the flag
    ntokens: int  # 1 (`--x=v`, `-v` bool, `-uroot`) or 2 (`--x v`)
    loc: Loc


@dataclass
class ParsedRun:
    runtime: str  # docker or podman
    flags: list[Flag]
    image: Token | None
    image_index: int
    command: list[Token]
    run_index: int  # index of the `run`/`create` word


def parse_args(tokens: list[Token]) -> ParsedRun:
    i = 0
    # optional prefixes: sudo, env assignments
    while i < len(tokens) and (tokens[i].value in ("sudo", "exec", "command") or
                               ("=" in tokens[i].value and not tokens[i].value.startswith("-"))):
        i += 1
    if i >= len(tokens) or tokens[i].value.rsplit("/", 1)[-1] not in ("docker", "podman", "nerdctl"):
        raise RunError("expected `docker run ...` or `podman run ...`")
    runtime = "podman" if tokens[i].value.endswith("podman") else "docker"
    i += 1
    while i < len(tokens) and tokens[i].value.startswith("-"):
        t = tokens[i].value
        i += 1
        if t in GLOBAL_VALUE:
            i += 1
    if i < len(tokens) and tokens[i].value == "container":
        i += 1
    if i >= len(tokens) or tokens[i].value not in ("run", "create"):
        raise RunError("expected the subcommand `run` (or `create`)")
    run_index = i
    i += 1
    flags: list[Flag] = []
    image: Token | None = None
    image_index = len(tokens)
    while i < len(tokens):
        tok = tokens[i]
        t = tok.value
        if t == "--":
            i += 1
            if i < len(tokens):
                image, image_index = tokens[i], i
            break
        if t.startswith("--") and len(t) > 2:
            name, eq, inline = t[2:].partition("=")
            if name in VALUE_FLAGS:
                if eq:
                    flags.append(Flag(name, inline, i, 1, Loc(tok.start, tok.end)))
                    i += 1
                else:
                    if i + 1 >= len(tokens):
                        raise RunError(f"flag --{name} needs a value")
                    nxt = tokens[i + 1]
                    flags.append(Flag(name, nxt.value, i, 2, Loc(tok.start, nxt.end)))
                    i += 2
            elif name in BOOL_FLAGS:
                value: str | bool = True
                if eq:
                    value = inline.lower() not in ("false", "0")
                flags.append(Flag(name, value, i, 1, Loc(tok.start, tok.end)))
                i += 1
            else:
                raise RunError(f"unknown flag --{name} (at column {tok.start + 1})")
            continue
        if t.startswith("-") and len(t) > 1:
            j = 1
            consumed = 1
            while j < len(t):
                ch = t[j]
                if ch in SHORT_BOOL:
                    flags.append(Flag(SHORT_BOOL[ch], True, i, 1, Loc(tok.start, tok.end)))
                    j += 1
                    continue
                if ch in SHORT_VALUE:
                    rest = t[j + 1:]
                    if rest.startswith("="):
                        rest = rest[1:]
                    if rest:
                        flags.append(Flag(SHORT_VALUE[ch], rest, i, 1, Loc(tok.start, tok.end)))
                    else:
                        if i + 1 >= len(tokens):
                            raise RunError(f"flag -{ch} needs a value")
                        nxt = tokens[i + 1]
                        flags.append(Flag(SHORT_VALUE[ch], nxt.value, i, 2, Loc(tok.start, nxt.end)))
                        consumed = 2
                    break
                raise RunError(f"unknown flag -{ch} in {t!r} (at column {tok.start + 1})")
            i += consumed
            continue
        image, image_index = tok, i
        break
    command = tokens[image_index + 1:] if image is not None else []
    return ParsedRun(runtime, flags, image, image_index, command, run_index)


def parse(text: str, display: str = "<docker run>") -> Document:
    tokens = split(text)
    run = parse_args(tokens)
    if run.image is None:
        raise RunError("no image in the command")
    doc = Document(display, text, "docker-run", tokens=tokens)
    w = Workload("docker-run", "run", run.image.value, display, Loc(tokens[0].start, tokens[run.run_index].end),
                 runtime=run.runtime)
    w.parsed = run
    c = Container(w, run.image.value, "run", Loc(run.image.start, run.image.end))
    c.image = Val(run.image.value, Loc(run.image.start, run.image.end), token=run.image_index)

    def val(f: Flag) -> Val:
        return Val(f.value, f.loc, token=f.index, ntokens=f.ntokens)

    for f in run.flags:
        v = val(f)
        name = f.name
        if name == "user":
            c.user = v
        elif name == "privileged":
            c.privileged = v
        elif name == "read-only":
            c.read_only_root_fs = v
        elif name in ("cap-add", "cap-drop"):
            target = c.cap_add if name == "cap-add" else c.cap_drop
            for cap in str(f.value).split(","):
                if cap:
                    target.append(Val(cap, f.loc, token=f.index, ntokens=f.ntokens))
        elif name == "security-opt":
            c.security_opt.append(v)
        elif name in ("network", "net"):
            c.network_mode = v
        elif name == "pid":
            c.pid_mode = v
        elif name == "ipc":
            c.ipc_mode = v
        elif name == "userns":
            c.userns_mode = v
        elif name == "uts":
            c.uts_mode = v
        elif name == "sysctl":
            k, _, sv = str(f.value).partition("=")
            c.sysctls[k] = Val(sv, f.loc, token=f.index, ntokens=f.ntokens)
        elif name == "publish":
            p = parse_port_spec(str(f.value))
            if p is not None:
                p.loc = f.loc
                c.ports.append(p)
        elif name == "expose":
            p = parse_port_spec(str(f.value).split(":")[-1])
            if p is not None:
                c.ports.append(Port(p.container, None, p.protocol, f.loc, str(f.value)))
        elif name == "volume":
            m = parse_volume_spec(expand_source(str(f.value)))
            if m is not None:
                m.loc, m.val = f.loc, v
                c.mounts.append(m)
        elif name == "mount":
            m = parse_mount_flag(str(f.value))
            if m is not None and m.source:
                m.source = expand_source(m.source)
            if m is not None:
                m.loc, m.val = f.loc, v
                c.mounts.append(m)
        elif name == "tmpfs":
            c.mounts.append(parse_tmpfs(str(f.value), v))
    w.containers.append(c)
    doc.workloads.append(w)
    return doc


def expand_source(text: str) -> str:
    """What the shell would make of ``$HOME/x``, ``${PWD}/x``, ``$(pwd)/x`` and ``~/x`` in a mount source."""
    import os

    out = text.replace("$(pwd)", os.getcwd()).replace("`pwd`", os.getcwd())
    if out.startswith("~"):
        out = os.path.expanduser(out)
    return os.path.expandvars(out)


def parse_mount_flag(text: str) -> Mount | None:
    """``--mount type=bind,source=/x,target=/y,readonly`` (CSV fields)."""
    import csv

    try:
        fields = next(csv.reader([text]))
    except (csv.Error, StopIteration):
        return None
    opts: dict[str, str] = {}
    for f in fields:
        k, sep, v = f.partition("=")
        opts[k.strip().lower()] = v.strip() if sep else "true"
    mtype = opts.get("type", "volume")
    source = opts.get("source") or opts.get("src")
    target = opts.get("target") or opts.get("destination") or opts.get("dst") or ""
    ro = opts.get("readonly", opts.get("ro", "false")).lower() in ("true", "1", "")
    if mtype == "tmpfs":
        t_opts = {}
        if "tmpfs-mode" in opts:
            t_opts["mode"] = opts["tmpfs-mode"]
        return Mount("tmpfs", target, None, ro, t_opts, "long")
    kind = "bind" if mtype == "bind" else "volume"
    m = Mount(kind, target, source, ro, {}, "long", create_host_path=False)
    if opts.get("volume-nocopy"):
        m.options["nocopy"] = "true"
    return m


def insert_flag(doc: Document, text: str) -> tuple:
    """An edit adding ``text`` (e.g. ``--cap-drop ALL``) just before the image."""
    from slimguard.core.findings import Edit

    w = doc.workloads[0]
    run: ParsedRun = w.parsed
    assert run.image is not None
    at = run.image.start
    return (Edit(at, at, text + " "),)


def remove_flag(doc: Document, v: Val) -> tuple:
    """An edit deleting a flag (and its value) with the space before it."""
    from slimguard.core.findings import Edit

    start, end = v.loc.start, v.loc.end
    src = doc.text
    if start > 0 and src[start - 1] == " ":
        start -= 1
    return (Edit(start, end, ""),)


def replace_flag(doc: Document, v: Val, text: str) -> tuple:
    from slimguard.core.findings import Edit

    return (Edit(v.loc.start, v.loc.end, text),)
