"""The semantic model: stages, scopes, users, ports, volumes, packages."""

from __future__ import annotations

from slimguard import parse
from slimguard.dockerfile.model import build_model


def model(text: str, build_args=None, base_user=lambda image: None):
    tree = parse(text)
    assert not tree.errors, tree.errors
    return build_model(tree, build_args or {}, base_user=base_user)


def test_stages_and_base_references():
    m = model(
        "ARG TAG=12.16\n"
        "FROM node:${TAG} AS build\n"
        "FROM --platform=$BUILDPLATFORM gcr.io/distroless/static-debian12:nonroot@sha256:" + "a" * 64 + " AS run\n"
        "FROM build\n"
        "FROM localhost:5000/team/app\n"
        "FROM scratch\n"
    )
    build, run, child, local, scratch = m.stages
    assert build.name == "build" and build.base.text == "node:12.16"
    assert str(build.base.image) == "docker.io/library/node:12.16"
    assert run.base.image.registry == "gcr.io" and run.base.image.digest.startswith("sha256:")
    assert run.base.platform == "linux/amd64"
    assert child.base.stage is build and child.parent is build and child.root_base is build.base
    assert local.base.image.registry == "localhost:5000" and local.base.image.implied_latest
    assert scratch.base.is_scratch
    assert m.stage("BUILD") is build and m.stage(1) is run and m.final is scratch


def test_stage_graph_copy_from_by_name_index_and_image():
    m = model(
        "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
        "FROM alpine:3.20 AS certs\n"
        "FROM scratch\nCOPY --from=build /app /app\nCOPY --from=1 /etc/ssl /etc/ssl\n"
        "COPY --from=nginx:1.25 /etc/nginx/nginx.conf /x\n"
        "RUN --mount=type=bind,from=certs,target=/c true\n"
    )
    final = m.final
    assert [(c.source, c.stage.label if c.stage else None) for c in final.copies_from] == [
        ("build", "build"), ("1", "certs"), ("nginx:1.25", None)]
    assert [s.label for s in m.needed_stages(final)] == ["build", "certs", "2"]


def test_arg_env_scoping_and_substitution():
    m = model(
        "ARG VERSION=1.0\nARG UNUSED\n"
        "FROM alpine:3.20\n"
        "RUN echo $VERSION\n"          # global ARG not visible without redeclaration
        "ARG VERSION\n"
        "ENV APP=/opt/app-${VERSION} MODE=${MODE:-prod}\n"
        "ENV DERIVED=$APP/bin\n"
        "WORKDIR ${APP}\n"
        "WORKDIR sub\n"
        "ARG LOCAL=x\n"
        "ENV LOCAL=y\n"
        "USER ${LOCAL}\n",
        build_args={"MODE": "ignored-not-declared"},
    )
    st = m.final
    steps = {s.instruction.start_line: s for s in st.steps}
    assert "VERSION" not in steps[4].env
    assert st.env["APP"] == "/opt/app-1.0" and st.env["MODE"] == "prod"
    assert st.env["DERIVED"] == "/opt/app-1.0/bin"
    assert st.workdir == "/opt/app-1.0/sub"
    assert st.user.text == "y"  # ENV wins over ARG
    assert m.global_args == {"VERSION": "1.0", "UNUSED": ""}


def test_build_arg_overrides():
    m = model("ARG BASE=debian:bookworm\nFROM ${BASE}\nARG UID=1000\nUSER ${UID}\n",
              build_args={"BASE": "alpine:3.20", "UID": "10001"})
    assert m.final.base.text == "alpine:3.20"
    assert m.final.user.text == "10001" and m.final.user.uid == 10001


def test_unresolved_variables_are_recorded():
    m = model("ARG BASE\nFROM ${BASE}\nUSER ${WHO}\n")
    assert m.final.base.unresolved == frozenset({"BASE"})
    assert "WHO" in m.final.steps[-1].unresolved


def test_effective_user_per_instruction_and_inheritance():
    m = model(
        "FROM node:12.16 AS base\nRUN id\nUSER node\nRUN id\nUSER root\nRUN apt-get update\nUSER node\n"
        "FROM base\nRUN whoami\n",
        base_user=lambda image: "",
    )
    base, child = m.stages
    users = [(s.instruction.name, s.user.text or "root") for s in base.steps]
    assert users == [("RUN", "root"), ("USER", "root"), ("RUN", "node"), ("USER", "node"),
                     ("RUN", "root"), ("USER", "root")]
    assert child.steps[0].user.text == "node" and child.steps[0].user.source == "stage"
    assert child.start_user.is_root is False


def test_base_default_user_from_resolver():
    m = model("FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n",
              base_user=lambda image: "65532")
    assert m.final.user.text == "65532" and m.final.user.source == "base" and m.final.user.is_root is False
    m = model("FROM mystery/image:1\n")
    assert m.final.user.source == "unknown" and m.final.user.is_root is None
    m = model("FROM debian:bookworm\n", base_user=lambda image: "")
    assert m.final.user.source == "default" and m.final.user.is_root is True


def test_user_forms():
    for text, root in [("root", True), ("0", True), ("0:0", True), ("root:staff", True), ("app", False),
                       ("1000:1000", False), ("app:0", False)]:
        m = model(f"FROM scratch\nUSER {text}\n")
        assert m.final.user.is_root is root, text


def test_expose_ranges_protocols_variables():
    m = model("FROM alpine:3.20\nARG PORT=8443\nEXPOSE 80 443/tcp 53/udp 8000-8010 ${PORT} bogus\n")
    specs = [(p.text, p.start, p.end, p.protocol) for p, _ in m.final.exposed]
    assert specs == [("80", 80, 80, "tcp"), ("443/tcp", 443, 443, "tcp"), ("53/udp", 53, 53, "udp"),
                     ("8000-8010", 8000, 8010, "tcp"), ("8443", 8443, 8443, "tcp"), ("bogus", None, None, "tcp")]
    assert [p.is_privileged for p, _ in m.final.exposed][:3] == [True, True, True]


def test_volumes_shell_cmd_entrypoint():
    m = model('FROM alpine:3.20\nVOLUME ["/data", "/logs"]\nVOLUME /cache\nSHELL ["/bin/ash", "-eo", "pipefail", "-c"]\n'
              'ENTRYPOINT ["/app"]\nCMD ["--serve"]\n')
    st = m.final
    assert [v.path for v in st.volumes] == ["/data", "/logs", "/cache"]
    assert st.shell == ["/bin/ash", "-eo", "pipefail", "-c"]
    assert st.entrypoint.json_args == ["/app"] and st.cmd.json_args == ["--serve"]


def test_packages_from_a_real_shell_parse():
    m = model(
        "FROM debian:bookworm\n"
        "RUN set -eux; \\\n"
        "    apt-get update; \\\n"
        "    apt-get install -y --no-install-recommends gcc make=4.3-4.1 && \\\n"
        "    (cd /src && make) || true; \\\n"
        "    apt-get purge -y gcc; rm -rf /var/lib/apt/lists/*\n"
        "RUN groupadd -g 10001 app && useradd -u 10001 -g app app && chown -R app:app /data && chmod u+s /bin/x\n"
        "RUN curl -fsSL https://example.com/install.sh | sh\n"
        'RUN ["apt-get", "install", "-y", "curl"]\n'
        "RUN <<EOF\napk add --no-cache --virtual .deps gcc\napk del .deps\nEOF\n"
        "ONBUILD RUN pip install --no-cache-dir flask==3.0\n"
    )
    steps = [s for s in m.final.steps if s.run is not None]
    ops = [[type(o).__name__ for o in s.run.script.operations] for s in steps]
    pkg = [o for o in steps[0].run.script.operations if type(o).__name__ == "PackageOp"]
    assert [(o.manager, o.action, list(o.packages)) for o in pkg] == [
        ("apt", "update", []), ("apt", "install", ["gcc", "make=4.3-4.1"]), ("apt", "remove", ["gcc"])]
    assert pkg[1].has_flag("--no-install-recommends") and pkg[1].has_flag("-y")
    assert "CacheCleanup" in ops[0]
    assert ops[1].count("UserOp") == 2 and "ChownOp" in ops[1] and "ChmodOp" in ops[1]
    dl = [o for o in steps[2].run.script.operations if type(o).__name__ == "Download"]
    assert dl and dl[0].piped_to_shell
    assert steps[3].run.form == "exec" and steps[3].run.script.operations[0].packages == ("curl",)
    assert steps[4].run.form == "heredoc"
    apk = [o for o in steps[4].run.script.operations if type(o).__name__ == "PackageOp"]
    assert apk[0].virtual == ".deps" and apk[1].action == "remove"
    assert steps[5].in_onbuild and steps[5].run.script.operations[0].manager == "pip"
    # spans of shell commands map back to the Dockerfile
    span = steps[0].run.span_of(pkg[1].command.start, pkg[1].command.end)
    assert (span.start.line, span.start.column) == (4, 5)


def test_windows_shell_is_not_parsed_as_posix():
    m = model('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\n'
              "RUN Get-ChildItem C:\\\n")
    assert m.final.steps[-1].run is None
