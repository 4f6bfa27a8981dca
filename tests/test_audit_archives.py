"""`slimguard audit` on archives built here: overlay semantics, accounting, findings, sources (no engine)."""

from __future__ import annotations

import io
import json
import sqlite3
import struct

import pytest
from click.testing import CliRunner

from test_audit_support import (E, OciImage, audit_archive, by_rule, docker_archive, layer_tar, make_config,
                                oci_layout, zstandard)


def _layers(result):
    return {L["index"]: L for L in result.summary["layers"]}


# ------------------------------------------------------------------------------ overlay semantics


def test_whiteouts_opaque_and_replacements_are_counted_exactly(tmp_path):
    l0 = layer_tar([E("etc", "dir"), E("etc/passwd", data=b"root:x:0:0::/root:/bin/sh\n"),
                    E("opt", "dir"), E("opt/big.bin", size=5000), E("opt/tree", "dir"), E("opt/tree/a", size=100),
                    E("opt/tree/sub", "dir"), E("opt/tree/sub/b", size=200), E("opt/od", "dir"),
                    E("opt/od/x", size=30), E("opt/od/y", size=70), E("opt/flip", "dir"), E("opt/flip/f", size=11),
                    E("keep", size=7)])
    l1 = layer_tar([E("opt", "dir"), E("opt/.wh.big.bin", size=0), E("opt/.wh.tree", size=0),
                    E("opt/od", "dir"), E("opt/od/.wh..wh..opq"), E("opt/od/z", size=3),
                    E("opt/flip", size=13)])  # a directory replaced by a file
    l2 = layer_tar([E("opt", "dir"), E("opt/flip", "dir"), E("opt/flip/g", size=17),  # ... and back
                    E("keep", size=9, uid=1000)])  # overwritten (chown-like)
    docker_archive(str(tmp_path / "img.tar"), [l0, l1, l2])
    r = audit_archive(str(tmp_path / "img.tar"))
    L = _layers(r)
    assert L[1]["hides"] == {"deleted": 5000, "deleted-dir": 300, "opaque": 100, "replaced-dir": 11}
    assert L[2]["hides"] == {"overwritten": 13 + 7}
    assert L[0]["hidden_later"] == {"deleted": 5000, "deleted-dir": 300, "opaque": 100, "replaced-dir": 11,
                                    "overwritten": 7}
    assert L[1]["hidden_later"] == {"overwritten": 13}
    size = r.summary["size"]
    assert size["content_bytes"] == sum(L[i]["content_bytes"] for i in L)
    assert size["hidden_bytes"] == 5000 + 300 + 100 + 11 + 13 + 7
    assert size["visible_bytes"] == len(b"root:x:0:0::/root:/bin/sh\n") + 3 + 17 + 9
    dirs = {d["path"]: d for d in r.summary["hidden_dirs"]}
    assert dirs["/opt/tree"]["bytes"] == 300 and dirs["/opt/tree"]["cause"] == "deleted-dir"
    assert dirs["/opt/od"]["bytes"] == 100 and dirs["/opt/od"]["cause"] == "opaque"


def test_opaque_applies_before_siblings_in_the_same_layer(tmp_path):
    # the opaque marker comes *after* the new child in tar order; the new child must survive
    l0 = layer_tar([E("d", "dir"), E("d/old", size=10)])
    l1 = layer_tar([E("d", "dir"), E("d/new", size=4), E("d/.wh..wh..opq")])
    docker_archive(str(tmp_path / "i.tar"), [l0, l1])
    r = audit_archive(str(tmp_path / "i.tar"))
    assert r.summary["size"]["visible_bytes"] == 4
    assert _layers(r)[1]["hides"] == {"opaque": 10}


def test_hardlinks_keep_content_alive(tmp_path):
    l0 = layer_tar([E("a", size=1000), E("b", "hardlink", link="a")])
    l1 = layer_tar([E(".wh.a")])  # b still refers to the bytes
    l2 = layer_tar([E(".wh.b")])  # now they are gone
    docker_archive(str(tmp_path / "i.tar"), [l0, l1, l2])
    r = audit_archive(str(tmp_path / "i.tar"))
    L = _layers(r)
    assert L[0]["content_bytes"] == 1000
    assert L[1]["hides"] == {}
    assert L[2]["hides"] == {"deleted": 1000}
    assert r.summary["size"]["visible_bytes"] == 0


def test_duplicate_paths_and_implied_parents(tmp_path):
    l0 = layer_tar([E("x", size=5)])
    l1 = layer_tar([E("y", size=2), E("y", size=3), E("x/inner", size=1)])  # duplicate; file x becomes a dir
    docker_archive(str(tmp_path / "i.tar"), [l0, l1])
    r = audit_archive(str(tmp_path / "i.tar"))
    assert _layers(r)[1]["hides"] == {"duplicate": 2, "overwritten": 5}
    assert r.summary["size"]["visible_bytes"] == 4
    assert any("appears twice" in a for a in r.summary["anomalies"])


def test_layer_order_comes_from_the_manifest_not_the_tar(tmp_path):
    l0 = layer_tar([E("f", size=10)])
    l1 = layer_tar([E("f", size=20)])
    docker_archive(str(tmp_path / "a.tar"), [l0, l1], reverse=True)
    docker_archive(str(tmp_path / "b.tar"), [l0, l1], legacy=False)
    for name in ("a.tar", "b.tar"):
        r = audit_archive(str(tmp_path / name))
        assert r.summary["size"]["visible_bytes"] == 20
        assert _layers(r)[1]["hides"] == {"overwritten": 10}
    # the same through the streaming reader (stdin)
    from slimguard.image.sources import from_stream
    from slimguard.image.streams import Limits, ReaderSource
    from slimguard.image.analyze import analyze

    with open(tmp_path / "a.tar", "rb") as fh:
        data = from_stream(ReaderSource(io.BytesIO(fh.read())), "-", "docker-archive", Limits(), None)
    r = analyze(data)
    assert r.summary["size"]["visible_bytes"] == 20


# ------------------------------------------------------------------------------ sources


@pytest.mark.parametrize("compression", ["gzip", "none", "zstd", "mixed"])
@pytest.mark.parametrize("as_tar", [False, True])
def test_oci_layouts(tmp_path, compression, as_tar):
    if compression in ("zstd", "mixed") and zstandard is None:
        pytest.skip("zstandard not installed")
    layers = [layer_tar([E("etc", "dir"), E("etc/passwd", data=b"root:x:0:0::/root:/bin/sh\napp:x:10:10::/:/bin/sh\n"),
                         E("etc/group", data=b"root:x:0:\napp:x:10:\n")]),
              layer_tar([E("big", size=50000)]), layer_tar([E(".wh.big")])]
    comp = ["gzip", "zstd", "none"] if compression == "mixed" else compression
    path = str(tmp_path / ("img.tar" if as_tar else "img"))
    oci_layout(path, OciImage(layers, make_config(layers, user="app:app"), comp), as_tar=as_tar)
    r = audit_archive(f"oci:{path}")
    assert r.summary["image"]["source"] == "oci"
    assert _layers(r)[2]["hides"] == {"deleted": 50000}
    assert r.summary["user"]["uid"] == 10 and r.summary["user"]["gid"] == 10
    auto = audit_archive(path)
    assert auto.summary["size"] == r.summary["size"]


def test_oci_index_platforms_and_nesting(tmp_path):
    a = [layer_tar([E("amd", size=1)])]
    b = [layer_tar([E("arm", size=2)])]
    imgs = [OciImage(a, platform={"os": "linux", "architecture": "amd64"}, compression="none"),
            OciImage(b, platform={"os": "linux", "architecture": "arm64", "variant": "v8"}, compression="none")]
    oci_layout(str(tmp_path / "i"), imgs, nested=True)
    r = audit_archive(f"oci:{tmp_path / 'i'}", platform="linux/arm64")
    assert r.summary["size"]["content_bytes"] == 2
    assert r.summary["image"]["platform"] == "linux/arm64/v8"
    r = audit_archive(f"oci:{tmp_path / 'i'}", platform="linux/amd64")
    assert r.summary["size"]["content_bytes"] == 1
    from slimguard.image import AuditError

    with pytest.raises(AuditError, match="no manifest for platform linux/s390x"):
        audit_archive(f"oci:{tmp_path / 'i'}", platform="linux/s390x")


def test_oci_ref_name_selects_an_image(tmp_path):
    imgs = [OciImage([layer_tar([E("one", size=1)])], compression="none"),
            OciImage([layer_tar([E("two", size=2)])], compression="none")]
    oci_layout(str(tmp_path / "i"), imgs, annotations=[{"org.opencontainers.image.ref.name": "v1"},
                                                       {"org.opencontainers.image.ref.name": "v2"}])
    assert audit_archive(f"oci:{tmp_path / 'i'}:v2").summary["size"]["content_bytes"] == 2


# ------------------------------------------------------------------------------ users and findings

PASSWD = b"root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n"
GROUP = b"root:x:0:\nnogroup:x:65534:\n"


LINT_ID = {"SGA002": "SG001", "SGA003": "SG002", "SGA004": "SG003"}


@pytest.mark.parametrize("user,rule,uid", [
    ("", "SGA002", 0), ("0", "SGA002", 0), ("root:root", "SGA002", 0), ("0:0", "SGA002", 0), ("toor", "SGA002", 0),
    ("nobody", "SGA004", 65534), ("ghost", "SGA003", None), ("nobody:ghosts", "SGA003", 65534),
    ("65534:65534", None, 65534), ("4242", None, 4242),
])
def test_user_resolution(tmp_path, user, rule, uid):
    layers = [layer_tar([E("etc", "dir"), E("etc/passwd", data=PASSWD), E("etc/group", data=GROUP)])]
    docker_archive(str(tmp_path / "i.tar"), layers, make_config(layers, user=user))
    r = audit_archive(str(tmp_path / "i.tar"))
    user = [f for f in r.findings if f.concern in ("root-user", "unknown-user", "numeric-user")]
    assert {f.rule for f in user} == ({rule} if rule else set())
    assert {f.aliases for f in user} == ({(LINT_ID[rule],)} if rule else set())
    assert r.summary["user"]["uid"] == uid
    for f in r.findings:
        assert f.origin == "image" and f.line == 1 and f.column == 1 and f.file == str(tmp_path / "i.tar")
    if rule == "SGA003":
        assert by_rule(r, "SGA003")[0].severity.label == "error"


def test_privileged_port_only_for_non_root(tmp_path):
    layers = [layer_tar([E("etc", "dir"), E("etc/passwd", data=PASSWD)])]
    docker_archive(str(tmp_path / "a.tar"), layers, make_config(layers, user="65534", ports=["80/tcp", "8080/tcp"]))
    docker_archive(str(tmp_path / "b.tar"), layers, make_config(layers, user="", ports=["80/tcp"]))
    a = by_rule(audit_archive(str(tmp_path / "a.tar")), "SGA005")
    assert len(a) == 1 and list(a[0].details["ports"]) == ["80/tcp"]
    assert not by_rule(audit_archive(str(tmp_path / "b.tar")), "SGA005")


def test_setuid_world_writable_and_sudo(tmp_path):
    layers = [layer_tar([E("usr", "dir"), E("usr/bin", "dir"), E("usr/bin/sudo", size=10, mode=0o4755),
                         E("usr/bin/su", size=10, mode=0o4755), E("data", "dir", mode=0o777),
                         E("tmp", "dir", mode=0o1777), E("tmp/x", size=1, mode=0o666),
                         E("etc", "dir"), E("etc/passwd", data=PASSWD)])]
    docker_archive(str(tmp_path / "i.tar"), layers, make_config(layers, user="65534"))
    r = audit_archive(str(tmp_path / "i.tar"))
    assert by_rule(r, "SGA006")[0].severity.label == "error"
    sga007 = {f.severity.label: f for f in by_rule(r, "SGA007")}
    assert [x["path"] for x in sga007["info"].details["files"]] == ["/usr/bin/su"]
    assert [x["path"] for x in sga007["warning"].details["paths"]] == ["/data"]


KEY = b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"


def test_secrets_in_files_hidden_layers_env_and_history(tmp_path):
    layers = [layer_tar([E("root", "dir"), E("root/.ssh", "dir"), E("root/.ssh/id_ed25519", data=KEY),
                         E("app", "dir"), E("app/.env", data=b"PORT=3000\nAPI_TOKEN=s3cr3t-value-123\n"),
                         E("app/.env.example", data=b"API_TOKEN=changeme\n"),
                         E("etc", "dir"), E("etc/ssl", "dir"), E("etc/ssl/certs", "dir"),
                         E("etc/ssl/certs/ca.pem", data=b"-----BEGIN CERTIFICATE-----\n")]),
              layer_tar([E("root", "dir"), E("root/.ssh", "dir"), E("root/.ssh/.wh.id_ed25519")])]
    cfg = make_config(layers, env=["AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP", "DB_PASSWORD_FILE=/run/secrets/db",
                                   "PATH=/bin"],
                      history=["|1 GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB /bin/sh -c make",
                               "/bin/sh -c rm /root/.ssh/id_ed25519"])
    docker_archive(str(tmp_path / "i.tar"), layers, cfg)
    r = audit_archive(str(tmp_path / "i.tar"))
    files = {f.details["path"]: f for f in by_rule(r, "SGA016")}
    assert set(files) == {"/root/.ssh/id_ed25519", "/app/.env"}
    assert files["/root/.ssh/id_ed25519"].details["visible"] is False
    assert "extract" in files["/root/.ssh/id_ed25519"].message
    assert files["/root/.ssh/id_ed25519"].severity.label == "error"
    sga015 = by_rule(r, "SGA015")
    assert any("AWS_ACCESS_KEY_ID" in f.message for f in sga015)
    assert any(f.details.get("history") == 0 for f in sga015)
    assert not any("DB_PASSWORD_FILE" in f.message for f in sga015)
    assert all("AKIAABCDEFGHIJKLMNOP" not in f.message and "s3cr3t" not in f.message for f in r.findings)


# ------------------------------------------------------------------------------ packages


DPKG_STATUS = b"""Package: gcc-12
Status: install ok installed
Architecture: amd64
Version: 12.2.0-14
Installed-Size: 60000

Package: git
Status: install ok installed
Architecture: amd64
Version: 1:2.39.2-1.1
Installed-Size: 40000

Package: removed-pkg
Status: deinstall ok config-files
Installed-Size: 10

Package: bash
Status: install ok installed
Architecture: amd64
Installed-Size: 7000
"""


def test_dpkg_sizes_from_list_files_through_merged_usr(tmp_path):
    layers = [layer_tar([
        E("usr", "dir"), E("usr/bin", "dir"), E("usr/lib", "dir"), E("lib", "symlink", link="usr/lib"),
        E("usr/bin/gcc-12", size=1234), E("usr/lib/libgccthing.so", size=766), E("usr/bin/git", size=4000),
        E("var", "dir"), E("var/lib", "dir"), E("var/lib/dpkg", "dir"), E("var/lib/dpkg/status", data=DPKG_STATUS),
        E("var/lib/dpkg/info", "dir"),
        E("var/lib/dpkg/info/gcc-12:amd64.list", data=b"/.\n/usr\n/usr/bin\n/usr/bin/gcc-12\n/lib/libgccthing.so\n"),
        E("var/lib/dpkg/info/git.list", data=b"/usr/bin/git\n"),
    ])]
    docker_archive(str(tmp_path / "i.tar"), layers)
    r = audit_archive(str(tmp_path / "i.tar"))
    pk = r.summary["packages"]
    assert pk["manager"] == "dpkg" and pk["count"] == 3
    comp = [f for f in by_rule(r, "SGA008") if f.details["category"] == "compiler"][0]
    assert comp.details["packages"][0] == {"name": "gcc-12", "version": "12.2.0-14", "bytes": 2000, "size_source": "files"}
    scm = [f for f in by_rule(r, "SGA008") if f.details["category"] == "scm"][0]
    assert scm.details["bytes"] == 4000
    shell = [f for f in by_rule(r, "SGA008") if f.details["category"] == "shell"][0]
    assert shell.severity.label == "style" and shell.details["packages"][0]["bytes"] == 7000 * 1024


def test_distroless_status_d_and_apk(tmp_path):
    layers = [layer_tar([E("var", "dir"), E("var/lib", "dir"), E("var/lib/dpkg", "dir"),
                         E("var/lib/dpkg/status.d", "dir"),
                         E("var/lib/dpkg/status.d/base-files", data=b"Package: base-files\nVersion: 12\nInstalled-Size: 300\n"),
                         E("var/lib/dpkg/status.d/curl", data=b"Package: curl\nVersion: 7\nInstalled-Size: 500\n"),
                         E("var/lib/dpkg/status.d/curl.md5sums", data=b"abc  usr/bin/curl\n"),
                         E("usr", "dir"), E("usr/bin", "dir"), E("usr/bin/curl", size=321)])]
    docker_archive(str(tmp_path / "d.tar"), layers)
    r = audit_archive(str(tmp_path / "d.tar"))
    assert r.summary["packages"]["count"] == 2
    dl = [f for f in by_rule(r, "SGA008") if f.details["category"] == "downloader"][0]
    assert dl.details["packages"][0]["bytes"] == 321
    apk_db = (b"C:Q1abc=\nP:busybox\nV:1.36\nI:900000\nF:bin\nR:busybox\n\n"
              b"P:build-base\nV:0.5\nI:4096\n\nP:make\nV:4.4\nI:300000\nF:usr/bin\nR:make\n\n")
    layers = [layer_tar([E("lib", "dir"), E("lib/apk", "dir"), E("lib/apk/db", "dir"),
                         E("lib/apk/db/installed", data=apk_db), E("bin", "dir"), E("bin/busybox", size=800000),
                         E("usr", "dir"), E("usr/bin", "dir"), E("usr/bin/make", size=250000)])]
    docker_archive(str(tmp_path / "a.tar"), layers)
    r = audit_archive(str(tmp_path / "a.tar"))
    assert r.summary["packages"]["manager"] == "apk"
    bt = [f for f in by_rule(r, "SGA008") if f.details["category"] == "build-tool"][0]
    assert {p["name"]: p["bytes"] for p in bt.details["packages"]} == {"make": 250000, "build-base": 4096}


def _rpm_header(name: str, version: str, size: int) -> bytes:
    store = b""
    index = []

    def add(tag, typ, value):
        nonlocal store
        if typ == 4:
            while len(store) % 4:
                store += b"\0"
        index.append(struct.pack(">IIII", tag, typ, len(store), 1))
        store += value

    add(1000, 6, name.encode() + b"\0")
    add(1001, 6, version.encode() + b"\0")
    add(1009, 4, struct.pack(">I", size))
    return struct.pack(">II", len(index), len(store)) + b"".join(index) + store


def test_rpm_sqlite_database(tmp_path):
    db = tmp_path / "rpmdb.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    for n, v, s in (("gcc", "11.4", 90_000_000), ("git-core", "2.43", 20_000_000), ("bash", "5.2", 8_000_000),
                    ("glibc-devel", "2.38", 3_000_000)):
        con.execute("INSERT INTO Packages (blob) VALUES (?)", (_rpm_header(n, v, s),))
    con.commit()
    con.close()
    layers = [layer_tar([E("var", "dir"), E("var/lib", "dir"), E("var/lib/rpm", "dir"),
                         E("var/lib/rpm/rpmdb.sqlite", data=db.read_bytes())])]
    docker_archive(str(tmp_path / "r.tar"), layers)
    r = audit_archive(str(tmp_path / "r.tar"))
    assert r.summary["packages"]["manager"] == "rpm" and r.summary["packages"]["count"] == 4
    cats = {f.details["category"]: f.details["packages"] for f in by_rule(r, "SGA008")}
    assert cats["compiler"][0]["bytes"] == 90_000_000
    assert cats["dev-headers"][0]["name"] == "glibc-devel"


# ------------------------------------------------------------------------------ the CLI


def _cli(args):
    from slimguard.cli.audit import command

    return CliRunner().invoke(command, args, catch_exceptions=False)


def test_cli_formats_and_exit_codes(tmp_path):
    layers = [layer_tar([E("etc", "dir"), E("etc/passwd", data=PASSWD), E("etc/group", data=GROUP)])]
    docker_archive(str(tmp_path / "i.tar"), layers, make_config(layers, user="65534:65534"))
    docker_archive(str(tmp_path / "root.tar"), layers, make_config(layers))
    ok = _cli([str(tmp_path / "i.tar"), "--engine", "never"])
    assert ok.exit_code == 0, ok.output
    assert "user      65534:65534 -> nobody:nogroup (uid 65534 gid 65534)" in ok.output
    assert "No findings" in ok.output
    bad = _cli([str(tmp_path / "root.tar"), "--engine", "never"])
    assert bad.exit_code == 1 and "SGA002 (SG001)" in bad.output
    assert _cli([str(tmp_path / "root.tar"), "--engine", "never", "-t", "error"]).exit_code == 0
    for code in ("root-user", "SGA002", "SG001"):  # the lint id keeps working through the alias
        assert _cli([str(tmp_path / "root.tar"), "--engine", "never", "--ignore", code]).exit_code == 0
    out = _cli([str(tmp_path / "root.tar"), "--engine", "never", "--format", "json"])
    doc = json.loads(out.output)
    assert doc["kind"] == "audit" and doc["findings"][0]["origin"] == "image"
    f = doc["findings"][0]
    assert (f["rule"], f["aliases"], f["title"]) == ("SGA002", ["SG001"], "Container runs as root")
    s = doc["summary"]["audit"]
    assert {"image", "size", "layers", "user", "packages", "efficiency", "base"} <= set(s)
    assert s["efficiency"]["dive"]["efficiency"] == 1.0
    for fmt in ("sarif", "checkstyle", "gitlab", "github"):
        res = _cli([str(tmp_path / "root.tar"), "--engine", "never", "--format", fmt])
        assert res.exit_code == 1 and res.output
    missing = _cli([str(tmp_path / "nope.tar"), "--engine", "never"])
    assert missing.exit_code == 2


def test_each_cache_answers_to_its_own_lint_rule(tmp_path):
    caches = {"var/lib/apt/lists/l": "SGA010", "var/cache/apt/archives/a.deb": "SGA010", "var/cache/apk/i": "SGA011",
              "root/.cache/pip/w": "SGA012", "var/cache/dnf/d": "SGA013", "var/cache/yum/y": "SGA013",
              "root/.npm/_cacache/c": "SGA014", "var/cache/zypp/z": None}
    small = layer_tar([E("var/cache/dnf/d", size=999_999)])  # under 1 MB: not reported
    docker_archive(str(tmp_path / "small.tar"), [small])
    assert not [f for f in audit_archive(str(tmp_path / "small.tar")).findings if f.concern == "pkg-hygiene"]
    layers = [layer_tar([E(p, size=1_000_000) for p in caches])]
    docker_archive(str(tmp_path / "c.tar"), layers, make_config(layers, user="65534"))
    result = audit_archive(str(tmp_path / "c.tar"))
    found = {f.details["path"]: f for f in result.findings if f.concern == "pkg-hygiene"}
    assert {p: f.rule for p, f in found.items()} == {"/" + p.rsplit("/", 1)[0]: r for p, r in caches.items() if r}
    assert found["/var/cache/apk"].message == ("the apk cache left in the image: 1.0 MB in 1 file(s) under "
                                               "/var/cache/apk; apk add --no-cache")
    lint_alias = {"SGA010": ("SG013",), "SGA011": ("SG014",), "SGA012": ("SG015",), "SGA013": ("SG016",), "SGA014": ()}
    assert all(f.aliases == lint_alias[f.rule] and f.severity.label == "info" for f in found.values())
    out = _cli([str(tmp_path / "c.tar"), "--engine", "never", "--format", "json", "--ignore", "SG014"])
    rules = sorted(f["rule"] for f in json.loads(out.output)["findings"] if f["concern"] == "pkg-hygiene")
    assert rules == ["SGA010", "SGA010", "SGA012", "SGA013", "SGA013", "SGA014"]  # as lint: SG014 is apk only


def test_cli_lists_audit():
    from slimguard.cli.main import main

    runner = CliRunner()
    from slimguard.cli.group import build_cli

    res = runner.invoke(build_cli(), ["--help"])
    assert "audit" in res.output
    assert callable(main)


def test_compressed_outer_tar_and_stdin(tmp_path):
    import gzip as _gzip

    layers = [layer_tar([E("a", size=1000)]), layer_tar([E(".wh.a")])]
    docker_archive(str(tmp_path / "i.tar"), layers)
    raw = (tmp_path / "i.tar").read_bytes()
    (tmp_path / "i.tar.gz").write_bytes(_gzip.compress(raw, compresslevel=1))
    r = audit_archive(str(tmp_path / "i.tar.gz"))
    assert r.summary["layers"][1]["hides"] == {"deleted": 1000}
    from slimguard.cli.audit import command

    res = CliRunner().invoke(command, ["-", "--engine", "never", "--format", "json", "--progress"], input=raw,
                             catch_exceptions=False)
    assert res.exit_code == 1
    doc = json.loads(res.stdout if hasattr(res, "stdout") else res.output)
    assert doc["summary"]["audit"]["size"]["hidden_bytes"] == 1000


def test_ambiguous_name_needs_a_prefix(tmp_path, monkeypatch):
    from slimguard.image import AuditError, open_image

    layers = [layer_tar([E("a", size=1)])]
    docker_archive(str(tmp_path / "busybox"), layers)
    monkeypatch.chdir(tmp_path)

    class FakeClient:
        class images:
            @staticmethod
            def get(name):
                return object()

    with pytest.raises(AuditError, match="both a path and an image"):
        open_image("busybox", client_factory=lambda: FakeClient())
    data, _ = open_image("docker-archive:busybox", client_factory=lambda: FakeClient())
    assert data.source == "docker-archive"
