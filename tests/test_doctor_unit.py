"""`slimguard doctor mount` without an engine: predictions from the knowledge base and the permission bits."""

from __future__ import annotations

import pytest

from slimguard.knowledge.facts import Resolver
from slimguard.runtime.doctor import Doctor, DoctorError, _parse_probe, rank, render_text
from slimguard.runtime.hostfs import HostStat, StubHostFS, access


def doctor(entries: dict, user=(1000, 1000)) -> Doctor:
    return Doctor(client=None, host=StubHostFS(entries, "/", user), resolver=Resolver("never"))


@pytest.mark.parametrize("owner,mode,uid,gid,read,write", [
    ((0, 0), 0o755, 1000, 1000, True, False),
    ((1000, 1000), 0o755, 1000, 1000, True, True),
    ((0, 1000), 0o775, 1000, 1000, True, True),
    ((0, 0), 0o1777, 1000, 1000, True, True),
    ((0, 0), 0o700, 1000, 1000, False, False),
    ((1000, 1000), 0o500, 1000, 1000, True, False),
    ((5, 5), 0o700, 0, 0, True, True),
])
def test_access(owner, mode, uid, gid, read, write):
    assert access(HostStat("/d", owner[0], owner[1], mode, True), uid, gid) == (read, write)


def test_prediction_from_knowledge_and_user_flag():
    doc = doctor({"/srv/data": {"uid": 0, "gid": 0, "mode": "0755"}})
    d = doc.diagnose("/srv/data", "node:12.16-slim", target="/data", user="node")
    assert (d.uid, d.gid) == (1000, 1000)  # node from the knowledge base's passwd
    assert d.predicted_write is False and d.probe.ran is False
    rank(d)
    keys = [r.key for r in d.remedies]
    assert "chown" in keys and keys[-1] == "entrypoint"
    text = render_text(d)
    assert "verdict: PROBLEM" in text and "no Docker engine answers" in text


def test_root_image_can_write():
    d = doctor({"/srv/data": {"uid": 0, "gid": 0, "mode": "0755"}}).diagnose("/srv/data", "busybox")
    assert d.uid == 0 and d.can_write is True and d.remedies == []
    assert "verdict: OK" in render_text(d)


def test_owner_is_the_invoking_user():
    d = doctor({"/home/dev/app": {"uid": 1500, "gid": 1500, "mode": "0755"}}, user=(1500, 1500)).diagnose(
        "/home/dev/app", "gcr.io/distroless/static-debian12:nonroot", target="/data")
    assert d.uid == 65532
    assert d.remedies[0].key == "user"
    assert d.remedies[0].steps[0].startswith('docker run --user "$(id -u):$(id -g)" -v /home/dev/app:/data ')


def test_missing_directory():
    d = doctor({}).diagnose("/srv/new", "node:12.16-slim", user="1000:1000")
    assert not d.exists and d.predicted_write is False
    assert any("creates it as root:root 0755" in n for n in d.notes)
    assert d.remedies[0].key == "create"


def test_unknown_image_needs_user():
    d = doctor({"/d": {"uid": 0, "gid": 0}}).diagnose("/d", "registry.example/mystery:1")
    assert d.uid is None and "pass --user" in render_text(d)
    with pytest.raises(DoctorError):
        doctor({}).diagnose("/d", "Not An Image!")


def test_probe_output_parsing():
    out = "uid=1000(node) gid=1000(node) groups=1000(node)\nSG_READ=yes\nSG_WRITE=no\n"
    assert _parse_probe(out) == (1000, 1000, True, False)
