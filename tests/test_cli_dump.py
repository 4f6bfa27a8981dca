"""`slimguard dump`: the tree and the model, as text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dump(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slimguard", "dump", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_json_dump_of_the_seed_multistage_example():
    proc = dump("examples/node-multistage/Dockerfile", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    stages = data["model"]["stages"]
    assert [s["name"] for s in stages] == ["builder", None]
    assert stages[0]["base"]["image"] == "docker.io/library/node:12.16"
    assert stages[1]["base"]["tag"] == "12.16-slim"
    assert stages[1]["user"]["user"] == "node" and stages[1]["copies_from"][0]["stage"] == "builder"
    instructions = [c for c in data["tree"]["children"] if c["node"] == "instruction"]
    copy = next(c for c in instructions if c["name"] == "COPY" and c["flags"])
    assert [f["text"] for f in copy["flags"]] == ["--from=builder", "--chown=node:node"]
    assert copy["span"]["line"] == 11 and copy["span"]["column"] == 1


def test_text_dump_shows_users_ports_and_packages(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"
                 "USER 10001\nEXPOSE 8080/tcp\n")
    proc = dump(str(p))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Stages:" in out and "exposes: 8080/tcp" in out
    assert "PackageOp: apt apt-get install curl" in out
    assert "at end: 10001 (instruction)" in out


def test_tokens_roundtrip(tmp_path):
    text = "FROM x \\\n  AS y\r\nRUN <<EOF\necho\nEOF\n"
    p = tmp_path / "Dockerfile"
    p.write_bytes(text.encode())
    data = json.loads(dump(str(p), "--format", "json", "--tokens").stdout)

    def texts(node):
        if "token" in node:
            yield node["text"]
        for c in node.get("children", []):
            yield from texts(c)

    assert "".join(t for c in data["tree"]["children"] for t in texts(c)) == text
