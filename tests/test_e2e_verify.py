"""End-to-end proof of `slimguard verify` on the local engine and the zoo's stand-in images.

Every case runs the real command (``python -m slimguard verify ... --format json``) and
asserts the uid/gid the kernel reports in the running container, the smoke command's
output and the image sizes; every case also checks that the run left nothing behind
(no container, image or volume with its ``org.slimguard.verify`` label) and that the fix
did not turn a Dockerfile that built into one that does not.

Nothing is pulled; only the SG004 case runs apt (with ``--build-network host``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
MB = 1_000_000

# every verify report of this module, for the "a fix never breaks a build" test
REPORTS: list[dict] = []


def slimguard(*args: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "slimguard", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=timeout)


def leftovers(client, run_id: str) -> list[str]:
    label = f"org.slimguard.verify={run_id}"
    found = [f"container {c['Id'][:12]}" for c in client.api.containers(all=True, filters={"label": label})]
    found += [f"image {i['Id'][7:19]}" for i in client.api.images(all=True, filters={"label": label})]
    vols = (client.api.volumes(filters={"label": label}) or {}).get("Volumes") or []
    found += [f"volume {v['Name']}" for v in vols]
    return found


def verify(client, path: Path, *args: str, cwd: Path, expect_rc: int = 0) -> dict:
    proc = slimguard("verify", str(path), "--format", "json", *args, cwd=cwd)
    assert proc.returncode == expect_rc, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    report = json.loads(proc.stdout)
    REPORTS.append(report)
    dump = os.environ.get("SLIMGUARD_E2E_REPORT_DIR")  # keep the reports, e.g. for a summary table
    if dump:
        name = os.environ.get("PYTEST_CURRENT_TEST", "case").split("::")[-1].split(" ")[0]
        Path(dump).mkdir(parents=True, exist_ok=True)
        (Path(dump) / f"{name}.json").write_text(proc.stdout)
    # clean-up: nothing of this run survives, and the run says so
    assert report["cleanup"]["kept"] == [], report["cleanup"]
    assert leftovers(client, report["run_id"]) == []
    # a fix never turns a Dockerfile that built into one that does not
    if report["before"]["build"]["ok"]:
        assert report["after"]["build"]["ok"], report["after"]["build"]
    return report


def write(directory: Path, files: dict[str, str], modes: dict[str, int] | None = None) -> Path:
    for name, text in files.items():
        p = directory / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
        if modes and name in modes:
            p.chmod(modes[name])
    return directory


def dockerfile(directory: Path, text: str) -> Path:
    p = directory / "Dockerfile"
    p.write_text(textwrap.dedent(text))
    return p


def assert_probe(side: dict, uid: int, gid: int) -> None:
    """The kernel's answer (/proc/1/status of the container), read by the static probe."""
    assert side["probe_method"] == "probe", side
    assert side["started"] is True, side
    assert (side["uid"], side["gid"]) == (uid, gid), side
    assert side["no_new_privs"] is True and side["cap_eff"] == "0" * 16, side


# ---------------------------------------------------------------------------
# pieces (no engine needed)
# ---------------------------------------------------------------------------

def test_probe_binary_runs_and_prints_proc_status(tmp_path: Path) -> None:
    import platform

    from slimguard.verify.probe import parse_status, probe_binary

    assert probe_binary("s390x") is None
    for arch in ("x86_64", "aarch64"):
        elf = probe_binary(arch)
        assert elf is not None and elf[:4] == b"\x7fELF" and len(elf) < 300
    elf = probe_binary(platform.machine())
    if elf is None:
        pytest.skip(f"no probe for {platform.machine()}")
    exe = tmp_path / "probe"
    exe.write_bytes(elf)
    exe.chmod(0o755)
    proc = subprocess.run([str(exe)], capture_output=True, timeout=10)
    assert proc.returncode == 0
    st = parse_status(proc.stdout.decode())  # the status of this namespace's PID 1
    assert st.ok and len(st.uids) == 4 and st.name


def test_parse_status_and_smoke_argv() -> None:
    from slimguard.verify import smoke_argv
    from slimguard.verify.probe import parse_status

    st = parse_status("Name:\tjava\nUid:\t1000\t1001\t1001\t1001\nGid:\t10\t20\t20\t20\n"
                      "Groups:\t20 27 \nNoNewPrivs:\t1\nCapEff:\t0000000000000000\n")
    assert (st.uid, st.gid, st.uids[0], st.groups, st.no_new_privs) == (1001, 20, 1000, (20, 27), True)
    assert smoke_argv("java -version") == (["java"], ["-version"])
    assert smoke_argv("/hello 'a b'") == (["/hello"], ["a b"])
    assert smoke_argv("java -version 2>&1") == (["/bin/sh", "-c", "java -version 2>&1"], [])
    assert smoke_argv("echo $HOME") == (["/bin/sh", "-c", "echo $HOME"], [])


def test_build_stream_keeps_only_images_the_build_committed() -> None:
    from slimguard.verify.build import BuildResult, _StreamParser

    class FakeSession:
        def __init__(self) -> None:
            self.images: list[str] = []
            self.containers: list[str] = []

        def add_image(self, i: str) -> None:
            self.images.append(i)

        def add_build_container(self, c: str) -> None:
            self.containers.append(c)

        def forget_container(self, c: str) -> None:
            self.containers.remove(c)

    fake = FakeSession()
    res = BuildResult(ok=False)
    parser = _StreamParser(fake, res, None)  # type: ignore[arg-type]
    for chunk in [
        "Step 1/5 : FROM debian", "\n", " ---> 111111111111\n",  # the base: not ours
        "Step 2/5 : RUN echo", "\n", " ---> Using cache\n", " ---> 222222222222\n",  # cached: not ours
        "Step 3/5 : RUN printf", "\n", " ---> Running in cccccccccccc\n",
        "x\n ---> 999999999999\n",  # printed by the RUN: not an image
        "\x1b[91mwarning\x1b[0mRemoving intermediate container cccccccccccc\n", " ---> 333333333333\n",
        "Step 4/5 : COPY a b", "\n", " ---> 444444444444\n",
        "Step 5/5 : RUN sleep 9", "\n", " ---> Running in dddddddddddd\n",  # interrupted here
    ]:
        parser.feed(chunk)
    parser.flush()
    assert fake.images == ["333333333333", "444444444444"]
    assert fake.containers == ["dddddddddddd"]  # still running: the clean-up kills it
    assert (res.steps, res.cached_steps) == (5, 1)


def test_context_is_packed_once_with_both_dockerfiles(tmp_path: Path) -> None:
    import tarfile

    from slimguard.verify import context as ctxmod

    write(tmp_path, {"app.js": "x\n", "secret.env": "A=1\n", ".dockerignore": "*.env\n"})
    with ctxmod.pack(str(tmp_path), {ctxmod.BEFORE: "FROM a\n", ctxmod.AFTER: "FROM b\n"}) as fh:
        with tarfile.open(fileobj=fh) as tar:
            names = set(tar.getnames())
            ignore = tar.extractfile(".dockerignore").read().decode()  # type: ignore[union-attr]
    assert {"app.js", ctxmod.BEFORE, ctxmod.AFTER, ".dockerignore"} <= names
    assert "secret.env" not in names
    assert ctxmod.BEFORE in ignore and ctxmod.AFTER in ignore and "*.env" in ignore


# ---------------------------------------------------------------------------
# bad input: exit 2 (no engine needed)
# ---------------------------------------------------------------------------

def test_bad_input_exits_2(tmp_path: Path) -> None:
    missing = slimguard("verify", str(tmp_path / "nope"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    df = dockerfile(tmp_path, "FROM debian:bookworm\n")
    bad_arg = slimguard("verify", str(df), "--build-arg", "NOEQUALS", cwd=tmp_path)
    assert bad_arg.returncode == 2 and "KEY=VALUE" in bad_arg.stderr
    bad_ctx = slimguard("verify", str(df), "--context", str(tmp_path / "nodir"), cwd=tmp_path)
    assert bad_ctx.returncode == 2
    bad_target = slimguard("verify", str(df), "--target", "nosuchstage", cwd=tmp_path)
    assert bad_target.returncode == 2 and "nosuchstage" in bad_target.stderr


# ---------------------------------------------------------------------------
# the seed's openjdk:8-jre
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_openjdk_jre_gets_a_dedicated_user(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, """\
        FROM openjdk:8-jre
        CMD ["java", "-version"]
        """)
    r = verify(docker_client, df, "--smoke", "java -version 2>&1", cwd=tmp_path)
    assert r["verdict"] == "proven" and r["exit_code"] == 0
    assert [f.split()[0] for f in r["fixes"]] == ["SG001"]
    b, a = r["before"], r["after"]
    assert_probe(b, 0, 0)
    assert_probe(a, 10001, 10001)
    assert a["config_user"] == "10001:10001" and a["user_exists"] is True and a["user_name"] == "app"
    assert "openjdk version" in b["smoke"]["stdout"]
    assert a["smoke"]["exit_code"] == b["smoke"]["exit_code"] == 0
    assert a["smoke"]["stdout"] == b["smoke"]["stdout"]
    # a user costs a few kilobytes, not megabytes
    assert b["image_size"] > 300 * MB
    assert 0 <= a["image_size"] - b["image_size"] < 1 * MB
    assert b["build_tools"] == a["build_tools"] == ["curl", "wget"]


@pytest.mark.docker
def test_seed_openjdk_example_unsafe_moves_to_jre_slim(docker_client, zoo, tmp_path: Path) -> None:
    r = verify(docker_client, EXAMPLES / "openjdk-jre-user" / "Dockerfile", "--unsafe",
               "--smoke", "java -version 2>&1", cwd=tmp_path)
    assert r["verdict"] == "proven"
    assert "FROM openjdk:8-jre-slim" in r["fixed_dockerfile"]
    b, a = r["before"], r["after"]
    # the post's `groupadd java && useradd --gid java java`: the first regular ids
    assert_probe(b, 1000, 1000)
    assert_probe(a, 1000, 1000)
    assert b["config_user"] == a["config_user"] == "java" and a["user_exists"] is True
    assert a["smoke"]["stdout"] == b["smoke"]["stdout"] and "openjdk version" in a["smoke"]["stdout"]
    assert a["image_size"] < b["image_size"] - 50 * MB
    assert a["build_tools"] == [] and "curl" in b["build_tools"]
    assert a["packages"] < b["packages"]


# ---------------------------------------------------------------------------
# node
# ---------------------------------------------------------------------------

NODE_APP = {
    "package.json": '{"name": "app", "version": "1.0.0", "private": true}\n',
    "server.js": "console.log('node app: ' + [1, 2, 3].map((x) => x * 2).join(','));\n",
}
NODE_DOCKERFILE = """\
    FROM node:12.16
    WORKDIR /app
    COPY package.json server.js ./
    CMD ["node", "server.js"]
    """


@pytest.mark.docker
def test_node_app_runs_as_the_images_node_user(docker_client, zoo, tmp_path: Path) -> None:
    write(tmp_path, NODE_APP)
    df = dockerfile(tmp_path, NODE_DOCKERFILE)
    r = verify(docker_client, df, "--smoke", "node server.js", cwd=tmp_path)
    assert r["verdict"] == "proven"
    assert "USER 1000:1000" in r["fixed_dockerfile"] and "useradd" not in r["fixed_dockerfile"]
    b, a = r["before"], r["after"]
    assert_probe(b, 0, 0)
    assert_probe(a, 1000, 1000)
    assert a["user_name"] == "node" and a["user_exists"] is True
    assert b["smoke"]["stdout"] == a["smoke"]["stdout"] == "node app: 2,4,6\n"
    assert a["image_size"] == b["image_size"]  # USER is metadata only
    assert "gcc" in a["build_tools"]  # the safe fix keeps the full image


@pytest.mark.docker
def test_node_app_unsafe_moves_to_slim(docker_client, zoo, tmp_path: Path) -> None:
    write(tmp_path, NODE_APP)
    df = dockerfile(tmp_path, NODE_DOCKERFILE)
    r = verify(docker_client, df, "--unsafe", "--smoke", "node server.js", cwd=tmp_path)
    assert r["verdict"] == "proven"
    assert "FROM node:12.16-slim" in r["fixed_dockerfile"]
    b, a = r["before"], r["after"]
    assert_probe(b, 0, 0)
    assert_probe(a, 1000, 1000)
    assert b["smoke"]["stdout"] == a["smoke"]["stdout"] == "node app: 2,4,6\n"
    assert a["image_size"] < b["image_size"] / 2
    assert b["image_size"] - a["image_size"] > 500 * MB
    assert "gcc" in b["build_tools"] and "gcc" not in a["build_tools"] and "make" not in a["build_tools"]


@pytest.mark.docker
def test_seed_node_multistage_example(docker_client, zoo, tmp_path: Path) -> None:
    """examples/node-multistage: build with gcc on node:12.16, run on -slim as `node`."""
    ctx = tmp_path / "ctx"
    script = "buildfiles/usr/local/bin/my_build_script_that_uses_gcc_or_whatever.sh"
    write(ctx, {
        # `COPY buildfiles .` copies the directory's contents into / (no WORKDIR)
        script: """\
            #!/bin/sh
            set -e
            gcc -O2 -o /myartifact.bin /src/artifact.c
            """,
        "buildfiles/src/artifact.c": """\
            #include <stdio.h>
            int main(void) { printf("artifact built with gcc: %d\\n", 6 * 7); return 0; }
            """,
    }, modes={script: 0o755})
    r = verify(docker_client, EXAMPLES / "node-multistage" / "Dockerfile", "--context", str(ctx),
               "--smoke", "/myartifact.bin", cwd=tmp_path)
    assert r["verdict"] == "proven"
    b, a = r["before"], r["after"]
    assert b["config_user"] == "node" and a["config_user"] == "1000:1000"
    assert_probe(b, 1000, 1000)
    assert_probe(a, 1000, 1000)
    assert b["smoke"]["stdout"] == a["smoke"]["stdout"] == "artifact built with gcc: 42\n"
    slim = docker_client.images.get("node:12.16-slim").attrs["Size"]
    assert abs(a["image_size"] - slim) < 1 * MB and abs(b["image_size"] - a["image_size"]) < 1 * MB
    assert a["build_tools"] == []  # gcc stayed in the builder stage


# ---------------------------------------------------------------------------
# SG004: packages installed after USER
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_install_after_user_builds_once_fixed(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, """\
        FROM debian:bookworm-slim
        USER nobody
        RUN apt-get update && apt-get install -y hello
        CMD ["hello"]
        """)
    r = verify(docker_client, df, "--build-network", "host", "--smoke", "hello", cwd=tmp_path)
    b, a = r["before"], r["after"]
    assert b["build"]["ok"] is False  # apt-get as nobody: permission denied
    assert "SG004" in {f.split()[0] for f in r["fixes"]}
    assert a["build"]["ok"] is True and r["verdict"] == "proven"
    assert_probe(a, 65534, 65534)
    assert a["user_name"] == "nobody"
    assert a["smoke"]["exit_code"] == 0 and a["smoke"]["stdout"] == "Hello, world!\n"
    base = docker_client.images.get("debian:bookworm-slim").attrs["Size"]
    # hello plus nothing else: the fix also dropped recommends and the apt lists
    assert 0 < a["image_size"] - base < 5 * MB
    assert b["image_size"] is None


# ---------------------------------------------------------------------------
# SG006: a VOLUME the non-root user must write to
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_volume_is_writable_for_the_user(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, """\
        FROM debian:bookworm-slim
        RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --no-create-home app
        USER app
        VOLUME /data
        CMD ["sh", "-c", "echo ok > /data/probe && cat /data/probe"]
        """)
    r = verify(docker_client, df, "--smoke", "echo written > /data/probe && cat /data/probe", cwd=tmp_path)
    assert r["verdict"] == "proven"
    assert "SG006" in {f.split()[0] for f in r["fixes"]}
    b, a = r["before"], r["after"]
    assert_probe(b, 10001, 10001)
    assert_probe(a, 10001, 10001)
    assert b["smoke"]["exit_code"] != 0 and "Permission denied" in b["smoke"]["stderr"]
    assert a["smoke"]["exit_code"] == 0 and a["smoke"]["stdout"] == "written\n"
    assert abs(a["image_size"] - b["image_size"]) < 1 * MB
    assert any("fails on the original" in n for n in r["notes"])


# ---------------------------------------------------------------------------
# SG011 --unsafe: gcc in a single stage
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_single_stage_c_build_split_by_sg011(docker_client, zoo, tmp_path: Path) -> None:
    write(tmp_path, {"hello.c": """\
        #include <stdio.h>
        int main(void) { printf("hello from C: %d\\n", 6 * 7); return 0; }
        """})
    df = dockerfile(tmp_path, """\
        FROM buildpack-deps:bookworm
        WORKDIR /src
        COPY hello.c .
        RUN gcc -O2 -o /usr/local/bin/hello hello.c
        CMD ["hello"]
        """)
    r = verify(docker_client, df, "--unsafe", "--smoke", "hello", cwd=tmp_path)
    assert r["verdict"] == "proven"
    fixed = r["fixed_dockerfile"]
    assert "AS build" in fixed and "COPY --from=build /usr/local/bin/hello" in fixed
    b, a = r["before"], r["after"]
    assert_probe(b, 0, 0)
    assert_probe(a, 10001, 10001)
    assert b["smoke"]["stdout"] == a["smoke"]["stdout"] == "hello from C: 42\n"
    assert {"gcc", "make"} <= set(b["build_tools"])
    assert a["build_tools"] == [] and a["dev_packages"] == 0
    assert a["image_size"] < b["image_size"] / 5
    assert a["packages"] < b["packages"]


# ---------------------------------------------------------------------------
# back to root: SG001 returns to the user the Dockerfile created
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_back_to_root_returns_to_the_dockerfiles_own_user(docker_client, zoo, tmp_path: Path) -> None:
    # SG001 used to add `groupadd --system --gid 10001 app && useradd ... app` here, which fails
    # to build (exit 9: group 'app' already exists); it now goes back to the user created at line 2
    df = dockerfile(tmp_path, """\
        FROM debian:bookworm-slim
        RUN useradd -m app
        USER app
        WORKDIR /home/app
        RUN echo data > f
        USER root
        CMD ["cat", "/home/app/f"]
        """)
    r = verify(docker_client, df, "--smoke", "cat /home/app/f", cwd=tmp_path)
    assert r["verdict"] == "proven"
    assert r["fixed_dockerfile"].splitlines()[5] == "USER app" and "groupadd" not in r["fixed_dockerfile"]
    b, a = r["before"], r["after"]
    assert_probe(b, 0, 0)
    assert_probe(a, 1000, 1000)  # useradd's first regular ids
    assert a["user_name"] == "app"
    assert b["smoke"]["stdout"] == a["smoke"]["stdout"] == "data\n"
    assert a["image_size"] == b["image_size"]


# ---------------------------------------------------------------------------
# no shell in the image: distroless
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_distroless_uid_is_read_without_a_shell(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, """\
        FROM gcr.io/distroless/static-debian12:nonroot
        ENTRYPOINT ["/hello"]
        """)
    r = verify(docker_client, df, "--smoke", "/hello", cwd=tmp_path)
    assert r["verdict"] == "proven" and r["fixes"] == [] and r["same_dockerfile"] is True
    a = r["after"]
    assert_probe(a, 65532, 65532)
    assert a["user_name"] == "nonroot" and a["config_user"] == "65532:65532"
    assert a["smoke"]["exit_code"] == 0 and a["smoke"]["stdout"].strip()
    assert a["image_size"] < 2 * MB and a["package_db"] is None


# ---------------------------------------------------------------------------
# a regression is reported: exit 1
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_changed_smoke_output_is_a_regression(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, "FROM debian:bookworm-slim\nCMD [\"true\"]\n")
    r = verify(docker_client, df, "--smoke", "id -u", cwd=tmp_path, expect_rc=1)
    assert r["verdict"] == "not proven"
    assert any("stdout differs" in p for p in r["problems"])
    assert r["before"]["smoke"]["stdout"] == "0\n" and r["after"]["smoke"]["stdout"] == "10001\n"


@pytest.mark.docker
def test_user_missing_from_passwd_does_not_start(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, "FROM debian:bookworm-slim\nUSER ghost\nCMD [\"true\"]\n")
    r = verify(docker_client, df, "--smoke", "echo hi", cwd=tmp_path, expect_rc=1)
    a = r["after"]
    assert a["started"] is False and a["uid"] is None and a["user_exists"] is False
    assert "unable to find user ghost" in a["probe_error"]
    assert any("does not start" in p for p in r["problems"])


@pytest.mark.docker
def test_root_after_the_fix_is_not_proven(docker_client, zoo, tmp_path: Path) -> None:
    # back to root at the end, with a pragma that keeps SG001/SG002 from fixing it
    df = dockerfile(tmp_path, """\
        FROM debian:bookworm-slim
        # slimguard: ignore=root-user
        USER root
        CMD ["true"]
        """)
    r = verify(docker_client, df, cwd=tmp_path, expect_rc=1)
    assert any("runs as root" in p for p in r["problems"])
    assert r["after"]["uid"] == 0


# ---------------------------------------------------------------------------
# Ctrl-C: everything is removed
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_ctrl_c_removes_everything(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, "FROM debian:bookworm-slim\nCMD [\"true\"]\n")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([sys.executable, "-m", "slimguard", "verify", str(df), "--smoke", "sleep 60"],
                            cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # wait until the smoke containers run
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            running = docker_client.api.containers(filters={"label": "org.slimguard.verify"})
            mine = [c for c in running if c.get("Command", "").startswith("sleep 60")]
            if len(mine) == 2:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the smoke containers did not start")
        run_id = mine[0]["Labels"]["org.slimguard.verify"]
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert time.monotonic() - t0 < 15
    assert "interrupted" in err and "all removed" in err
    assert leftovers(docker_client, run_id) == []


# ---------------------------------------------------------------------------
# over every case
# ---------------------------------------------------------------------------

def test_a_fix_never_breaks_a_build() -> None:
    """Over every verify run of this module: what built before the fix builds after it."""
    if not REPORTS:
        pytest.skip("no verify case ran")
    broken = [r["path"] for r in REPORTS if r["before"]["build"]["ok"] and not r["after"]["build"]["ok"]]
    assert broken == []
