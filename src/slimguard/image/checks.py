"""Findings about an image. Rule ids are shared with ``slimguard lint`` where the problem is the same
(SG001 root user, SG002 unknown user, ...), so ``--ignore``/``--select`` and configuration work
across both; findings carry ``origin="image"``, ``file`` = the image reference, line 1 column 1 (an
image has no lines; 1:1 keeps SARIF, Checkstyle and GitLab consumers happy), and the layer and path
in ``extra``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slimguard.core.findings import Finding, Severity
from slimguard.image.layers import DIR, REG, SYMLINK
from slimguard.image.overlay import Overlay
from slimguard.image.packages import CATEGORY_LABEL, Package, classify
from slimguard.image.secrets import SecretHit, env_secrets, history_secrets
from slimguard.image.users import ResolvedUser

MB = 1_000_000
_TMP_DIRS = ("tmp", "var/tmp", "dev/shm", "run/lock", "var/lock")
_PRIV_TOOLS = {"usr/bin/sudo": "sudo", "bin/sudo": "sudo", "usr/bin/doas": "doas", "usr/sbin/sudo": "sudo",
               "usr/local/bin/sudo": "sudo", "usr/bin/pkexec": "pkexec"}
TITLES = {
    "SG001": "Container runs as root",
    "SG002": "USER names a user or group the image does not have",
    "SG003": "Runtime USER is a name, not a numeric uid",
    "SG005": "Non-root image exposes a privileged port",
    "SG007": "sudo or another privilege tool in the image",
    "SG008": "setuid/setgid bit or world-writable path",
    "SG009": "Build tools ship in the final image",
    "SG010": "Full base image where a smaller variant exists",
    "SG013": "Package manager caches or lists left in the image",
    "SG019": "Secret in ENV or build history",
    "SG020": "Secret file in the image",
    "SGA001": "Bytes hidden by later layers",
}


def mb(n: int | float) -> str:
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1000:
        return f"{n / 1000:.0f} kB"
    return f"{int(n)} B"


@dataclass
class Context:
    reference: str
    config: dict
    overlay: Overlay | None
    user: ResolvedUser
    packages: list = field(default_factory=list)
    manager: str | None = None
    secret_hits: list = field(default_factory=list)
    history_layers: list = field(default_factory=list)  # layer index -> history index
    base: dict | None = None
    hidden_bytes: int = 0
    content_bytes: int = 0
    findings: list = field(default_factory=list)

    def add(self, rule: str, concern: str, severity: Severity, message: str, **extra: Any) -> None:
        self.findings.append(Finding(
            rule=rule, concern=concern, severity=severity, message=message, file=self.reference,
            line=1, column=1, end_line=1, end_column=1, title=TITLES.get(rule, ""), origin="image",
            details={k: v for k, v in extra.items() if v is not None}))


def _cfg(config: dict) -> dict:
    c = config.get("config")
    if not isinstance(c, dict):
        c = config.get("Config") if isinstance(config.get("Config"), dict) else {}
    return c or {}


def check_user(ctx: Context) -> None:
    u = ctx.user
    spec = u.spec
    if u.problems:
        ctx.add("SG002", "unknown-user", Severity.ERROR,
                f"config User {spec!r}: {'; '.join(u.problems)}: the container cannot start "
                f"(docker run fails with \"unable to find user\")", user=spec)
        return
    if u.uid == 0:
        if not spec:
            why = "no User in the image config: the container runs as root (uid 0)"
        elif u.user.isdigit() or u.user == "root":
            why = f"config User {spec!r} is root (uid 0)"
        else:
            why = f"config User {spec!r} resolves to uid 0 in /etc/passwd: it is root under another name"
        ctx.add("SG001", "root-user", Severity.WARNING,
                why + "; add a non-root user and set USER uid:gid", user=spec, uid=0)
        return
    if u.uid is None:
        return
    if not u.user.isdigit():
        target = f"{u.uid}:{u.gid}" if u.gid is not None else str(u.uid)
        ctx.add("SG003", "numeric-user", Severity.INFO,
                f"config User {spec!r} is a name; use USER {target} so Kubernetes runAsNonRoot can verify "
                f"the uid without /etc/passwd", user=spec, uid=u.uid, gid=u.gid)
    elif u.name is None and u.passwd_found:
        pass  # a numeric uid without an account runs fine (HOME=/)


def check_ports(ctx: Context) -> None:
    u = ctx.user
    if u.uid is None or u.uid == 0:
        return
    ports = _cfg(ctx.config).get("ExposedPorts") or {}
    low = []
    for p in ports:
        num = str(p).split("/", 1)[0]
        if num.isdigit() and 0 < int(num) < 1024:
            low.append(str(p))
    if low:
        ctx.add("SG005", "privileged-port", Severity.WARNING,
                f"the image runs as uid {u.uid} but exposes privileged port(s) {', '.join(sorted(low))}: binding "
                f"below 1024 needs root or CAP_NET_BIND_SERVICE (Kubernetes does not lower "
                f"ip_unprivileged_port_start); listen on a port >= 1024", ports=sorted(low))


def check_filesystem(ctx: Context) -> None:
    ov = ctx.overlay
    if ov is None:
        return
    setuid: list[tuple[str, int, int]] = []
    writable: list[tuple[str, str, int]] = []
    tools: list[str] = []
    for path, node in ov.walk():
        p = path[1:]
        kind = node.kind
        if kind == SYMLINK:
            continue
        mode = node.mode
        if kind == REG:
            if p in _PRIV_TOOLS:
                tools.append(p)
            if mode & 0o6000:
                setuid.append(("/" + p, mode & 0o7777, node.layer))
        if mode & 0o002 and kind in (REG, DIR):
            if any(p == d or p.startswith(d + "/") for d in _TMP_DIRS):
                continue
            writable.append(("/" + p, "dir" if kind == DIR else "file", node.layer))
    setuid.sort()
    writable.sort()
    if tools:
        names = sorted({_PRIV_TOOLS[t] for t in tools})
        ctx.add("SG007", "privilege-escalation", Severity.ERROR,
                f"{', '.join(names)} is installed (/{', /'.join(sorted(tools))}): a non-root user can become root "
                f"through it; remove it and drop privileges with USER instead", paths=["/" + t for t in sorted(tools)])
    suid = [s for s in setuid if s[0][1:] not in _PRIV_TOOLS]
    if suid:
        shown = ", ".join(f"{p} ({m:04o})" for p, m, _ in suid[:8]) + (f" and {len(suid) - 8} more" if len(suid) > 8 else "")
        ctx.add("SG008", "privilege-escalation", Severity.INFO,
                f"{len(suid)} setuid/setgid file(s): {shown}; strip the bits (chmod a-s) for what the "
                f"application does not need", files=[{"path": p, "mode": f"{m:04o}", "layer": layer} for p, m, layer in suid])
    if writable:
        shown = ", ".join(p for p, _, _ in writable[:8]) + (f" and {len(writable) - 8} more" if len(writable) > 8 else "")
        ctx.add("SG008", "privilege-escalation", Severity.WARNING,
                f"{len(writable)} world-writable path(s) outside /tmp: {shown}; any user in the container can "
                f"change them", paths=[{"path": p, "type": t, "layer": layer} for p, t, layer in writable[:200]])


_CATEGORY_SEVERITY = {"compiler": Severity.WARNING, "build-tool": Severity.WARNING, "dev-headers": Severity.WARNING,
                      "scm": Severity.WARNING, "downloader": Severity.INFO, "package-manager": Severity.STYLE,
                      "shell": Severity.STYLE}


def categorize(packages: list[Package]) -> dict[str, list[Package]]:
    cats: dict[str, list[Package]] = {}
    for p in packages:
        c = classify(p.name)
        if c is not None:
            cats.setdefault(c, []).append(p)
    return cats


def check_packages(ctx: Context) -> None:
    cats = categorize(ctx.packages)
    for cat in ("compiler", "build-tool", "dev-headers", "scm", "downloader", "package-manager", "shell"):
        pkgs = cats.get(cat)
        if not pkgs:
            continue
        total = sum(p.size for p in pkgs)
        pkgs_sorted = sorted(pkgs, key=lambda p: (-p.size, p.name))
        shown = ", ".join(f"{p.name} ({mb(p.size)})" for p in pkgs_sorted[:10])
        if len(pkgs) > 10:
            shown += f" and {len(pkgs) - 10} more"
        advice = {
            "package-manager": "a runtime image rarely needs them; distroless or a final stage without them removes them",
            "shell": "a shell makes the container easier to misuse; distroless images have none",
            "downloader": "remove them after use in the same RUN, or fetch in a build stage",
        }.get(cat, "build in a separate stage and COPY --from only the result")
        ctx.add("SG009", "build-tools", _CATEGORY_SEVERITY[cat],
                f"{len(pkgs)} {CATEGORY_LABEL[cat]} installed ({mb(total)}): {shown}; {advice}",
                category=cat, bytes=total,
                packages=[{"name": p.name, "version": p.version, "bytes": p.size, "size_source": p.size_source}
                          for p in pkgs_sorted])


_CACHES = (
    ("var/lib/apt/lists", "apt lists", "rm -rf /var/lib/apt/lists/* in the same RUN as apt-get install"),
    ("var/cache/apt/archives", "downloaded .deb files", "apt-get clean in the same RUN"),
    ("var/cache/apk", "the apk cache", "apk add --no-cache"),
    ("root/.cache/pip", "the pip cache", "pip install --no-cache-dir"),
    ("root/.npm/_cacache", "the npm cache", "npm cache clean --force in the same RUN"),
    ("var/cache/dnf", "the dnf cache", "dnf clean all in the same RUN"),
    ("var/cache/yum", "the yum cache", "yum clean all in the same RUN"),
)


def check_caches(ctx: Context) -> None:
    ov = ctx.overlay
    if ov is None:
        return
    for path, label, advice in _CACHES:
        node = ov.get("/" + path, follow=False)
        if node is None or node.kind != DIR:
            continue
        total = files = 0
        stack = [node]
        while stack:
            n = stack.pop()
            if n.children:
                stack.extend(n.children.values())
            elif n.kind == REG and n.content is not None:
                total += n.content.size
                files += 1
        if total >= 1 * MB:
            ctx.add("SG013", "pkg-hygiene", Severity.INFO,
                    f"{label} left in the image: {mb(total)} in {files} file(s) under /{path}; {advice}",
                    path="/" + path, bytes=total)


def check_hidden(ctx: Context) -> None:
    ov = ctx.overlay
    if ov is None or not ctx.content_bytes:
        return
    hidden = ctx.hidden_bytes
    if hidden >= 10 * MB and hidden >= 0.05 * ctx.content_bytes:
        worst = sorted(((sum(st.hidden_by.values()), st.index) for st in ov.layers), reverse=True)[0]
        items = ov.top_hidden_dirs.items()[:3] or ov.top_hidden.items()[:3]
        where = ", ".join(f"{it.path} ({mb(it.size)}, {it.cause})" for it in items)
        ctx.add("SGA001", "pkg-hygiene", Severity.INFO,
                f"{mb(hidden)} ({hidden * 100 / ctx.content_bytes:.1f}% of the layers' content) is hidden by later "
                f"layers but still shipped; layer {worst[1]} hides the most ({mb(worst[0])}){': ' + where if where else ''}. "
                f"Delete files in the RUN that creates them, or build in a separate stage",
                bytes=hidden, layer=worst[1])


def check_secrets(ctx: Context) -> None:
    env = _cfg(ctx.config).get("Env") or []
    env_names = set()
    for name, masked, why in env_secrets(env):
        env_names.add(name)
        ctx.add("SG019", "secrets", Severity.WARNING,
                f"ENV {name}={masked} {why}; anyone who can pull the image can read it (docker inspect); "
                f"pass it at run time or with a build secret", name=name)
    all_env = {str(e).partition("=")[0] for e in env if isinstance(e, str)}
    history = ctx.config.get("history") or []
    for idx, what, masked in history_secrets(history, all_env):
        text = str(history[idx].get("created_by", ""))[:100]
        ctx.add("SG019", "secrets", Severity.WARNING,
                f"build history step {idx} records {what}{masked}: `{text}`; build arguments and RUN lines are kept "
                f"in the image config; use RUN --mount=type=secret", history=idx)
    hits: list[SecretHit] = ctx.secret_hits
    for h in hits:
        if h.visible:
            msg = f"/{h.path} (layer {h.layer}) holds {h.kind}; remove it from the image and mount it at run time"
            sev = Severity.ERROR if "private key" in h.kind else Severity.WARNING
        else:
            msg = (f"/{h.path} holds {h.kind} in layer {h.layer}; a later layer hides it, but the layer still ships "
                   f"it and anyone with the image can extract it; rebuild without it (build secret or separate stage)")
            sev = Severity.ERROR if "private key" in h.kind else Severity.WARNING
        ctx.add("SG020", "secrets", sev, msg, path="/" + h.path, layer=h.layer, visible=h.visible)


def check_base(ctx: Context) -> None:
    b = ctx.base
    if not b or not b.get("smaller_variant"):
        return
    saving = b.get("saving_bytes")
    est = f" saves about {mb(saving)}" if saving else ""
    ctx.add("SG010", "fat-base", Severity.INFO,
            f"built on {b['guess']} ({b.get('how', 'guessed')}); {b['smaller_variant']}{est}"
            f"{' (' + b['saving_source'] + ')' if saving and b.get('saving_source') else ''}: "
            f"{b.get('reason') or 'a smaller variant of the same base'}",
            base=b["guess"], variant=b["smaller_variant"], saving_bytes=saving)


def run_checks(ctx: Context) -> list[Finding]:
    check_user(ctx)
    check_ports(ctx)
    check_filesystem(ctx)
    check_packages(ctx)
    check_caches(ctx)
    check_hidden(ctx)
    check_secrets(ctx)
    check_base(ctx)
    return ctx.findings
