"""Fuzz targets, one per input kind: Dockerfile, compose, Kubernetes, docker-archive, OCI layout.

Each target feeds generated and mutated inputs through the public entry points and holds slimguard to its
promise: a result or a clear input error, never an internal exception (a traceback). The CI budget is small;
run a large one by hand with ``SLIMGUARD_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_inputs.py``.
"""

from __future__ import annotations

import io
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerfile_strategies import dockerfiles
from test_audit_support import E, OciImage, docker_archive, layer_tar, make_config, oci_layout

from slimguard.api import check, lint
from slimguard.core.config import Config
from slimguard.core.fixes import FixError
from slimguard.image import AuditError

EXAMPLES = int(os.environ.get("SLIMGUARD_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 25,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
CONFIG = Config(engine="never")


def _no_internal_error(errors) -> None:
    assert not [e for e in errors if "internal error" in e], errors


@st.composite
def mutated(draw, base: st.SearchStrategy[str]) -> str:
    """*base* with a few characters inserted, deleted or replaced."""
    text = draw(base)
    for _ in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from(["\\", "\n", "$", "{", "}", "'", '"', "`", "[", "]", "#", " ", "\t", "é", "\x00",
                                      "ONBUILD ", "FROM ", "<<EOF\n", "${A:-${B}}", "--mount=", ":", "="]))
        if op == "insert":
            text = text[:pos] + piece + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + len(piece):]
        else:
            text = text[:pos] + piece + text[pos + 1:]
    return text


# ------------------------------------------------------------------ Dockerfile


@FUZZ
@given(mutated(dockerfiles()))
def test_dockerfile_lint_and_fix_never_crash(text: str) -> None:
    from slimguard.api import fix

    res = lint(text, config=CONFIG)
    _no_internal_error(res.errors)
    try:
        fixed = fix(text, config=CONFIG, unsafe=True)
    except FixError:
        return  # a clear input error (the file does not parse)
    again = fix(fixed.text, config=CONFIG, unsafe=True)
    assert again.text == fixed.text  # idempotent


# ------------------------------------------------------------------ compose and Kubernetes

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-70000, 70000), st.text(max_size=12),
                    st.sampled_from(["root", "0", "1000:1000", "nginx:1.27", "80:80", "/data:/data", "ALL",
                                     "NET_BIND_SERVICE", "unconfined", "{{ .Values.x }}", "${HOME}"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["image", "user", "ports", "volumes", "cap_add", "cap_drop", "privileged",
                                     "read_only", "tmpfs", "security_opt", "runAsUser", "runAsNonRoot",
                                     "securityContext", "containers", "name", "hostPath", "fsGroup", "x"]),
                    inner, max_size=5)), max_leaves=20)


def _dump(doc) -> str:
    from ruamel.yaml import YAML

    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(doc, out)
    return out.getvalue()


@FUZZ
@given(st.dictionaries(st.sampled_from(["web", "db", "app"]), VALUES, max_size=3), st.booleans())
def test_compose_check_never_crashes(services, with_version: bool) -> None:
    doc = {"services": services}
    if with_version:
        doc["version"] = "3.9"
    res = check(_dump(doc), path="compose.yaml", config=CONFIG)
    _no_internal_error(res.errors)


@FUZZ
@given(st.sampled_from(["Pod", "Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet"]), VALUES, VALUES)
def test_kubernetes_check_never_crashes(kind: str, pod_spec, container) -> None:
    spec = pod_spec if isinstance(pod_spec, dict) else {"x": pod_spec}
    spec = {**spec, "containers": [container]}
    template = {"spec": spec}
    body = spec if kind == "Pod" else ({"jobTemplate": {"spec": {"template": template}}} if kind == "CronJob"
                                        else {"template": template})
    doc = {"apiVersion": "v1" if kind == "Pod" else "apps/v1", "kind": kind, "metadata": {"name": "x"},
           "spec": body}
    res = check(_dump(doc), path="manifest.yaml", config=CONFIG)
    _no_internal_error(res.errors)


# ------------------------------------------------------------------ image archives

ENTRY_NAMES = st.sampled_from(["etc/passwd", "etc/group", "usr/bin/gcc", "usr/bin/sudo", "app/.wh.x", ".wh..wh..opq",
                               "var/lib/dpkg/status", "lib/apk/db/installed", "a/b/c", "../escape", "/abs",
                               "root/.ssh/id_rsa", "x" * 120])
FILE_DATA = st.one_of(st.binary(max_size=300), st.sampled_from([
    b"root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/home/app:/bin/sh\n",
    b"Package: gcc\nStatus: install ok installed\nVersion: 1\n\n",
    b"P:busybox\nV:1.36\n\n", b"\xff\xfe:\x00:bad",
]))
LAYERS = st.lists(st.lists(st.tuples(ENTRY_NAMES, FILE_DATA), max_size=5), min_size=1, max_size=3)
CONFIG_JSON = st.fixed_dictionaries({}, optional={
    "User": st.sampled_from(["", "root", "0", "10001:10001", "app", "nobody", 5]),
    "ExposedPorts": st.sampled_from([{}, {"80/tcp": {}}, {"x": 1}, []]),
    "Env": st.sampled_from([[], ["PASSWORD=hunter2"], ["A"], None]),
})


def _layers(raw) -> list[bytes]:
    return [layer_tar([E(name, data=data) for name, data in entries]) for entries in raw]


def _audit(path: str):
    from test_audit_support import audit_archive

    try:
        return audit_archive(path)
    except AuditError:
        return None  # a clear input error, exit 2


@FUZZ
@given(LAYERS, CONFIG_JSON, st.integers(0, 3), st.binary(max_size=64))
def test_docker_archive_audit_never_crashes(tmp_path_factory, raw, cfg_extra, damage: int, junk: bytes) -> None:
    path = str(tmp_path_factory.mktemp("fuzz") / "image.tar")
    layers = _layers(raw)
    base = make_config(layers)
    docker_archive(path, layers, config={**base, "config": {**base["config"], **cfg_extra}})
    if damage:
        data = bytearray(open(path, "rb").read())
        cut = len(data) * damage // 4
        data[cut:cut + len(junk)] = junk  # overwrite part of the archive
        open(path, "wb").write(bytes(data))
    _audit(path)


@FUZZ
@given(LAYERS, st.sampled_from(["gzip", "zstd", "none"]), st.booleans(), st.sampled_from(["", "index", "blob"]))
def test_oci_layout_audit_never_crashes(tmp_path_factory, raw, compression: str, as_tar: bool, break_what: str) -> None:
    root = tmp_path_factory.mktemp("oci")
    path = str(root / ("image.tar" if as_tar else "layout"))
    oci_layout(path, OciImage(layers=_layers(raw), compression=compression), as_tar=as_tar)
    if break_what and not as_tar:
        if break_what == "index":
            with open(os.path.join(path, "index.json"), "w") as fh:
                json.dump({"schemaVersion": 2, "manifests": [{"digest": "sha256:" + "0" * 64, "size": -1}]}, fh)
        else:
            blobs = os.path.join(path, "blobs", "sha256")
            for name in sorted(os.listdir(blobs))[:1]:
                with open(os.path.join(blobs, name), "r+b") as fh:
                    fh.truncate(max(0, os.path.getsize(fh.name) // 2))
    _audit(path)
