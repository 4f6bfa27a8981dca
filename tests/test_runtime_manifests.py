"""Real-shaped inputs: a Deployment with two containers and an init container, a CronJob, a multi-document
file, and a compose stack with several services and named volumes. Checked, fixed (safe, then unsafe),
fixed again (no change), and every comment and untouched line survives."""

from __future__ import annotations

import difflib

import pytest
from ruamel.yaml import YAML

from slimguard.knowledge.facts import Resolver
from slimguard.core.config import Config
from slimguard.runtime.engine import check_text
from slimguard.runtime.fixing import fix_text
from slimguard.runtime.hostfs import StubHostFS
from slimguard.runtime.images import ImageResolver
from slimguard.runtime.rules import CheckOptions

DEPLOYMENT = """\
# Web front end: nginx in front of the node app, with a migration step.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels:
    app: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels:
        app: shop
    spec:
      serviceAccountName: shop
      initContainers:
      - name: migrate          # runs the DB migrations once per rollout
        image: registry.example/shop:4.2
        command: ["npm", "run", "migrate"]
        envFrom:
        - secretRef: {name: shop-db}
      containers:
      - name: app
        image: node:12.16-slim
        args: ["node", "server.js"]
        ports:
        - containerPort: 8080
        resources:
          limits: {cpu: 500m, memory: 256Mi}
        volumeMounts:
        - name: uploads
          mountPath: /srv/uploads
        - name: tmp
          mountPath: /tmp
      - name: proxy
        image: nginx:1.25
        ports:
        - containerPort: 80    # privileged port, nginx starts as root
        volumeMounts:
        - name: nginx-conf
          mountPath: /etc/nginx/conf.d
          readOnly: true
      volumes:
      - name: uploads
        persistentVolumeClaim:
          claimName: shop-uploads
      - name: tmp
        emptyDir: {}
      - name: nginx-conf
        configMap: {name: shop-nginx}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "30 2 * * *"   # nightly
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          securityContext:
            runAsNonRoot: true
          containers:
            - name: report
              image: haproxy:2.8   # stands in for an image whose USER is a name
              args: ["--once"]
"""

MULTI = """\
apiVersion: v1
kind: Namespace
metadata:
  name: data
---
apiVersion: v1
kind: ConfigMap
metadata: {name: db-config, namespace: data}
data:
  POSTGRES_DB: app
---
# The database
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: data
spec:
  serviceName: db
  template:
    spec:
      securityContext:
        runAsUser: 999
        runAsGroup: 999
      containers:
        - name: postgres
          image: postgres:16
          volumeMounts:
            - name: pgdata
              mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
    - metadata:
        name: pgdata
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: 10Gi
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  clusterIP: None
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
  namespace: data
spec:
  template:
    spec:
      hostNetwork: true
      hostPID: true
      containers:
        - name: exporter
          image: registry.example/node-exporter:1
          securityContext: {runAsUser: 65534, runAsNonRoot: true}
          ports: [{containerPort: 9100}]
          volumeMounts: [{name: proc, mountPath: /host/proc, readOnly: true}]
      volumes:
        - name: proc
          hostPath: {path: /proc}
"""

COMPOSE = """\
# Shop stack for a single host.
x-hardening: &hardening
  restart: unless-stopped
  logging:
    driver: json-file

services:
  web:
    <<: *hardening
    build:
      context: ./web
    user: "1000:1000"
    ports:
      - "80:8080"
    volumes:
      - uploads:/srv/uploads
      - ./config:/etc/shop:ro      # read-only configuration
    depends_on: [db, cache]

  worker:
    <<: *hardening
    image: node:12.16-slim
    command: ["node", "worker.js"]
    volumes:
      - ./spool:/var/spool/shop   # bind mount for the exchange directory

  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db
    volumes:
      - pgdata:/var/lib/postgresql/data

  cache:
    image: memcached:1.6
    tmpfs:
      - /tmp:mode=0755

volumes:
  uploads:
  pgdata: {}
"""

WEB_DOCKERFILE = """\
FROM node:12.16-slim
WORKDIR /app
COPY --chown=1000:1000 . .
USER 1000:1000
CMD ["node", "server.js"]
"""


def _check(text: str, path: str, tmp_path, host=None):
    images = ImageResolver(Resolver("never"))
    host = host or StubHostFS({}, str(tmp_path))
    res = check_text(text, path, None, Config(engine="never"), CheckOptions(), images, host, env={},
                     project_dir=str(tmp_path))
    assert not res.errors, res.errors
    return res.findings


def _by_rule(findings) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for f in findings:
        out.setdefault(f.rule, []).append(f.line)
    return out


def _fix(text, path, tmp_path, unsafe, host=None):
    return fix_text(text, lambda t: _check(t, path, tmp_path, host), unsafe=unsafe)


def _assert_survives(before: str, after: str) -> None:
    """Comments survive verbatim, and every change is an insertion or an in-place line replacement."""
    for line in before.splitlines():
        if line.strip().startswith("#"):
            assert line in after.splitlines(), line
    sm = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for op, a1, a2, b1, b2 in sm.get_opcodes():
        if op == "delete":
            pytest.fail(f"lines deleted: {before.splitlines()[a1:a2]}")
        if op == "replace":
            assert a2 - a1 <= b2 - b1, (before.splitlines()[a1:a2], after.splitlines()[b1:b2])
            for old in before.splitlines()[a1:a2]:
                key = old.split(":", 1)[0]
                assert any(n.split(":", 1)[0] == key for n in after.splitlines()[b1:b2]), old
    YAML(typ="safe").load_all(after)


def _containers(doc: dict) -> list[dict]:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod = spec["template"]["spec"]
    return pod.get("initContainers", []) + pod["containers"]


def test_deployment_two_containers_and_init(tmp_path):
    path = str(tmp_path / "shop.yaml")
    by = _by_rule(_check(DEPLOYMENT, path, tmp_path))
    assert by["SGR001"] == [16]  # pod level: nobody sets runAsNonRoot
    assert by["SGR004"] == [19, 25, 37]  # each container, the init container included
    assert by["SGR005"] == [19, 25, 37]
    assert by["SGR006"] == [16]
    assert "SGR012" not in by  # nothing proves a non-root user yet
    safe = _fix(DEPLOYMENT, path, tmp_path, unsafe=False)
    _assert_survives(DEPLOYMENT, safe.text)
    assert _fix(safe.text, path, tmp_path, unsafe=False).text == safe.text
    doc = YAML(typ="safe").load(safe.text)
    assert all(c["securityContext"]["allowPrivilegeEscalation"] is False for c in _containers(doc))
    assert doc["spec"]["template"]["spec"]["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    unsafe = _fix(safe.text, path, tmp_path, unsafe=True)
    _assert_survives(DEPLOYMENT, unsafe.text)
    assert _fix(unsafe.text, path, tmp_path, unsafe=True).text == unsafe.text
    doc = YAML(typ="safe").load(unsafe.text)
    pod = doc["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    app = next(c for c in pod["containers"] if c["name"] == "app")
    assert app["securityContext"]["runAsUser"] == 1000  # node's uid (kubelet would refuse USER-less node)
    assert pod["securityContext"]["fsGroup"] == 1000  # the PVC becomes writable for uid 1000
    left = _by_rule(_check(unsafe.text, path, tmp_path))
    assert not {"SGR001", "SGR003", "SGR004", "SGR005", "SGR006", "SGR012"} & set(left), left


def test_cronjob_named_user(tmp_path):
    path = str(tmp_path / "cron.yaml")
    found = _check(CRONJOB, path, tmp_path)
    kubelet = [f for f in found if f.rule == "SGR003"]
    assert len(kubelet) == 1 and kubelet[0].line == 17
    assert "image has non-numeric user (haproxy)" in kubelet[0].message
    fixed = _fix(CRONJOB, path, tmp_path, unsafe=False)
    _assert_survives(CRONJOB, fixed.text)
    container = _containers(YAML(typ="safe").load(fixed.text))[0]
    assert container["securityContext"]["runAsUser"] == 99
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}  # safe: proven non-root now
    assert "            - name: report\n              image: haproxy:2.8   # stands in" in fixed.text
    assert _fix(fixed.text, path, tmp_path, unsafe=False).text == fixed.text


def test_multi_document_file(tmp_path):
    path = str(tmp_path / "data.yaml")
    found = _check(MULTI, path, tmp_path)
    by = _by_rule(found)
    assert by["SGR012"] == [22]  # StatefulSet writes its claim as 999 without fsGroup
    assert sorted(by["SGR008"]) == [55, 56]  # hostNetwork, hostPID
    assert by["SGR009"] == [64]
    assert "SGR014" not in by  # port 9100
    fixed = _fix(MULTI, path, tmp_path, unsafe=False)
    _assert_survives(MULTI, fixed.text)
    docs = list(YAML(typ="safe").load_all(fixed.text))
    assert [d["kind"] for d in docs] == ["Namespace", "ConfigMap", "StatefulSet", "Service", "DaemonSet"]
    sts = docs[2]["spec"]["template"]["spec"]["securityContext"]
    assert sts["fsGroup"] == 999 and sts["fsGroupChangePolicy"] == "OnRootMismatch"
    assert docs[1] == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "db-config", "namespace": "data"},
                       "data": {"POSTGRES_DB": "app"}}
    assert _fix(fixed.text, path, tmp_path, unsafe=False).text == fixed.text


def test_compose_stack_with_named_volumes(tmp_path):
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "Dockerfile").write_text(WEB_DOCKERFILE)
    path = str(tmp_path / "compose.yaml")
    host = StubHostFS({"config": {"uid": 0, "gid": 0, "mode": "0700"}}, str(tmp_path))
    found = _check(COMPOSE, path, tmp_path, host)
    by = _by_rule(found)
    assert by["SGR002"] == [20, 27]  # worker (node, root) and db (postgres, root); web builds USER 1000
    assert by["SGR013"] == [17]  # ./config is 0:0 0700: uid 1000 cannot read it
    assert by["SGR011"] == [37]  # memcached runs as memcache (11211): tmpfs 0:0 0755 locks it out
    cache_tmpfs = [f for f in found if f.rule == "SGR010" and f.line == 34]
    assert cache_tmpfs  # read_only missing everywhere
    assert "SGR014" not in by  # port 8080 in the container
    safe = _fix(COMPOSE, path, tmp_path, unsafe=False, host=host)
    _assert_survives(COMPOSE, safe.text)
    unsafe = _fix(safe.text, path, tmp_path, unsafe=True, host=host)
    _assert_survives(COMPOSE, unsafe.text)
    assert _fix(unsafe.text, path, tmp_path, unsafe=True, host=host).text == unsafe.text
    data = YAML(typ="safe").load(unsafe.text)
    svcs = data["services"]
    assert svcs["worker"]["user"] == "1000:1000" and svcs["db"]["user"] == "10001:10001"
    for name, svc in svcs.items():
        assert svc["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in svc["security_opt"], name
        assert svc["read_only"] is True, name
    assert data["volumes"] == {"uploads": None, "pgdata": {}}
    assert "x-hardening: &hardening" in unsafe.text and "    <<: *hardening" in unsafe.text


def test_memcached_tmpfs_is_reported_for_its_user(tmp_path):
    text = "services:\n  cache:\n    image: memcached:1.6\n    tmpfs:\n      - /run/memcached:mode=0755\n"
    found = [f for f in _check(text, str(tmp_path / "compose.yaml"), tmp_path) if f.rule == "SGR011"]
    assert len(found) == 1 and "uid 11211" in found[0].message


@pytest.mark.parametrize("mapping,sequence,offset", [(2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 6, 4), (3, 3, 1)])
def test_fixes_agree_across_indentation_styles(tmp_path, mapping, sequence, offset):
    """The same manifest written with other indentation fixes to the same data, keeps its own style,
    and is stable."""
    import io

    y = YAML()
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    docs = list(YAML().load_all(DEPLOYMENT + "---\n" + CRONJOB))
    buf = io.StringIO()
    y.dump_all(docs, buf)
    text = buf.getvalue()
    path = str(tmp_path / "styled.yaml")
    fixed = _fix(text, path, tmp_path, unsafe=True)
    assert _fix(fixed.text, path, tmp_path, unsafe=True).text == fixed.text
    _assert_survives(text, fixed.text)
    reference = _fix(DEPLOYMENT + "---\n" + CRONJOB, path, tmp_path, unsafe=True)
    assert list(YAML(typ="safe").load_all(fixed.text)) == list(YAML(typ="safe").load_all(reference.text))
    # inserted blocks use the document's indentation: ruamel.yaml with the same settings writes the
    # fixed file exactly as the fixes left it
    again = io.StringIO()
    reader = YAML()
    reader.preserve_quotes = True
    y.dump_all(list(reader.load_all(fixed.text)), again)
    assert again.getvalue() == fixed.text
