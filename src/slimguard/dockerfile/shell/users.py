"""User and group management commands -> UserOp."""

from __future__ import annotations

from collections.abc import Sequence

from slimguard.dockerfile.shell.model import Operation, SimpleCommand, UserOp
from slimguard.dockerfile.shell.options import Parsed, parse_opts, spec

__all__ = ["user_ops", "passwd_lines", "USER_TOOLS"]


def _int(text: str | None) -> int | None:
    if text is None or not text.isdigit():
        return None
    return int(text)


def _gid(text: str | None) -> int | str | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def _group_name(text: str | None) -> str | None:
    return None if text is None or text.isdigit() else text


def _split_groups(values: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(g for g in v.split(",") if g)
    return tuple(out)


def _last_pos(p: Parsed) -> str | None:
    return p.positionals[-1].text if p.positionals else None


# ---------------------------------------------------------------- shadow-utils

_USERADD = spec("ugGdscekKpbfRPZ", (
    "--uid", "--gid", "--groups", "--home-dir", "--home", "--shell", "--comment", "--expiredate",
    "--key", "--password", "--base-dir", "--inactive", "--root", "--prefix", "--skel",
    "--selinux-user", "--selinux-range"))


def _useradd(cmd: SimpleCommand) -> list[Operation]:
    p = parse_opts(cmd.args, _USERADD)
    if p.has("-D", "--defaults"):
        return []
    g = p.last("-g", "--gid")
    create_home: bool | None = None
    if p.has("-m", "--create-home"):
        create_home = True
    elif p.has("-M", "--no-create-home"):
        create_home = False
    return [UserOp(
        command=cmd, tool="useradd", kind="user", name=_last_pos(p),
        uid=_int(p.last("-u", "--uid")), gid=_gid(g), group=_group_name(g),
        system=p.has("-r", "--system"), home=p.last("-d", "--home-dir", "--home"),
        create_home=create_home, shell=p.last("-s", "--shell"),
        groups=_split_groups(p.values("-G", "--groups")), flags=tuple(p.flags),
    )]


_USERMOD = spec("cdefgGlpsuRPZ", (
    "--comment", "--home", "--expiredate", "--inactive", "--gid", "--groups", "--login",
    "--password", "--shell", "--uid", "--root", "--prefix", "--selinux-user",
    "--add-subuids", "--del-subuids", "--add-subgids", "--del-subgids"))
_USERMOD_CHANGES = ("-c", "--comment", "-d", "--home", "-e", "--expiredate", "-f", "--inactive",
                    "-g", "--gid", "-l", "--login", "-L", "--lock", "-U", "--unlock", "-s",
                    "--shell", "-u", "--uid", "-p", "--password", "-o", "--non-unique")


def _usermod(cmd: SimpleCommand) -> list[Operation]:
    p = parse_opts(cmd.args, _USERMOD)
    name = _last_pos(p)
    ops: list[Operation] = []
    if any(p.has(o) for o in _USERMOD_CHANGES):
        g = p.last("-g", "--gid")
        ops.append(UserOp(
            command=cmd, tool="usermod", kind="user", name=name, uid=_int(p.last("-u", "--uid")),
            gid=_gid(g), group=_group_name(g), home=p.last("-d", "--home"),
            shell=p.last("-s", "--shell"), action="modify", flags=tuple(p.flags),
            create_home=True if p.has("-m", "--move-home") else None,
        ))
    groups = _split_groups(p.values("-G", "--groups"))
    for grp in groups:
        ops.append(UserOp(command=cmd, tool="usermod", kind="membership", name=name, group=grp,
                          groups=groups, flags=tuple(p.flags)))
    return ops


_GROUPADD = spec("gKpRP", ("--gid", "--key", "--password", "--root", "--prefix", "--users"))


def _groupadd(cmd: SimpleCommand) -> list[Operation]:
    p = parse_opts(cmd.args, _GROUPADD)
    return [UserOp(command=cmd, tool="groupadd", kind="group", name=_last_pos(p),
                   gid=_gid(p.last("-g", "--gid")), system=p.has("-r", "--system"),
                   flags=tuple(p.flags))]


_GPASSWD = spec("adArRM", ("--add", "--delete", "--administrators", "--members", "--root"))


def _gpasswd(cmd: SimpleCommand) -> list[Operation]:
    p = parse_opts(cmd.args, _GPASSWD)
    group = _last_pos(p)
    ops: list[Operation] = []
    for user in p.values("-a", "--add"):
        ops.append(UserOp(command=cmd, tool="gpasswd", kind="membership", name=user, group=group))
    for user in p.values("-d", "--delete"):
        ops.append(UserOp(command=cmd, tool="gpasswd", kind="membership", name=user, group=group,
                          action="delete"))
    for users in p.values("-M", "--members"):
        for user in users.split(","):
            if user:
                ops.append(UserOp(command=cmd, tool="gpasswd", kind="membership", name=user,
                                  group=group))
    return ops


_DEL = spec("R", ("--root", "--prefix", "--conf", "--backup-to"))


def _userdel(cmd: SimpleCommand) -> list[Operation]:
    tool = cmd.name or ""
    p = parse_opts(cmd.args, _DEL)
    pos = [w.text for w in p.positionals]
    if not pos:
        return []
    group_tool = tool in ("groupdel", "delgroup")
    if len(pos) >= 2 and tool in ("deluser", "delgroup"):
        return [UserOp(command=cmd, tool=tool, kind="membership", name=pos[0], group=pos[1],
                       action="delete", flags=tuple(p.flags))]
    return [UserOp(command=cmd, tool=tool, kind="group" if group_tool else "user", name=pos[0],
                   action="delete", flags=tuple(p.flags),
                   system=p.has("--system"))]


# ---------------------------------------------------------------- adduser / addgroup

_DEBIAN_ADDUSER = spec("", (
    "--home", "--shell", "--uid", "--firstuid", "--lastuid", "--gecos", "--comment", "--ingroup",
    "--gid", "--firstgid", "--lastgid", "--conf", "--extrausers", "--add-extra-groups-list",
    "--stdoutmsglevel", "--stderrmsglevel", "--logmsglevel", "--key"))
_BUSYBOX_ADDUSER = spec("hgsGuk")
_ADDGROUP = spec("g", ("--gid", "--conf", "--firstgid", "--lastgid", "--key"))


def _is_debian_style(cmd: SimpleCommand) -> bool:
    return any(a.text.startswith("--") and len(a.text) > 2 for a in cmd.args)


def _adduser(cmd: SimpleCommand) -> list[Operation]:
    flags_debian = _is_debian_style(cmd)
    if flags_debian:
        p = parse_opts(cmd.args, _DEBIAN_ADDUSER)
    else:
        p = parse_opts(cmd.args, _BUSYBOX_ADDUSER)
    pos = [w.text for w in p.positionals]
    flags = tuple(p.flags)
    if len(pos) >= 2:
        return [UserOp(command=cmd, tool="adduser", kind="membership", name=pos[0],
                       group=pos[1], flags=flags)]
    name = pos[0] if pos else None
    if not flags_debian:
        g = p.last("-G")
        return [UserOp(
            command=cmd, tool="adduser", kind="user", name=name, uid=_int(p.last("-u")),
            gid=_gid(g), group=_group_name(g), system=p.has("-S"), home=p.last("-h"),
            create_home=not p.has("-H"), shell=p.last("-s"), flags=flags,
        )]
    system = p.has("--system")
    if p.has("--group") and not system:
        return [UserOp(command=cmd, tool="adduser", kind="group", name=name,
                       gid=_gid(p.last("--gid")), flags=flags)]
    home = p.last("--home")
    ingroup = p.last("--ingroup")
    gid_opt = p.last("--gid")
    gid: int | str | None = _gid(ingroup) if ingroup is not None else _gid(gid_opt)
    group = _group_name(ingroup)
    if group is None and p.has("--group"):
        group = name
        if gid is None:
            gid = name
    if p.has("--no-create-home"):
        create_home: bool | None = False
    elif system and home is None:
        create_home = False
    else:
        create_home = True
    ops: list[Operation] = [UserOp(
        command=cmd, tool="adduser", kind="user", name=name, uid=_int(p.last("--uid")),
        gid=gid, group=group, system=system, home=home, create_home=create_home,
        shell=p.last("--shell"), flags=flags,
    )]
    if system and p.has("--group"):
        ops.insert(0, UserOp(command=cmd, tool="adduser", kind="group", name=name,
                             gid=_gid(gid_opt), system=True, flags=flags))
    return ops


def _addgroup(cmd: SimpleCommand) -> list[Operation]:
    p = parse_opts(cmd.args, _ADDGROUP)
    pos = [w.text for w in p.positionals]
    flags = tuple(p.flags)
    if len(pos) >= 2:
        return [UserOp(command=cmd, tool="addgroup", kind="membership", name=pos[0],
                       group=pos[1], flags=flags)]
    return [UserOp(command=cmd, tool="addgroup", kind="group", name=pos[0] if pos else None,
                   gid=_gid(p.last("-g", "--gid")), system=p.has("-S", "--system"),
                   flags=flags)]


USER_TOOLS = {
    "useradd": _useradd, "usermod": _usermod, "groupadd": _groupadd, "gpasswd": _gpasswd,
    "userdel": _userdel, "groupdel": _userdel, "deluser": _userdel, "delgroup": _userdel,
    "adduser": _adduser, "addgroup": _addgroup,
}


def user_ops(cmd: SimpleCommand) -> list[Operation]:
    handler = USER_TOOLS.get(cmd.name or "")
    return handler(cmd) if handler is not None else []


# ---------------------------------------------------------------- /etc/passwd, /etc/group lines


def passwd_lines(cmd: SimpleCommand, path: str, content: str) -> list[Operation]:
    """UserOps for lines written to /etc/passwd or /etc/group."""
    ops: list[Operation] = []
    is_group = path.endswith("/group")
    for line in content.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split(":")
        if is_group:
            if len(f) < 3:
                continue
            ops.append(UserOp(command=cmd, tool="passwd-file", kind="group", name=f[0],
                              gid=_gid(f[2] or None)))
            if len(f) > 3:
                for member in f[3].split(","):
                    if member:
                        ops.append(UserOp(command=cmd, tool="passwd-file", kind="membership",
                                          name=member, group=f[0]))
        else:
            if len(f) < 4:
                continue
            ops.append(UserOp(
                command=cmd, tool="passwd-file", kind="user", name=f[0], uid=_int(f[2]),
                gid=_gid(f[3] or None), home=(f[5] or None) if len(f) > 5 else None,
                shell=(f[6] or None) if len(f) > 6 else None,
            ))
    return ops
