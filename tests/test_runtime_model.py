"""Parsing compose files, Kubernetes manifests and docker run commands into the common model."""

from __future__ import annotations

import shlex

import pytest

from slimguard.runtime import LoadError, load
from slimguard.runtime.compose import interpolate, parse_port_spec, parse_volume_spec
from slimguard.runtime.dockerrun import RunError, parse_args, split
from slimguard.runtime.yamlnodes import Patcher, TextIndex, compose_all, detect_style


def test_compose_services_merge_keys_and_interpolation(tmp_path):
    text = (
        "x-base: &base\n  user: \"${APP_UID:-10001}:${APP_GID:-10001}\"\n  cap_drop: [ALL]\n"
        "services:\n"
        "  web:\n    <<: *base\n    image: \"registry.example/web:${TAG}\"\n"
        "    ports: [\"127.0.0.1:8080:80/tcp\", {target: 443, published: \"8443\"}]\n"
        "    expose: [\"9000\"]\n"
        "    volumes:\n      - ./data:/data:ro\n      - cache:/cache\n"
        "      - type: bind\n        source: /srv/x\n        target: /x\n"
        "    tmpfs: /run:uid=1000,mode=0700\n"
        "  db:\n    image: postgres:16\n    user: $$HOME\n"
        "volumes:\n  cache: {}\n"
    )
    doc = load(text, str(tmp_path / "compose.yaml"), env={"TAG": "1.2", "APP_UID": "1000"})
    assert doc.kind == "compose"
    web, db = doc.containers()
    assert web.name == "web" and web.image.value == "registry.example/web:1.2"
    assert web.user.value == "1000:10001" and web.user.raw == "${APP_UID:-10001}:${APP_GID:-10001}"
    assert web.user.inherited  # from the merge key
    assert [v.value for v in web.cap_drop] == ["ALL"]
    assert [(p.container, p.host) for p in web.ports] == [(80, 8080), (443, 8443), (9000, None)]
    kinds = [(m.kind, m.source, m.target, m.read_only, m.syntax) for m in web.mounts]
    assert kinds == [("bind", "./data", "/data", True, "short"), ("volume", "cache", "/cache", False, "short"),
                     ("bind", "/srv/x", "/x", False, "long"), ("tmpfs", None, "/run", False, "tmpfs")]
    assert web.mounts[3].options == {"uid": "1000", "mode": "0700"}
    assert db.user.value == "$HOME"  # $$ is a literal dollar
    # positions: the service key, 1-based
    idx = TextIndex(text)
    assert idx.position(web.loc.start) == (5, 3)


def test_interpolation_forms():
    env = {"A": "a", "E": ""}
    assert interpolate("${A}-${B:-b}-${E:-e}-${E-e}-$A-$$A", env)[0] == "a-b-e--a-$A"
    assert interpolate("${MISSING}x", env) == ("x", ["MISSING"])


@pytest.mark.parametrize("spec,expected", [
    ("80", (80, None)), ("8080:80", (80, 8080)), ("127.0.0.1:8080:80/udp", (80, 8080)),
    ("[::1]:8080:80", (80, 8080)), ("8000-8010:80-90", (80, 8000)),
])
def test_port_specs(spec, expected):
    p = parse_port_spec(spec)
    assert (p.container, p.host) == expected


@pytest.mark.parametrize("spec,kind,ro", [
    ("/srv/a:/a", "bind", False), ("./a:/a:ro", "bind", True), ("~/a:/a", "bind", False),
    ("named:/a:rw", "volume", False), ("/anon", "volume", False),
])
def test_volume_specs(spec, kind, ro):
    m = parse_volume_spec(spec)
    assert (m.kind, m.read_only) == (kind, ro)


def test_kubernetes_kinds_lists_and_precedence():
    text = """\
apiVersion: v1
kind: List
items:
- apiVersion: batch/v1
  kind: CronJob
  metadata: {name: nightly}
  spec:
    jobTemplate:
      spec:
        template:
          spec:
            securityContext: {runAsUser: 1000, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
            initContainers: [{name: init, image: busybox, securityContext: {runAsUser: 2000}}]
            containers:
            - name: job
              image: busybox
              securityContext:
                capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
                allowPrivilegeEscalation: false
---
apiVersion: v1
kind: Service
metadata: {name: svc}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: db, image: "db:1", volumeMounts: [{name: data, mountPath: /d}]}]
  volumeClaimTemplates: [{metadata: {name: data}}]
"""
    doc = load(text, "m.yaml")
    assert doc.kind == "kubernetes"
    assert [(w.kind, w.name) for w in doc.workloads] == [("CronJob", "nightly"), ("StatefulSet", "db")]
    init, job = doc.workloads[0].containers
    assert (init.role, init.run_as_user.value, init.run_as_user.level) == ("initContainer", 2000, "container")
    assert (job.run_as_user.value, job.run_as_user.level) == (1000, "pod")
    assert job.run_as_non_root.value is True and job.seccomp.value == "RuntimeDefault"
    assert [v.value for v in job.cap_drop] == ["ALL"] and [v.value for v in job.cap_add] == ["NET_BIND_SERVICE"]
    assert job.allow_privilege_escalation.value is False and init.allow_privilege_escalation is None
    db = doc.workloads[1].containers[0]
    assert db.host_network and db.mounts[0].volume.type == "volumeClaimTemplate"
    # the StatefulSet's container sits in document 3 (index 2)
    assert doc.workloads[1].doc_index == 2


def test_kind_detection_and_errors():
    with pytest.raises(LoadError, match=r"m.yaml:2:\d+: invalid YAML"):
        load("a: [1,\nb: }\n", "m.yaml")
    with pytest.raises(LoadError, match="neither a compose file"):
        load("foo: bar\n", "values.yaml")
    assert load("services: {}\n", "anything.yml").kind == "compose"
    assert load("version: '3'\n", "docker-compose.prod.yml").kind == "compose"


# -- docker run --------------------------------------------------------------------------------


@pytest.mark.parametrize("cmd", [
    "docker run --rm -it -e 'A=b c' -v \"$PWD/x:/x\" busybox sh -c 'echo hi'",
    "docker run --name=web -p8080:80 -uroot nginx:1.25",
    "sudo docker run -d --network host --cap-add=NET_ADMIN alpine",
    "docker run \\\n  --rm \\\n  -v a\\ b:/c busybox",
    "podman run --userns=keep-id:uid=1000,gid=1000 -v ./d:/d:Z img",
])
def test_split_matches_shlex_and_spans(cmd):
    tokens = split(cmd)
    assert [t.value for t in tokens] == shlex.split(cmd.replace("\\\n", ""))
    for t in tokens:
        raw = cmd[t.start:t.end]
        assert shlex.split(raw.replace("\\\n", "")) == [t.value] or t.value == ""


def test_flags_values_and_image():
    run = parse_args(split("docker -H unix:///x.sock container run -dit --rm -e X=1 -eY=2 -p 80:80 "
                           "--security-opt=no-new-privileges -u 1000:1000 --read-only=false img:1 cmd --privileged"))
    names = [(f.name, f.value) for f in run.flags]
    assert ("detach", True) in names and ("interactive", True) in names and ("tty", True) in names
    assert ("env", "X=1") in names and ("env", "Y=2") in names
    assert ("security-opt", "no-new-privileges") in names and ("read-only", False) in names
    assert run.image.value == "img:1" and [t.value for t in run.command] == ["cmd", "--privileged"]


@pytest.mark.parametrize("cmd,msg", [
    ("docker run --bogus x img", "unknown flag --bogus"),
    ("docker run -v", "needs a value"),
    ("docker ps", "subcommand"),
    ("ls -l", "expected `docker run"),
])
def test_run_errors(cmd, msg):
    with pytest.raises(RunError, match=msg):
        parse_args(split(cmd))


def test_docker_run_model():
    doc = load("docker run --rm --user 1000 --cap-drop ALL --tmpfs /tmp:uid=1000 "
               "--mount type=bind,src=/srv/d,dst=/d,readonly -v /a:/b -p 80:8080 --network host busybox",
               "<docker run>", "docker-run")
    (c,) = doc.containers()
    assert c.user.value == "1000" and c.host_network
    assert [(m.kind, m.source, m.read_only, m.syntax) for m in c.mounts] == [
        ("tmpfs", None, False, "tmpfs"), ("bind", "/srv/d", True, "long"), ("bind", "/a", False, "short")]
    assert c.ports[0].container == 8080
    assert doc.text[c.user.loc.start:c.user.loc.end] == "--user 1000"


# -- YAML edits ------------------------------------------------------------------------------------


def test_style_detection_per_document():
    text = "a:\n    b:\n    - x\n---\nc:\n  d:\n    - y\n"
    roots = compose_all(text)
    assert (detect_style(text, roots[:1]).mapping, detect_style(text, roots[:1]).dash) == (4, 0)
    assert (detect_style(text, roots[1:]).mapping, detect_style(text, roots[1:]).dash) == (2, 2)


def test_patcher_keeps_everything_else():
    text = ("# top\nspec:   # spec\n  securityContext: {}   # empty\n  containers:\n  - name: a  # first\n"
            "    image: x\n")
    roots = compose_all(text)
    p = Patcher(text, roots)
    spec = roots[0].value[0][1]
    edits = p.set_path(spec, ["securityContext", "runAsNonRoot"], True)
    from slimguard.core.fixes import apply_edits as apply

    out = apply(text, list(edits))
    assert out == ("# top\nspec:   # spec\n  securityContext: {runAsNonRoot: true}   # empty\n  containers:\n"
                   "  - name: a  # first\n    image: x\n")
    container = roots[0].value[0][1].value[1][1].value[0]
    out2 = apply(text, list(p.set_path(container, ["securityContext", "capabilities", "drop"], ["ALL"])))
    assert out2.endswith("    image: x\n    securityContext:\n      capabilities:\n        drop:\n        - ALL\n")
    compose_all(out2)


def test_patcher_crlf_and_no_final_newline():
    text = "services:\r\n  web:\r\n    image: x"
    roots = compose_all(text)
    p = Patcher(text, roots)
    web = roots[0].value[0][1].value[0][1]
    from slimguard.core.fixes import apply_edits as apply

    out = apply(text, list(p.set_path(web, ["read_only"], True)))
    assert out == "services:\r\n  web:\r\n    image: x\r\n    read_only: true"
