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


# --- package databases, names and compression claims (generated, nothing vendored) -------------------


def _sqlite_bytes(tmp_path, sql: str) -> bytes:
    import sqlite3

    p = tmp_path / "gen.sqlite"
    if p.exists():
        p.unlink()
    con = sqlite3.connect(p)
    con.executescript(sql)
    con.commit()
    con.close()
    return p.read_bytes()


_ENDLESS_VIEW = ("CREATE TABLE t(x); CREATE VIEW Packages AS WITH RECURSIVE c(n) AS "
                 "(SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT randomblob(4096) AS blob FROM c;")


def test_rpmdb_whose_packages_never_end_is_bounded(tmp_path):
    # a Packages view over a recursive query: reading it all grew without bound (4.6 GB) and never ended
    db = _sqlite_bytes(tmp_path, _ENDLESS_VIEW)
    docker_archive(str(tmp_path / "loop.tar"), [layer_tar([E("var/lib/rpm/rpmdb.sqlite", data=db)])])
    out = _run_child(str(tmp_path / "loop.tar"))
    assert out["rss_kb"] < 256 * 1024, out


@pytest.mark.parametrize("sql", [
    # a table, but every read computes a 10 MB blob: bounded by the bytes the file can hold
    "CREATE TABLE Packages(hnum INTEGER PRIMARY KEY, x, blob BLOB AS (zeroblob(10000000)) VIRTUAL);"
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT 1000) INSERT INTO Packages(x) "
    "SELECT n FROM c;",
    # rows that never end: a recursive view under the name rpm uses, in another case
    _ENDLESS_VIEW.replace("Packages", "packages"),
])
def test_rpmdb_computed_blobs_are_bounded(tmp_path, sql):
    from slimguard.image.packages import _read_rpmdb

    db = tmp_path / "rpmdb.sqlite"
    db.write_bytes(_sqlite_bytes(tmp_path, sql))
    try:
        pkgs = _read_rpmdb(str(db), "/var/lib/rpm/rpmdb.sqlite", 2 * db.stat().st_size + (1 << 20))
    except LimitError:
        return
    assert pkgs in (None, [])


def test_rpmdb_with_text_and_odd_values_is_read_without_a_traceback(tmp_path):
    db = _sqlite_bytes(tmp_path, "CREATE TABLE Packages(hnum INTEGER PRIMARY KEY, blob BLOB);"
                                 "INSERT INTO Packages(blob) VALUES ('a text blob'), (42), (1.5), (NULL), (x'00');")
    docker_archive(str(tmp_path / "text.tar"), [layer_tar([E("var/lib/rpm/rpmdb.sqlite", data=db)])])
    r = audit_archive(str(tmp_path / "text.tar"))
    assert r.summary["packages"]["count"] == 0


def test_names_that_are_not_utf8_resolve_and_print(tmp_path):
    # /etc/passwd and /etc/group with bytes that are not UTF-8, and a config User naming that account
    # (JSON escapes of the surrogates those bytes decode to): resolved byte for byte, printable everywhere
    layer = layer_tar([E("etc/passwd", data=b"root:x:0:0::/root:/bin/sh\n\xff\xfeapp:x:0:0::/home:/bin/sh\n"),
                       E("etc/group", data=b"root:x:0:\n\xffg:x:5:\n"),
                       E("usr/bin/su", data=b"x", mode=0o4755)])
    raw = raw_entry(b"usr/bin/\xff\xfesudo", b"\x7fELF", mode=0o4755) + END
    cfg = make_config([layer, raw], user="\udcff\udcfeapp:\udcffg")
    docker_archive(str(tmp_path / "names.tar"), [layer, raw], cfg)
    r = audit_archive(str(tmp_path / "names.tar"))
    user = r.summary["user"]
    assert user["uid"] == 0 and user["gid"] == 5 and user["name"] == "\\xff\\xfeapp"
    json.dumps(r.summary, ensure_ascii=False).encode("utf-8")  # no lone surrogates left anywhere
    for f in r.findings:
        f.message.encode("utf-8")
        json.dumps(f.to_dict(), ensure_ascii=False).encode("utf-8")
    assert any("\\xff\\xfesudo" in f.message for f in r.findings if f.rule == "SGA007"), r.findings


def _truncated_zstd_layer() -> tuple[bytes, bytes, bytes]:
    """(layer tar, its zstd stream cut between two blocks, a later layer with a setuid sudo)."""
    layer = layer_tar([E(f"f{i}", data=os.urandom(3000)) for i in range(20)])
    c = zstandard.ZstdCompressor(level=1).compressobj()
    parts = []
    for off in range(0, len(layer), 3584):  # block boundaries on tar headers: the cut ends "cleanly"
        parts.append(c.compress(layer[off:off + 3584]))
        parts.append(c.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))
    whole = b"".join(parts) + c.flush()
    assert zstandard.ZstdDecompressor().decompressobj().decompress(whole) == layer
    cut = len(b"".join(parts[:2 * (len(parts) // 4)]))
    sudo = layer_tar([E("usr/bin/sudo", data=b"\x7fELF" + b"x" * 100, mode=0o4755)])
    return layer, whole[:cut], sudo


def test_truncated_zstd_layer_is_an_error_naming_the_layer(tmp_path):
    if zstandard is None:
        pytest.skip("zstandard not installed")
    layer, cut, sudo = _truncated_zstd_layer()
    # docker-archive: the blob as a member, no descriptor size to compare with
    path = tmp_path / "z.tar"
    with tarfile.open(path, "w") as tar:
        for mname, data in (("l0.tar.zst", cut), ("l1.tar", sudo),
                            ("c.json", json.dumps(make_config([layer, sudo])).encode()),
                            ("manifest.json", json.dumps([{"Config": "c.json",
                                                           "Layers": ["l0.tar.zst", "l1.tar"]}]).encode())):
            info = tarfile.TarInfo(mname)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CorruptError, match=r"l0\.tar\.zst.*truncated zstd"):
        audit_archive(str(path))
    # OCI layout: the descriptor's size gives it away first; with that size forged to match, the stream does
    layout = tmp_path / "oci"
    oci_layout(str(layout), OciImage([layer, sudo], compression=["zstd", "gzip"]))
    index = json.loads((layout / "index.json").read_text())
    mpath = layout / "blobs/sha256" / index["manifests"][0]["digest"][7:]
    manifest = json.loads(mpath.read_text())
    (layout / "blobs/sha256" / manifest["layers"][0]["digest"][7:]).write_bytes(cut)
    with pytest.raises(CorruptError, match=r"layer 0 .*bytes where the manifest says"):
        audit_archive(f"oci:{layout}")
    manifest["layers"][0]["size"] = len(cut)
    mb = json.dumps(manifest).encode()
    (layout / "blobs/sha256" / sha(mb)[7:]).write_bytes(mb)
    index["manifests"][0].update(digest=sha(mb), size=len(mb))
    (layout / "index.json").write_text(json.dumps(index))
    with pytest.raises(CorruptError, match=r"layer 0 .*truncated zstd"):
        audit_archive(f"oci:{layout}")


def test_complete_zstd_streams_of_several_frames_still_read(tmp_path):
    if zstandard is None:
        pytest.skip("zstandard not installed")
    from slimguard.image.streams import ZstdFrames

    data = os.urandom(50) * 4000
    for checksum in (True, False):
        z = zstandard.ZstdCompressor(level=3, write_checksum=checksum, write_content_size=checksum).compress(data)
        skippable = b"\x50\x2a\x4d\x18" + (3).to_bytes(4, "little") + b"abc"
        for stream, complete in ((z, True), (z + skippable + z, True), (z[:-1], False), (z + z[:7], False)):
            frames = ZstdFrames("t")
            for i in range(0, len(stream), 333):
                frames.feed(stream[i:i + 333])
            assert frames.complete() is complete
    layer = layer_tar([E("a", data=data), E("b", data=b"x")])
    two = zstandard.ZstdCompressor().compress(layer[:1024]) + zstandard.ZstdCompressor().compress(layer[1024:])
    path = tmp_path / "two.tar"
    with tarfile.open(path, "w") as tar:
        for mname, data_ in (("l.tar.zst", two), ("c.json", json.dumps(make_config([layer])).encode()),
                             ("manifest.json", json.dumps([{"Config": "c.json", "Layers": ["l.tar.zst"]}]).encode())):
            info = tarfile.TarInfo(mname)
            info.size = len(data_)
            tar.addfile(info, io.BytesIO(data_))
    assert audit_archive(str(path)).summary["size"]["content_bytes"] == len(data) + 1
