"""`--format html` (lint, check, audit, verify) rendered in headless Chromium, and `--format concise`.

Chromium is Debian's `chromium` package. When it is missing and the tests run as root with apt-get
(CI), it is installed once per session; otherwise the browser tests skip and say why. Each browser test
loads the page with `--dump-dom` (the DOM after the page's script ran) and keeps a screenshot under
tests/artifacts/ (ignored by git; SLIMGUARD_ARTIFACTS overrides the directory), whose path it prints.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from slimguard.cli.group import build_cli
from test_audit_support import E, _dpkg, docker_archive, layer_tar, make_config

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("SLIMGUARD_ARTIFACTS") or ROOT / "tests" / "artifacts")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
DOCKERFILE = (
    "FROM debian:bookworm\n"
    f"RUN echo '{HOSTILE}' && apt-get update && apt-get install -y gcc\n"
    "USER root\n"
    'CMD ["sh"]\n'
)
POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.25
      securityContext: {privileged: true}
"""


def _install_chromium() -> str | None:
    if shutil.which("apt-get") is None or os.geteuid() != 0 or os.environ.get("SLIMGUARD_NO_APT") == "1":
        return None
    cmd = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "--no-install-recommends",
           "chromium", "fonts-liberation"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for _ in range(3):
        if subprocess.run(cmd, capture_output=True, env=env, timeout=1200).returncode == 0:
            break
        subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=300", "update", "-qq"], capture_output=True, env=env,
                       timeout=600)
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    why = "no chromium on PATH"
    if path is None:
        try:
            path = _install_chromium()
        except (OSError, subprocess.SubprocessError) as exc:
            why += f" and installing Debian's chromium failed ({exc})"
        else:
            why += " and it cannot be installed here (needs root and apt-get; `apt-get install -y chromium`)"
    if path is None:
        pytest.skip(why)
    return path


def _browser(chromium: str, page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={tmp / 'chromium-profile'}", "--host-resolver-rules=MAP * ~NOTFOUND", *extra,
            page.resolve().as_uri()]
    return subprocess.run(args, capture_output=True, text=True, timeout=180, cwd=tmp)


def render_in_browser(chromium: str, page: Path, tmp: Path, name: str) -> str:
    """The DOM after the page's script ran; a screenshot kept as ARTIFACTS/<name>.png."""
    dom = _browser(chromium, page, tmp, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    res = _browser(chromium, page, tmp, "--window-size=1280,1800", f"--screenshot={shot}")
    assert res.returncode == 0 and shot.is_file() and shot.stat().st_size > 1000, res.stderr[-2000:]
    shutil.copyfile(page, ARTIFACTS / f"{name}.html")
    print(f"screenshot: {shot}")
    return dom.stdout


def cli(*args: str, cwd: Path | None = None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def assert_self_contained(text: str) -> None:
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:|//)""", text, re.I)
    assert "@import" not in text and "url(" not in text and "@font-face" not in text
    assert "Content-Security-Policy" in text and "default-src 'none'" in text


def assert_escaped(text: str) -> None:
    assert HOSTILE not in text and "<img" not in text and "<script>alert" not in text


# ------------------------------------------------------------------------------------------------- lint


def test_lint_html_renders_findings_excerpts_and_fix_diffs(chromium, tmp_path):
    hostile_dir = tmp_path / "svc<b>bold<i>"
    hostile_dir.mkdir()
    (hostile_dir / "Dockerfile").write_text(DOCKERFILE)
    out = tmp_path / "lint.html"
    res = cli("lint", "--engine", "never", "--format", "html", "-o", str(out), str(hostile_dir / "Dockerfile"))
    assert res.exit_code == 1
    text = out.read_text()
    assert_self_contained(text)
    assert_escaped(text)
    assert "&lt;b&gt;bold&lt;i&gt;" in text and "<b>bold" not in text
    dom = render_in_browser(chromium, out, tmp_path, "lint")
    assert_escaped(dom)
    m = re.search(r'data-sg-ready="(\d+)"', dom)
    assert m, "the page's script did not run"
    ids = set(re.findall(r'class="sg-rule-id">(SG\d+)<', dom))  # the rule index the script builds
    assert {"SG001", "SG009", "SG013"} <= ids
    assert int(m.group(1)) == len(re.findall(r'<article class="finding', dom)) >= 3
    assert "13 finding" not in dom and "of " in re.search(r'id="sg-shown"[^>]*>([^<]*)<', dom).group(1)
    # the excerpt shows the flagged line, the fix its diff
    assert "USER root</mark>" in dom
    assert re.search(r'class="l add">\+RUN .*rm -rf /var/lib/apt/lists/\*', dom)


def test_check_html(chromium, tmp_path):
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD)
    out = tmp_path / "check.html"
    res = cli("check", "--engine", "never", "--format", "html", "-o", str(out), str(pod))
    assert res.exit_code == 1
    assert_self_contained(out.read_text())
    dom = render_in_browser(chromium, out, tmp_path, "check")
    assert "data-sg-ready" in dom and "SGR" in " ".join(re.findall(r'class="sg-rule-id">([A-Z0-9]+)<', dom))
    assert "privileged: true" in dom


# ------------------------------------------------------------------------------------------------ audit


def _image(tmp_path: Path) -> Path:
    evil = "opt/" + HOSTILE.replace("/", "_")
    l0 = layer_tar([E("etc", "dir"), E("etc/passwd", data=b"root:x:0:0::/root:/bin/sh\n"),
                    *_dpkg([{"name": "gcc-12", "size": 3000}, {"name": "make", "size": 400},
                            {"name": "libc6-dev", "size": 900}, {"name": "bash", "size": 1500}]),
                    E("opt", "dir"), E("opt/big.bin", size=3_000_000), E(evil, size=1_500_000)])
    l1 = layer_tar([E("opt", "dir"), E("opt/.wh.big.bin"), E("app", "dir"), E("app/server", size=800_000)])
    config = make_config([l0, l1], history=[f"/bin/sh -c echo '{HOSTILE}'", "/bin/sh -c rm /opt/big.bin"])
    path = tmp_path / "img.tar"
    docker_archive(str(path), [l0, l1], config)
    return path


def test_audit_html_has_layer_chart_paths_and_packages(chromium, tmp_path):
    image = _image(tmp_path)
    out = tmp_path / "audit.html"
    res = cli("audit", f"docker-archive:{image}", "--engine", "never", "--format", "html", "-o", str(out))
    assert res.exit_code == 1, res.output
    text = out.read_text()
    assert_self_contained(text)
    assert_escaped(text)
    dom = render_in_browser(chromium, out, tmp_path, "audit")
    assert_escaped(dom)
    assert "data-sg-ready" in dom
    chart = re.search(r'<svg[^>]*id="sg-layers-chart".*?</svg>', dom, re.S).group(0)
    assert len(re.findall(r'<rect class="vis"', chart)) == 2 and "3.0 MB hidden" in chart
    assert "/opt/big.bin" in dom  # a hidden file
    assert "/app/server" in re.search(r'id="sg-largest-files".*?</table>', dom, re.S).group(0)
    packages = re.search(r'id="sg-packages".*?</table>', dom, re.S).group(0)
    assert "compiler" in packages and "gcc-12" in packages
    assert "SGA002" in dom  # runs as root


def test_audit_concise(tmp_path):
    image = _image(tmp_path)
    res = cli("audit", f"docker-archive:{image}", "--engine", "never", "--format", "concise")
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert lines and all(re.match(r"^.+img\.tar:\d+:\d+: SGA\d+ \S", line) for line in lines)


def test_html_without_findings_and_with_errors(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM debian:bookworm-slim\nUSER 10001:10001\n")
    (tmp_path / "bad.Dockerfile").write_text("FROM x\nRUN <<EOF\nnever ends\n")
    res = cli("lint", "--engine", "never", "--format", "html", "Dockerfile", cwd=tmp_path)
    assert res.exit_code == 0 and "No findings." in res.output
    res = cli("lint", "--engine", "never", "--format", "html", "bad.Dockerfile", cwd=tmp_path)
    assert res.exit_code == 2 and "unterminated heredoc" in res.stdout  # the page lists errors too


# ----------------------------------------------------------------------------------------------- verify


def _verify_report():
    from slimguard.verify.build import BuildResult
    from slimguard.verify.facts import ImageContents
    from slimguard.verify.probe import ProcStatus
    from slimguard.verify.report import CheckSpec, Report, Side
    from slimguard.verify.run import RunResult
    from slimguard.verify.session import CleanupReport

    def side(name, text, size, uid, user, packages):
        return Side(name, text, build=BuildResult(ok=True, seconds=1.5, steps=4), size=size, config_user=user,
                    probe=RunResult(started=True, exit_code=0), status=ProcStatus(uid=uid, gid=uid),
                    contents=ImageContents(users={"app": (10001, 10001)} if uid else {}, has_passwd=True,
                                           package_db="dpkg", packages=frozenset(packages)),
                    smoke=RunResult(started=True, exit_code=0, stdout="ok\n", stdout_sha256="a"))

    before_text = f"FROM node:12.16\n# {HOSTILE}\nCMD [\"node\", \"app.js\"]\n"
    after_text = before_text.replace("node:12.16", "node:12.16-slim").replace("CMD", "USER 10001:10001\nCMD")
    r = Report(path="app/Dockerfile", run_id="abc123", unsafe=True, smoke_command="node -v",
               fixes=["SG010 line 1: use node:12.16-slim", f"SG001 line 1: run as 10001 {HOSTILE}"],
               before=side("before", before_text, 916_000_000, 0, "", ["gcc", "make", "bash"]),
               after=side("after", after_text, 140_000_000, 10001, "10001:10001", ["bash"]),
               check=CheckSpec(smoke="node -v"), cleanup=CleanupReport(containers=4, images=2))
    return r


def test_verify_html_before_after_table_and_size_chart(chromium, tmp_path):
    from slimguard.formatters.html_format import render_verify

    report = _verify_report()
    assert report.proven
    out = tmp_path / "verify.html"
    out.write_text(render_verify(report, "0.1.0"))
    text = out.read_text()
    assert_self_contained(text)
    assert_escaped(text)
    dom = render_in_browser(chromium, out, tmp_path, "verify")
    assert_escaped(dom)
    assert "verdict: proven" in dom
    table = re.search(r'id="sg-verify-table".*?</table>', dom, re.S).group(0)
    assert "916.0 MB" in table and "140.0 MB" in table and "-776.0 MB (-84.7 %)" in table
    assert "gcc, make" in table and "10001:10001" in table
    chart = re.search(r'<svg[^>]*id="sg-size-chart".*?</svg>', dom, re.S).group(0)
    assert chart.count("<rect") == 2 and "-776.0 MB" in chart
    assert re.search(r'class="l add">\+FROM node:12\.16-slim', dom)


def test_verify_cli_offers_html():
    res = subprocess.run([sys.executable, "-m", "slimguard", "verify", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert "html" in res.stdout


# ---------------------------------------------------------------------------------------------- concise


def test_concise_lint_and_check(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    res = cli("lint", "--engine", "never", "--format", "concise", "Dockerfile", cwd=tmp_path)
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert "Dockerfile:3:1: SG001 " in res.output
    assert all(re.match(r"^Dockerfile:\d+:\d+: SG\d+ \S", line) for line in lines)
    assert lines == sorted(lines, key=lambda s: (int(s.split(":")[1]), int(s.split(":")[2])))
    (tmp_path / "pod.yaml").write_text(POD)
    res = cli("check", "--engine", "never", "--format", "concise", "pod.yaml", cwd=tmp_path)
    assert res.exit_code == 1 and all(re.match(r"^pod\.yaml:\d+:\d+: SGR\d+ \S", line)
                                      for line in res.output.splitlines())
