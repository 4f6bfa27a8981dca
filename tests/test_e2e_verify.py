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
    # a fix never turns a Dockerfile that built into one that does not (a given --after file may)
    if report["before"]["build"]["ok"] and not report.get("after_file"):
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


def test_context_is_packed_once_and_each_build_sees_the_same_files(tmp_path: Path) -> None:
    import tarfile

    from slimguard.verify import context as ctxmod

    write(tmp_path, {"app.js": "x\n", "secret.env": "A=1\n", ".dockerignore": "*.env\n"})
    with ctxmod.Context(str(tmp_path)) as ctx:
        seen = []
        for text in ("FROM a\n", "FROM b\n"):
            with ctx.with_dockerfile(text) as fh, tarfile.open(fileobj=fh) as tar:
                names = set(tar.getnames())
                ignore = tar.extractfile(".dockerignore").read().decode()  # type: ignore[union-attr]
                df = tar.extractfile(ctxmod.DOCKERFILE).read().decode()  # type: ignore[union-attr]
            seen.append((names, ignore, df))
    (n1, i1, d1), (n2, i2, d2) = seen
    assert (d1, d2) == ("FROM a\n", "FROM b\n")
    # one Dockerfile name, ignored: COPY . . sees the same files in both builds
    assert n1 == n2 == {"app.js", ".dockerignore", ctxmod.DOCKERFILE}
    assert i1 == i2 and ctxmod.DOCKERFILE in i1 and "*.env" in i1


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
# SG004: packages installed after USER -- the original does not build
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_original_that_does_not_build_is_a_one_line_error(docker_client, zoo, tmp_path: Path) -> None:
    # apt-get as nobody fails before it needs the network; the fix (SG004) would build, but there is
    # no original to compare it with: exit 2, like any other input error, and nothing is left behind
    df = dockerfile(tmp_path, """\
        FROM debian:bookworm-slim
        USER nobody
        RUN apt-get update && apt-get install -y hello
        CMD ["hello"]
        """)
    before = {c["Id"] for c in docker_client.api.containers(all=True, filters={"label": "org.slimguard.verify"})}
    proc = slimguard("verify", str(df), "--format", "json", "--smoke", "hello", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "the original Dockerfile does not build" in lines[0] and "returned a non-zero code: 100" in lines[0]
    assert "(last output: E: " in lines[0]  # apt's own error line, from the build log
    after = {c["Id"] for c in docker_client.api.containers(all=True, filters={"label": "org.slimguard.verify"})}
    assert after <= before


# ---------------------------------------------------------------------------
# the original fails its own smoke test: nothing is proven (SG006's VOLUME shape)
# ---------------------------------------------------------------------------

@pytest.mark.docker
def test_original_failing_its_own_smoke_test_is_not_proven(docker_client, zoo, tmp_path: Path) -> None:
    # the fix would make /data writable, but an original that already fails proves nothing:
    # before this was "fails on the original and passes on the fixed image" and proven
    df = dockerfile(tmp_path, """\
        FROM debian:bookworm-slim
        RUN groupadd --gid 10001 app && useradd --uid 10001 --gid 10001 --no-create-home app
        USER app
        VOLUME /data
        CMD ["sh", "-c", "echo ok > /data/probe && cat /data/probe"]
        """)
    r = verify(docker_client, df, "--smoke", "echo written > /data/probe && cat /data/probe", cwd=tmp_path,
               expect_rc=1)
    assert r["verdict"] == "not proven" and r["exit_code"] == 1
    assert "SG006" in {f.split()[0] for f in r["fixes"]}
    assert r["baseline"]["ok"] is False and "Permission denied" in r["baseline"]["reason"]
    assert len(r["problems"]) == 1
    assert r["problems"][0].startswith("the original fails its own smoke test: the smoke command exits ")
    assert r["regressions"] == [] and r["culprits"] == []  # the fixed image is not judged
    b = r["before"]
    assert_probe(b, 10001, 10001)
    assert b["smoke"]["exit_code"] != 0 and "Permission denied" in b["smoke"]["stderr"]


@pytest.mark.docker
def test_original_whose_own_command_fails_is_not_proven(docker_client, zoo, tmp_path: Path) -> None:
    # the default check (no --smoke): the image's own CMD must keep running or exit 0
    df = dockerfile(tmp_path, 'FROM busybox:latest\nCMD ["sh", "-c", "cat /etc/app.conf"]\n')
    r = verify(docker_client, df, cwd=tmp_path, expect_rc=1)
    assert r["verdict"] == "not proven"
    assert r["problems"] == ["the original fails its own smoke test: the image's own command exits 1 within 2 s: "
                             "cat: can't open '/etc/app.conf': No such file or directory"]
    assert r["check"]["kind"] == "start"


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
    df = dockerfile(tmp_path, "FROM debian:bookworm-slim\nCMD [\"true\"]\n")
    after = tmp_path / "after.Dockerfile"
    after.write_text("FROM debian:bookworm-slim\nUSER ghost\nCMD [\"true\"]\n")
    r = verify(docker_client, df, "--after", str(after), "--smoke", "echo hi", cwd=tmp_path, expect_rc=1)
    assert r["after_file"] == str(after) and r["fixes"] == []
    a = r["after"]
    assert a["started"] is False and a["uid"] is None and a["user_exists"] is False
    assert "unable to find user ghost" in a["probe_error"]
    assert any("does not start" in p for p in r["problems"])


@pytest.mark.docker
def test_original_whose_user_is_missing_fails_its_own_smoke_test(docker_client, zoo, tmp_path: Path) -> None:
    # SG002 creates the user; but the original cannot even start, so nothing is proven
    df = dockerfile(tmp_path, "FROM debian:bookworm-slim\nUSER ghost\nCMD [\"true\"]\n")
    r = verify(docker_client, df, "--smoke", "echo hi", cwd=tmp_path, expect_rc=1)
    assert r["before"]["started"] is False and "unable to find user ghost" in r["before"]["probe_error"]
    assert r["problems"][0].startswith("the original fails its own smoke test: its container does not start")


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
# pieces of the new verdict (no engine needed)
# ---------------------------------------------------------------------------

def test_probe_urls_and_responses_are_parsed() -> None:
    from slimguard.verify.server import ProbeURLError, first_exposed, parse_probe_url, parse_response

    assert (parse_probe_url("auto").port, parse_probe_url("").path) == (None, "/")
    assert parse_probe_url("http://:8080/health") .port == 8080
    assert parse_probe_url("http://:8080/health").path == "/health"
    assert (parse_probe_url("http://localhost:81/a?b=1").port, parse_probe_url("http://localhost:81/a?b=1").path) \
        == (81, "/a?b=1")
    assert (parse_probe_url(":80").port, parse_probe_url("8080").port, parse_probe_url("/x").port) == (80, 8080, None)
    assert parse_probe_url("http:///ready").path == "/ready" and parse_probe_url("http:///ready").port is None
    for bad in ("https://:443/", "http://example.com/", "http://:99999/", "http://:x/"):
        with pytest.raises(ProbeURLError):
            parse_probe_url(bad)
    # redirects come first: the last status line counts
    headers = "  HTTP/1.1 301 Moved\n  Location: /x\n  HTTP/1.0 200 OK\n  Content-Type: text/html\n"
    assert parse_response(headers) == ("HTTP/1.0 200 OK", 200)
    assert parse_response("wget: can't connect to remote host") == (None, None)
    # the first EXPOSEd port in Dockerfile order, not the lowest; else the image config's lowest
    config = {"ExposedPorts": {"80/tcp": {}, "8080/tcp": {}, "53/udp": {}}}
    assert first_exposed(config, "FROM busybox\nEXPOSE 8080\nEXPOSE 80\n") == 8080
    assert first_exposed(config, "FROM busybox\n") == 80
    assert first_exposed({}, "FROM busybox\n") is None


def _side(name: str, *, smoke_exit: int | None = 0, running: bool = False, uid: int = 0, stderr: str = ""):
    from slimguard.verify.build import BuildResult
    from slimguard.verify.probe import parse_status
    from slimguard.verify.report import Side
    from slimguard.verify.run import RunResult

    side = Side(name, f"FROM x\n# {name}\n")
    side.build = BuildResult(ok=True, image_id="sha256:" + "0" * 64)
    side.probe = RunResult(started=True, exit_code=0, stdout=f"Uid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{uid}\t{uid}\t{uid}\t{uid}\n")
    side.status = parse_status(side.probe.stdout)
    side.smoke = RunResult(started=True, exit_code=None if running else smoke_exit, timed_out=running, stderr=stderr)
    return side


def test_verdict_baseline_first_and_the_hardened_run_never_decides() -> None:
    from slimguard.verify.report import CheckSpec, Hardened, Report, baseline_failure, judge, regressions
    from slimguard.verify.run import RESTRICTED, RunResult

    spec = CheckSpec()

    def report(before, after, hardened=None):
        r = Report(path="Dockerfile", run_id="x", unsafe=False, smoke_command=None, fixes=["SG001 line 1: user"],
                   before=before, after=after, check=spec, rules=["SG001"])
        r.baseline_reason = baseline_failure(before, spec)
        if r.baseline_reason is None:
            r.regressions = regressions(before, after, spec)
        r.hardened = hardened
        judge(r)
        return r

    # "fails the same way on both images" used to be proven: now the original's failure stops it
    r = report(_side("before", smoke_exit=1, stderr="mkdir: can't create directory '/app/x': Permission denied"),
               _side("after", smoke_exit=1, uid=10001))
    assert not r.proven and r.exit_code == 1
    assert r.problems == ["the original fails its own smoke test: the image's own command exits 1 within 2 s: "
                          "mkdir: can't create directory '/app/x': Permission denied"]
    # a service still running after the start window passes; the after exiting 1 is a regression
    r = report(_side("before", running=True), _side("after", smoke_exit=1, uid=10001, stderr="boom\n"))
    assert r.problems == ["the image's own command passes on the original (running) but not on the fixed image "
                          "(exit 1: boom)"]
    # the hardened run failing is information only
    h = Hardened(RESTRICTED, smoke=RunResult(started=True, exit_code=1, stderr="sh: can't create /x: Read-only file system"))
    r = report(_side("before", running=True), _side("after", running=True, uid=10001), h)
    assert r.proven and r.exit_code == 0
    assert h.ok is False and "Read-only file system" in (h.reason or "")
    assert h.summary().startswith("does not run under the restricted profile")
    h2 = Hardened(RESTRICTED, smoke=RunResult(started=True, timed_out=True))
    r = report(_side("before", running=True), _side("after", running=True, uid=10001), h2)
    assert r.proven and h2.ok is True and h2.summary().startswith("also runs under the restricted profile")
    # still root after the fix: not proven (a goal, not a regression)
    r = report(_side("before"), _side("after"))
    assert r.regressions == [] and r.problems == ["the fixed image runs as root (uid 0)"]


def test_text_report_says_baseline_hardened_sysctl_and_culprits() -> None:
    from slimguard.verify.report import CheckSpec, Hardened, Report, Single, baseline_failure, judge, regressions
    from slimguard.verify.report import render_text
    from slimguard.verify.run import DEFAULT, RESTRICTED, RunResult

    def report(before, after, **kw):
        r = Report(path="Dockerfile", run_id="x", unsafe=False, smoke_command=None,
                   fixes=["SG001 line 1: user", "SG021 line 2: replace ADD by COPY"], before=before, after=after,
                   check=CheckSpec(), rules=["SG001", "SG021"], **kw)
        r.baseline_reason = baseline_failure(before, r.check)
        if r.baseline_reason is None:
            r.regressions = regressions(before, after, r.check)
        return r

    after = _side("after", smoke_exit=1, uid=10001, stderr="sh: can't create /app.pid: Permission denied\n")
    after.profile = DEFAULT.with_sysctls({"net.ipv4.ip_unprivileged_port_start": "1024"})
    r = report(_side("before"), after)
    r.hardened = Hardened(RESTRICTED, smoke=RunResult(started=True, exit_code=1, stderr="Read-only file system"))
    r.singles = [Single("SG001", ["SG001 line 1: user"], "", None, list(r.regressions), "regresses"),
                 Single("SG021", ["SG021 line 2: replace ADD by COPY"], "", None, [], "proven")]
    judge(r)
    text = render_text(r)
    assert "the fixed image also with --sysctl net.ipv4.ip_unprivileged_port_start=1024 (Kubernetes semantics" in text
    assert "baseline: the original passes its own smoke test" in text
    assert "hardened (extra information, not the verdict): the fixed image does not run under the restricted " \
           "profile" in text
    assert "  culprit: SG001 line 1: user — the image's own command passes on the original (exit 0) but not on " \
           "the fixed image (exit 1: sh: can't create /app.pid: Permission denied)" in text
    assert "  proven: SG021 line 2: replace ADD by COPY" in text
    assert "verdict: NOT proven" in text
    # an original that fails its own smoke test: said, and stopped there
    r = report(_side("before", smoke_exit=2, stderr="no config"), _side("after", uid=10001))
    judge(r)
    text = render_text(r)
    assert "baseline: the original fails its own smoke test: the image's own command exits 2 within 2 s: no config" \
        in text
    assert "stopped: the fixed image is not judged" in text and "verdict: NOT proven" in text
    assert "verdict: proven" not in text and "hardened" not in text


def test_new_usage_errors_exit_2(tmp_path: Path) -> None:
    df = dockerfile(tmp_path, "FROM busybox:latest\nCMD [\"true\"]\n")
    other = tmp_path / "after.Dockerfile"
    other.write_text("FROM busybox:latest\nUSER 1:1\nCMD [\"true\"]\n")
    cases = [
        (("--probe-after", "http://:8080/"), "--probe-after needs --probe"),
        (("--probe", "https://:443/"), "only http://"),
        (("--probe", "http://example.com/"), "127.0.0.1"),
        (("--probe", "auto", "--probe-body", "("), "--probe-body"),
        (("--write", "--after", str(other)), "--write"),
        (("--after", str(tmp_path / "missing")), "missing"),
    ]
    for args, needle in cases:
        proc = slimguard("verify", str(df), *args, cwd=tmp_path)
        assert proc.returncode == 2 and needle in proc.stderr, (args, proc.stderr)
    fix = slimguard("fix", "--verify", str(df), cwd=tmp_path)
    assert fix.returncode == 2 and "--verify needs --write" in fix.stderr
    assert df.read_text() == "FROM busybox:latest\nCMD [\"true\"]\n"


# ---------------------------------------------------------------------------
# the issue: an app that writes where a naive fix makes it fail
# ---------------------------------------------------------------------------

WRITER = """\
    FROM busybox:latest
    RUN mkdir /data
    CMD ["sh", "-c", "echo ok > /data/state && cat /data/state"]
    """


@pytest.mark.docker
def test_naive_user_fix_of_a_writing_app_is_not_proven(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, WRITER)
    naive = tmp_path / "naive.Dockerfile"
    naive.write_text(textwrap.dedent(WRITER).replace("CMD", "USER 10001:10001\nCMD"))
    r = verify(docker_client, df, "--after", str(naive), cwd=tmp_path, expect_rc=1)
    assert r["verdict"] == "not proven" and r["baseline"]["ok"] is True
    assert r["problems"] == ["the image's own command passes on the original (exit 0) but not on the fixed image "
                             "(exit 1: sh: can't create /data/state: Permission denied)"]
    assert_probe(r["after"], 10001, 10001)
    # the smoke check ran the way users run containers: writable root fs, default capabilities
    assert r["before"]["profile"]["read_only"] is False and r["before"]["profile"]["cap_drop_all"] is False
    assert r["before"]["smoke"]["exit_code"] == 0 and r["before"]["smoke"]["stdout"] == "ok\n"
    assert any("no culprit search" in n for n in r["notes"])


@pytest.mark.docker
def test_correct_fix_of_a_writing_app_is_proven_and_hardened_is_extra_info(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, WRITER)
    good = tmp_path / "good.Dockerfile"
    good.write_text(textwrap.dedent(WRITER).replace("RUN mkdir /data", "RUN mkdir /data && chown 10001:10001 /data")
                    .replace("CMD", "USER 10001:10001\nCMD"))
    r = verify(docker_client, df, "--after", str(good), cwd=tmp_path)
    assert r["verdict"] == "proven" and r["exit_code"] == 0 and r["problems"] == []
    assert_probe(r["after"], 10001, 10001)
    assert r["after"]["smoke"]["exit_code"] == 0
    # read-only root fs: it cannot write /data there -- reported, but the verdict stays proven
    h = r["hardened"]
    assert h["ok"] is False and "Read-only file system" in h["reason"]
    assert h["profile"]["read_only"] and h["profile"]["cap_drop_all"] and h["profile"]["no_new_privileges"]


# ---------------------------------------------------------------------------
# servers: --probe, the unprivileged-port sysctl
# ---------------------------------------------------------------------------

HTTPD = """\
    FROM busybox:latest
    RUN mkdir -p /www && echo 'hello from httpd' > /www/index.html
    EXPOSE 80
    CMD ["httpd", "-f", "-p", "80", "-h", "/www"]
    """


@pytest.mark.docker
def test_server_with_only_user_added_is_not_proven_under_the_sysctl(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, HTTPD)
    naive = tmp_path / "naive.Dockerfile"
    naive.write_text(textwrap.dedent(HTTPD).replace("EXPOSE 80", "USER 10001:10001\nEXPOSE 80"))
    r = verify(docker_client, df, "--after", str(naive), "--probe", "--timeout", "20", cwd=tmp_path, expect_rc=1)
    assert r["baseline"]["ok"] is True
    assert r["probe"]["before"]["status"] == 200 and r["probe"]["before"]["body"] == "hello from httpd\n"
    assert r["probe"]["before"]["port"] == 80 and r["probe"]["after"]["port"] == 80
    assert r["after"]["profile"]["sysctls"] == {"net.ipv4.ip_unprivileged_port_start": "1024"}
    assert r["before"]["profile"]["sysctls"] == {}
    assert r["probe"]["after"]["answered"] is False
    assert len(r["problems"]) == 1
    assert r["problems"][0].startswith("the server answers on the original (HTTP/1.1 200 OK on port 80) but not on "
                                       "the fixed image: the server exited (exit 1) before it answered on port 80")
    assert r["problems"][0].endswith("bind: Permission denied")
    # with Docker's default (any uid may bind port 80) the same file passes: the sysctl is what decides
    r = verify(docker_client, df, "--after", str(naive), "--probe", "--privileged-ports-open", "--timeout", "20",
               cwd=tmp_path)
    assert r["verdict"] == "proven" and r["after"]["profile"]["sysctls"] == {}
    assert r["probe"]["after"]["status"] == 200


@pytest.mark.docker
def test_server_moved_to_8080_is_proven_with_probe(docker_client, zoo, tmp_path: Path) -> None:
    df = dockerfile(tmp_path, HTTPD)
    moved = tmp_path / "moved.Dockerfile"
    moved.write_text(textwrap.dedent(HTTPD).replace("EXPOSE 80", "USER 10001:10001\nEXPOSE 8080")
                     .replace('"-p", "80"', '"-p", "8080"'))
    # a bare --probe: each image's own first EXPOSEd port
    r = verify(docker_client, df, "--after", str(moved), "--probe", "--timeout", "20", cwd=tmp_path)
    assert r["verdict"] == "proven"
    assert (r["probe"]["before"]["port"], r["probe"]["after"]["port"]) == (80, 8080)
    assert r["probe"]["after"]["status"] == 200 and r["probe"]["after"]["body"] == "hello from httpd\n"
    assert r["probe"]["after"]["server"]["running"] is True
    assert_probe(r["after"], 10001, 10001)
    assert r["hardened"]["ok"] is True and r["hardened"]["http"]["status"] == 200
    assert r["hardened"]["summary"].startswith("also runs under the restricted profile")
    # explicit ports and a body regex: the wrong port for the fixed image is caught
    r = verify(docker_client, df, "--after", str(moved), "--probe", "http://:80/", "--probe-after",
               "http://:8080/index.html", "--probe-body", "^hello from", "--timeout", "20", cwd=tmp_path)
    assert r["verdict"] == "proven" and r["probe"]["url_after"] == "http://:8080/index.html"
    r = verify(docker_client, df, "--after", str(moved), "--probe", "http://:80/", "--timeout", "5", cwd=tmp_path,
               expect_rc=1)
    assert "but not on the fixed image: no HTTP answer on port 80 within 5 s" in r["problems"][0]
    assert "Connection refused" in r["problems"][0]


# ---------------------------------------------------------------------------
# culprits and --write
# ---------------------------------------------------------------------------

PIDFILE_APP = {"app.sh": "echo started > /app.pid\ncat /app.pid\n"}
PIDFILE = """\
    FROM busybox:latest
    ADD app.sh /app.sh
    CMD ["sh", "/app.sh"]
    """


@pytest.mark.docker
def test_culprit_is_named(docker_client, zoo, tmp_path: Path) -> None:
    # the app writes /app.pid into /, which no user fix can make writable; ADD -> COPY is harmless
    write(tmp_path, PIDFILE_APP)
    df = dockerfile(tmp_path, PIDFILE)
    r = verify(docker_client, df, cwd=tmp_path, expect_rc=1)
    assert {f.split()[0] for f in r["fixes"]} == {"SG001", "SG021"}
    assert any("Permission denied" in p for p in r["problems"])
    assert [c["rule"] for c in r["culprits"]] == ["SG001"]
    assert "can't create /app.pid: Permission denied" in r["culprits"][0]["reason"]
    status = {s["rule"]: s["status"] for s in r["singles"]}
    assert status == {"SG001": "regresses", "SG021": "proven"}
    assert r["builds"] == 4  # before, after, each fix alone


@pytest.mark.docker
def test_write_keeps_only_the_proven_fixes(docker_client, zoo, tmp_path: Path) -> None:
    write(tmp_path, PIDFILE_APP)
    df = dockerfile(tmp_path, PIDFILE)
    original = df.read_text()
    r = verify(docker_client, df, "--write", cwd=tmp_path, expect_rc=1)
    assert [f.split()[0] for f in r["applied"]] == ["SG021"]
    assert [d["rule"] for d in r["dropped"]] == ["SG001"]
    assert "Permission denied" in r["dropped"][0]["reason"]
    assert r["written"] == str(df.resolve()) and r["write"]["still_root"] is True
    written = df.read_text()
    assert written == original.replace("ADD app.sh", "COPY app.sh")
    # the same from the fix command
    df.write_text(original)
    proc = slimguard("fix", "--write", "--verify", str(df), cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert df.read_text() == written
    assert "dropped (not proven):\n  SG001 line 1: " in proc.stdout
    assert f"{df}: fixed SG021 (proven on the engine); dropped SG001 (not proven)" in proc.stdout


@pytest.mark.docker
def test_write_applies_everything_when_all_is_proven(docker_client, zoo, tmp_path: Path) -> None:
    write(tmp_path, {"app.sh": "echo started\n"})
    df = dockerfile(tmp_path, PIDFILE)
    r = verify(docker_client, df, "--write", cwd=tmp_path)
    assert r["verdict"] == "proven" and r["dropped"] == [] and r["singles"] == []
    assert {f.split()[0] for f in r["applied"]} == {"SG001", "SG021"}
    assert df.read_text() == r["fixed_dockerfile"] and "USER 10001:10001" in df.read_text()
    assert r["builds"] == 2  # proven together: nothing alone


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
    broken = [r["path"] for r in REPORTS if r["before"]["build"]["ok"] and not r.get("after_file")
              and r["after"]["build"] is not None and not r["after"]["build"]["ok"]]
    assert broken == []
