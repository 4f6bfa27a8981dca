"""Where a Dockerfile sets a given port: every place a port renumbering has to follow, or why it cannot.

:func:`port_plan` walks the shipped stage's FROM chain (and the global ARGs it redeclares) and collects
each *site* where one of the given ports is written:

* EXPOSE words, literal (``EXPOSE 80/tcp``, ``EXPOSE 100-110``) or through a variable (``EXPOSE ${PORT}``:
  the site is where that variable gets its value);
* ENV and ARG values of port variables (``PORT``, ``HTTP_PORT``, ``SERVER_PORT``, ``APP_PORT``, any other
  ``*_PORT`` that does not name a remote service) and listen addresses (``ASPNETCORE_URLS=http://+:80``,
  ``LISTEN_ADDR=0.0.0.0:80``);
* CMD and ENTRYPOINT arguments, exec or shell form, also inside ``sh -c "..."``: ``--port 80``,
  ``--port=80``, ``-p 80``, ``-p80``, ``--bind 0.0.0.0:80``, ``-b :80``, ``--listen :80``, a bare
  ``0.0.0.0:80`` or ``:80``, ``http://0.0.0.0:80``, ``PORT=80`` assignments (also after ``env``),
  ``-Dserver.port=80``, the port argument of ``python -m http.server 80`` and ``manage.py runserver
  0.0.0.0:80``; ``--port $PORT`` in shell form follows ``$PORT`` to the ENV that sets it, and
  ``${PORT:-80}`` has its default as a site;
* HEALTHCHECK commands probing the container itself: ``http://localhost:80/``, ``127.0.0.1:80``, and
  ``http://localhost/`` with port 80 implied (the site is then an insertion after the host).

Anything that also mentions the port but cannot be rewritten with certainty is a *blocker*: a RUN, LABEL,
COPY heredoc or ONBUILD trigger containing the number, a port variable whose value comes from
``--build-arg`` or is built from several parts, a variable at a port position the Dockerfile does not set,
a command that runs a script (an entrypoint script, ``sh start.sh``), a config-driven server (nginx,
httpd, ...) whose port lives in its config file, a config file copied in from the build context or another
stage, a command slimguard cannot read (command substitution, a non-POSIX SHELL), a stage or global ARG
that other stages share, or a replacement port that is already in use.

A plan *listens* when one of its sites decides the port the process binds: a port argument of the effective
CMD or ENTRYPOINT, or a port variable in the image's environment (ENV) that a command the Dockerfile sets
can read. Without such a site the Dockerfile does not show where the application's port is set, and
renumbering EXPOSE alone would leave the image half-renumbered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slimguard.core.findings import Edit
from slimguard.dockerfile.syntax.buildkit import WHITESPACE_RE, parse_words, split_whitespace

if TYPE_CHECKING:
    from slimguard.dockerfile.context import LintContext
    from slimguard.dockerfile.model import Stage, Step
    from slimguard.dockerfile.syntax import Instruction

__all__ = ["PortSite", "PortPlan", "port_plan"]

_VAR = "\x01"  # stands for one variable reference in a masked word
_MAX_DEPTH = 8

# ---------------------------------------------------------------------------- names


_PORT_NAME_OUTBOUND = (
    "UPSTREAM", "BACKEND", "REMOTE", "TARGET", "DEST", "CLIENT", "PROXY", "DB", "DATABASE", "REDIS",
    "POSTGRES", "PG", "MYSQL", "MARIADB", "MONGO", "MEMCACHE", "RABBIT", "AMQP", "KAFKA", "ZOOKEEPER",
    "ELASTIC", "SMTP", "MAIL", "IMAP", "POP", "LDAP", "SENTRY", "STATSD", "OTEL", "JAEGER", "ZIPKIN",
    "CONSUL", "ETCD", "VAULT", "NATS", "MQTT", "DEBUG", "JDWP", "INSPECT", "API_SERVER", "KUBERNETES",
)


def _name_parts(name: str) -> list[str]:
    return [p for p in re.split(r"[^A-Za-z0-9]+", name.upper()) if p]


def _port_name(name: str) -> str | None:
    """``listen`` for a variable or option naming the port the process listens on (PORT, HTTP_PORT,
    --port, -p, server.port), ``outbound`` for one naming a port it connects to (DB_PORT, REDIS_PORT,
    --upstream-port), None for anything else."""
    n = name.lstrip("-")
    if n in ("p", "P"):
        return "listen" if n == "p" else None
    upper = n.upper().replace("-", "_").replace(".", "_")
    if not upper.endswith("PORT"):
        return None
    parts = _name_parts(upper)
    if "KUBERNETES" in parts and "SERVICE" in parts:
        return "outbound"  # KUBERNETES_SERVICE_PORT: the API server's
    head = upper[: -len("PORT")]
    if any(word in _name_parts(head) or head.startswith(word) for word in _PORT_NAME_OUTBOUND):
        return "outbound"
    return "listen"


_ADDRESS_FLAGS = frozenset({
    "b", "l", "s", "bind", "listen", "address", "addr", "http", "https", "http-socket", "https-socket",
    "socket", "urls", "server-url", "listen-address", "bind-address", "web.listen-address", "server.address",
    "host-port", "hostport",
})


def _address_name(name: str) -> bool:
    """An option or variable whose value is a listen address (``--bind``, ``-b``, ``LISTEN_ADDR``, ``*_URLS``)."""
    n = name.lstrip("-")
    if n in _ADDRESS_FLAGS or n.lower() in _ADDRESS_FLAGS:
        return True
    upper = n.upper().replace("-", "_").replace(".", "_")
    parts = _name_parts(upper)
    if any(word in parts for word in _PORT_NAME_OUTBOUND):
        return False
    return bool(parts) and (parts[-1] in ("ADDR", "ADDRESS", "LISTEN", "BIND", "URLS")
                            or upper.endswith("LISTEN_ADDRESS"))


_LOCAL_HOSTS = frozenset({"", "0.0.0.0", "*", "+", "[::]", "::", "localhost", "127.0.0.1", "[::1]", "::1",
                          "ip6-localhost"})
_SCHEME_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_WRAPPERS = frozenset({"exec", "nohup", "tini", "tini-static", "dumb-init", "--", "time", "catatonit"})
# Servers that read their port from a config file, never from a PORT variable.
_CONFIG_SERVERS = frozenset({
    "nginx", "openresty", "httpd", "apache2", "apache2ctl", "apachectl", "lighttpd", "haproxy", "caddy",
    "traefik", "envoy", "squid", "varnishd", "sshd", "named", "unbound", "dnsmasq", "vsftpd", "proftpd",
    "postfix", "dovecot", "exim", "slapd", "mosquitto", "coredns", "php-fpm", "supervisord", "s6-svscan",
    "runsvdir",
})
_CONFIG_EXT = frozenset({"conf", "cfg", "cnf", "ini", "toml", "yaml", "yml", "properties", "xml", "json",
                         "env", "hcl", "caddyfile", "vcl"})
_NOT_CONFIG = frozenset({
    "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
    "pnpm-workspace.yaml", "composer.json", "composer.lock", "pyproject.toml", "poetry.lock", "pdm.lock",
    "uv.lock", "pipfile", "pipfile.lock", "cargo.toml", "cargo.lock", "pom.xml", "go.mod", "go.sum",
    "gemfile", "gemfile.lock", "mix.exs", "mix.lock", "deno.json", "bun.lockb", "angular.json",
    "environment.yml", "conda.yaml", "renv.lock", "bower.json", "lerna.json", "nx.json", "turbo.json",
    "jsconfig.json", "manifest.json", "requirements.txt",
})
_CONFIG_DIRS = ("/etc/nginx", "/etc/apache2", "/etc/httpd", "/usr/local/apache2/conf", "/etc/caddy",
                "/etc/lighttpd", "/etc/haproxy", "/usr/local/etc/haproxy", "/etc/traefik", "/etc/envoy",
                "/etc/squid", "/etc/supervisor", "/etc/ssh", "/usr/local/openresty/nginx/conf")
_PORTISH_VAR = re.compile(r"PORT|ADDR|LISTEN|BIND|URL", re.I)


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PortSite:
    """One place that sets a port: replace ``[start, end)`` (source offsets) with the new port, or insert
    ``:NEW`` at ``start`` when ``implied`` (a URL whose scheme implies the port)."""

    instruction: "Instruction"
    start: int
    end: int
    port: int
    what: str  # e.g. "EXPOSE", "ENV PORT", "CMD --port", "HEALTHCHECK URL"
    listen: bool = False  # decides the port the process binds
    implied: bool = False

    @property
    def line(self) -> int:
        return self.instruction.start_line

    def edit(self, new: int) -> Edit:
        return Edit(self.start, self.end, f":{new}" if self.implied else str(new))


@dataclass
class PortPlan:
    """Every site of ``ports`` in the shipped stage, and why a renumbering cannot follow them all."""

    ports: tuple[int, ...]
    sites: list[PortSite] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    @property
    def listens(self) -> bool:
        return any(s.listen for s in self.sites)

    @property
    def followable(self) -> bool:
        """No blocker, and a site that decides the listen port: renumbering every site is consistent."""
        return not self.blockers and self.listens

    def edits(self, renumber: Callable[[int], int]) -> tuple[Edit, ...]:
        return tuple(s.edit(renumber(s.port)) for s in sorted(self.sites, key=lambda s: (s.start, s.end)))

    def describe(self) -> str:
        """``EXPOSE (line 3), CMD --port (line 5)``: the sites, in file order."""
        seen: list[str] = []
        for s in sorted(self.sites, key=lambda s: s.start):
            label = f"{s.what} (line {s.line})"
            if label not in seen:
                seen.append(label)
        return ", ".join(seen)


# ---------------------------------------------------------------------------- words


@dataclass(frozen=True)
class _Ref:
    name: str
    op: str  # "", ":-", "-", ":=", "=", ":+", "+", ":?", "?" or "other"
    default: "_Tok | None"  # the word after the operator (literal parts only)


@dataclass(frozen=True)
class _Tok:
    """A word after quote removal. ``pos[i]`` is the source offset of ``value[i]`` (None when it does not
    come from one source character); ``masked`` replaces each variable reference by one ``\\x01``, with
    ``refs`` in order and ``mpos`` the source offsets of ``masked``."""

    value: str
    pos: tuple[int | None, ...]
    masked: str
    mpos: tuple[int | None, ...]
    refs: tuple[_Ref, ...]
    opaque: bool = False  # command substitution or arithmetic: the value is not known


def _lit(value: str, pos: Iterable[int | None]) -> _Tok:
    p = tuple(pos)
    return _Tok(value, p, value, p, ())


def _decode(text: str, pos: list[int | None], *, expand: bool, escape: str = "\\") -> _Tok:
    """One shell-like word: quotes removed, escapes resolved, ``$NAME`` / ``${NAME...}`` recognised when
    *expand* (never inside single quotes)."""
    value: list[str] = []
    vpos: list[int | None] = []
    masked: list[str] = []
    mpos: list[int | None] = []
    refs: list[_Ref] = []
    opaque = False
    i, n = 0, len(text)
    quote = ""
    while i < n:
        ch = text[i]
        if quote == "'":
            if ch == "'":
                quote = ""
            else:
                value.append(ch), vpos.append(pos[i]), masked.append(ch), mpos.append(pos[i])
            i += 1
            continue
        if ch == escape and i + 1 < n:
            nxt = text[i + 1]
            if quote == '"' and nxt not in ('"', "$", escape, "`", "\n"):
                value.append(ch), vpos.append(pos[i]), masked.append(ch), mpos.append(pos[i])
                i += 1
                continue
            if nxt != "\n":
                value.append(nxt), vpos.append(pos[i + 1]), masked.append(nxt), mpos.append(pos[i + 1])
            i += 2
            continue
        if ch in "'\"" and not quote:
            quote = ch
            i += 1
            continue
        if ch == '"' and quote == '"':
            quote = ""
            i += 1
            continue
        if expand and ch == "$" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "(" or nxt == "`":
                opaque = True
            elif nxt == "{":
                close = _matching_brace(text, i + 1)
                if close is None:
                    opaque = True
                    i += 1
                    continue
                body = text[i + 2 : close]
                m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])(.*))?$", body, re.S)
                start_raw = i
                if m is None:
                    refs.append(_Ref(body, "other", None))
                else:
                    default = None
                    if m.group(2):
                        d0 = i + 2 + m.start(3)
                        default = _decode(m.group(3), pos[d0 : d0 + len(m.group(3))], expand=expand, escape=escape)
                    refs.append(_Ref(m.group(1), m.group(2) or "", default))
                raw = text[start_raw : close + 1]
                value.extend(raw), vpos.extend(pos[start_raw : close + 1])
                masked.append(_VAR), mpos.append(None)
                i = close + 1
                continue
            else:
                m = re.match(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]", text[i + 1 :])
                if m is not None:
                    refs.append(_Ref(m.group(0), "", None))
                    raw = text[i : i + 1 + m.end()]
                    value.extend(raw), vpos.extend(pos[i : i + 1 + m.end()])
                    masked.append(_VAR), mpos.append(None)
                    i += 1 + m.end()
                    continue
        if expand and ch == "`":
            opaque = True
        value.append(ch), vpos.append(pos[i]), masked.append(ch), mpos.append(pos[i])
        i += 1
    return _Tok("".join(value), tuple(vpos), "".join(masked), tuple(mpos), tuple(refs), opaque)


def _matching_brace(text: str, open_at: int) -> int | None:
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return None


_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")", "\n")


def _shell_commands(text: str, pos: list[int | None]) -> list[list[_Tok]] | None:
    """Split a shell script into simple commands of decoded words; None when it cannot be read
    (unbalanced quotes, command substitution, here-documents)."""
    commands: list[list[_Tok]] = [[]]
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r":
            i += 1
            continue
        if ch == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if ch == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            if commands[-1]:
                commands.append([])
            i += len(op)
            continue
        if ch in "<>":
            if text.startswith("<<", i):
                return None
            i += 1
            continue
        # one word
        start = i
        quote = ""
        depth = 0
        while i < n:
            c = text[i]
            if quote:
                if c == "\\" and quote == '"' and i + 1 < n:
                    i += 2
                    continue
                if quote == '"' and (c == "`" or text.startswith("$(", i)):
                    return None
                if c == quote:
                    quote = ""
                i += 1
                continue
            if c == "\\" and i + 1 < n:
                i += 2
                continue
            if c in "'\"":
                quote = c
                i += 1
                continue
            if c == "`" or (c == "$" and text.startswith("$(", i)):
                return None  # command substitution: what the word becomes is not known
            if c == "$" and i + 1 < n and text[i + 1] == "{":
                depth += 1
                i += 2
                continue
            if c == "}" and depth:
                depth -= 1
                i += 1
                continue
            if not depth and (c in " \t\r\n;&|()<>"):
                break
            i += 1
        if quote or depth:
            return None
        tok = _decode(text[start:i], pos[start:i], expand=True)
        if tok.opaque:
            return None
        commands[-1].append(tok)
    return [c for c in commands if c]


def _json_strings(text: str, pos: list[int | None]) -> list[_Tok] | None:
    """The strings of a JSON array with the source offset of each decoded character (None for escapes)."""
    i, n = 0, len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    if i >= n or text[i] != "[":
        return None
    i += 1
    out: list[_Tok] = []
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i < n and text[i] == "]":
            return out
        if i >= n or text[i] != '"':
            return None
        i += 1
        chars: list[str] = []
        cpos: list[int | None] = []
        while i < n and text[i] != '"':
            if text[i] == "\\":
                if i + 1 >= n:
                    return None
                esc = text[i + 1]
                if esc == "u":
                    try:
                        chars.append(chr(int(text[i + 2 : i + 6], 16)))
                    except ValueError:
                        return None
                    cpos.append(None)
                    i += 6
                    continue
                chars.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(esc, esc))
                cpos.append(None)
                i += 2
                continue
            chars.append(text[i])
            cpos.append(pos[i])
            i += 1
        if i >= n:
            return None
        i += 1
        out.append(_lit("".join(chars), cpos))
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i < n and text[i] == ",":
            i += 1
            continue
        if i < n and text[i] == "]":
            return out
        return None


def _mentions(masked: str, ports: Iterable[int]) -> list[tuple[int, int, int]]:
    """(start, end, port) of every number in *masked* that is one of *ports* (not part of a longer number
    or a dotted version)."""
    wanted = set(ports)
    return [(m.start(), m.end(), int(m.group())) for m in re.finditer(r"(?<![0-9.])[0-9]+(?![0-9])", masked)
            if int(m.group()) in wanted]


# ---------------------------------------------------------------------------- slots


@dataclass(frozen=True)
class _Slot:
    """A port position in a word: digits at masked [start, end), a variable (ref index), or an implied
    port (a URL without one: insert at start)."""

    kind: str  # "lit", "var", "implied"
    start: int = 0
    end: int = 0
    ref: int = -1
    port: int = 0  # for "implied": the scheme's port


_V = r"(?:[0-9]+|\x01)"
_ADDR = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<host>\[[^\]]*\]|[^:/\[\]@\s]*)"
    rf"(?::(?P<port>{_V}))?(?P<path>[/?#].*)?"
)


def _value_slot(masked: str, offset: int, start: int, end: int) -> _Slot:
    text = masked[start:end]
    if text == _VAR:
        return _Slot("var", ref=masked.count(_VAR, 0, start))
    return _Slot("lit", offset + start, offset + end)


def _port_value(masked: str, offset: int = 0) -> list[_Slot] | None:
    """``80`` or a single variable: the whole word is a port."""
    if re.fullmatch(_V, masked):
        return [_value_slot(masked, offset, 0, len(masked))]
    return None


def _address(masked: str, offset: int, *, any_host: bool, bare_port: bool) -> list[_Slot] | None:
    """Slots of a listen address: ``host:80``, ``:80``, ``[::]:80``, ``http://0.0.0.0:80/x``, lists
    separated by ``,`` or ``;``; a bare ``80`` when *bare_port*. *any_host*: accept a named host (the value
    of --bind), else only wildcard and loopback hosts (this container)."""
    slots: list[_Slot] = []
    pos = 0
    parts = re.split(r"([,;])", masked)
    for part in parts:
        if part in (",", ";"):
            pos += 1
            continue
        here = offset + pos
        pos += len(part)
        if not part:
            continue
        if bare_port and re.fullmatch(_V, part):
            slots.append(_value_slot(part, here, 0, len(part)) if part != _VAR
                         else _Slot("var", ref=masked.count(_VAR, 0, here - offset)))
            continue
        m = _ADDR.fullmatch(part)
        if m is None:
            return None
        scheme, host = m.group("scheme"), m.group("host")
        if _VAR in host:
            return None
        if (scheme is not None or not any_host) and host.lower() not in _LOCAL_HOSTS:
            return None  # a URL of another host, or a named host where only this container's are accepted
        if m.group("port") is not None:
            s, e = m.span("port")
            if m.group("port") == _VAR:
                slots.append(_Slot("var", ref=masked.count(_VAR, 0, here - offset + s)))
            else:
                slots.append(_Slot("lit", here + s, here + e))
        elif scheme is not None and scheme.lower() in _SCHEME_PORTS and host:
            slots.append(_Slot("implied", here + m.end("host"), here + m.end("host"),
                               port=_SCHEME_PORTS[scheme.lower()]))
        else:
            return None
    return slots or None


_EMBEDDED_URL = re.compile(
    r"(?<![A-Za-z0-9+.-])(?P<scheme>https?|wss?)://(?P<host>localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\])"
    rf"(?::(?P<port>{_V}))?(?![A-Za-z0-9.:-])"
)


def _embedded_urls(masked: str) -> list[_Slot]:
    """URLs of this container inside a longer word (``python -c "urlopen('http://localhost/')"``)."""
    slots: list[_Slot] = []
    for m in _EMBEDDED_URL.finditer(masked):
        if m.group("port") is not None:
            if m.group("port") == _VAR:
                slots.append(_Slot("var", ref=masked.count(_VAR, 0, m.start("port"))))
            else:
                slots.append(_Slot("lit", *m.span("port")))
        else:
            slots.append(_Slot("implied", m.end("host"), m.end("host"), port=_SCHEME_PORTS[m.group("scheme")]))
    return slots


def _named_value(name: str, masked: str, offset: int) -> list[_Slot] | None:
    """Slots of the value of a variable, an assignment or a ``--name=value`` option called *name*."""
    kind = _port_name(name)
    if kind == "listen":
        slots = _port_value(masked, offset)
        if slots is not None:
            return slots
    if kind == "outbound":
        return None
    if _address_name(name):
        return _address(masked, offset, any_host=True, bare_port=True)
    return _address(masked, offset, any_host=False, bare_port=False)


# ---------------------------------------------------------------------------- the walk


@dataclass
class _Def:
    """Where a variable gets its value: an ENV or ARG pair (its value word), a --build-arg, or nothing."""

    kind: str  # "env", "arg", "global", "build-arg"
    name: str
    instruction: "Instruction | None" = None
    value: _Tok | None = None
    index: int = -1  # chain step index (-1 for global ARGs)


class _Walker:
    def __init__(self, ctx: "LintContext", stage: "Stage", ports: tuple[int, ...], new_ports: set[int]):
        self.ctx = ctx
        self.tree = ctx.tree
        self.stage = stage
        self.ports = ports
        self.new_ports = new_ports
        self.build_args = dict(ctx.options.build_args or {})
        self.chain = stage.chain()
        self.steps: list["Step"] = stage.all_steps()
        self.plan = PortPlan(ports)
        self._sites: dict[tuple[int, int, bool], PortSite] = {}
        self._pairs_cache: dict[int, object] = {}
        self.globals = self._global_args()
        self.env_only_listen = False  # a listen site comes from the environment (ENV)
        self.command_listen = False  # a listen site is an argument of the effective command
        self.program: str | None = None  # the program the effective command runs
        self._owners = [(s.instruction.start_offset, s.instruction.end_offset, s.instruction) for s in self.steps]
        self._owners += [(d.instruction.start_offset, d.instruction.end_offset, d.instruction)
                         for d in self.globals.values() if d.instruction is not None]

    # -- results

    def block(self, why: str) -> None:
        if why not in self.plan.blockers:
            self.plan.blockers.append(why)

    def owner(self, offset: int, default: "Instruction") -> "Instruction":
        for start, end, ins in self._owners:
            if start <= offset < end:
                return ins
        return default

    def site(self, ins: "Instruction", tok: _Tok, start: int, end: int, what: str, *, listen: bool,
             implied_port: int | None = None) -> None:
        """A site at masked [start, end) of *tok* (an insertion point when *implied_port*)."""
        # the instruction the text belongs to (an ENTRYPOINT's argv may continue in the CMD)
        near = [p for p in tok.mpos[max(0, start - 1) : max(end, start + 1)] if p is not None]
        if near:
            real = self.owner(near[0], ins)
            head = what.split(" ", 1)[0]
            if real is not ins and real.name in ("CMD", "ENTRYPOINT") and head in ("CMD", "ENTRYPOINT"):
                what = real.name + what[len(head):]
            ins = real
        if implied_port is not None:
            if implied_port not in self.ports:
                return
            before = tok.mpos[start - 1] if start > 0 else None
            if before is None:
                self.block(f"{what} at line {ins.start_line} cannot be rewritten")
                return
            key = (before + 1, before + 1, True)
            old = self._sites.get(key)
            self._sites[key] = PortSite(ins, before + 1, before + 1, implied_port, what,
                                        listen or bool(old and old.listen), implied=True)
            return
        offsets = tok.mpos[start:end]
        digits = tok.masked[start:end]
        if (None in offsets or any(b != a + 1 for a, b in zip(offsets, offsets[1:]))
                or self.tree.text[offsets[0] : offsets[-1] + 1] != digits):
            self.block(f"{what} at line {ins.start_line} is written in a way slimguard cannot rewrite")
            return
        port = int(digits)
        key = (offsets[0], offsets[-1] + 1, False)
        old = self._sites.get(key)
        self._sites[key] = PortSite(ins, key[0], key[1], port, what, listen or bool(old and old.listen))

    def finish(self) -> PortPlan:
        self.plan.sites = sorted(self._sites.values(), key=lambda s: (s.start, s.end))
        self._check_shared()
        return self.plan

    # -- helpers

    def positions(self, ins: "Instruction", start: int, end: int) -> list[int | None]:
        """Source offsets of ``ins.rest[start:end]``."""
        out: list[int | None] = []
        for i in range(start, end):
            off = ins.source_span(i, i + 1).start.offset
            out.append(off if self.tree.text[off : off + 1] == ins.rest[i : i + 1] else None)
        return out

    def _global_args(self) -> dict[str, _Def]:
        out: dict[str, _Def] = {}
        for ins in self.tree.instructions:
            if ins.name == "FROM":
                break
            if ins.name == "ARG":
                for name, tok in self.arg_pairs(ins):
                    if tok is not None or name not in out:
                        out[name] = _Def("global", name, ins, tok)
        return out

    def arg_pairs(self, ins: "Instruction") -> list[tuple[str, _Tok | None]]:
        cached = self._pairs_cache.get(id(ins))
        if cached is None:
            cached = self._pairs_cache[id(ins)] = self._arg_pairs(ins)
        return cached  # type: ignore[return-value]

    def _arg_pairs(self, ins: "Instruction") -> list[tuple[str, _Tok | None]]:
        out: list[tuple[str, _Tok | None]] = []
        for word, s, e in parse_words(ins.rest, self.tree.escape):
            if "=" in word:
                name = word.split("=", 1)[0]
                v0 = s + len(name) + 1
                out.append((name, _decode(ins.rest[v0:e], self.positions(ins, v0, e), expand=True,
                                          escape=self.tree.escape)))
            else:
                out.append((word, None))
        return out

    def env_pairs(self, ins: "Instruction") -> list[tuple[str, _Tok]] | None:
        key = id(ins)
        if key not in self._pairs_cache:
            self._pairs_cache[key] = self._env_pairs(ins)
        return self._pairs_cache[key]  # type: ignore[return-value]

    def _env_pairs(self, ins: "Instruction") -> list[tuple[str, _Tok]] | None:
        rest = ins.rest
        words = parse_words(rest, self.tree.escape)
        if not words:
            return []
        out: list[tuple[str, _Tok]] = []
        if "=" not in words[0][0]:  # ENV NAME value
            parts = WHITESPACE_RE.split(rest, maxsplit=1)
            if len(parts) < 2:
                return None
            v0 = len(rest) - len(parts[1])
            return [(parts[0], _decode(rest[v0:], self.positions(ins, v0, len(rest)), expand=True,
                                       escape=self.tree.escape))]
        for word, s, e in words:
            if "=" not in word:
                return None
            name = word.split("=", 1)[0]
            v0 = s + len(name) + 1
            out.append((name, _decode(rest[v0:e], self.positions(ins, v0, e), expand=True,
                                      escape=self.tree.escape)))
        return out

    # -- variable definitions

    def build_def(self, name: str, index: int) -> _Def | None:
        """The definition of *name* a build-time expansion at chain step *index* sees."""
        for j in range(index - 1, -1, -1):
            step = self.steps[j]
            if step.instruction.name == "ENV" and not step.in_onbuild:
                for key, tok in reversed(self.env_pairs(step.instruction) or []):
                    if key == name:
                        return _Def("env", name, step.instruction, tok, j)
        here = self.steps[index].stage if 0 <= index < len(self.steps) else None
        for j in range(index - 1, -1, -1):
            step = self.steps[j]
            if step.stage is not here:
                break
            if step.instruction.name == "ARG" and not step.in_onbuild:
                for key, tok in reversed(self.arg_pairs(step.instruction)):
                    if key != name:
                        continue
                    if name in self.build_args:
                        return _Def("build-arg", name)
                    if tok is not None:
                        return _Def("arg", name, step.instruction, tok, j)
                    g = self.globals.get(name)
                    return g if g is None or g.value is not None else None
        return None

    def runtime_def(self, name: str) -> _Def | None:
        """The ENV that sets *name* in the image (what a shell-form CMD sees at run time)."""
        return self.build_def(name, len(self.steps)) if self._env_defined(name) else None

    def _env_defined(self, name: str) -> bool:
        for step in self.steps:
            if step.instruction.name == "ENV" and not step.in_onbuild:
                if any(k == name for k, _ in self.env_pairs(step.instruction) or []):
                    return True
        return False

    def follow(self, d: _Def, what: str, *, listen: bool, depth: int = 0) -> int | None:
        """The numeric value *d* gives its variable; records the site(s) when it is one of the ports."""
        if depth > _MAX_DEPTH:
            self.block(f"${d.name} is defined through too many variables")
            return None
        if d.kind == "build-arg":
            value = self.build_args.get(d.name, "")
            if _mentions(value, self.ports):
                self.block(f"${d.name} comes from --build-arg {d.name}={value}")
            return int(value) if value.isdigit() else None
        tok = d.value
        if tok is None or d.instruction is None:
            return None
        label = f"{'ENV' if d.kind == 'env' else 'ARG'} {d.name}"
        if re.fullmatch(r"[0-9]+", tok.masked):
            port = int(tok.masked)
            if port in self.ports:
                self.site(d.instruction, tok, 0, len(tok.masked), label, listen=listen)
            return port
        if tok.masked == _VAR and tok.refs:
            ref = tok.refs[0]
            inner = self.build_def(ref.name, d.index) if d.index >= 0 else self._global_def(ref.name)
            value = None
            if inner is not None:
                value = self.follow(inner, what, listen=listen, depth=depth + 1)
            elif ref.op in (":-", "-") and ref.default is not None:
                value = self._literal_default(d.instruction, ref, label, listen=listen)
            if inner is not None and ref.default is not None and _mentions(ref.default.masked, self.ports):
                self._literal_default(d.instruction, ref, label, listen=listen)
            return value
        if _mentions(tok.masked, self.ports) or any(self._ref_value(r, d.index) in self.ports for r in tok.refs):
            self.block(f"{label} at line {d.instruction.start_line} builds the port from several parts")
        return None

    def _global_def(self, name: str) -> _Def | None:
        if name in self.build_args:
            return _Def("build-arg", name)
        g = self.globals.get(name)
        return g if g is not None and g.value is not None else None

    def _ref_value(self, ref: _Ref, index: int) -> int | None:
        d = self.build_def(ref.name, index) if index >= 0 else self._global_def(ref.name)
        if d is None or d.value is None:
            if d is not None and d.kind == "build-arg":
                v = self.build_args.get(ref.name, "")
                return int(v) if v.isdigit() else None
            return None
        return int(d.value.masked) if d.value.masked.isdigit() else None

    def _literal_default(self, ins: "Instruction", ref: _Ref, label: str, *, listen: bool) -> int | None:
        assert ref.default is not None
        dm = ref.default.masked
        if not re.fullmatch(r"[0-9]+", dm):
            if _mentions(dm, self.ports):
                self.block(f"the default of ${ref.name} at line {ins.start_line} cannot be rewritten")
            return None
        port = int(dm)
        if port in self.ports:
            self.site(ins, ref.default, 0, len(dm), f"{label} default", listen=listen)
        return port

    # -- instructions

    def walk(self) -> PortPlan:
        last_cmd = last_ep = -1
        for k, step in enumerate(self.steps):
            if step.in_onbuild:
                continue
            if step.instruction.name == "CMD":
                last_cmd = k
            elif step.instruction.name == "ENTRYPOINT":
                last_ep = k
        self._redeclared_globals()
        for k, step in enumerate(self.steps):
            ins = step.instruction
            name = ins.name
            if step.in_onbuild:
                self._raw_mentions(ins, f"the ONBUILD trigger at line {ins.start_line}")
            elif name == "EXPOSE":
                self._expose(k, ins)
            elif name == "ENV":
                self._pairs(k, ins, self.env_pairs(ins), runtime=True)
            elif name == "ARG":
                pairs = [(key, tok) for key, tok in self.arg_pairs(ins) if tok is not None
                         and key not in self.build_args]
                self._pairs(k, ins, pairs, runtime=False)
            elif name in ("CMD", "ENTRYPOINT"):
                if k not in (last_cmd, last_ep):
                    self._command(ins, listen=False)
            elif name == "HEALTHCHECK":
                self._healthcheck(ins)
            elif name in ("COPY", "ADD"):
                self._copy(step, ins)
            elif name in ("RUN", "LABEL", "VOLUME", "WORKDIR"):
                self._raw_mentions(ins, f"the {name} at line {ins.start_line}")
        self._exposed_conflicts()
        self._effective_command(last_cmd, last_ep)
        self._listen_evidence(last_cmd, last_ep)
        return self.finish()

    def _effective_command(self, last_cmd: int, last_ep: int) -> None:
        """What the container runs: ENTRYPOINT followed by CMD when both are exec form, else each alone."""
        ep = self.steps[last_ep].instruction if last_ep >= 0 else None
        cmd = self.steps[last_cmd].instruction if last_cmd >= 0 else None
        if ep is not None and cmd is not None and ep.is_json and cmd.is_json and (
                last_cmd > last_ep or self.steps[last_cmd].stage is self.steps[last_ep].stage):
            first, second = self._command_words(ep, 0, ep.rest), self._command_words(cmd, 0, cmd.rest)
            if first is not None and second is not None and len(first) == len(second) == 1:
                where = f"ENTRYPOINT at line {ep.start_line} with the CMD at line {cmd.start_line}"
                self._argv(ep, first[0] + second[0], where, what="ENTRYPOINT", listen=True, depth=0)
                return
        if ep is not None and not ep.is_json:
            cmd_listen = False  # a shell-form ENTRYPOINT ignores CMD
        else:
            cmd_listen = True
        if ep is not None:
            self._command(ep, listen=True)
        if cmd is not None:
            self._command(cmd, listen=cmd_listen)

    def _redeclared_globals(self) -> None:
        """Global ARG defaults a chain stage redeclares: their value can reach the stage."""
        names = set()
        for step in self.steps:
            if step.instruction.name == "ARG" and not step.in_onbuild:
                names.update(k for k, tok in self.arg_pairs(step.instruction) if tok is None)
        for name in sorted(names):
            g = self.globals.get(name)
            if g is None or g.value is None or g.instruction is None or name in self.build_args:
                continue
            self._pair(-1, g.instruction, name, g.value, runtime=False)

    def _raw_mentions(self, ins: "Instruction", where: str) -> None:
        text = ins.rest
        if ins.name in ("COPY", "ADD"):
            text = " ".join(w for w in ins.buildkit_value())
        text += "".join("\n" + h.content for h in ins.heredocs)
        if ins.trigger is not None:
            text = ins.trigger.rest + "".join("\n" + h.content for h in ins.trigger.heredocs)
        if _mentions(text, self.ports):
            self.block(f"{where} mentions port {self._shown(text)}")
        if _mentions(text, self.new_ports):
            self.block(f"{where} already uses port {', '.join(str(p) for _, _, p in _mentions(text, self.new_ports))}")

    def _shown(self, text: str) -> str:
        return ", ".join(sorted({str(p) for _, _, p in _mentions(text, self.ports)}))

    def _expose(self, k: int, ins: "Instruction") -> None:
        for word, s, e in split_whitespace(ins.rest):
            if not word:
                continue
            tok = _decode(ins.rest[s:e], self.positions(ins, s, e), expand=True, escape=self.tree.escape)
            m = re.fullmatch(rf"({_V})(?:-({_V}))?(?:/[A-Za-z]+)?", tok.masked)
            if m is None:
                if _mentions(tok.masked, self.ports) or tok.refs:
                    if _mentions(tok.masked, self.ports):
                        self.block(f"EXPOSE {word} at line {ins.start_line} cannot be rewritten")
                continue
            values: list[int | None] = []
            for g in (1, 2):
                if m.group(g) is None:
                    continue
                if m.group(g) == _VAR:
                    ref = tok.refs[tok.masked.count(_VAR, 0, m.start(g))]
                    d = self.build_def(ref.name, k)
                    v = self.follow(d, "EXPOSE", listen=False) if d is not None else None
                    if d is None and ref.default is not None:
                        v = self._literal_default(ins, ref, "EXPOSE", listen=False)
                    values.append(v)
                else:
                    values.append(int(m.group(g)))
            lo = values[0]
            hi = values[-1]
            if lo is None or hi is None:
                continue
            covered = set(range(lo, hi + 1)) if hi >= lo else {lo}
            if not covered & set(self.ports):
                continue
            if not covered <= set(self.ports):
                self.block(f"EXPOSE {word} at line {ins.start_line} mixes these ports with others")
                continue
            for g in (1, 2):
                if m.group(g) is not None and m.group(g) != _VAR:
                    self.site(ins, tok, m.start(g), m.end(g), "EXPOSE", listen=False)

    def _exposed_conflicts(self) -> None:
        taken = sorted({p for s in self.chain for spec, _ in s.exposed for p in spec.ports} & self.new_ports)
        if taken:
            self.block(f"port {', '.join(map(str, taken))} is already exposed")

    def _pairs(self, k: int, ins: "Instruction", pairs: list[tuple[str, _Tok]] | None, *, runtime: bool) -> None:
        if pairs is None:
            self._raw_mentions(ins, f"the {ins.name} at line {ins.start_line}")
            return
        for name, tok in pairs:
            self._pair(k, ins, name, tok, runtime=runtime)

    def _pair(self, k: int, ins: "Instruction", name: str, tok: _Tok, *, runtime: bool) -> None:
        label = f"{'ENV' if ins.name == 'ENV' else 'ARG'} {name}"
        lits = _mentions(tok.masked, self.ports)
        if _mentions(tok.masked, self.new_ports) and _port_name(name) == "listen":
            self.block(f"{label} at line {ins.start_line} already uses port "
                       f"{', '.join(str(p) for _, _, p in _mentions(tok.masked, self.new_ports))}")
        slots = _named_value(name, tok.masked, 0)
        listen = runtime and (_port_name(name) == "listen" or _address_name(name))
        if listen:  # only the definition the image ends up with decides
            final = self.runtime_def(name)
            listen = final is not None and final.instruction is ins
        if slots is None:
            if lits:
                self.block(f"{label} at line {ins.start_line} sets port {self._shown(tok.masked)} in a way "
                           "slimguard cannot follow")
            self._ref_defaults(ins, tok, label)
            return
        covered = set()
        for slot in slots:
            if slot.kind == "lit":
                if int(tok.masked[slot.start : slot.end]) in self.ports:
                    self.site(ins, tok, slot.start, slot.end, label, listen=listen)
                    if listen:
                        self.env_only_listen = True
                covered.add((slot.start, slot.end))
            elif slot.kind == "implied":
                self.site(ins, tok, slot.start, slot.end, label, listen=listen, implied_port=slot.port)
                if listen and slot.port in self.ports:
                    self.env_only_listen = True
            else:
                ref = tok.refs[slot.ref]
                d = self.build_def(ref.name, k) if k >= 0 else self._global_def(ref.name)
                if d is not None:
                    if self.follow(d, label, listen=listen) in self.ports and listen:
                        self.env_only_listen = True
                elif ref.default is not None and ref.op in (":-", "-"):
                    if self._literal_default(ins, ref, label, listen=listen) in self.ports and listen:
                        self.env_only_listen = True
        for s, e, _ in lits:
            if (s, e) not in covered:
                self.block(f"{label} at line {ins.start_line} mentions port {tok.masked[s:e]}")

    def _ref_defaults(self, ins: "Instruction", tok: _Tok, label: str) -> None:
        for ref in tok.refs:
            if ref.default is not None and _mentions(ref.default.masked, self.ports):
                self.block(f"{label} at line {ins.start_line} mentions port {self._shown(ref.default.masked)}")

    # -- commands

    def _command_words(self, ins: "Instruction", offset: int, text: str) -> list[list[_Tok]] | None:
        pos = self.positions(ins, offset, offset + len(text))
        if text.lstrip().startswith("["):
            argv = _json_strings(text, pos)
            if argv is not None:
                return [argv]
            if ins.is_json:
                return None
        shell = (self.stage.shell[0].rsplit("/", 1)[-1].lower() if self.stage.shell else "sh")
        if shell not in _SHELLS:
            return None
        return _shell_commands(text, pos)

    def _command(self, ins: "Instruction", *, listen: bool) -> None:
        commands = self._command_words(ins, 0, ins.rest)
        where = f"{ins.name} at line {ins.start_line}"
        if commands is None:
            if _mentions(ins.command_line, self.ports):
                self.block(f"the {where} cannot be read")
            return
        for argv in commands:
            self._argv(ins, argv, where, what=ins.name, listen=listen, depth=0)

    def _healthcheck(self, ins: "Instruction") -> None:
        rest = ins.rest
        m = re.match(r"(\S+)\s+", rest)
        if m is None or m.group(1).upper() != "CMD":
            return
        commands = self._command_words(ins, m.end(), rest[m.end():])
        where = f"HEALTHCHECK at line {ins.start_line}"
        if commands is None:
            if _mentions(rest, self.ports):
                self.block(f"the {where} cannot be read")
            return
        for argv in commands:
            self._argv(ins, argv, where, what="HEALTHCHECK", listen=False, depth=0, probe=True)

    def _argv(self, ins: "Instruction", argv: list[_Tok], where: str, *, what: str, listen: bool, depth: int,
              probe: bool = False) -> None:
        i = 0
        n = len(argv)

        def assignments() -> None:
            nonlocal i
            while i < n and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", argv[i].masked):
                self._word(ins, argv[i], None, where, what, listen, assign=True)
                i += 1

        assignments()
        while i < n:
            prog = argv[i].masked.rsplit("/", 1)[-1]
            if prog in _WRAPPERS:
                i += 1
                while i < n and prog in ("tini", "tini-static", "dumb-init", "catatonit") and argv[i].masked.startswith("-"):
                    i += 1
                continue
            if prog == "env":
                i += 1
                while i < n and argv[i].masked.startswith("-"):
                    i += 2 if argv[i].masked in ("-u", "--unset", "-C", "--chdir") else 1
                assignments()
                continue
            if prog in ("gosu", "su-exec", "chroot"):
                i += 2
                continue
            break
        if i >= n:
            return
        prog_tok = argv[i]
        prog = prog_tok.value.rsplit("/", 1)[-1]
        args = argv[i + 1 :]
        if prog == "busybox" and args and not args[0].masked.startswith("-"):
            prog_tok, args = args[0], args[1:]  # the applet is the program
            prog = prog_tok.value
        if prog in _SHELLS:
            if args and re.fullmatch(r"-[a-z]*c[a-z]*", args[0].masked) and len(args) > 1:
                script = args[1]
                if depth < 3:
                    pos = list(script.pos)
                    inner = _shell_commands(script.value, pos)
                    if inner is None:
                        if _mentions(script.value, self.ports):
                            self.block(f"the {where} runs a shell command slimguard cannot read")
                        return
                    for sub in inner:
                        self._argv(ins, sub, where, what=what, listen=listen, depth=depth + 1, probe=probe)
                for extra in args[2:]:
                    self._word(ins, extra, None, where, what, listen)
                return
            if args and not args[0].masked.startswith("-"):
                self.block(f"the {where} runs the script {args[0].value}, which slimguard cannot read")
                return
        if re.search(r"\.(sh|bash)$", prog) or "entrypoint" in prog.lower():
            self.block(f"the {where} runs the script {prog_tok.value}, which slimguard cannot read")
            return
        if listen and not probe and self.program is None:
            self.program = prog
        self._word(ins, prog_tok, None, where, what, listen)
        positional = None  # which positional argument is a port
        if re.fullmatch(r"python[0-9.]*|pypy[0-9.]*", prog):
            words = [a.masked for a in args]
            for j in range(len(words) - 1):
                if words[j] == "-m" and words[j + 1] in ("http.server", "SimpleHTTPServer"):
                    positional = ("http.server", j + 2)
            if "runserver" in words:
                positional = ("runserver", words.index("runserver") + 1)
        elif "runserver" in [a.masked for a in args]:
            positional = ("runserver", [a.masked for a in args].index("runserver") + 1)
        value_opts = {"http.server": {"-b", "--bind", "-d", "--directory", "-p", "--protocol"},
                      "runserver": {"--settings", "--pythonpath", "-v", "--verbosity"}}
        prev: _Tok | None = None
        for j, tok in enumerate(args):
            slots = None
            if positional is not None and j >= positional[1] and not tok.masked.startswith("-") and (
                    prev is None or j == positional[1] or prev.masked not in value_opts[positional[0]]):
                if positional[0] == "http.server":
                    slots = _port_value(tok.masked)
                else:
                    slots = _address(tok.masked, 0, any_host=True, bare_port=True)
            self._word(ins, tok, prev, where, what, listen, slots=slots, probe=probe,
                       label=f"{what} {positional[0]} port" if slots else None)
            prev = tok

    def _word(self, ins: "Instruction", tok: _Tok, prev: _Tok | None, where: str, what: str, listen: bool, *,
              assign: bool = False, slots: list[_Slot] | None = None, probe: bool = False,
              label: str | None = None) -> None:
        masked = tok.masked
        label = label or what
        if slots is None:
            m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", masked, re.S) if assign else None
            if m is not None:
                slots = _named_value(m.group(1), m.group(2), m.start(2))
                label = f"{what} {m.group(1)}="
            elif (m := re.fullmatch(r"(--?[A-Za-z][\w.-]*)=(.*)", masked, re.S)) is not None:
                slots = self._option_value(m.group(1), m.group(2), m.start(2))
                label = f"{what} {m.group(1)}"
            elif (m := re.fullmatch(r"-D([\w.-]+)=(.*)", masked, re.S)) is not None:
                slots = _named_value(m.group(1), m.group(2), m.start(2))
                label = f"{what} -D{m.group(1)}"
            elif (m := re.fullmatch(rf"-p({_V})", masked)) is not None:
                slots = _port_value(m.group(1), 2)
                label = f"{what} -p"
            elif prev is not None and re.fullmatch(r"--?[A-Za-z][\w.-]*", prev.masked):
                slots = self._option_value(prev.masked, masked, 0)
                label = f"{what} {prev.masked}"
            if slots is None:
                slots = _address(masked, 0, any_host=False, bare_port=False)
                label = f"{what} address" if not probe else f"{what} URL"
        if not slots:
            embedded = _embedded_urls(masked)
            if embedded:  # a client of this container, not what the server binds
                slots, label, listen = embedded, f"{what} URL", False
        covered: set[tuple[int, int]] = set()
        for slot in slots or []:
            if slot.kind == "lit":
                covered.add((slot.start, slot.end))
                if int(masked[slot.start : slot.end]) in self.ports:
                    self.site(ins, tok, slot.start, slot.end, label, listen=listen)
                    if listen:
                        self.command_listen = True
            elif slot.kind == "implied":
                if slot.port in self.ports:
                    self.site(ins, tok, slot.start, slot.end, label, listen=listen, implied_port=slot.port)
                    if listen:
                        self.command_listen = True
            else:
                ref = tok.refs[slot.ref]
                if self._runtime_ref(ins, ref, label, listen=listen, where=where) and listen:
                    self.command_listen = True
        for s, e, p in _mentions(masked, self.ports):
            if (s, e) not in covered:
                self.block(f"the {where} mentions port {p} where slimguard cannot follow it")
        for s, e, p in _mentions(masked, self.new_ports):
            self.block(f"the {where} already uses port {p}")
        slot_refs = {s.ref for s in slots or [] if s.kind == "var"}
        for idx, ref in enumerate(tok.refs):
            if idx in slot_refs:
                continue
            if ref.default is not None and _mentions(ref.default.masked, self.ports):
                self.block(f"the {where} mentions port {self._shown(ref.default.masked)} in ${{{ref.name}}}")
            elif _PORTISH_VAR.search(ref.name):
                d = self.runtime_def(ref.name)
                if d is None:
                    self.block(f"the {where} uses ${ref.name}, which the Dockerfile does not set")
                else:
                    self.follow(d, label, listen=False)

    def _option_value(self, flag: str, masked: str, offset: int) -> list[_Slot] | None:
        name = flag.lstrip("-")
        kind = _port_name(name)
        if kind == "listen":
            return _port_value(masked, offset) or _address(masked, offset, any_host=True, bare_port=False)
        if kind == "outbound":
            return []  # a port it connects to: any mention of ours there is a blocker
        if _address_name(name):
            return _address(masked, offset, any_host=True, bare_port=True)
        return None

    def _runtime_ref(self, ins: "Instruction", ref: _Ref, label: str, *, listen: bool, where: str) -> bool:
        """A variable at a port position of a command: follow it to its ENV, or use its default."""
        d = self.runtime_def(ref.name)
        hit = False
        if d is not None:
            hit = self.follow(d, label, listen=listen) in self.ports
        if ref.default is not None and ref.op in (":-", "-"):
            if self._literal_default(ins, ref, label, listen=listen) in self.ports:
                hit = True
        elif d is None:
            self.block(f"the {where} uses ${ref.name} as a port, and the Dockerfile does not set it")
        return hit

    # -- files

    def _copy(self, step: "Step", ins: "Instruction") -> None:
        self._raw_mentions(ins, f"the {ins.name} at line {ins.start_line}")
        if ins.heredocs:
            return
        values = list(step.expanded or ins.buildkit_value())
        if len(values) < 2:
            return
        *sources, dest = values
        for src in sources:
            base = src.rstrip("/").rsplit("/", 1)[-1]
            target = dest if not dest.endswith("/") else dest + base
            if _config_file(base) or _config_dir(target):
                origin = "another stage" if ins.flag("from") is not None else "the build context"
                self.block(f"the {ins.name} at line {ins.start_line} brings in {src} from {origin}, a config "
                           "file slimguard cannot read (it may set the port)")
                return

    # -- after the walk

    def _listen_evidence(self, last_cmd: int, last_ep: int) -> None:
        program = self.program
        if self.command_listen:
            return
        if not self.env_only_listen:
            return
        env = next((s for s in self._sites.values() if s.listen), None)
        where = f"{env.what} at line {env.line}" if env is not None else "ENV"
        if last_cmd < 0 and last_ep < 0:
            self._demote(f"{where} sets the port, but the Dockerfile sets no CMD or ENTRYPOINT, so it does not "
                         "show which program reads it")
        elif program is not None and program in _CONFIG_SERVERS:
            self._demote(f"{where} sets the port, but {program} takes its port from its config file, not from "
                         "the environment")

    def _demote(self, why: str) -> None:
        if any(s.listen for s in self._sites.values()):
            self.block(why)

    def _check_shared(self) -> None:
        """A site in a stage (or a global ARG) that a stage outside the shipped chain also uses."""
        chain_ids = {id(s) for s in self.chain}
        others = [s for s in self.ctx.model.stages if id(s) not in chain_ids]
        owners = {id(step.instruction): step.stage for step in self.steps}
        for site in self.plan.sites:
            stage = owners.get(id(site.instruction))
            if stage is None:  # a global ARG
                name = site.what.split(" ", 1)[-1].split(" ", 1)[0]
                for other in self.ctx.model.stages:
                    uses = ("${" + name, "$" + name)
                    if any(u in other.base.raw for u in uses) or (id(other) not in chain_ids and any(
                            step.instruction.name == "ARG" and any(k == name for k, _ in self.arg_pairs(step.instruction))
                            for step in other.steps)):
                        self.block(f"the global ARG {name} is also used by stage {other.label}")
                        break
                continue
            for other in others:
                if any(s is stage for s in other.chain()):
                    self.block(f"stage {other.label} is also built on stage {stage.label}")
                    break


def _config_file(base: str) -> bool:
    """A file name that looks like configuration a server may read its port from."""
    low = base.lower()
    if low == ".env" or low.startswith(".env."):
        return True
    if low in _NOT_CONFIG or low.startswith(("tsconfig", ".")) or "*" in low or "?" in low:
        return False  # manifests and lock files, dot files, globs (package*.json)
    if low in ("caddyfile", "procfile", "supervisord.conf"):
        return True
    return "." in low and low.rsplit(".", 1)[-1] in _CONFIG_EXT


def _config_dir(path: str) -> bool:
    p = "/" + path.strip().lstrip("/") if path.startswith("/") else path
    return any(p == d or p.startswith(d + "/") for d in _CONFIG_DIRS)


def port_plan(ctx: "LintContext", stage: "Stage", ports: Iterable[int],
              renumber: Callable[[int], int]) -> PortPlan:
    """Where the shipped *stage* sets each of *ports*, and what stops renumbering them with *renumber*."""
    wanted = tuple(sorted(set(ports)))
    new_ports = {renumber(p) for p in wanted} - set(wanted)
    return _Walker(ctx, stage, wanted, new_ports).walk()
