"""`slimguard doctor mount`: can a non-root image write to a host directory, and what fixes it.

1. Facts: the host directory's owner and mode (or that it is missing), the image's run-time uid/gid
   (its USER, resolved through its own /etc/passwd, or ``--user``), and the owner of the image's own
   directory at the mount target (what a named volume's copy-up would give).
2. Prediction from the permission bits (owner, group, other; no ACLs, no user namespaces).
3. Probe on the local engine: the image itself (or busybox with the same uid:gid when the image has no
   shell) runs ``id`` and tries to list the directory and to create and delete a file, with
   ``--network none``, and is removed afterwards. A missing directory is never probed with ``-v``:
   that would create it as root on the host.
4. Remedies for the runtime, best first, each with the exact command or YAML and its costs; the
   ``--user`` and named-volume remedies are probed too, so "works" is shown, not assumed.
"""

from __future__ import annotations

import io
import os
import platform
import re
import shlex
import tarfile
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

from slimguard.analysis.users import UserSpec
from slimguard.runtime.hostfs import HostFS, HostStat, access

LABEL = "org.slimguard.doctor"
PROBE_SCRIPT = (
    'T="$1"; id; '
    'if ls -a "$T" >/dev/null 2>&1; then echo SG_READ=yes; else echo SG_READ=no; fi; '
    'f="$T/.slimguard-probe-$$"; '
    'if ( : > "$f" ) 2>/dev/null; then echo SG_WRITE=yes; rm -f "$f"; else echo SG_WRITE=no; fi'
)


class DoctorError(Exception):
    """Bad input or an image that is not there: exit code 2."""


@dataclass
class Probe:
    ran: bool
    how: str = ""  # what ran: image and user, or why it did not run
    uid: int | None = None
    gid: int | None = None
    can_read: bool | None = None
    can_write: bool | None = None
    output: str = ""


@dataclass
class Remedy:
    key: str  # user, named-volume, chown, create, keep-id, podman-U, fsgroup, host-users, idmap, entrypoint
    title: str
    steps: list[str]  # exact commands or YAML
    costs: list[str] = field(default_factory=list)
    works: bool | None = None  # probed: True/False; None: not probed
    note: str = ""


@dataclass
class Diagnosis:
    host_dir: str
    target: str
    image: str
    runtime: str
    exists: bool
    owner: tuple[int, int] | None = None
    mode: str | None = None
    is_dir: bool = True
    user: str = ""  # as configured or given
    user_source: str = ""
    uid: int | None = None
    gid: int | None = None
    image_target: tuple[int, int, str] | None = None  # owner uid, gid, mode of TARGET in the image
    predicted_read: bool | None = None
    predicted_write: bool | None = None
    probe: Probe | None = None
    remedies: list[Remedy] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def can_write(self) -> bool | None:
        if self.probe is not None and self.probe.ran and self.probe.can_write is not None:
            return self.probe.can_write
        return self.predicted_write

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["can_write"] = self.can_write
        return d


# -- engine helpers -------------------------------------------------------------------------


def docker_client() -> Any:
    try:
        import docker

        client = docker.from_env(timeout=120)
        client.ping()
        return client
    except Exception:
        return None


def _labels() -> dict[str, str]:
    return {LABEL: "1"}


class _GenReader(io.RawIOBase):
    def __init__(self, gen: Iterator[bytes]) -> None:
        self.gen = gen
        self.buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self.buf:
            try:
                self.buf = next(self.gen)
            except StopIteration:
                return 0
        n = min(len(b), len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n


def image_dir_owner(client: Any, image: str, path: str) -> tuple[int, int, str] | None:
    """Owner uid, gid and mode of *path* inside the image (None when it does not exist)."""
    container = client.containers.create(image, entrypoint=["/.slimguard-doctor"], command=[],
                                         network_disabled=True, labels=_labels())
    try:
        try:
            stream, _ = container.get_archive(path)
        except Exception:
            return None
        with tarfile.open(fileobj=io.BufferedReader(_GenReader(iter(stream))), mode="r|") as tar:
            for member in tar:
                return member.uid, member.gid, f"{member.mode & 0o7777:04o}"
        return None
    finally:
        try:
            container.remove(force=True)
        except Exception:
            pass


def _run_probe(client: Any, image: str, user: str | None, volumes: dict, target: str,
               entry_shell: str = "sh") -> tuple[int, str]:
    container = client.containers.create(
        image, entrypoint=[entry_shell, "-c", PROBE_SCRIPT, "slimguard-probe", target], command=[],
        user=user or "", network_mode="none", volumes=volumes, labels=_labels())
    try:
        container.start()
        result = container.wait(timeout=120)
        out = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
        return int(result.get("StatusCode", -1)), out
    finally:
        try:
            container.remove(force=True)
        except Exception:
            pass


def _parse_probe(out: str) -> tuple[int | None, int | None, bool | None, bool | None]:
    uid = gid = None
    m = re.search(r"uid=(\d+)", out)
    if m:
        uid = int(m.group(1))
    m = re.search(r"gid=(\d+)", out)
    if m:
        gid = int(m.group(1))
    r = re.search(r"SG_READ=(yes|no)", out)
    w = re.search(r"SG_WRITE=(yes|no)", out)
    return uid, gid, (r.group(1) == "yes") if r else None, (w.group(1) == "yes") if w else None


# -- the diagnosis ---------------------------------------------------------------------------


class Doctor:
    def __init__(self, client: Any = None, host: HostFS | None = None, resolver: Any = None) -> None:
        self.client = client
        self.host = host or HostFS()
        self.resolver = resolver

    # image facts ---------------------------------------------------------------------------
    def _image_facts(self, image: str) -> tuple[str | None, dict, dict, bool | None, list[str]]:
        """(USER, users, groups, has_shell, VOLUME paths); USER None when the image is unknown."""
        from slimguard.knowledge.facts import Resolver
        from slimguard.knowledge.imageref import try_parse_image_ref

        volumes: list[str] = []
        if self.client is not None:
            try:
                img = self.client.images.get(image)
            except Exception:
                img = None
            if img is not None:
                cfg = img.attrs.get("Config") or {}
                volumes = sorted((cfg.get("Volumes") or {}).keys())
        ref = try_parse_image_ref(image)
        if ref is None:
            raise DoctorError(f"{image!r} is not an image reference")
        resolver = self.resolver or Resolver("auto" if self.client is not None else "never")
        facts = resolver.resolve(ref)
        if facts is None:
            return None, {}, {}, None, volumes
        return facts.default_user or "", dict(facts.users), dict(facts.groups), facts.has_shell, volumes

    def diagnose(self, host_dir: str, image: str, target: str | None = None, runtime: str = "docker",
                 user: str | None = None, probe: bool = True) -> Diagnosis:
        path = os.path.abspath(os.path.expanduser(host_dir))
        if self.client is not None:
            try:
                self.client.images.get(image)
            except Exception:
                raise DoctorError(f"image {image} is not in the local engine; slimguard never pulls — build or "
                                  "pull it first (or run without an engine for a prediction only)") from None
        configured, users, groups, has_shell, volumes = self._image_facts(image)
        if target is None:
            target = volumes[0] if len(volumes) == 1 else "/data"
        d = Diagnosis(path, target, image, runtime, exists=False)
        st = self.host.stat(path)
        if st is not None:
            d.exists = True
            d.owner = (st.uid, st.gid)
            d.mode = st.mode_text
            d.is_dir = st.is_dir
        # who the container runs as
        if user:
            d.user, d.user_source = user, "--user"
        elif configured is None:
            d.user, d.user_source = "", "unknown"
            d.notes.append(f"{image} is neither in the local engine nor in slimguard's knowledge base: its user "
                           "is unknown; pass --user UID:GID")
        else:
            d.user, d.user_source = configured, "image USER" if configured else "image without USER (root)"
        spec = UserSpec.parse(d.user)
        if d.user_source != "unknown":
            if spec.uid is not None:
                d.uid = spec.uid
                acct = next((ids for ids in users.values() if ids[0] == d.uid), None)
                d.gid = acct[1] if acct else d.uid
            elif spec.is_root():
                d.uid, d.gid = 0, 0
            elif spec.user in users:
                d.uid, d.gid = users[spec.user]
            else:
                d.notes.append(f"user {spec.user!r} is not in the image's /etc/passwd: the container would not start")
            if spec.group:
                d.gid = spec.gid if spec.numeric_group else groups.get(spec.group, d.gid)
        # prediction
        if st is not None and d.uid is not None:
            d.predicted_read, d.predicted_write = access(st, d.uid, d.gid if d.gid is not None else d.uid)
        elif st is None and d.uid is not None:
            d.predicted_read = True
            d.predicted_write = d.uid == 0
            d.notes.append(f"{path} does not exist: `docker run -v` creates it as root:root 0755"
                           + ("" if d.uid == 0 else f", so uid {d.uid} cannot write to it")
                           + "; `--mount type=bind` refuses to start (\"bind source path does not exist\")")
        # image side of the target (named volume copy-up)
        if self.client is not None:
            try:
                d.image_target = image_dir_owner(self.client, image, target)
            except Exception:
                d.image_target = None
        # probe
        if probe:
            d.probe = self._probe(d, has_shell)
        elif self.client is None:
            d.probe = Probe(False, "no Docker engine answers: prediction only")
        self._remedies(d, has_shell)
        return d

    def _probe_image(self, d: Diagnosis, has_shell: bool | None, user: str | None) -> tuple[str, str | None, str]:
        """(image, --user, description) for a probe; busybox stands in for images without a shell."""
        if has_shell is not False:
            return d.image, user, (f"--user {user} " if user else "") + d.image
        if d.uid is None:
            raise DoctorError("no shell in the image and its uid is unknown")
        u = user or f"{d.uid}:{d.gid if d.gid is not None else d.uid}"
        return "busybox", u, f"--user {u} busybox (standing in for {d.image}, which has no shell)"

    def _probe(self, d: Diagnosis, has_shell: bool | None, user: str | None = None,
               volume: str | None = None) -> Probe:
        if self.client is None:
            return Probe(False, "no Docker engine answers: prediction only")
        if volume is None and not d.exists:
            return Probe(False, "not probed: a bind mount of a missing directory would create it as root on the host")
        user = user if user is not None else (d.user if d.user_source == "--user" else None)
        try:
            image, u, how = self._probe_image(d, has_shell, user)
        except DoctorError as exc:
            return Probe(False, f"not probed: {exc}")
        if image == "busybox":
            try:
                self.client.images.get("busybox")
            except Exception:
                return Probe(False, f"not probed: {d.image} has no shell and no busybox image is present")
        src = volume or d.host_dir
        volumes = {src: {"bind": d.target, "mode": "rw"}}
        try:
            code, out = _run_probe(self.client, image, u, volumes, d.target)
        except Exception as exc:  # noqa: BLE001 - engine errors become a note
            return Probe(False, f"probe failed to run: {exc}")
        uid, gid, r, w = _parse_probe(out)
        where = f"{volume}" if volume else d.host_dir
        return Probe(True, f"docker run --rm --network none -v {where}:{d.target} {how}", uid, gid, r, w, out.strip())

    # remedies --------------------------------------------------------------------------------
    def _remedies(self, d: Diagnosis, has_shell: bool | None) -> None:
        if d.uid is None:
            return
        if d.can_write and d.exists:
            return
        host_uid, host_gid = self.host.current_user()
        uid, gid = d.uid, d.gid if d.gid is not None else d.uid
        q = shlex.quote
        hd, tgt, img = q(d.host_dir), q(d.target), q(d.image)
        remedies: list[Remedy] = []
        owner = d.owner
        owner_is_user = owner is not None and owner[0] != 0
        image_files = ("image files owned by the image's user (its home, app directories) are not writable by "
                       "another uid")
        # 1. run as the directory's owner (docker, compose)
        if d.runtime in ("docker", "compose") and d.exists and owner_is_user and owner is not None:
            ou, og = owner
            own = ou == host_uid and host_uid != 0
            spec = '"$(id -u):$(id -g)"' if own else f"{ou}:{og}"
            steps = [f"docker run --user {spec} -v {hd}:{tgt} {img}"]
            if own:
                steps.append('compose:  user: "${UID}:${GID}"   # run: export UID GID=$(id -g)  (bash does not '
                             "export UID; or put UID=... GID=... into .env)")
            else:
                steps.append(f'compose:  user: "{ou}:{og}"')
            r = Remedy("user", f"run the container as the directory's owner ({ou}:{og})", steps,
                       [f"HOME is / and `whoami` says unknown uid when {ou} is not in the image's /etc/passwd",
                        image_files])
            probe = self._probe(d, has_shell, user=f"{ou}:{og}")
            r.works = probe.can_write if probe.ran else None
            if probe.ran:
                r.note = f"probed: {probe.how} -> " + ("write OK" if probe.can_write else "write failed")
            remedies.append(r)
        # missing directory: create it first
        if not d.exists:
            steps = [f"install -d -o {uid} -g {gid} -m 0755 {hd}   # as root (sudo) on the host"]
            if host_uid != 0:
                steps.append(f'mkdir -p {hd} && docker run --user "$(id -u):$(id -g)" -v {hd}:{tgt} {img}')
            remedies.append(Remedy("create", f"create the directory before the first run, owned by {uid}:{gid}",
                                   steps, ["Docker's `-v` would create it as root:root 0755 "
                                           "(docker/compose#13612); `--mount type=bind` would refuse"],
                                   works=True))
        # named volume (docker, podman, compose)
        if d.runtime in ("docker", "podman", "compose"):
            vol_note = ""
            works: bool | None = None
            if d.image_target is not None:
                tu, tg, tm = d.image_target
                vol_note = f"{d.target} in the image is {tu}:{tg} {tm}: a new volume gets that owner"
                works = access(HostStat(d.target, tu, tg, int(tm, 8), True), uid, gid)[1]
            else:
                vol_note = (f"{d.target} does not exist in the image: a new volume is root:root 0755; add "
                            f"`RUN mkdir -p {d.target} && chown {uid}:{gid} {d.target}` before USER in the Dockerfile")
                works = uid == 0
            r = Remedy("named-volume", "use a named volume instead of the host directory",
                       [f"docker volume create appdata && docker run -v appdata:{tgt} {img}",
                        f"compose:  volumes: [\"appdata:{d.target}\"]  +  top-level volumes: {{appdata: {{}}}}"],
                       ["the data no longer sits at a host path of your choice (docker volume inspect shows where)",
                        "copy-up happens only while the volume is empty, and not with :nocopy / volume-nocopy",
                        "a volume first used by a root container keeps root ownership"], note=vol_note)
            if self.client is not None and (has_shell is not False or d.uid is not None):
                probe = self._volume_probe(d, has_shell)
                if probe is not None and probe.ran:
                    works = probe.can_write
                    r.note += f"; probed: {probe.how} -> " + ("write OK" if probe.can_write else "write failed")
            r.works = works
            remedies.append(r)
        # podman keep-id
        if d.runtime == "podman":
            remedies.insert(0, Remedy(
                "keep-id", "rootless podman: map your host user to the image's user",
                [f"podman run --userns=keep-id:uid={uid},gid={gid} -v {hd}:{tgt} {img}"],
                ["podman only (keep-id:uid=,gid= since podman 4.3); the directory must belong to the host user "
                 "running podman", "files created in the container belong to that host user"]))
            remedies.append(Remedy("podman-U", "let podman chown the directory (:U)",
                                   [f"podman run -v {hd}:{tgt}:U {img}"],
                                   ["recursively chowns the host directory to the container user's mapped id "
                                    "(e.g. 100999:100999 rootless): the host user then needs `podman unshare` "
                                    "to edit its own files"]))
        # kubernetes
        if d.runtime == "kubernetes":
            remedies.insert(0, Remedy(
                "fsgroup", "Kubernetes: a PersistentVolumeClaim with fsGroup",
                ["spec:\n  securityContext:\n"
                 f"    runAsUser: {uid}\n    runAsGroup: {gid}\n    fsGroup: {gid}\n"
                 "    fsGroupChangePolicy: OnRootMismatch\n  containers:\n    - name: app\n"
                 f"      image: {d.image}\n      volumeMounts:\n        - {{name: data, mountPath: {d.target}}}\n"
                 "  volumes:\n    - name: data\n      persistentVolumeClaim: {claimName: data}"],
                ["fsGroup does not apply to hostPath volumes: keep node directories out of pods (Pod Security "
                 "baseline forbids hostPath)", "the first mount chowns the volume's files to the group "
                 "(OnRootMismatch skips it later)"]))
            remedies.insert(1, Remedy(
                "host-users", "Kubernetes: a user namespace for the pod (hostUsers: false)",
                ["spec:\n  hostUsers: false"],
                ["stable in Kubernetes 1.36 (on by default since 1.33); needs Linux ≥ 6.3, runc ≥ 1.2 or crun ≥ 1.9, "
                 "containerd ≥ 2.0 or CRI-O ≥ 1.25"]))
            if owner is not None or not d.exists:
                remedies.append(Remedy("chown", f"on the node: give the directory to {uid}:{gid}",
                                       [f"chown -R {uid}:{gid} {hd}   # on the node, before the pod starts"],
                                       ["per node, by hand or a root init container; the restricted profile "
                                        "forbids the root init container"]))
        # chown on the host (the seed article's hack)
        if d.exists and d.runtime in ("docker", "podman", "compose") and owner is not None and owner[0] != uid:
            remedies.append(Remedy("chown", f"give the directory to the container's user {uid}:{gid}",
                                   [f"sudo chown -R {uid}:{gid} {hd}"],
                                   ["the host user loses ownership: editing the files then needs sudo or a "
                                    "matching uid", "every file, recursively; repeat when files are added from "
                                    "the host"], works=True if d.mode is None or int(d.mode, 8) & 0o300 == 0o300 else None,
                                   note="what the seed article did (chown -R 1000:1000 mydir)"))
        # idmapped mounts
        remedies.append(self._idmap(d, uid, gid))
        # last resort
        remedies.append(Remedy(
            "entrypoint", "last resort: start as root, chown, then drop privileges",
            ["ENTRYPOINT [\"/entrypoint.sh\"] with:\n  #!/bin/sh\n"
             f"  find {d.target} \\! -user {uid} -exec chown {uid}:{gid} '{{}}' +\n"
             f"  exec setpriv --reuid={uid} --regid={gid} --init-groups \"$@\"   # or gosu / su-exec"],
            ["the container starts as root: Kubernetes runAsNonRoot refuses it (\"image will run as root\")",
             "needs CHOWN, SETUID and SETGID: `--cap-drop ALL` breaks it (chown: Operation not permitted)",
             "with --user the chown is skipped and writes fail",
             "silently changes the owner of the host directory's files"]))
        d.remedies = remedies

    def _volume_probe(self, d: Diagnosis, has_shell: bool | None) -> Probe | None:
        name = f"slimguard-doctor-{uuid.uuid4().hex[:12]}"
        try:
            self.client.volumes.create(name=name, labels=_labels())
        except Exception:
            return None
        try:
            user = d.user if d.user_source == "--user" else None
            return self._probe(d, has_shell, user=user, volume=name)
        finally:
            try:
                self.client.volumes.get(name).remove(force=True)
            except Exception:
                pass

    def _idmap(self, d: Diagnosis, uid: int, gid: int) -> Remedy:
        kernel = platform.release()
        km = re.match(r"(\d+)\.(\d+)", kernel)
        kernel_ok = bool(km and (int(km.group(1)), int(km.group(2))) >= (5, 12))
        owner = d.owner or (self.host.current_user())
        ou, og = owner
        view = d.host_dir.rstrip("/") + ".idmapped"
        steps: list[str]
        costs = [f"Linux ≥ 5.12 and a filesystem that supports idmapped mounts (this host: Linux {kernel}"
                 + (", new enough)" if kernel_ok else ", too old)")]
        if d.runtime == "podman":
            steps = [f"podman run --mount type=bind,src={d.host_dir},dst={d.target},idmap "
                     f"--userns=keep-id:uid={uid},gid={gid} {d.image}"]
            costs.append("podman's idmap mount option (documented since podman 4.4); not tested here")
        elif d.runtime == "kubernetes":
            steps = ["spec:\n  hostUsers: false   # volumes then use idmapped mounts"]
        else:
            steps = [f"mkdir -p {view} && mount --bind -o X-mount.idmap='u:{ou}:{uid}:1 g:{og}:{gid}:1' "
                     f"{d.host_dir} {view}", f"docker run -v {view}:{d.target} {d.image}"]
            costs.append("Docker itself has no idmap option (moby#52061); the mount is made on the host, as root, "
                         "and needs util-linux ≥ 2.39 (" + _mount_version() + "); not tested by slimguard")
        costs.append("files created in the container belong to the host owner; unmapped owners appear as 65534")
        return Remedy("idmap", "idmapped mount: translate the owner without chown", steps, costs)


def _mount_version() -> str:
    import subprocess

    try:
        out = subprocess.run(["mount", "--version"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return "mount not found"
    m = re.search(r"util-linux ([\d.]+)", out)
    return f"this host: {m.group(1)}" if m else "version unknown"


# -- rendering -------------------------------------------------------------------------------


def render_text(d: Diagnosis) -> str:
    out: list[str] = []
    yes = lambda b: "yes" if b else ("no" if b is not None else "unknown")  # noqa: E731
    out.append(f"host directory  {d.host_dir}: " + (f"{d.owner[0]}:{d.owner[1]} mode {d.mode}" if d.exists and d.owner
                                                   else "does not exist"))
    who = f"uid {d.uid}, gid {d.gid}" if d.uid is not None else "unknown uid"
    out.append(f"container user  {who} ({d.user_source}{': ' + d.user if d.user and d.user_source != '--user' else ''})")
    if d.image_target is not None:
        tu, tg, tm = d.image_target
        out.append(f"image {d.target:<9} {tu}:{tg} mode {tm} (what a new named volume copies)")
    out.append(f"prediction      read: {yes(d.predicted_read)}, write: {yes(d.predicted_write)}")
    if d.probe is not None:
        if d.probe.ran:
            out.append(f"probe           {d.probe.how}")
            out.append(f"                uid={d.probe.uid} gid={d.probe.gid} read: {yes(d.probe.can_read)}, "
                       f"write: {yes(d.probe.can_write)}")
        else:
            out.append(f"probe           {d.probe.how}")
    for n in d.notes:
        out.append(f"note            {n}")
    out.append("")
    if d.uid is None:
        out.append("verdict: unknown — pass --user UID:GID")
    elif d.can_write and d.exists:
        out.append(f"verdict: OK — uid {d.uid} can write to {d.host_dir} mounted at {d.target}")
    else:
        what = "does not exist yet" if not d.exists else "is not writable"
        out.append(f"verdict: PROBLEM — {d.host_dir} {what} for uid {d.uid} ({d.runtime})")
    if d.remedies:
        out.append("")
        for i, r in enumerate(d.remedies):
            head = "recommended" if i == 0 else f"alternative {i}"
            status = {True: " [works: probed]" if "probed" in r.note else " [works]", False: " [does not work here]",
                      None: ""}[r.works]
            out.append(f"{head}: {r.title}{status}")
            for s in r.steps:
                for line in s.splitlines():
                    out.append(f"    {line}")
            if r.note:
                out.append(f"  note: {r.note}")
            for c in r.costs:
                out.append(f"  cost: {c}")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def rank(d: Diagnosis) -> None:
    """Put the remedies that were probed and work first, those that do not work last (stable otherwise)."""
    order = {True: 0, None: 1, False: 2}
    d.remedies.sort(key=lambda r: (order[r.works] if r.key not in ("entrypoint", "idmap") else 3,))
