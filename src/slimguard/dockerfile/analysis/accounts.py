"""The users and groups a stage's filesystem has at a given instruction of its FROM chain.

What the base image ships (the engine's /etc/passwd, or the knowledge base plus the system accounts
of its distribution) and what useradd, adduser, groupadd, usermod, ... in RUN steps add or change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slimguard.analysis.users import UserSpec, numeric_id
from slimguard.dockerfile.expand import ExpansionError, expand_word
from slimguard.dockerfile.shell import PackageOp, UserOp

if TYPE_CHECKING:
    from slimguard.dockerfile.model import Model, Stage, Step
    from slimguard.dockerfile.syntax import Instruction
    from slimguard.knowledge.facts import Resolver

# Accounts every image of a distribution family has in /etc/passwd and /etc/group,
# beyond root. The knowledge base lists only root and the application accounts an
# image adds (node, nginx, postgres, ...), so these fill in the system accounts
# (www-data, nobody, daemon, ...) that USER lines commonly name. Engine facts read
# the image's real /etc/passwd and do not need this table.
_DEBIAN_USERS = (
    "root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc gnats _apt nobody"
)
_DEBIAN_GROUPS = (
    "root daemon bin sys adm tty disk lp mail news uucp man proxy kmem dialout fax voice cdrom floppy tape "
    "sudo audio dip www-data backup operator list irc src gnats shadow utmp video sasl plugdev staff games "
    "users nogroup"
)
_ALPINE_USERS = (
    "root bin daemon adm lp sync shutdown halt mail news uucp operator man postmaster cron ftp sshd at squid "
    "xfs games cyrus vpopmail ntp smmsp guest nobody"
)
_ALPINE_GROUPS = (
    "root bin daemon sys adm tty disk lp mem kmem wheel floppy mail news uucp man cron console audio cdrom "
    "dialout ftp sshd input at tape video netdev readproc squid xfs kvm games shadow cdrw www-data usb "
    "vpopmail users ntp nofiles smmsp locate abuild utmp ping nogroup nobody"
)
_BUSYBOX_USERS = "root daemon bin sys sync mail www-data operator nobody"
_BUSYBOX_GROUPS = (
    "root daemon bin sys adm tty disk lp mail kmem wheel cdrom dialout floppy video audio tape www-data "
    "operator utmp plugdev staff lock netdev users nogroup nobody"
)
_RHEL_USERS = "root bin daemon adm lp sync shutdown halt mail operator games ftp nobody"
_RHEL_GROUPS = (
    "root bin daemon sys adm tty disk lp mem kmem wheel cdrom mail man dialout floppy games tape video ftp "
    "lock audio users nobody utmp utempter input kvm render ssh_keys systemd-journal"
)
SYSTEM_ACCOUNTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "debian": (frozenset(_DEBIAN_USERS.split()), frozenset(_DEBIAN_GROUPS.split())),
    "ubuntu": (frozenset(_DEBIAN_USERS.split()), frozenset(_DEBIAN_GROUPS.split())),
    "alpine": (frozenset(_ALPINE_USERS.split()), frozenset(_ALPINE_GROUPS.split())),
    "busybox": (frozenset(_BUSYBOX_USERS.split()), frozenset(_BUSYBOX_GROUPS.split())),
    "rhel": (frozenset(_RHEL_USERS.split()), frozenset(_RHEL_GROUPS.split())),
    "distroless": (frozenset({"root", "nobody", "nonroot"}), frozenset({"root", "nobody", "nonroot", "tty", "staff"})),
    "wolfi": (frozenset({"root", "nobody", "nonroot"}), frozenset({"root", "nobody", "nonroot"})),
    "scratch": (frozenset(), frozenset()),
}

# Fixed ids of the system accounts above (the same in every release of the family).
SYSTEM_IDS: dict[str, dict[str, tuple[int, int]]] = {
    "debian": {"daemon": (1, 1), "bin": (2, 2), "sys": (3, 3), "www-data": (33, 33), "nobody": (65534, 65534)},
    "ubuntu": {"daemon": (1, 1), "bin": (2, 2), "sys": (3, 3), "www-data": (33, 33), "nobody": (65534, 65534)},
    "alpine": {"bin": (1, 1), "daemon": (2, 2), "nobody": (65534, 65534)},
    "busybox": {"daemon": (1, 1), "bin": (2, 2), "sys": (3, 3), "www-data": (33, 33), "nobody": (65534, 65534)},
    "rhel": {"bin": (1, 1), "daemon": (2, 2), "nobody": (65534, 65534)},
    "distroless": {"nobody": (65534, 65534), "nonroot": (65532, 65532)},
    "wolfi": {"nobody": (65534, 65534), "nonroot": (65532, 65532)},
}

_USER_TOOLS = ("useradd", "adduser", "groupadd", "addgroup", "usermod", "/etc/passwd", "/etc/group")
SYSTEM_MANAGERS = frozenset({"apt", "dpkg", "apk", "dnf", "zypper"})


@dataclass
class Account:
    """A user account: its ids, home directory and where it comes from."""

    name: str
    uid: int | None
    gid: int | str | None  # primary group: a gid, a group name, or None (not known)
    home: str | None = None
    where: "Instruction | None" = None  # the instruction that created it (None: the base image)
    extra_groups: set[str] = field(default_factory=set)


@dataclass
class Accounts:
    """The users and groups of a stage's filesystem at one point of its FROM chain."""

    users: dict[str, Account] = field(default_factory=dict)
    groups: dict[str, int | None] = field(default_factory=dict)
    opaque: str | None = None  # why the account files cannot be known (COPY /etc/passwd, ...)
    packages: set[str] = field(default_factory=set)  # installed with apt/apk/dnf: may add system users
    base_label: str = ""

    def group_gid(self, group: int | str | None) -> int | None:
        """The gid of *group* (a gid, a numeric string or a group name); None when not known."""
        if isinstance(group, int):
            return group
        if group is None:
            return None
        gid = numeric_id(group)
        return gid if gid is not None else self.groups.get(group)

    def package_may_create(self, name: str) -> bool:
        """A package installed in the chain plausibly creates system user *name* (postgresql -> postgres,
        /tmp/kong_3.9_amd64.deb -> kong)."""
        n = name.lower().removeprefix("debian-").lstrip("_")
        if len(n) < 3:
            return False
        for pkg in self.packages:
            p = pkg.lower().split("=", 1)[0].rsplit("/", 1)[-1]
            if len(p) >= 3 and (p.startswith(n) or n.startswith(p) or p in n):
                return True
        return False


def expand_known(text: str, env: Mapping[str, str]) -> str | None:
    """A shell word's value with Dockerfile-visible variables substituted; None when not known."""
    if not any(c in text for c in "$`\"'"):
        return text
    if "`" in text or "$(" in text:
        return None
    try:
        e = expand_word(text, env)
    except ExpansionError:
        return None
    if e.missing or e.unresolved:
        return None
    return e.value


def base_accounts(resolver: "Resolver", stage: "Stage") -> Accounts | None:
    """Accounts of the external image at the bottom of the chain; None when the base is unknown."""
    base = stage.root_base
    if base.is_scratch:
        return Accounts(base_label="scratch")
    facts = resolver.resolve(base.image) if base.image is not None else None
    if facts is None or facts.distro == "windows":
        return None
    acc = Accounts(base_label=base.text)
    homes: dict[str, str | None] = {}
    if facts.source != "engine":
        try:
            from slimguard.knowledge.bases import lookup

            image = base.image
            info = lookup(f"{image.registry}/{image.repository}", image.effective_tag) if image else None
        except ImportError:  # pragma: no cover
            info = None
        if info is not None:
            homes = {u.name: u.home for u in info.users}
        system = SYSTEM_ACCOUNTS.get(facts.distro or "")
        if system is None:
            return None  # a knowledge entry without a known distribution: its account list is partial
        ids = SYSTEM_IDS.get(facts.distro or "", {})
        for name in system[0]:
            uid, gid = ids.get(name, (0, 0) if name == "root" else (None, None))
            acc.users.setdefault(name, Account(name, uid, gid))
        for name in system[1]:
            acc.groups.setdefault(name, 0 if name == "root" else ids.get(name, (None, None))[1])
    for name, (uid, gid) in facts.users.items():
        acc.users[name] = Account(name, uid, gid, homes.get(name) or (f"/home/{name}" if uid else "/root"))
    for name, gid in facts.groups.items():
        acc.groups[name] = gid
    return acc


def _create_user(acc: Accounts, op: UserOp, name: str, step: "Step") -> None:
    gid = op.gid
    if isinstance(gid, str):
        group = expand_known(gid, step.env) or gid
        number = numeric_id(group)
        gid = group if number is None else number
    home = op.home
    if home is None and op.create_home is not False:
        home = f"/home/{name}"
    if op.create_home is False:
        home = None
    account = Account(name, op.uid, gid, home, step.instruction)
    if op.tool == "passwd-file":
        acc.users[name] = account
        return
    implicit_group = gid is None
    if op.tool == "useradd" and any(f in ("-N", "--no-user-group") for f in op.flags):
        implicit_group = False
    if op.tool == "adduser" and op.system and "--group" not in op.flags and gid is None and \
            any(f.startswith("--") for f in op.flags):
        implicit_group = False  # Debian adduser --system without --group: primary group nogroup
        account.gid = "nogroup"
    if implicit_group:
        account.gid = name  # a user-private group of the same name, gid chosen by the tool
        acc.groups.setdefault(name, None)
    for g in op.groups:
        account.extra_groups.add(g)
    acc.users[name] = account


def _new_login(op: UserOp) -> str | None:
    """The new name of ``usermod -l NEW OLD`` / ``--login NEW`` / ``--login=NEW``, or None."""
    if op.tool != "usermod":
        return None
    words = [w.value or "" for w in op.command.args]
    for i, w in enumerate(words):
        if w in ("-l", "--login") and i + 1 < len(words):
            return words[i + 1]
        if w.startswith("--login="):
            return w.partition("=")[2]
    return None


def chain_accounts(resolver: "Resolver", stage: "Stage", until: "Instruction | None" = None) -> Accounts | None:
    """Users and groups of *stage*'s FROM chain just before *until* (the end of the chain when None).

    ONBUILD triggers are left out: they run in child images. Returns None when the base image
    is unknown; ``opaque`` is set when the account files cannot be followed (copied in, edited by a
    script slimguard cannot read, created under a name that depends on an unknown variable).
    """
    acc = base_accounts(resolver, stage)
    if acc is None:
        return None
    for step in stage.all_steps():
        ins = step.instruction
        if until is not None and ins is until:
            break
        if step.in_onbuild:
            continue
        if ins.name in ("COPY", "ADD") and len(step.expanded) >= 2:
            dest = step.expanded[-1]
            if not dest.startswith("/"):
                dest = step.workdir.rstrip("/") + "/" + dest
            norm = dest.rstrip("/") or "/"
            if norm in ("/", "/etc", "/etc/passwd", "/etc/group"):
                acc.opaque = f"{ins.name} on line {ins.start_line} writes {dest}"
            continue
        if ins.name != "RUN" or step.run is None:
            if ins.name == "RUN" and any(t in ins.rest for t in _USER_TOOLS):
                acc.opaque = f"the RUN on line {ins.start_line} is not in a POSIX shell"
            continue
        script = step.run.script
        if script.has_errors and any(t in script.source for t in _USER_TOOLS):
            acc.opaque = f"the RUN on line {ins.start_line} could not be parsed"
        for op in script.operations:
            if isinstance(op, PackageOp):
                if op.manager in SYSTEM_MANAGERS and op.action == "install":
                    acc.packages.update(op.packages)
                continue
            if not isinstance(op, UserOp) or op.name is None:
                continue
            name = expand_known(op.name, step.env)
            if name is None:
                acc.opaque = f"the RUN on line {ins.start_line} creates an account named {op.name}"
                continue
            if op.kind == "user":
                if op.action == "create":
                    _create_user(acc, op, name, step)
                elif op.action == "delete":
                    acc.users.pop(name, None)
                elif name in acc.users:
                    a = acc.users[name]
                    login = _new_login(op)
                    if login is not None:  # usermod --login NEW OLD renames the account
                        login = expand_known(login, step.env)
                        if login is None:
                            acc.opaque = f"the RUN on line {ins.start_line} renames {name} to an unknown name"
                        else:
                            acc.users[login] = acc.users.pop(name)
                            a.name = login
                    if op.uid is not None:
                        a.uid = op.uid
                    if op.gid is not None:
                        a.gid = op.gid
            elif op.kind == "group":
                if op.action == "create":
                    gid = op.gid
                    acc.groups[name] = gid if isinstance(gid, int) else None
                elif op.action == "delete":
                    acc.groups.pop(name, None)
            elif op.kind == "membership" and op.group and op.action != "delete":
                if name in acc.users:
                    acc.users[name].extra_groups.add(op.group)
    return acc


def resolve_ids(resolver: "Resolver", stage: "Stage", text: str,
                at: "Instruction | None") -> tuple[int | None, int | None, Accounts | None]:
    """The uid and gid that ``USER text`` gives in *stage* just before *at* (None where not known),
    and the accounts they were looked up in."""
    spec = UserSpec.parse(text)
    acc = chain_accounts(resolver, stage, at)
    uid = spec.uid
    gid: int | None = None
    account = acc.users.get(spec.user) if acc is not None and uid is None else None
    if acc is not None and account is None and uid is not None:
        account = next((a for a in acc.users.values() if a.uid == uid), None)
    if account is not None and uid is None:
        uid = account.uid
    if spec.group:
        gid = spec.gid if spec.numeric_group else (acc.group_gid(spec.group) if acc is not None else None)
    elif account is not None and acc is not None:
        gid = acc.group_gid(account.gid)
    return uid, gid, acc


def created_elsewhere(model: "Model", stage: "Stage", name: str, kind: str) -> str | None:
    """The label of another stage (not in *stage*'s chain) that creates *name* as a *kind* (user or group).

    A created user counts for both kinds: useradd and adduser also create its user-private group.
    """
    chain = stage.chain()
    for other in model.stages:
        if other in chain:
            continue
        for step in other.steps:
            if step.run is None:
                continue
            for op in step.run.script.of_type(UserOp):
                if op.action == "create" and op.kind in (kind, "user") and op.name and \
                        expand_known(op.name, step.env) == name:
                    return other.label
    return None
