"""Compose files -> the common model.

Reads the Compose specification's service keys that decide privileges: ``image``, ``build``, ``user``,
``privileged``, ``read_only``, ``cap_add``/``cap_drop``, ``security_opt``, ``network_mode``, ``pid``,
``ipc``, ``userns_mode``, ``uts``, ``sysctls``, ``ports``, ``expose``, ``volumes`` (short and long
syntax) and ``tmpfs``. ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?err}`` and
``$$`` are interpolated from the environment and the project's ``.env`` file, as compose does.
Merge keys (``<<: *defaults``) are followed.
"""

from __future__ import annotations

import os
import re
from typing import Any

from slimguard.runtime import yamlnodes as y
from slimguard.runtime.model import Container, Document, Mount, Port, Val, Workload

COMPOSE_NAMES = re.compile(r"^(docker-)?compose(\.[\w.-]+)?\.ya?ml$")

_VAR = re.compile(r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


def is_compose_name(name: str) -> bool:
    return bool(COMPOSE_NAMES.match(name))


def looks_like_compose(root: Any) -> bool:
    services = y.value(root, "services")
    return y.is_map(services) and y.get(root, "kind") is None


def read_env_file(directory: str | None) -> dict[str, str]:
    env: dict[str, str] = {}
    if not directory:
        return env
    path = os.path.join(directory, ".env")
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return env
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, val = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
            val = val[1:-1]
        env[key] = val
    return env


def interpolate(text: str, env: dict[str, str]) -> tuple[str, list[str]]:
    """Compose's variable substitution; returns the text and the names of unset variables."""
    missing: list[str] = []

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group("braced") or m.group("plain")
        op = m.group("op") or ""
        arg = m.group("arg") or ""
        val = env.get(name)
        if op == ":-":
            return val if val else arg
        if op == "-":
            return val if val is not None else arg
        if op == ":+":
            return arg if val else ""
        if op == "+":
            return arg if val is not None else ""
        if val is None:
            missing.append(name)
            return ""
        return val

    return _VAR.sub(repl, text), missing


def parse(path: str, text: str, roots: list[Any], env: dict[str, str] | None = None,
          project_dir: str | None = None) -> Document:
    doc = Document(path, text, "compose", roots=roots)
    root = next((r for r in roots if y.is_map(r)), None)
    if root is None:
        return doc
    if project_dir is None:
        project_dir = os.path.dirname(os.path.abspath(path)) if path not in ("-", "<stdin>") else os.getcwd()
    if env is None:
        env = {**read_env_file(project_dir), **os.environ}
    named = {e.name for e in y.entries(y.value(root, "volumes"))}
    services = y.value(root, "services")
    for e in y.entries(services):
        if not y.is_map(e.value):
            continue
        w = Workload("compose", "service", e.name, path, y.key_loc(e), node=e.value, project_dir=project_dir,
                     env=env)
        w.containers.append(_service(w, e, named))
        doc.workloads.append(w)
    return doc


def _str_val(w: Workload, entry: y.Entry | None) -> Val | None:
    if entry is None or y.is_null(entry.value):
        return None
    raw = y.as_str(entry.value)
    if raw is None:
        return None
    text, _ = interpolate(raw, w.env)
    return Val(text, y.key_loc(entry), entry, raw=raw)


def _list(w: Workload, node: Any) -> list[Val]:
    out: list[Val] = []
    nodes = y.items(node) if y.is_seq(node) else ([node] if y.is_scalar(node) and not y.is_null(node) else [])
    for item in nodes:
        raw = y.as_str(item)
        if raw is None:
            continue
        text, _ = interpolate(raw, w.env)
        out.append(Val(text, y.loc(item), None, raw=raw, node=item))
    return out


def _service(w: Workload, entry: y.Entry, named: set[str]) -> Container:
    node = entry.value
    c = Container(w, entry.name, "service", y.key_loc(entry), node=node)
    c.image = _str_val(w, y.get(node, "image"))
    build = y.get(node, "build")
    if build is not None:
        if y.is_scalar(build.value):
            c.build = {"context": interpolate(y.as_str(build.value) or ".", w.env)[0], "dockerfile": "Dockerfile"}
        elif y.is_map(build.value):
            ctx = interpolate(y.as_str(y.value(build.value, "context")) or ".", w.env)[0]
            df = interpolate(y.as_str(y.value(build.value, "dockerfile")) or "Dockerfile", w.env)[0]
            target = y.as_str(y.value(build.value, "target"))
            c.build = {"context": ctx, "dockerfile": df, **({"target": target} if target else {})}
    c.user = _str_val(w, y.get(node, "user"))
    for attr, key in (("privileged", "privileged"), ("read_only_root_fs", "read_only")):
        e = y.get(node, key)
        if e is not None and not y.is_null(e.value):
            setattr(c, attr, Val(y.as_bool(e.value), y.key_loc(e), e))
    c.cap_add = _list(w, y.value(node, "cap_add"))
    c.cap_drop = _list(w, y.value(node, "cap_drop"))
    c.security_opt = _list(w, y.value(node, "security_opt"))
    for attr, key in (("network_mode", "network_mode"), ("pid_mode", "pid"), ("ipc_mode", "ipc"),
                      ("userns_mode", "userns_mode"), ("uts_mode", "uts")):
        setattr(c, attr, _str_val(w, y.get(node, key)))
    sysctls = y.value(node, "sysctls")
    if y.is_map(sysctls):
        for se in y.entries(sysctls):
            c.sysctls[se.name] = Val(y.as_str(se.value), y.key_loc(se), se)
    else:
        for v in _list(w, sysctls):
            k, _, val = str(v.value).partition("=")
            c.sysctls[k.strip()] = Val(val.strip(), v.loc)
    for p in y.items(y.value(node, "ports")):
        c.ports.extend(_port(w, p))
    for p in y.items(y.value(node, "expose")):
        raw = y.as_str(p) or ""
        num = re.match(r"\d+", raw)
        if num:
            c.ports.append(Port(int(num.group()), None, "tcp", y.loc(p), raw))
    for v in y.items(y.value(node, "volumes")):
        m = _volume(w, v, named)
        if m is not None:
            c.mounts.append(m)
    for v in _list(w, y.value(node, "tmpfs")):
        c.mounts.append(parse_tmpfs(str(v.value), v))
    return c


def _port(w: Workload, node: Any) -> list[Port]:
    if y.is_map(node):
        target = y.as_int(y.value(node, "target"))
        published = y.as_str(y.value(node, "published"))
        host = int(published) if published and published.isdigit() else None
        proto = y.as_str(y.value(node, "protocol")) or "tcp"
        return [Port(target, host, proto, y.loc(node), "")]
    raw = y.as_str(node)
    if raw is None:
        return []
    text = interpolate(raw, w.env)[0]
    port = parse_port_spec(text)
    if port is None:
        return []
    port.loc = y.loc(node)
    return [port]


def parse_port_spec(text: str) -> Port | None:
    """``[ip:][host:]container[/proto]`` (ranges give their first port)."""
    spec, _, proto = text.partition("/")
    if spec.startswith("["):  # [::1]:8080:80
        close = spec.find("]")
        spec = spec[close + 2:] if close != -1 else spec
    parts = spec.split(":")
    container = parts[-1]
    host = parts[-2] if len(parts) >= 2 else ""
    m = re.match(r"\d+", container)
    if not m:
        return None
    hm = re.match(r"\d+", host)
    return Port(int(m.group()), int(hm.group()) if hm else None, proto or "tcp", None, text)


def is_bind_source(source: str) -> bool:
    return source.startswith(("/", ".", "~")) or bool(re.match(r"^[A-Za-z]:[\\/]", source))


def _volume(w: Workload, node: Any, named: set[str]) -> Mount | None:
    if y.is_map(node):
        vtype = y.as_str(y.value(node, "type")) or "volume"
        source = y.as_str(y.value(node, "source"))
        if source is not None:
            source = interpolate(source, w.env)[0]
        target = interpolate(y.as_str(y.value(node, "target")) or "", w.env)[0]
        ro = bool(y.as_bool(y.value(node, "read_only")))
        if vtype == "tmpfs":
            opts = {}
            mode = y.value(y.value(node, "tmpfs"), "mode")
            if mode is not None:
                opts["mode"] = _mode_text(mode)
            return Mount("tmpfs", target, None, ro, opts, "long", loc=y.loc(node), node=node)
        create = y.as_bool(y.value(y.value(node, "bind"), "create_host_path"))
        kind = "bind" if vtype == "bind" else "volume"
        opts = {}
        if kind == "volume" and y.as_bool(y.value(y.value(node, "volume"), "nocopy")):
            opts["nocopy"] = "true"
        return Mount(kind, target, source, ro, opts, "long", create_host_path=bool(create), loc=y.loc(node),
                     node=node)
    raw = y.as_str(node)
    if raw is None:
        return None
    text = interpolate(raw, w.env)[0]
    m = parse_volume_spec(text)
    if m is None:
        return None
    m.loc = y.loc(node)
    m.node = node
    return m


def _mode_text(node: Any) -> str:
    """A tmpfs mode: YAML may have read 0700 as an octal int (1.1) or a decimal (1.2)."""
    if y.is_scalar(node):
        return str(node.value)
    return str(y.scalar(node))


def parse_volume_spec(text: str) -> Mount | None:
    """``-v`` / short syntax: ``[source:]target[:options]``."""
    parts = text.split(":")
    # Windows drive letters are not handled; Linux hosts only.
    if len(parts) == 1:
        return Mount("volume", parts[0], None, False, syntax="short")
    source, target = parts[0], parts[1]
    opts = parts[2].split(",") if len(parts) > 2 else []
    ro = "ro" in opts or "readonly" in opts
    kind = "bind" if is_bind_source(source) else "volume"
    m = Mount(kind, target, source, ro, {o: "true" for o in opts if o}, "short")
    return m


def parse_tmpfs(text: str, val: Val | None = None) -> Mount:
    """``/path[:opt,uid=1000,mode=0700]`` (``--tmpfs`` and compose ``tmpfs:``)."""
    target, _, rest = text.partition(":")
    opts: dict[str, str] = {}
    for o in rest.split(","):
        if not o:
            continue
        k, sep, v = o.partition("=")
        opts[k.strip()] = v.strip() if sep else "true"
    return Mount("tmpfs", target, None, False, opts, "tmpfs", loc=val.loc if val else None, val=val)
