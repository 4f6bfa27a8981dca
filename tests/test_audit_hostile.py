"""Hostile archives: a clear error (exit 2) or a correct result; nothing written; bounded memory."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import zlib

import pytest

from test_audit_support import (END, E, OciImage, audit_archive, docker_archive, layer_tar, make_config, oci_layout,
                                raw_entry, raw_header, sha, zstandard)

from slimguard.image import AuditError, CorruptError, LimitError


def _snapshot(path):
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs)


def test_escaping_names_symlinks_hardlinks_and_devices(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    layer = b"".join([
        raw_entry(b"../../escape-dotdot", b"x" * 10),
        raw_entry(b"/abs/file", b"y" * 20),
        raw_header(b"evil", typeflag=b"2", linkname=b"/etc"),  # symlink to a host path
        raw_entry(b"evil/passwd", b"pwned:x:0:0::/:/bin/sh\n"),  # must not land in /etc
        raw_header(b"hl", typeflag=b"1", linkname=b"../../../etc/shadow"),
        raw_header(b"dev/sda", typeflag=b"4"),
        raw_header(b"dev/null", typeflag=b"3"),
        raw_entry(b"etc/passwd", b"root:x:0:0::/root:/bin/sh\n"),
    ]) + END
    docker_archive(str(tmp_path / "i.tar"), [layer])
    before = _snapshot(tmp_path)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        r = audit_archive(str(tmp_path / "i.tar"))
    finally:
        os.chdir(cwd)
    assert _snapshot(tmp_path) == before  # nothing written anywhere near
    assert not os.path.exists("/escape-dotdot") and not os.path.exists("/abs/file")
    a = "\n".join(r.summary["anomalies"])
    assert "escapes the layer root" in a and "hardlink target" in a and "block-device node" in a
    # literal paths: evil/passwd is a file in a directory named evil, /etc/passwd is untouched
    assert r.summary["user"]["name"] == "root"
    assert r.summary["size"]["content_bytes"] == 10 + 20 + 23 + 26


def test_whiteout_of_root_is_ignored_and_opaque_root_hides_everything(tmp_path):
    l0 = layer_tar([E("a", size=100), E("d", "dir"), E("d/b", size=50)])
    l1 = raw_entry(b".wh..") + raw_entry(b"d/.wh..") + raw_entry(b"./.wh.") + END
    l2 = layer_tar([E(".wh..wh..opq"), E("new", size=1)])
    docker_archive(str(tmp_path / "i.tar"), [l0, l1, l2])
    r = audit_archive(str(tmp_path / "i.tar"))
    layers = r.summary["layers"]
    assert layers[1]["hides"] == {}
    assert sum("whiteout of /" in a for a in r.summary["anomalies"]) >= 2
    assert layers[2]["hides"] == {"opaque": 150}
    assert r.summary["size"]["visible_bytes"] == 1


def _gzip_stream(chunks, level=9) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    out = [c.compress(ch) for ch in chunks]
    out.append(c.flush())
    return b"".join(out)


def _zero_file_tar_chunks(size: int):
    info = tarfile.TarInfo("zeros")
    info.size = size
    yield info.tobuf(format=tarfile.GNU_FORMAT)
    block = b"\0" * (1 << 20)
    left = size
    while left > 0:
        n = min(left, len(block))
        yield block[:n]
        left -= n
    yield END


@pytest.mark.parametrize("how", ["gzip", "zstd"])
def test_decompression_bomb_stops_early(tmp_path, how):
    size = 256 << 20  # 256 MiB of zeros: ~250 kB of gzip, far less zstd
    if how == "gzip":
        blob = _gzip_stream(_zero_file_tar_chunks(size), level=1)
    else:
        if zstandard is None:
            pytest.skip("zstandard not installed")
        cobj = zstandard.ZstdCompressor(level=1).compressobj()
        blob = b"".join(cobj.compress(ch) for ch in _zero_file_tar_chunks(size)) + cobj.flush()
    assert len(blob) < size / 200
    layout = tmp_path / "oci"
    oci_layout(str(layout), OciImage([b""], compression="none"))
    # swap the (empty) layer for the bomb, keeping the layout consistent
    index = json.loads((layout / "index.json").read_text())
    mpath = layout / "blobs/sha256" / index["manifests"][0]["digest"][7:]
    manifest = json.loads(mpath.read_text())
    (layout / "blobs/sha256" / sha(blob)[7:]).write_bytes(blob)
    manifest["layers"][0] = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(blob),
                             "size": len(blob)}
    mb = json.dumps(manifest).encode()
    (layout / "blobs/sha256" / sha(mb)[7:]).write_bytes(mb)
    index["manifests"][0]["digest"] = sha(mb)
    index["manifests"][0]["size"] = len(mb)
    (layout / "index.json").write_text(json.dumps(index))
    with pytest.raises(LimitError, match="decompression ratio"):
        audit_archive(f"oci:{layout}")


def test_truncated_and_corrupt_gzip(tmp_path):
    layer = layer_tar([E("f", data=os.urandom(200_000))])
    gz = gzip.compress(layer)
    for name, blob, match in (("trunc", gz[: len(gz) // 2], "truncated gzip"),
                              ("corrupt", gz[:100] + bytes(b ^ 0x55 for b in gz[100:400]) + gz[400:], "corrupt gzip"),
                              ("garbage", gz + b"garbage!", "garbage after")):
        path = tmp_path / f"{name}.tar"
        with tarfile.open(path, "w") as tar:
            for mname, data in (("layer.tar.gz", blob),
                                ("c.json", json.dumps(make_config([layer])).encode()),
                                ("manifest.json", json.dumps([{"Config": "c.json", "Layers": ["layer.tar.gz"]}]).encode())):
                info = tarfile.TarInfo(mname)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        with pytest.raises(CorruptError, match=match):
            audit_archive(str(path))


def test_malformed_tar_headers(tmp_path):
    cases = {
        "checksum": raw_header(b"a", 0, bad_checksum=True) + END,
        "truncated-data": raw_header(b"a", 10_000) + b"x" * 600,
        "truncated-header": raw_entry(b"a", b"1") + b"\x01" * 100,
        "huge-pax": raw_header(b"PaxHeaders/a", 4 << 20, typeflag=b"x") + b"1" * 600,
        "bad-size": raw_header(b"a", size_field=b"zzzzzzzzzzz\0") + END,
    }
    for name, layer in cases.items():
        docker_archive(str(tmp_path / f"{name}.tar"), [layer])
        with pytest.raises((CorruptError, LimitError)):
            audit_archive(str(tmp_path / f"{name}.tar"))


def test_manifest_paths_and_digests_cannot_escape(tmp_path):
    path = tmp_path / "esc.tar"
    with tarfile.open(path, "w") as tar:
        data = json.dumps([{"Config": "../../etc/passwd", "Layers": ["/etc/shadow"]}]).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(AuditError):
        audit_archive(str(path))
    layout = tmp_path / "oci"
    oci_layout(str(layout), OciImage([layer_tar([E("a", size=1)])], compression="none"))
    index = json.loads((layout / "index.json").read_text())
    index["manifests"][0]["digest"] = "sha256:../../../../etc/passwd"
    (layout / "index.json").write_text(json.dumps(index))
    with pytest.raises(CorruptError, match="malformed digest"):
        audit_archive(f"oci:{layout}")


def test_huge_manifest_and_config_are_refused(tmp_path):
    layers = [layer_tar([E("a", size=1)])]
    cfg = make_config(layers, history=["x" * 100] * 200_000)  # ~20 MB of history
    docker_archive(str(tmp_path / "cfg.tar"), layers, cfg)
    with pytest.raises(LimitError, match="larger than"):
        audit_archive(str(tmp_path / "cfg.tar"))


def test_a_non_tar_layer_is_a_clear_error(tmp_path):
    docker_archive(str(tmp_path / "x.tar"), [b"this is not a tar archive at all" * 40])
    with pytest.raises(CorruptError, match="not a tar archive"):
        audit_archive(str(tmp_path / "x.tar"))


_CHILD = textwrap.dedent("""
    import json, resource, sys
    from slimguard.image import audit, AuditError
    out = {}
    try:
        r = audit(sys.argv[1], engine="never")
        out["layers"] = len(r.summary["layers"])
        out["visible"] = r.summary["size"]["visible_bytes"]
        out["hidden"] = r.summary["size"]["hidden_bytes"]
    except AuditError as exc:
        out["error"] = str(exc)
    # VmHWM is this process's own peak; ru_maxrss would include the parent's peak inherited at fork
    with open("/proc/self/status") as fh:
        out["rss_kb"] = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
    print(json.dumps(out))
""")


def _run_child(path: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, path], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_ten_thousand_layers_correct_and_bounded(tmp_path):
    n = 10_000
    path = tmp_path / "many.tar"
    layers_paths = []
    with tarfile.open(path, "w") as tar:
        diff_ids = []
        for i in range(n):
            # every layer rewrites /f (100 bytes) and adds its own file
            t = raw_entry(b"f", b"%099d" % i + b"x") + raw_entry(b"l%d" % i, b"y") + END
            info = tarfile.TarInfo(f"{i:05d}/layer.tar")
            info.size = len(t)
            tar.addfile(info, io.BytesIO(t))
            layers_paths.append(info.name)
            diff_ids.append(sha(t))
        cfg = json.dumps({"os": "linux", "architecture": "amd64", "config": {},
                          "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
        for name, data in (("c.json", cfg), ("manifest.json", json.dumps([{"Config": "c.json", "Layers": layers_paths}]).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out = _run_child(str(path))
    assert "error" not in out, out
    assert out["layers"] == n
    assert out["visible"] == 100 + n  # the last /f and one byte per layer
    assert out["hidden"] == 100 * (n - 1)
    assert out["rss_kb"] < 256 * 1024


def test_bomb_and_large_stream_memory_is_bounded(tmp_path):
    # a 600 MB layer of incompressible-enough data would take long to build; instead a gzip layer of
    # 300 MB of zeros with a generous ratio limit must stream through in bounded memory
    blob = _gzip_stream(_zero_file_tar_chunks(256 << 20), level=1)
    path = tmp_path / "big.tar"
    with tarfile.open(path, "w") as tar:
        cfg = json.dumps({"os": "linux", "architecture": "amd64", "config": {}, "rootfs": {"diff_ids": []}}).encode()
        for name, data in (("l.tar.gz", blob), ("c.json", cfg),
                           ("manifest.json", json.dumps([{"Config": "c.json", "Layers": ["l.tar.gz"]}]).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out = _run_child(str(path))
    assert "decompression ratio" in out.get("error", "")
    assert out["rss_kb"] < 256 * 1024
