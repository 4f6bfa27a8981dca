"""Helpers several run-time rules share."""

from __future__ import annotations

import re

from slimguard.runtime.model import Container, Val
from slimguard.runtime.rules.base import CheckContext

_NNP = re.compile(r"^no-new-privileges(?:[:=](?P<v>\w+))?$", re.IGNORECASE)


def cap_name(text: str) -> str:
    """``cap_net_admin`` / ``CAP_NET_ADMIN`` / ``NET_ADMIN`` -> ``NET_ADMIN`` (Docker's spelling rules)."""
    t = text.strip().upper()
    return t[4:] if t.startswith("CAP_") else t


def drops_all(c: Container) -> bool:
    if c.origin == "kubernetes":
        return any(v.value == "ALL" for v in c.cap_drop)  # Pod Security compares exactly
    return any(cap_name(str(v.value)) == "ALL" for v in c.cap_drop)


def no_new_privileges(c: Container) -> tuple[bool, Val | None]:
    """(set to true, the entry that sets it false)."""
    on, off = False, None
    for v in c.security_opt:
        m = _NNP.match(str(v.value).strip())
        if not m:
            continue
        flag = (m.group("v") or "true").lower()
        if flag in ("true", "1", "yes"):
            on = True
        else:
            off = v
    return on, off


def kubelet_verifies_non_root(ctx: CheckContext, c: Container) -> bool:
    """The kubelet can prove the container is non-root: runAsUser > 0, or a numeric non-zero image USER."""
    if c.run_as_user is not None and isinstance(c.run_as_user.value, int):
        return c.run_as_user.value != 0
    iu = ctx.image_user(c)
    return iu is not None and iu.is_numeric and iu.is_root is False


def runs_non_root(ctx: CheckContext, c: Container) -> bool:
    return ctx.run_user(c).root is False


def user_text(uid: int, gid: int | None) -> str:
    return f"{uid}:{gid}" if gid is not None else str(uid)
