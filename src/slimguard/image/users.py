"""Resolve the image config's ``User`` against the image's own /etc/passwd and /etc/group."""

from __future__ import annotations

from dataclasses import dataclass, field

from slimguard.analysis.users import UserSpec, parse_group, parse_passwd


@dataclass
class ResolvedUser:
    spec: str  # config User as written ("" when unset)
    user: str = ""  # the user part
    group: str | None = None  # the group part, when given
    uid: int | None = None
    gid: int | None = None
    name: str | None = None  # the account name, when known
    group_name: str | None = None
    problems: list = field(default_factory=list)  # why the container cannot start
    passwd_found: bool = False
    how: str = ""  # how the uid was determined

    def display(self) -> str:
        if self.uid is None:
            return f"{self.spec} (unresolved)" if self.spec else "root (unset)"
        ident = f"uid {self.uid}" + (f" gid {self.gid}" if self.gid is not None else "")
        names = self.name or "?"
        if self.group_name:
            names += f":{self.group_name}"
        return f"{self.spec or '(unset)'} -> {names} ({ident})"


def resolve_user(spec: str | None, passwd: str | None, group: str | None) -> ResolvedUser:
    spec = (spec or "").strip()
    r = ResolvedUser(spec)
    users = parse_passwd(passwd) if passwd is not None else None
    groups = parse_group(group) if group is not None else None
    r.passwd_found = passwd is not None
    parsed = UserSpec.parse(spec)
    r.user, r.group = parsed.user, parsed.group
    user = parsed.user
    if not user:
        r.uid, r.gid, r.name, r.how = 0, 0, "root", "no User set: the runtime default is root"
        if users:
            entry = next((u for u in users if u.uid == 0), None)
            if entry:
                r.name, r.gid = entry.name, entry.gid
    elif parsed.uid is not None:
        r.uid = parsed.uid
        r.how = "numeric uid"
        entry = next((u for u in users or [] if u.uid == r.uid), None)
        if entry:
            r.name, r.gid = entry.name, entry.gid
        else:
            r.gid = r.uid if r.uid == 0 else None
            if r.uid == 0:
                r.name = "root"
    else:
        entry = next((u for u in users or [] if u.name == user), None)
        if entry:
            r.name, r.uid, r.gid = entry
            r.how = "/etc/passwd"
        elif users is None:
            r.problems.append(f"user {user!r} cannot be resolved: the image has no /etc/passwd")
        else:
            r.problems.append(f"user {user!r} is not in the image's /etc/passwd")
    if r.group is not None:
        if parsed.gid is not None:
            r.gid = parsed.gid
            entry_g = next((g for g in groups or [] if g.gid == r.gid), None)
            r.group_name = entry_g.name if entry_g else None
        else:
            entry_g = next((g for g in groups or [] if g.name == r.group), None)
            if entry_g:
                r.group_name, r.gid = entry_g
            elif groups is None:
                r.problems.append(f"group {r.group!r} cannot be resolved: the image has no /etc/group")
            else:
                r.problems.append(f"group {r.group!r} is not in the image's /etc/group")
    elif r.gid is not None and groups:
        entry_g = next((g for g in groups if g.gid == r.gid), None)
        r.group_name = entry_g.name if entry_g else None
    return r
