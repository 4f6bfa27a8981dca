"""Tests for slimguard.dockerfile.shell classification: packages, users, permissions, downloads..."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from slimguard.dockerfile.shell import (
    Build,
    CacheCleanup,
    ChmodOp,
    ChownOp,
    Download,
    FileWrite,
    Operation,
    PackageOp,
    PrivilegeTool,
    ShellScript,
    UserOp,
    analyze,
    analyze_argv,
    cache_kind,
    classify_command,
    decode_mode,
)


def pkgs(script: str) -> list[PackageOp]:
    return list(analyze(script).of_type(PackageOp))


def pkg(script: str) -> PackageOp:
    found = pkgs(script)
    assert len(found) == 1, found
    return found[0]


def users(script: str) -> list[UserOp]:
    return list(analyze(script).of_type(UserOp))


def user(script: str) -> UserOp:
    found = users(script)
    assert len(found) == 1, found
    return found[0]


def kinds(result: ShellScript) -> list[str]:
    return [type(op).__name__ for op in result.operations]


# --------------------------------------------------------------------------- apt / dpkg


def test_apt_get_install_debian_style() -> None:
    op = pkg("apt-get install -y --no-install-recommends ca-certificates curl=7.88.1-10* "
             "libssl-dev")
    assert (op.manager, op.tool, op.action) == ("apt", "apt-get", "install")
    assert op.packages == ("ca-certificates", "curl=7.88.1-10*", "libssl-dev")
    assert op.flags == ("-y", "--no-install-recommends")
    assert op.assume_yes
    assert op.has_flag("--no-install-recommends")
    assert op.command.name == "apt-get"


@pytest.mark.parametrize(
    ("flags", "yes"),
    [("-y", True), ("-yq", True), ("-qy", True), ("-qqy", True), ("--yes", True),
     ("--assume-yes", True), ("-qq", True), ("-q=2", True), ("-q", False), ("", False),
     ("-o APT::Get::Assume-Yes=true", True), ("--no-install-recommends", False)],
)
def test_apt_assume_yes(flags: str, yes: bool) -> None:
    assert pkg(f"apt-get install {flags} curl").assume_yes is yes


@pytest.mark.parametrize(
    ("script", "action", "packages"),
    [
        ("apt-get update", "update", ()),
        ("apt-get -y upgrade", "upgrade", ()),
        ("apt-get dist-upgrade -y", "upgrade", ()),
        ("apt full-upgrade", "upgrade", ()),
        ("apt-get purge -y --auto-remove gcc make", "remove", ("gcc", "make")),
        ("apt-get remove -y x", "remove", ("x",)),
        ("apt-get autoremove -y", "remove", ()),
        ("apt-get clean", "clean", ()),
        ("apt-get install -y", "install", ()),
        ("apt install -y ./pkg.deb", "install", ("./pkg.deb",)),
        ("aptitude install -y vim", "install", ("vim",)),
        ("apt-get -t bookworm-backports install -y golang", "install", ("golang",)),
        ("apt-get install -y -o Dpkg::Options::=--force-confold x", "install", ("x",)),
        ('apt-get install -y $PKGS "$EXTRA"', "install", ("$PKGS", '"$EXTRA"')),
    ],
)
def test_apt_actions(script: str, action: str, packages: tuple[str, ...]) -> None:
    op = pkg(script)
    assert op.manager == "apt"
    assert op.action == action
    assert op.packages == packages


def test_apt_non_package_subcommands_are_ignored() -> None:
    assert pkgs("apt-get source x; apt-cache policy x; apt list --installed") == []


def test_apt_get_clean_is_cache_cleanup() -> None:
    result = analyze("apt-get clean")
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["apt-cache"]


def test_dpkg() -> None:
    assert pkg("dpkg -i /tmp/x.deb").action == "install"
    assert pkg("dpkg --purge x").action == "remove"
    assert pkg("dpkg -r x").packages == ("x",)
    assert pkgs("dpkg --add-architecture i386; dpkg -l") == []


# --------------------------------------------------------------------------- apk


def test_apk_build_deps_virtual_flow() -> None:
    script = ("apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev "
              "&& pip install --no-cache-dir cryptography && apk del --no-network .build-deps")
    ops = pkgs(script)
    assert [(o.manager, o.action) for o in ops] == [
        ("apk", "install"), ("pip", "install"), ("apk", "remove")]
    add, _, delete = ops
    assert add.virtual == ".build-deps"
    assert add.packages == ("gcc", "musl-dev", "libffi-dev")
    assert "--no-cache" in add.flags
    assert delete.packages == (".build-deps",)


def test_apk_variants() -> None:
    assert pkg("apk add -t .deps gcc").virtual == ".deps"
    assert pkg("apk add --virtual=.deps gcc").virtual == ".deps"
    op = pkg("apk --no-cache add curl=8.5.0-r0")
    assert op.packages == ("curl=8.5.0-r0",) and op.has_flag("--no-cache")
    assert pkg("apk update").action == "update"
    assert pkg("apk upgrade --no-cache").action == "upgrade"
    op = pkg("apk add --update -X https://dl-cdn.alpinelinux.org/alpine/edge/testing x")
    assert op.packages == ("x",) and op.has_flag("--update")
    result = analyze("apk cache clean")
    assert [o.action for o in result.of_type(PackageOp)] == ["clean"]
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["apk-cache"]


# --------------------------------------------------------------------------- dnf family


def test_rhel_microdnf_shadow_utils_flow() -> None:
    script = ("microdnf install -y shadow-utils && groupadd -r --gid 10001 app && "
              "useradd -r -g app --uid 10001 app && microdnf remove -y shadow-utils && "
              "microdnf clean all")
    result = analyze(script)
    ops = list(result.of_type(PackageOp))
    assert [(o.tool, o.manager, o.action, o.packages) for o in ops] == [
        ("microdnf", "dnf", "install", ("shadow-utils",)),
        ("microdnf", "dnf", "remove", ("shadow-utils",)),
        ("microdnf", "dnf", "clean", ("all",)),
    ]
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["dnf-cache"]
    group, usr = result.of_type(UserOp)
    assert (group.kind, group.name, group.gid, group.system) == ("group", "app", 10001, True)
    assert (usr.kind, usr.name, usr.uid, usr.gid, usr.group, usr.system) == (
        "user", "app", 10001, "app", "app", True)


@pytest.mark.parametrize(
    ("script", "tool", "action", "packages"),
    [
        ("yum install -y httpd-2.4.57", "yum", "install", ("httpd-2.4.57",)),
        ("yum -y update", "yum", "upgrade", ()),
        ("yum makecache", "yum", "update", ()),
        ("yum clean all", "yum", "clean", ("all",)),
        ("dnf install -y --setopt=install_weak_deps=False --nodocs python3", "dnf", "install",
         ("python3",)),
        ("dnf --enablerepo crb install -y x", "dnf", "install", ("x",)),
        ("dnf -y upgrade", "dnf", "upgrade", ()),
        ("dnf erase -y x", "dnf", "remove", ("x",)),
        ("dnf group install -y 'Development Tools'", "dnf", "install", ("Development Tools",)),
        ("tdnf install -y shadow", "tdnf", "install", ("shadow",)),
        ("microdnf --nodocs install -y git", "microdnf", "install", ("git",)),
    ],
)
def test_dnf_family(script: str, tool: str, action: str, packages: tuple[str, ...]) -> None:
    op = pkg(script)
    assert (op.manager, op.tool, op.action, op.packages) == ("dnf", tool, action, packages)


def test_dnf_assume_yes() -> None:
    assert pkg("yum install -y x").assume_yes
    assert pkg("dnf install --assumeyes x").assume_yes
    assert not pkg("yum install x").assume_yes


# --------------------------------------------------------------------------- zypper


def test_zypper() -> None:
    op = pkg("zypper --non-interactive install --no-recommends curl=8.0")
    assert (op.manager, op.action, op.packages) == ("zypper", "install", ("curl=8.0",))
    assert op.assume_yes
    assert pkg("zypper -n in -y git").packages == ("git",)
    assert pkg("zypper refresh").action == "update"
    assert pkg("zypper dup -y").action == "upgrade"
    assert not pkg("zypper install git").assume_yes
    result = analyze("zypper clean -a")
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["zypper-cache"]


# --------------------------------------------------------------------------- pip and friends


@pytest.mark.parametrize(
    ("script", "tool", "action", "packages", "sources"),
    [
        ("pip install --no-cache-dir flask==2.0 'gunicorn>=21'", "pip", "install",
         ("flask==2.0", "gunicorn>=21"), ()),
        ("pip3 install -r requirements.txt", "pip3", "install", (), ("requirements.txt",)),
        ("pip3.11 install --requirement=req.txt x", "pip3.11", "install", ("x",), ("req.txt",)),
        ("pip install .", "pip", "install", (".",), ()),
        ("pip install -e .", "pip", "install", (".",), ()),
        ("pip install --upgrade pip setuptools wheel", "pip", "install",
         ("pip", "setuptools", "wheel"), ()),
        ("python -m pip install --user x", "python -m pip", "install", ("x",), ()),
        ("python3 -m pip install -i https://pypi.example/simple x", "python3 -m pip", "install",
         ("x",), ()),
        ("/usr/local/bin/python3.12 -m pip install x", "python3.12 -m pip", "install", ("x",),
         ()),
        ("pip --no-cache-dir install x", "pip", "install", ("x",), ()),
        ("uv pip install --system -r requirements.txt", "uv pip", "install", (),
         ("requirements.txt",)),
        ("pip uninstall -y setuptools", "pip", "remove", ("setuptools",), ()),
        ("pip install --target /deps -c constraints.txt x", "pip", "install", ("x",), ()),
    ],
)
def test_pip(script: str, tool: str, action: str, packages: tuple[str, ...],
             sources: tuple[str, ...]) -> None:
    op = pkg(script)
    assert (op.manager, op.tool, op.action, op.packages, op.sources) == (
        "pip", tool, action, packages, sources)


def test_pip_flags() -> None:
    op = pkg("pip install --no-cache-dir -U x")
    assert op.flags == ("--no-cache-dir", "-U")
    assert op.has_flag("--no-cache-dir")
    assert op.option_values("--target") == ()


def test_pip_cache_purge() -> None:
    result = analyze("pip cache purge")
    assert pkg("pip cache purge").action == "clean"
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["pip-cache"]


def test_python_without_pip_is_not_a_package_op() -> None:
    assert pkgs("python -m venv /venv; python3 app.py install; python -c 'import pip'") == []


def test_other_python_tools() -> None:
    assert pkg("uv sync --frozen --no-dev").action == "install"
    assert pkg("pipx install poetry").packages == ("poetry",)
    assert pkg("poetry install --no-root --only main").action == "install"


# --------------------------------------------------------------------------- node


@pytest.mark.parametrize(
    ("script", "manager", "action", "packages"),
    [
        ("npm ci --omit=dev", "npm", "ci", ()),
        ("npm install", "npm", "install", ()),
        ("npm i -g left-pad@1.3.0 typescript", "npm", "install", ("left-pad@1.3.0", "typescript")),
        ("npm install --production --no-audit", "npm", "install", ()),
        ("npm uninstall x", "npm", "remove", ("x",)),
        ("npm prune --production", "npm", "remove", ()),
        ("npm update", "npm", "upgrade", ()),
        ("yarn", "yarn", "install", ()),
        ("yarn install --frozen-lockfile --production", "yarn", "install", ()),
        ("yarn add react@18", "yarn", "install", ("react@18",)),
        ("yarn global add pm2", "yarn", "install", ("pm2",)),
        ("yarn workspaces focus --production", "yarn", "install", ()),
        ("pnpm install --frozen-lockfile --prod", "pnpm", "install", ()),
        ("pnpm add -D vite", "pnpm", "install", ("vite",)),
        ("pnpm fetch --prod", "pnpm", "install", ()),
    ],
)
def test_node_managers(script: str, manager: str, action: str,
                       packages: tuple[str, ...]) -> None:
    op = pkg(script)
    assert (op.manager, op.action, op.packages) == (manager, action, packages)


def test_node_cache_cleanups() -> None:
    result = analyze("npm cache clean --force && yarn cache clean && pnpm store prune")
    assert [(o.manager, o.action) for o in result.of_type(PackageOp)] == [
        ("npm", "clean"), ("yarn", "clean"), ("pnpm", "clean")]
    assert [c.kind for c in result.of_type(CacheCleanup)] == [
        "npm-cache", "yarn-cache", "pnpm-store"]


def test_npm_run_is_not_a_package_op() -> None:
    result = analyze("npm run build; yarn build; npm test; npm start")
    assert list(result.of_type(PackageOp)) == []
    assert [b.target for b in result.of_type(Build)] == ["build", "build"]


# ------------------------------------------------------------- gem / go / cargo / conda


def test_gem_and_bundler() -> None:
    op = pkg("gem install bundler -v 2.5.6 --no-document")
    assert (op.manager, op.action, op.packages) == ("gem", "install", ("bundler",))
    assert op.option_values("-v") == ("2.5.6",)
    op = pkg("bundle install --jobs 4 --retry 3")
    assert (op.manager, op.tool, op.action) == ("gem", "bundle", "install")
    assert pkg("gem uninstall -x x").action == "remove"


def test_go() -> None:
    op = pkg("go install github.com/go-delve/delve/cmd/dlv@v1.22.0")
    assert op.packages == ("github.com/go-delve/delve/cmd/dlv@v1.22.0",)
    assert pkg("go mod download").action == "install"
    assert pkg("go get -u ./...").packages == ("./...",)
    result = analyze("go clean -modcache")
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["go-cache"]
    assert pkgs("go build ./...; go test ./...") == []


def test_cargo() -> None:
    op = pkg("cargo install --locked ripgrep@14.1.0")
    assert (op.manager, op.action, op.packages) == ("cargo", "install", ("ripgrep@14.1.0",))
    assert pkg("cargo install --path .").sources == (".",)
    assert pkg("cargo fetch").action == "install"


def test_conda() -> None:
    op = pkg("conda install -y -c conda-forge numpy=1.26 pandas")
    assert (op.manager, op.action, op.packages) == ("conda", "install", ("numpy=1.26", "pandas"))
    assert op.assume_yes
    op = pkg("conda env create -f environment.yml")
    assert (op.action, op.sources) == ("install", ("environment.yml",))
    op = pkg("mamba create -n app python=3.12")
    assert (op.tool, op.packages) == ("mamba", ("python=3.12",))
    result = analyze("conda clean -afy")
    clean = pkg("conda clean -afy")
    assert clean.action == "clean" and clean.sources == ()
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["conda-cache"]


# --------------------------------------------------------------------------- users


def test_debian_useradd_groupadd() -> None:
    group, usr = users("groupadd --system --gid 10001 app && useradd --system --uid 10001 "
                       "--gid app --no-create-home --home /nonexistent --shell /bin/false app")
    assert (group.tool, group.kind, group.name, group.gid, group.system) == (
        "groupadd", "group", "app", 10001, True)
    assert (usr.tool, usr.kind, usr.name, usr.uid, usr.gid, usr.group) == (
        "useradd", "user", "app", 10001, "app", "app")
    assert (usr.system, usr.home, usr.create_home, usr.shell) == (
        True, "/nonexistent", False, "/bin/false")


def test_useradd_short_options() -> None:
    usr = user("useradd -l -r -m -u 1001 -g 0 -G audio,video -s /sbin/nologin -d /app app")
    assert (usr.uid, usr.gid, usr.group, usr.groups) == (1001, 0, None, ("audio", "video"))
    assert (usr.create_home, usr.home, usr.shell, usr.system) == (True, "/app", "/sbin/nologin",
                                                                 True)
    assert "-l" in usr.flags
    assert user("useradd app").create_home is None


def test_debian_adduser_system_group() -> None:
    group, usr = users("adduser --system --uid 1001 --group app")
    assert (group.kind, group.name, group.system) == ("group", "app", True)
    assert (usr.kind, usr.name, usr.uid, usr.group, usr.system, usr.create_home) == (
        "user", "app", 1001, "app", True, False)


def test_debian_adduser_disabled_password() -> None:
    usr = user('adduser --disabled-password --gecos "" --uid 1000 --ingroup staff appuser')
    assert (usr.tool, usr.kind, usr.name, usr.uid, usr.gid, usr.group) == (
        "adduser", "user", "appuser", 1000, "staff", "staff")
    assert usr.create_home is True
    assert not usr.system


def test_debian_adduser_home_and_shell() -> None:
    usr = user("adduser --system --home /srv/app --shell /usr/sbin/nologin --no-create-home app")
    assert (usr.home, usr.shell, usr.create_home) == ("/srv/app", "/usr/sbin/nologin", False)


def test_busybox_adduser_addgroup() -> None:
    group, usr = users("addgroup -S -g 1000 app && adduser -S -D -H -u 1000 -G app "
                       "-s /sbin/nologin -h /app app")
    assert (group.tool, group.kind, group.name, group.gid, group.system) == (
        "addgroup", "group", "app", 1000, True)
    assert (usr.tool, usr.kind, usr.name, usr.uid, usr.gid, usr.group) == (
        "adduser", "user", "app", 1000, "app", "app")
    assert (usr.system, usr.create_home, usr.shell, usr.home) == (True, False, "/sbin/nologin",
                                                                 "/app")
    assert user("adduser -D app").create_home is True


def test_addgroup_debian_style() -> None:
    group = user("addgroup --system --gid 1000 app")
    assert (group.kind, group.name, group.gid, group.system) == ("group", "app", 1000, True)


@pytest.mark.parametrize(
    ("script", "tool", "name", "group"),
    [
        ("addgroup app wheel", "addgroup", "app", "wheel"),
        ("adduser app docker", "adduser", "app", "docker"),
        ("gpasswd -a app sudo", "gpasswd", "app", "sudo"),
    ],
)
def test_membership(script: str, tool: str, name: str, group: str) -> None:
    op = user(script)
    assert (op.tool, op.kind, op.name, op.group) == (tool, "membership", name, group)


def test_usermod() -> None:
    ops = users("usermod -aG sudo,docker app")
    assert [(o.kind, o.name, o.group) for o in ops] == [
        ("membership", "app", "sudo"), ("membership", "app", "docker")]
    op = user("usermod -u 2000 -s /bin/bash app")
    assert (op.kind, op.action, op.uid, op.shell) == ("user", "modify", 2000, "/bin/bash")


def test_user_deletion() -> None:
    assert [(o.tool, o.kind, o.name, o.action) for o in users(
        "userdel -r ubuntu; deluser --remove-home node; groupdel g; delgroup app wheel")] == [
        ("userdel", "user", "ubuntu", "delete"), ("deluser", "user", "node", "delete"),
        ("groupdel", "group", "g", "delete"), ("delgroup", "membership", "app", "delete")]


def test_passwd_file_lines() -> None:
    ops = users("echo 'app:x:1000:1000::/home/app:/sbin/nologin' >> /etc/passwd && "
                "echo 'app:x:1000:' >> /etc/group")
    usr, group = ops
    assert (usr.tool, usr.kind, usr.name, usr.uid, usr.gid, usr.home, usr.shell) == (
        "passwd-file", "user", "app", 1000, 1000, "/home/app", "/sbin/nologin")
    assert (group.kind, group.name, group.gid) == ("group", "app", 1000)


def test_passwd_file_variants() -> None:
    assert user('printf "root2:x:0:0::/root:/bin/sh\\n" >> /etc/passwd').uid == 0
    assert user("echo 'svc:x:999:999::/:/bin/false' | tee -a /etc/passwd").name == "svc"
    ops = users("cat >> /etc/passwd <<EOF\na:x:1:1::/:/bin/sh\nb:x:2:2::/:/bin/sh\nEOF")
    assert [o.name for o in ops] == ["a", "b"]
    ops = users("echo 'g:x:50:alice,bob' >> /etc/group")
    assert [(o.kind, o.name) for o in ops] == [("group", "g"), ("membership", "alice"),
                                              ("membership", "bob")]
    assert users('echo "$LINE" >> /etc/passwd') == []


# --------------------------------------------------------------------------- chmod / chown


@pytest.mark.parametrize(
    ("mode", "setuid", "setgid", "sticky", "ww"),
    [
        ("4755", True, False, False, False),
        ("2755", False, True, False, False),
        ("6755", True, True, False, False),
        ("1777", False, False, True, True),
        ("777", False, False, False, True),
        ("0777", False, False, False, True),
        ("755", False, False, False, False),
        ("0775", False, False, False, False),
        ("u+s", True, False, False, False),
        ("g+s", False, True, False, False),
        ("+s", True, True, False, False),
        ("ug+s", True, True, False, False),
        ("a+rwx", False, False, False, True),
        ("o+w", False, False, False, True),
        ("a=rwx", False, False, False, True),
        ("ugo+rwx", False, False, False, True),
        ("+w", False, False, False, False),
        ("u+rwx,g+rx,o-rwx", False, False, False, False),
        ("o+w,o-w", False, False, False, False),
        ("+t", False, False, True, False),
        ("o+t", False, False, True, False),
        ("u=rwxs", True, False, False, False),
        ("a-s", False, False, False, False),
        ("g=u", False, False, False, False),
    ],
)
def test_decode_mode(mode: str, setuid: bool, setgid: bool, sticky: bool, ww: bool) -> None:
    assert decode_mode(mode)[:4] == (setuid, setgid, sticky, ww)
    op = analyze(f"chmod {mode} /x").of_type(ChmodOp)[0]
    assert (op.mode, op.setuid, op.setgid, op.sticky, op.world_writable) == (
        mode, setuid, setgid, sticky, ww)
    assert op.paths == ("/x",)


def test_chmod_options_and_removal_of_special_bits() -> None:
    op = analyze("chmod -R g+rwX,o-rwx /app /data").of_type(ChmodOp)[0]
    assert op.recursive and op.paths == ("/app", "/data")
    op = analyze("chmod -x /usr/bin/tool").of_type(ChmodOp)[0]
    assert op.mode == "-x" and op.paths == ("/usr/bin/tool",)
    op = analyze("find / -xdev -perm /6000 -type f -exec chmod a-s {} \\;").of_type(ChmodOp)[0]
    assert op.removes_special and op.paths == ("{}",)
    op = analyze("chmod --reference=/a /b").of_type(ChmodOp)[0]
    assert op.mode == "--reference=/a" and op.paths == ("/b",)


@pytest.mark.parametrize(
    ("script", "owner", "group", "paths", "recursive"),
    [
        ("chown -R app:app /app /data", "app", "app", ("/app", "/data"), True),
        ("chown 1000:0 /x", "1000", "0", ("/x",), False),
        ("chown app /x", "app", None, ("/x",), False),
        ("chown :app /x", None, "app", ("/x",), False),
        ("chown app. /x", "app", None, ("/x",), False),
        ("chown app.staff /x", "app", "staff", ("/x",), False),
        ("chown --recursive nobody:nogroup /srv", "nobody", "nogroup", ("/srv",), True),
        ('chown "$APP_USER:$APP_USER" /app', '"$APP_USER', '$APP_USER"', ("/app",), False),
        ("chgrp -R 0 /app", None, "0", ("/app",), True),
    ],
)
def test_chown(script: str, owner: str | None, group: str | None, paths: tuple[str, ...],
               recursive: bool) -> None:
    op = analyze(script).of_type(ChownOp)[0]
    assert (op.owner, op.group, op.paths, op.recursive) == (owner, group, paths, recursive)


# --------------------------------------------------------------------------- downloads


@pytest.mark.parametrize(
    ("script", "tool", "urls", "shell"),
    [
        ("curl -fsSL https://get.docker.com | sh", "curl", ("https://get.docker.com",), "sh"),
        ("curl -sSL https://x/install.sh | sudo -E bash -", "curl", ("https://x/install.sh",),
         "bash"),
        ("wget -qO- https://x/setup | bash", "wget", ("https://x/setup",), "bash"),
        ("wget -O - https://x/setup | sh -s -- --yes", "wget", ("https://x/setup",), "sh"),
        ('bash -c "$(curl -fsSL https://x/install.sh)"', "curl", ("https://x/install.sh",),
         "bash"),
        ("sh <(curl -fsSL https://x)", "curl", ("https://x",), "sh"),
        ("curl -fsSL https://bootstrap.pypa.io/get-pip.py | python3", "curl",
         ("https://bootstrap.pypa.io/get-pip.py",), "python3"),
        ("curl -s https://x | tee /tmp/i.sh | bash", "curl", ("https://x",), "bash"),
        ('eval "$(curl -fsSL https://x)"', "curl", ("https://x",), "eval"),
    ],
)
def test_download_piped_to_shell(script: str, tool: str, urls: tuple[str, ...],
                                 shell: str) -> None:
    dl = analyze(script).of_type(Download)[0]
    assert (dl.tool, dl.urls, dl.piped_to_shell, dl.shell) == (tool, urls, True, shell)
    assert dl.output is None


@pytest.mark.parametrize(
    ("script", "output"),
    [
        ("curl -fsSL -o /tmp/node.tgz https://nodejs.org/dist/node.tgz", "/tmp/node.tgz"),
        ("curl -fsSLo /tmp/x.tgz https://x/y.tgz", "/tmp/x.tgz"),
        ("curl -O https://x/file.zip", "file.zip"),
        ("curl --output-dir /opt -O https://x/file.zip", "/opt/file.zip"),
        ("wget -O /tmp/a https://x/b", "/tmp/a"),
        ("wget https://x/dir/pkg.tar.gz", "pkg.tar.gz"),
        ("wget -P /opt https://x/pkg.tar.gz", "/opt/pkg.tar.gz"),
        ("git clone --depth 1 https://github.com/a/b.git /src/b", "/src/b"),
        ("git clone https://github.com/a/b.git", "b"),
    ],
)
def test_download_to_file(script: str, output: str) -> None:
    result = analyze(script)
    dl = result.of_type(Download)[0]
    assert dl.output == output
    assert not dl.piped_to_shell
    assert output in [w.path for w in result.of_type(FileWrite)]


def test_download_not_piped_to_shell() -> None:
    for script in ("curl -fsSL https://x/a.tgz | tar -xz -C /opt",
                   "curl -fsSL https://x/key | gpg --dearmor -o /k.gpg",
                   "curl -fsSL https://x | sh -c 'cat > /x'",
                   "wget -qO- https://x | python3 script.py"):
        dl = analyze(script).of_type(Download)[0]
        assert not dl.piped_to_shell, script


# --------------------------------------------------------------------------- cache cleanup


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/var/lib/apt/lists/*", "apt-lists"),
        ("/var/lib/apt/lists", "apt-lists"),
        ("/var/lib/apt/lists/", "apt-lists"),
        ("/var/cache/apt/archives/*.deb", "apt-cache"),
        ("/var/cache/apk/*", "apk-cache"),
        ("/var/cache/yum", "dnf-cache"),
        ("/var/cache/dnf/*", "dnf-cache"),
        ("~/.cache/pip", "pip-cache"),
        ("/root/.cache/pip", "pip-cache"),
        ("$HOME/.cache/pip", "pip-cache"),
        ('"${HOME}/.cache/pip"', "pip-cache"),
        ("/root/.npm", "npm-cache"),
        ("/usr/local/share/.cache/yarn", "yarn-cache"),
        ("/tmp/*", "tmp"),
        ("/tmp/build", "tmp"),
        ("/var/tmp/*", "tmp"),
        ("/root/.cache", "user-cache"),
        ("/var/lib/apt/listsX", None),
        ("/usr/share/doc", None),
        ("/tmpfoo", None),
    ],
)
def test_cache_kind(path: str, kind: str | None) -> None:
    assert cache_kind(path) == kind


def test_rm_cleanups_grouped_by_kind() -> None:
    result = analyze("rm -rf /var/lib/apt/lists/* /var/cache/apt/* /tmp/* /var/tmp/* /usr/src/x")
    got = [(c.kind, c.paths) for c in result.of_type(CacheCleanup)]
    assert got == [("apt-lists", ("/var/lib/apt/lists/*",)), ("apt-cache", ("/var/cache/apt/*",)),
                   ("tmp", ("/tmp/*", "/var/tmp/*"))]


def test_find_delete_cleanup() -> None:
    result = analyze("find /var/lib/apt/lists -type f -delete")
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["apt-lists"]
    assert list(analyze("find /var/lib/apt/lists -type f").of_type(CacheCleanup)) == []


# --------------------------------------------------------------------------- file writes


def test_file_writes() -> None:
    script = ("mkdir -p /app/data /var/run/app && touch /app/x && cp -r src/ /app/ && "
              "ln -sf /usr/bin/python3 /usr/bin/python && install -m 755 tool /usr/local/bin/ && "
              "install -d -o app /srv && sed -i 's/a/b/' /etc/conf.d/x && "
              "echo hi | tee -a /etc/motd > /dev/null && tar -xzf a.tgz -C /opt && "
              "echo x > /etc/x.conf && echo y >> /var/log/y 2>/dev/null && unzip -q a.zip -d /srv")
    writes = [(w.path, w.via) for w in analyze(script).of_type(FileWrite)]
    assert writes == [
        ("/app/data", "mkdir"), ("/var/run/app", "mkdir"), ("/app/x", "touch"), ("/app/", "cp"),
        ("/usr/bin/python", "ln"), ("/usr/local/bin/", "install"), ("/srv", "install"),
        ("/etc/conf.d/x", "sed"), ("/etc/motd", "tee"), ("/opt", "tar"), ("/etc/x.conf", ">"),
        ("/var/log/y", ">>"), ("/srv", "unzip")]


def test_no_file_write_for_dev_and_reads() -> None:
    result = analyze("make > /dev/null 2>&1; cat < /etc/passwd; sed 's/a/b/' /etc/x; "
                     "tar -czf /tmp/out.tgz /app; cp onlyone")
    assert list(result.of_type(FileWrite)) == []


def test_cp_target_directory() -> None:
    writes = [w.path for w in analyze("cp -t /dst a b; mv a b c /dir/").of_type(FileWrite)]
    assert writes == ["/dst", "/dir/"]


# --------------------------------------------------------------------------- builds


@pytest.mark.parametrize(
    ("script", "tool", "target"),
    [
        ("gcc -O2 -o /usr/local/bin/tini tini.c", "gcc", "/usr/local/bin/tini"),
        ("x86_64-linux-gnu-gcc-12 -c a.c", "x86_64-linux-gnu-gcc-12", None),
        ("cc a.c", "cc", None),
        ("g++ -std=c++17 -oapp main.cpp", "g++", "app"),
        ("clang -o x x.c", "clang", "x"),
        ("make -j$(nproc)", "make", None),
        ('make -j"$(nproc)" install', "make", "install"),
        ("make -C src PREFIX=/usr all", "make", "all"),
        ("make -j 4 install", "make", "install"),
        ("cmake --build build --target app -j 8", "cmake", "app"),
        ("cmake -S . -B build -DCMAKE_BUILD_TYPE=Release", "cmake", "configure"),
        ("cmake --install build", "cmake", "install"),
        ("ninja -C build", "ninja", None),
        ("./configure --prefix=/usr/local", "configure", None),
        ("CGO_ENABLED=0 go build -ldflags='-s -w' -o /out/app ./cmd/app", "go", "/out/app"),
        ("cargo build --release --bin server", "cargo", "server"),
        ("mvn -B -DskipTests clean package", "mvn", "package"),
        ("./mvnw -q verify", "mvn", "verify"),
        ("mvn -f pom.xml install", "mvn", "install"),
        ("gradle build --no-daemon", "gradle", "build"),
        ("./gradlew :app:bootJar -x test", "gradle", ":app:bootJar"),
        ("npm run build", "npm", "build"),
        ("npm run build:prod -- --mode=x", "npm", "build:prod"),
        ("yarn build", "yarn", "build"),
        ("yarn run build", "yarn", "build"),
        ("pnpm run build", "pnpm", "build"),
        ("pnpm build", "pnpm", "build"),
        ("npx tsc -p .", "tsc", None),
        ("npx vite build", "vite", "build"),
        ("pip wheel --no-deps -w /wheels .", "pip", "wheel"),
        ("python setup.py bdist_wheel", "setup.py", "bdist_wheel"),
        ("python3 setup.py build_ext --inplace", "setup.py", "build_ext"),
        ("python -m build --wheel", "python -m build", "wheel"),
        ("dotnet publish -c Release -o /app", "dotnet", "publish"),
        ("dotnet build", "dotnet", "build"),
        ("bazel build //:app", "bazel", "//:app"),
    ],
)
def test_builds(script: str, tool: str, target: str | None) -> None:
    builds = analyze(script).of_type(Build)
    assert [(b.tool, b.target) for b in builds] == [(tool, target)]


def test_not_builds() -> None:
    result = analyze("make --version >/dev/null || true; go test ./...; npm test; "
                     "cmake -E make_directory x; ninja -t clean; mvn dependency:go-offline")
    assert [(b.tool, b.target) for b in result.of_type(Build)] == []


# --------------------------------------------------------------------------- privilege tools


def test_privilege_tools() -> None:
    result = analyze("sudo apt-get update; gosu app:app id; su-exec nobody true; "
                     "doas -u app ls; su - app -c 'npm ci'; sudo -u app -H pip install x; "
                     "runuser -u app -- make; su postgres")
    got = [(p.tool, p.user, p.command.name) for p in result.of_type(PrivilegeTool)]
    assert got == [("sudo", None, "apt-get"), ("gosu", "app", "id"), ("su-exec", "nobody", "true"),
                   ("doas", "app", "ls"), ("su", "app", "su"), ("sudo", "app", "pip"),
                   ("runuser", "app", "make"), ("su", "postgres", "su")]
    assert [(o.manager, o.action) for o in result.of_type(PackageOp)] == [
        ("apt", "update"), ("npm", "ci"), ("pip", "install")]


# --------------------------------------------------------------------------- realistic RUN lines


def test_official_python_style_run_line() -> None:
    script = (
        "set -eux; savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; "
        "apt-get install -y --no-install-recommends dpkg-dev gcc gnupg libbz2-dev make wget; "
        "wget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/"
        "Python-$PYTHON_VERSION.tar.xz\"; mkdir -p /usr/src/python; "
        "tar --extract --directory /usr/src/python --strip-components=1 --file python.tar.xz; "
        "rm python.tar.xz; cd /usr/src/python; "
        "gnuArch=\"$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)\"; "
        "./configure --build=\"$gnuArch\" --enable-optimizations; "
        "nproc=\"$(nproc)\"; make -j \"$nproc\"; make install; "
        "apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; "
        "apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; "
        "rm -rf /var/lib/apt/lists/*; "
        "find /usr/local -depth \\( \\( -type d -a \\( -name test -o -name tests \\) \\) "
        "-o \\( -type f -a \\( -name '*.pyc' -o -name '*.pyo' \\) \\) \\) -exec rm -rf '{}' +")
    result = analyze(script)
    assert not result.has_errors
    assert [(o.action, o.packages[:2]) for o in result.of_type(PackageOp)] == [
        ("update", ()), ("install", ("dpkg-dev", "gcc")), ("remove", ())]
    assert [b.tool for b in result.of_type(Build)] == ["configure", "make", "make"]
    assert [c.kind for c in result.of_type(CacheCleanup)] == ["apt-lists"]
    dl = result.of_type(Download)[0]
    assert dl.output == "python.tar.xz"
    assert "apt-mark" in [c.name for c in result.commands]
    assert "dpkg-architecture" in [c.name for c in result.commands]
    assert ("/usr/src/python", "tar") in [(w.path, w.via) for w in result.of_type(FileWrite)]


def test_official_node_alpine_style_run_line() -> None:
    script = (
        "addgroup -g 1000 node && adduser -u 1000 -G node -s /bin/sh -D node && "
        "apk add --no-cache libstdc++ && apk add --no-cache --virtual .build-deps curl && "
        "ARCH= && alpineArch=\"$(apk --print-arch)\" && "
        "case \"${alpineArch##*-}\" in x86_64) ARCH='x64' ;; *) ;; esac && "
        "curl -fsSLO --compressed \"https://unofficial-builds.nodejs.org/download/release/"
        "v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\" && "
        "tar -xJf \"node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\" -C /usr/local "
        "--strip-components=1 --no-same-owner && ln -s /usr/local/bin/node /usr/local/bin/nodejs "
        "&& apk del .build-deps && rm -f \"node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\"")
    result = analyze(script)
    group, usr = result.of_type(UserOp)
    assert (group.name, group.gid, usr.name, usr.uid, usr.group) == ("node", 1000, "node", 1000,
                                                                      "node")
    assert [(o.action, o.virtual) for o in result.of_type(PackageOp)] == [
        ("install", None), ("install", ".build-deps"), ("remove", None)]
    assert result.of_type(Download)[0].tool == "curl"


def test_dockerfile_heredoc_body() -> None:
    script = """set -e
# system packages
apt-get update
apt-get install -y --no-install-recommends python3 python3-pip
rm -rf /var/lib/apt/lists/*

# app user
groupadd -g 10001 app
useradd -u 10001 -g app -M -s /usr/sbin/nologin app
cat > /etc/app.conf <<'CONF'
user=app
CONF
chown -R app:app /opt/app
"""
    result = analyze(script)
    assert not result.has_errors
    assert kinds(result) == ["PackageOp", "PackageOp", "CacheCleanup", "UserOp", "UserOp",
                             "FileWrite", "ChownOp"]


def test_operations_in_source_order_with_command_links() -> None:
    result = analyze("sudo apt-get install -y curl && curl -fsSL https://x | sh && chmod +x /a")
    assert kinds(result) == ["PrivilegeTool", "PackageOp", "Download", "ChmodOp"]
    for op in result.operations:
        assert op.command in result.commands
        assert isinstance(op, Operation)


def test_analyze_argv_exec_form() -> None:
    result = analyze_argv(["apt-get", "install", "-y", "--no-install-recommends", "curl"])
    op = result.of_type(PackageOp)[0]
    assert op.packages == ("curl",) and op.assume_yes
    result = analyze_argv(["/bin/sh", "-c", "apk add --no-cache curl && adduser -D app"])
    assert kinds(result) == ["PackageOp", "UserOp"]
    result = analyze_argv(["bash", "-c", "pip install 'flask>=2'"])
    assert result.of_type(PackageOp)[0].packages == ("flask>=2",)


def test_classify_command_standalone() -> None:
    cmd = analyze("apk add --no-cache curl").commands[0]
    (op,) = classify_command(cmd)
    assert isinstance(op, PackageOp) and op.packages == ("curl",)


def test_operations_are_frozen_and_hashable() -> None:
    op = pkg("apt-get install -y curl")
    with pytest.raises(FrozenInstanceError):
        op.action = "remove"  # type: ignore[misc]
    assert hash(op) == hash(pkg("apt-get install -y curl"))
    assert op == pkg("apt-get install -y curl")
