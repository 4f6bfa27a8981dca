"""The stand-in base images mirror the structure of the official images.

Every test runs real containers (``--network none``) on the Docker engine and
removes them afterwards.
"""

from __future__ import annotations

import docker
import pytest

import zoo as zoo_mod

pytestmark = pytest.mark.docker


def run(client, image: str, cmd=None, *, entrypoint=None, user: str | None = None) -> tuple[int, str]:
    """Run a container to completion; return (exit code, stdout+stderr)."""
    c = client.containers.create(image, command=cmd, entrypoint=entrypoint, user=user, network_mode="none")
    try:
        c.start()
        rc = c.wait(timeout=300)["StatusCode"]
        out = c.logs(stdout=True, stderr=True).decode(errors="replace")
    finally:
        c.remove(force=True)
    return rc, out


def sh(client, image: str, script: str, *, user: str | None = None) -> tuple[int, str]:
    return run(client, image, [script], entrypoint=["sh", "-c"], user=user)


def found_tools(client, image: str, tools: list[str]) -> set[str]:
    rc, out = sh(client, image, "for t in " + " ".join(tools) + '; do command -v "$t" >/dev/null && echo "$t"; done; true')
    assert rc == 0, out
    return set(out.split())


def test_busybox_runs_as_root(docker_client, zoo):
    # the seed: docker run --rm --entrypoint id busybox -u  ->  0
    assert run(docker_client, "busybox", ["-u"], entrypoint="id") == (0, "0\n")
    cfg = docker_client.images.get("busybox:latest").attrs["Config"]
    assert not cfg.get("User")
    assert cfg["Cmd"] == ["sh"]
    rc, out = sh(docker_client, "busybox", "grep -E '^(root|nobody):' /etc/passwd; ls /bin/sh /bin/id")
    assert rc == 0, out
    assert "root:x:0:0:" in out and "nobody:x:65534:65534:" in out


def test_busybox_adduser_addgroup(docker_client, zoo):
    # the alpine/busybox-style user creation slimguard emits, plus adduser's defaults
    script = (
        "addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app -s /sbin/nologin app"
        " && adduser -S sys1 && adduser -D plain"
        " && grep -E '^(app|sys1|plain):' /etc/passwd && grep -E '^(app|plain):' /etc/group"
        " && ls -ld /home/plain && ! test -e /home/app && id app"
    )
    rc, out = sh(docker_client, "busybox", script)
    assert rc == 0, out
    assert "app:x:10001:10001:Linux User,,,:/home/app:/sbin/nologin" in out
    assert "sys1:x:100:65534:Linux User,,,:/home/sys1:/bin/false" in out
    assert "plain:x:1000:1000:Linux User,,,:/home/plain:/bin/sh" in out
    assert "app:x:10001:app" in out and "plain:x:1000:" in out
    assert "drwxr-sr-x" in out and "uid=10001(app) gid=10001(app)" in out
    # without -D, adduser asks for a password and fails without a terminal
    rc, out = sh(docker_client, "busybox", "adduser nopass </dev/null")
    assert rc != 0


@pytest.mark.parametrize("tag", ["node:12.16", "node:12.16-slim"])
def test_node_user_and_runtime(docker_client, zoo, tag):
    cfg = docker_client.images.get(tag).attrs["Config"]
    assert not cfg.get("User"), "the official node images run as root"
    assert cfg["Cmd"] == ["node"]
    assert cfg["Entrypoint"] == ["docker-entrypoint.sh"]
    assert run(docker_client, tag, ["-u"], entrypoint="id") == (0, "0\n")
    rc, out = run(docker_client, tag, ["sh", "-c", "id node; getent passwd node; node --version; npm --version"])
    assert rc == 0, out
    assert "uid=1000(node) gid=1000(node)" in out
    assert "node:x:1000:1000::/home/node:/bin/bash" in out
    assert "\nv" in out  # node --version
    # the entrypoint hands options to node, as upstream's docker-entrypoint.sh does
    rc, out = run(docker_client, tag, ["-e", "console.log(process.getuid())"], user="node")
    assert (rc, out) == (0, "1000\n")


def test_openjdk_jre_has_no_javac(docker_client, zoo):
    for tag in ("openjdk:8-jre", "openjdk:8-jre-slim"):
        rc, out = sh(docker_client, tag, 'java -version 2>&1 && echo "JAVA_HOME=$JAVA_HOME" && ls "$JAVA_HOME/bin/java"')
        assert rc == 0, f"{tag}: {out}"
        assert 'version "17' in out and "JAVA_HOME=/usr/local/openjdk-8" in out
        assert "javac" not in found_tools(docker_client, tag, ["java", "javac"])
    assert run(docker_client, "openjdk:8-jre", ["-u"], entrypoint="id") == (0, "0\n")


def test_openjdk_default_tag_is_a_jdk(docker_client, zoo):
    rc, out = sh(docker_client, "openjdk:8", "javac -version 2>&1 && command -v javac")
    assert rc == 0, out
    assert "javac 17" in out and out.strip().endswith("/usr/local/openjdk-8/bin/javac")
    assert run(docker_client, "openjdk:8", ["-u"], entrypoint="id") == (0, "0\n")
    assert zoo["openjdk:8-jdk"] == zoo["openjdk:8"]


def test_toolchains_in_default_tags_only(docker_client, zoo):
    tools = ["gcc", "g++", "make", "git", "curl", "wget"]
    assert found_tools(docker_client, "buildpack-deps:bookworm", tools) == set(tools)
    assert found_tools(docker_client, "node:12.16", ["gcc", "make", "git"]) == {"gcc", "make", "git"}
    assert found_tools(docker_client, "openjdk:8", ["git", "gcc"]) == {"git"}  # FROM *-scm
    for slim in ("debian:bookworm-slim", "node:12.16-slim", "openjdk:8-jre-slim"):
        assert found_tools(docker_client, slim, tools) == set(), slim
    rc, out = sh(docker_client, "buildpack-deps:bookworm", "ls /usr/include/zlib.h /usr/include/openssl/ssl.h")
    assert rc == 0, out


def test_debian_slim_drops_docs(docker_client, zoo):
    script = "find /usr/share/doc -type f ! -name copyright | wc -l; ls /usr/share/man | wc -l; ls /usr/share/locale | wc -l"
    rc, full = sh(docker_client, "debian:bookworm", script)
    assert rc == 0, full
    rc, slim = sh(docker_client, "debian:bookworm-slim", script)
    assert rc == 0, slim
    assert all(int(n) > 0 for n in full.split()), full
    assert [int(n) for n in slim.split()] == [0, 0, 0], slim
    # useradd works on slim, as in the official slim-based images
    rc, out = sh(docker_client, "debian:bookworm-slim", "useradd --uid 10001 app && id -u app")
    assert (rc, out) == (0, "10001\n")


def test_slim_much_smaller(docker_client, zoo):
    sizes = {t: docker_client.images.get(t).attrs["Size"] for t in zoo_mod.RECIPES}
    for t, s in sorted(sizes.items(), key=lambda kv: kv[1]):
        print(f"{t:45} {s / 1e6:8.1f} MB")
    assert sizes["node:12.16"] > 3 * sizes["node:12.16-slim"]
    assert sizes["openjdk:8"] > sizes["openjdk:8-jre"] > sizes["openjdk:8-jre-slim"]
    assert sizes["debian:bookworm"] > sizes["debian:bookworm-slim"]
    assert sizes["busybox:latest"] < 5e6
    assert sizes["gcr.io/distroless/static-debian12:nonroot"] < 5e6


def test_distroless_nonroot_without_shell(docker_client, zoo):
    tag = "gcr.io/distroless/static-debian12:nonroot"
    cfg = docker_client.images.get(tag).attrs["Config"]
    assert cfg["User"] == "65532:65532"
    assert cfg["WorkingDir"] == "/home/nonroot"
    rc, out = run(docker_client, tag, ["/hello"])
    assert (rc, out) == (0, "hello from the slimguard zoo: uid=65532 gid=65532\n")
    c = docker_client.containers.create(tag, command=["/hello"], network_mode="none")
    try:
        for path in ("/bin/sh", "/bin", "/usr/bin/env", "/bin/busybox"):
            with pytest.raises(docker.errors.NotFound):
                c.get_archive(path)
        bits, _ = c.get_archive("/etc/passwd")
        assert b"nonroot:x:65532:65532:" in b"".join(bits)
    finally:
        c.remove(force=True)
    with pytest.raises(docker.errors.APIError):
        run(docker_client, tag, ["/bin/sh", "-c", "true"])


def test_labels_and_aliases(docker_client, zoo):
    for tag in zoo_mod.RECIPES:
        labels = docker_client.images.get(tag).attrs["Config"]["Labels"]
        assert labels[zoo_mod.LABEL] == zoo_mod.recipe_hash(tag), tag
        assert labels[zoo_mod.LABEL_TAG] == tag
    for alias, tag in zoo_mod.ALIASES.items():
        assert docker_client.images.get(alias).id == zoo[tag], alias


def test_second_ensure_is_a_cache_hit(docker_client, zoo):
    before = zoo_mod.BUILD_COUNT
    res = zoo_mod.ensure_report()
    assert res.built == []
    assert sorted(res.cached) == sorted(zoo_mod.RECIPES)
    assert zoo_mod.BUILD_COUNT == before
    assert res.images == zoo
    # a subset resolves aliases and pulls in parents, still without building
    res = zoo_mod.ensure_report(["node:12"])
    assert res.built == [] and res.cached[-1] == "node:12.16" and "debian:bookworm" in res.cached
