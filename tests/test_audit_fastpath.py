"""The fast paths of the archive reader give exactly the results of the plain ones: ``TarReader.entries``
(tuples, pread windows on files) against iterating ``TarReader``; the forked layer-scanning worker
against the sequential scan, including the errors and where they are raised."""

from __future__ import annotations

import io
import json
import os
import tarfile

import pytest
from test_audit_support import (
    END,
    E,
    OciImage,
    audit_archive,
    docker_archive,
    layer_tar,
    oci_layout,
    raw_entry,
    raw_header,
)

from slimguard.image import CorruptError, LimitError
from slimguard.image.streams import FileRange, ReaderSource
from slimguard.image.tarstream import TarReader


def _mixed_layer() -> bytes:
    entries = [E("etc", "dir"), E("etc/passwd", data=b"root:x:0:0::/root:/bin/sh\n"),
               E("usr/bin/" + "x" * 180, data=b"long name"),  # GNU long name
               E("usr/lib/big.bin", size=70_000), E("usr/lib/link", "symlink", link="big.bin"),
               E("usr/lib/hard", "hardlink", link="usr/lib/big.bin"), E("dev/tty", "char"),
               E("run/fifo", "fifo"), E("opt/.wh.gone"), E("opt/d/.wh..wh..opq"),
               E("home/u/f", data=b"u", uid=1000, gid=1000, mode=0o4755)]
    entries += [E(f"many/f{i:05d}", data=os.urandom(i % 700)) for i in range(600)]
    gnu = layer_tar(entries, tarfile.GNU_FORMAT)
    pax_entries = [E("pax/" + "é" * 120, data=b"pax name"), E("pax/big-uid", data=b"u", uid=3_000_000, gid=70_000),
                   E("pax/l", "symlink", link="/" + "t" * 150)]
    pax = layer_tar(pax_entries, tarfile.PAX_FORMAT)
    return gnu, pax


def _slow(src) -> list:
    return [(e.name, e.linkname, e.type, e.size, e.mode, e.uid, e.gid, e.realsize) for e in TarReader(src)]


def _fast(src) -> list:
    return list(TarReader(src).entries())


@pytest.mark.parametrize("which", [0, 1])
def test_entries_match_the_entry_iterator_on_files_and_streams(tmp_path, which):
    data = _mixed_layer()[which]
    path = tmp_path / "l.tar"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        want = _slow(FileRange(fd, 0, len(data)))
        assert want and _fast(FileRange(fd, 0, len(data))) == want
        assert _fast(ReaderSource(io.BytesIO(data), chunk=1000)) == want
        # read_data between items reads the same bytes on both paths
        for src in (FileRange(fd, 0, len(data)), ReaderSource(io.BytesIO(data), chunk=777)):
            tar = TarReader(src)
            got = {}
            for name, _l, t, size, *_ in tar.entries():
                if t in ("0", "\0") and size:
                    got[name] = tar.read_data(5)
            assert got and all(len(v) == min(5, len(v)) for v in got.values())
            assert got.get("etc/passwd", b"root:") == b"root:"
    finally:
        os.close(fd)


def test_entries_raise_what_the_iterator_raises(tmp_path):
    cases = {
        "checksum": raw_header(b"a", 0, bad_checksum=True) + END,
        "truncated-data": raw_header(b"a", 10_000) + b"x" * 600,
        "truncated-header": raw_entry(b"a", b"1") + b"\x01" * 100,
        "huge-pax": raw_header(b"PaxHeaders/a", 4 << 20, typeflag=b"x") + b"1" * 600,
        "bad-size": raw_header(b"a", size_field=b"zzzzzzzzzzz\0") + END,
        "base256-size": raw_header(b"a", size_field=b"\x80" + b"\0" * 10 + b"\x05") + b"hello" + b"\0" * 507 + END,
        "spaces-size": raw_header(b"a", size_field=b"          5 ") + b"hello" + b"\0" * 507 + END,
    }
    for name, data in cases.items():
        path = tmp_path / f"{name}.tar"
        path.write_bytes(data)
        fd = os.open(path, os.O_RDONLY)
        try:
            results = []
            for fn in (_slow, _fast):
                for src in (FileRange(fd, 0, len(data)), ReaderSource(io.BytesIO(data), chunk=100)):
                    try:
                        results.append(("ok", fn(src)))
                    except (CorruptError, LimitError) as exc:
                        results.append((type(exc).__name__, str(exc)))
            assert all(r == results[0] for r in results), (name, results)
        finally:
            os.close(fd)


def _summary(result) -> str:
    return json.dumps([result.summary, [(f.rule, f.message) for f in result.findings]], sort_keys=True, default=str)


@pytest.mark.parametrize("layout", ["docker", "oci-gzip"])
def test_forked_worker_gives_the_sequential_result(tmp_path, monkeypatch, layout):
    gnu, pax = _mixed_layer()
    second = layer_tar([E("many/.wh.f00001"), E("many/f00002", data=b"changed"), E("etc/passwd",
                        data=b"root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")])
    layers = [gnu, pax, second]
    path = str(tmp_path / "img.tar")
    if layout == "docker":
        docker_archive(path, layers)
        spec = f"docker-archive:{path}"
    else:
        oci_layout(path, OciImage(layers, compression="gzip"), as_tar=True)
        spec = f"oci:{path}"
    monkeypatch.setenv("SLIMGUARD_AUDIT_WORKERS", "0")
    sequential = _summary(audit_archive(spec))
    monkeypatch.setenv("SLIMGUARD_AUDIT_WORKERS", "1")
    forked = _summary(audit_archive(spec))
    assert forked == sequential


def test_forked_worker_raises_the_sequential_error(tmp_path, monkeypatch):
    good = layer_tar([E("a", data=b"1")])
    bad = raw_header(b"b", 10_000) + b"x" * 600  # truncated
    path = str(tmp_path / "img.tar")
    docker_archive(path, [good, bad, good])
    errors = []
    for workers in ("0", "1"):
        monkeypatch.setenv("SLIMGUARD_AUDIT_WORKERS", workers)
        with pytest.raises(CorruptError) as info:
            audit_archive(f"docker-archive:{path}")
        errors.append(str(info.value))
    assert errors[0] == errors[1] and "layer 1" in errors[0]


def test_abandoned_worker_is_reaped(tmp_path, monkeypatch):
    from slimguard.image import open_image

    path = str(tmp_path / "img.tar")
    docker_archive(path, [layer_tar([E(f"f{i}", data=b"x" * 100) for i in range(50)])] * 3)
    monkeypatch.setenv("SLIMGUARD_AUDIT_WORKERS", "1")
    data, _ = open_image(f"docker-archive:{path}", engine="never")
    pid = getattr(data.layers, "pid", None)
    assert pid is not None
    next(iter(data.layers))
    data.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
