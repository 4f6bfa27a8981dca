"""Bad input at the command line: one clear line naming the path, exit code 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "slimguard", *args], input=stdin, capture_output=True,
                          cwd=ROOT, timeout=60)


def assert_clean_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err)
    assert "Traceback" not in err
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def test_version_and_help():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("slimguard ")
    proc = run("--help")
    assert proc.returncode == 0 and "dump" in proc.stdout.decode()


def test_missing_path(tmp_path):
    assert_clean_error(run("dump", str(tmp_path / "nope")), str(tmp_path / "nope"), "no such file")


def test_directory(tmp_path):
    assert_clean_error(run("dump", str(tmp_path)), str(tmp_path), "directory")


def test_empty_file(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"")
    assert_clean_error(run("dump", str(p)), str(p), "empty")


def test_binary_file(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"FROM x\n\x00\x01\x02\xff")
    assert_clean_error(run("dump", str(p)), f"{p}:2:1", "binary")


def test_utf16_file(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes("FROM debian\nUSER app\n".encode("utf-16"))
    assert_clean_error(run("dump", str(p)), str(p), "UTF-16")


def test_utf16_without_bom(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes("FROM debian\n".encode("utf-16-le"))
    assert_clean_error(run("dump", str(p)), str(p), "UTF-16")


def test_invalid_utf8(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"FROM x\nRUN echo \xc3\x28\n")
    assert_clean_error(run("dump", str(p)), f"{p}:2:10", "UTF-8")


def test_fifty_megabyte_file(tmp_path):
    p = tmp_path / "Dockerfile"
    with open(p, "wb") as fh:
        fh.write(b"FROM x\n" + b"RUN echo " + b"a" * (50 * 1024 * 1024) + b"\n")
    assert_clean_error(run("dump", str(p)), str(p), "too large")


def test_unterminated_heredoc(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM x\nRUN <<EOF\necho hi\n")
    assert_clean_error(run("dump", str(p)), f"{p}:2:1", "unterminated heredoc")


def test_unknown_instruction(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM x\nFOO bar\n")
    assert_clean_error(run("dump", str(p)), f"{p}:2:1", "unknown instruction")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read everything")
def test_unreadable(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM x\n")
    p.chmod(0)
    assert_clean_error(run("dump", str(p)), str(p), "permission")


def test_stdin_ok_and_empty():
    proc = run("dump", "-", "--format", "json", stdin=b"FROM alpine\nUSER 1000\n")
    assert proc.returncode == 0, proc.stderr.decode()
    assert_clean_error(run("dump", "-", stdin=b""), "<stdin>", "empty")


def test_bad_build_arg(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM x\n")
    proc = run("dump", str(p), "--build-arg", "NOVALUE")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr.decode()


@pytest.mark.parametrize("command", [["lint", "--engine", "never"], ["check", "--engine", "never"]])
def test_text_mode_errors_leave_stdout_empty(tmp_path, command):
    proc = run(*command, str(tmp_path / "missing"))
    assert_clean_error(proc, "no such file")
    assert proc.stdout == b""


@pytest.mark.parametrize("command", [["lint"], ["check"], ["fix"], ["audit", "docker-archive:/nonexistent.tar"]])
def test_unknown_codes_are_errors_everywhere(tmp_path, command):
    f = tmp_path / "Dockerfile"
    f.write_text("FROM scratch\n")
    args = [*command] if command[0] == "audit" else [*command, str(f)]
    for flag in ("--select", "--ignore"):
        assert_clean_error(run(*args, flag, "DL3999"), flag, "DL3999")
        assert_clean_error(run(*args, flag, "SG999"), flag, "SG999")


def test_unreadable_config_directory_is_a_one_line_error(tmp_path, monkeypatch):
    """A working directory slimguard may not look into (a container user on a 0700 mount): ConfigError, no traceback."""
    from pathlib import Path

    from slimguard.core.config import ConfigError, load_config

    real = Path.is_file

    def is_file(self):
        if self.parent == tmp_path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    import pytest as _pytest

    with _pytest.raises(ConfigError, match="permission denied"):
        load_config(cwd=tmp_path)
