"""`slimguard fix`: diff, --write (atomic, keeps mode, CRLF and BOM), --check, idempotence."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slimguard", "fix", "--engine", "never", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_diff_is_printed_and_file_untouched(tmp_path):
    p = tmp_path / "Dockerfile"
    original = "FROM debian:bookworm\nRUN apt-get update\n# keep me\nCMD [\"/usr/local/bin/app\"]\n"
    p.write_text(original)
    proc = run(str(p))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("--- a/") and "+USER 10001:10001" in proc.stdout
    assert p.read_text() == original


def test_write_keeps_mode_crlf_bom_and_comments(tmp_path):
    p = tmp_path / "Dockerfile"
    original = "\ufeffFROM node:12.16\r\n# build\r\nRUN npm ci\r\nCMD [\"node\", \"server.js\"]\r\n"
    p.write_bytes(original.encode("utf-8"))
    os.chmod(p, 0o640)
    proc = run("--write", str(p))
    assert proc.returncode == 0, proc.stderr
    data = p.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")
    assert "\r\nUSER 1000:1000\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert "# build\r\n" in text
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o640
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".slimguard-")]
    # idempotent
    again = run("--write", str(p))
    assert again.returncode == 0 and p.read_bytes() == data


def test_check_exit_codes(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM debian:bookworm\nRUN true\nCMD [\"/usr/local/bin/app\"]\n")
    assert run("--check", str(p)).returncode == 1
    run("--write", str(p))
    assert run("--check", str(p)).returncode == 0


def test_select_and_unparsable_input(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM debian:bookworm\nRUN apt-get install -y curl\n")
    proc = run("--select", "SG012", str(p))
    assert proc.stdout == ""  # unsafe: not applied without --unsafe
    proc = run("--unsafe", "--select", "SG012", str(p))
    assert "--no-install-recommends -y curl ca-certificates" in proc.stdout and "USER" not in proc.stdout
    bad = tmp_path / "Bad"
    bad.write_text("FROM x\nRUN <<EOF\n")
    proc = run(str(bad))
    assert proc.returncode == 2 and "unterminated heredoc" in proc.stderr and "Traceback" not in proc.stderr


def test_write_keeps_setuid_setgid_sticky_and_owner(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM debian:bookworm\nCMD [\"/usr/local/bin/app\"]\n")
    os.chown(p, 1234, 2345)  # the tests run as root in CI; chown first, it clears setuid/setgid
    os.chmod(p, 0o4750 | stat.S_ISGID | stat.S_ISVTX)
    proc = run("--write", str(p))
    assert proc.returncode == 0, proc.stderr
    st = p.stat()
    assert "USER" in p.read_text()
    assert stat.S_IMODE(st.st_mode) == 0o4750 | stat.S_ISGID | stat.S_ISVTX
    assert (st.st_uid, st.st_gid) == (1234, 2345)


def test_write_through_a_symlink_fixes_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real" / "Dockerfile"
    target.parent.mkdir()
    target.write_text("FROM debian:bookworm\nCMD [\"/usr/local/bin/app\"]\n")
    link = tmp_path / "Dockerfile"
    link.symlink_to(target)
    proc = run("--write", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "USER" in target.read_text()
    # the target is outside the directory slimguard runs in: it says where it wrote
    assert f"in {target}, outside" in proc.stdout
