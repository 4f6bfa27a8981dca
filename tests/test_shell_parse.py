"""Tests for slimguard.dockerfile.shell parsing: words, simple commands, offsets, nesting."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import FrozenInstanceError

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slimguard.dockerfile.shell import Redirect, ShellScript, SimpleCommand, Word, analyze, analyze_argv
from slimguard.dockerfile.shell.script import analyze_uncached


def names(script: ShellScript) -> list[str | None]:
    return [c.name for c in script.commands]


def one(script: str) -> SimpleCommand:
    result = analyze(script)
    assert len(result.commands) == 1, result.commands
    return result.commands[0]


def check_offsets(result: ShellScript) -> None:
    n = len(result.source)
    for cmd in result.commands:
        assert 0 <= cmd.start <= cmd.end <= n
        words = list(cmd.args) + ([cmd.name_word] if cmd.name_word else [])
        for w in words:
            assert 0 <= w.start <= w.end <= n
        for r in cmd.redirects:
            assert 0 <= r.start <= r.end <= n


# --------------------------------------------------------------------------- import


def test_import_does_not_load_tree_sitter() -> None:
    code = "import sys, slimguard.dockerfile.shell; print('tree_sitter' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("plain", "plain"),
        ("'a b'", "a b"),
        ('"a b"', "a b"),
        ("a\\ b", "a b"),
        ('"$X"', None),
        ("$X", None),
        ("${X:-a}", None),
        ('"$(id -u)"', None),
        ("`id -u`", None),
        ("$((1+2))", None),
        ('--opt="x y"', "--opt=x y"),
        ("--opt='x y'", "--opt=x y"),
        ("--opt=$X", None),
        ('"a\\"b"', 'a"b'),
        ('"a\\$b"', "a$b"),
        ('"a\\nb"', "a\\nb"),
        ("'$HOME'", "$HOME"),
        ("$'a\\tb'", "a\tb"),
        ("$'\\x41\\101'", "AA"),
        ("a'b'\"c\"d", "abcd"),
        ("/var/lib/apt/lists/*", "/var/lib/apt/lists/*"),
        ("~/.cache/pip", "~/.cache/pip"),
        ("curl=7.88*", "curl=7.88*"),
        ("'flask>=2.0'", "flask>=2.0"),
        ("{a,b}", "{a,b}"),
        ('""', ""),
        ('"$"', "$"),
    ],
)
def test_word_quote_removal(word: str, value: str | None) -> None:
    cmd = analyze(f"echo {word}").commands[0]
    assert len(cmd.args) == 1
    w = cmd.args[0]
    assert w.value == value
    assert w.raw == word
    assert analyze(f"echo {word}").source[w.start:w.end] == word


def test_word_text_falls_back_to_raw() -> None:
    w = one('echo "$HOME/x"').args[0]
    assert w.value is None
    assert w.text == '"$HOME/x"'
    assert not w.literal


def test_word_is_frozen() -> None:
    w = one("echo a").args[0]
    with pytest.raises(FrozenInstanceError):
        w.raw = "b"  # type: ignore[misc]
    assert w == Word("a", "a", 5, 6)


# --------------------------------------------------------------------------- commands


def test_simple_sequence_from_joined_run_line() -> None:
    script = ("set -eux;   apt-get update;   apt-get install -y --no-install-recommends gcc  ;"
              "   rm -rf /var/lib/apt/lists/*")
    result = analyze(script)
    assert names(result) == ["set", "apt-get", "apt-get", "rm"]
    for cmd in result.commands:
        assert script[cmd.start:cmd.end].startswith(cmd.name or "")
    assert result.commands[2].argv() == [
        "apt-get", "install", "-y", "--no-install-recommends", "gcc"]
    assert not result.has_errors


def test_line_continuations_and_newlines() -> None:
    script = "apt-get update \\\n && apt-get install -y \\\n      curl \\\n      git\n"
    result = analyze(script)
    assert names(result) == ["apt-get", "apt-get"]
    assert result.commands[1].argv() == ["apt-get", "install", "-y", "curl", "git"]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("a && b || c; d & e\nf", ["a", "b", "c", "d", "e", "f"]),
        ("(cd /x; make) && { a; b; }", ["cd", "make", "a", "b"]),
        ("if [ -f x ]; then a; elif b; then c; else d; fi", ["[", "a", "b", "c", "d"]),
        ("while read l; do echo $l; done < f", ["read", "echo"]),
        ("for p in a b; do pip install $p; done", ["pip"]),
        ("for ((i=0;i<3;i++)); do a; done", ["a"]),
        ("case $x in a) e ;; *) f ;; esac", ["e", "f"]),
        ("f() { useradd app; }; f", ["useradd", "f"]),
        ("echo $(ls /) `id -u`", ["echo", "ls", "id"]),
        ("! grep -q x f", ["grep"]),
        ("x=$(id -u)", [None, "id"]),
        ("export A=1 B=$(b)", ["export", "b"]),
        ("[[ $(uname -m) == x86_64 ]] && a", ["[[", "uname", "a"]),
        ("for f in $(ls); do rm $f; done", ["ls", "rm"]),
        ("> /file", [None]),
        ("# only a comment", []),
        ("", []),
    ],
)
def test_commands_in_all_constructs(script: str, expected: list[str | None]) -> None:
    result = analyze(script)
    assert names(result) == expected
    check_offsets(result)


def test_assignment_prefixes() -> None:
    cmd = one("DEBIAN_FRONTEND=noninteractive TZ=UTC apt-get install -y tzdata")
    assert cmd.name == "apt-get"
    assert cmd.assignments == ("DEBIAN_FRONTEND=noninteractive", "TZ=UTC")


def test_bare_assignment_has_no_name() -> None:
    cmd = one("PATH=/x:$PATH")
    assert cmd.name is None
    assert cmd.assignments == ("PATH=/x:$PATH",)
    assert cmd.argv() == [None]


def test_name_is_basename_of_path() -> None:
    assert one("/usr/bin/apt-get update").name == "apt-get"
    assert one("./configure --prefix=/usr").name == "configure"
    cmd = one("./gradlew build")
    assert cmd.name == "gradlew"
    assert cmd.name_word is not None and cmd.name_word.raw == "./gradlew"


def test_non_literal_name() -> None:
    cmd = one('$CC -o x x.c')
    assert cmd.name is None
    assert [a.value for a in cmd.args] == ["-o", "x", "x.c"]


# --------------------------------------------------------------------------- wrappers


@pytest.mark.parametrize(
    ("script", "name", "wrappers", "args"),
    [
        ("sudo apt-get install -y x", "apt-get", ("sudo",), ["install", "-y", "x"]),
        ("sudo -u app -E npm ci", "npm", ("sudo",), ["ci"]),
        ("sudo -- rm -rf /x", "rm", ("sudo",), ["-rf", "/x"]),
        ("env -i PATH=/bin FOO=1 make", "make", ("env",), []),
        ("nice -n 10 make -j4", "make", ("nice",), ["-j4"]),
        ("nice -19 make", "make", ("nice",), []),
        ("time make", "make", ("time",), []),
        ("exec gosu app node server.js", "node", ("exec", "gosu"), ["server.js"]),
        ("su-exec app:app id -u", "id", ("su-exec",), ["-u"]),
        ("doas -u app whoami", "whoami", ("doas",), []),
        ("xargs -r -n1 apt-get install -y", "apt-get", ("xargs",), ["install", "-y"]),
        ("xargs -I{} cp {} /dst", "cp", ("xargs",), ["{}", "/dst"]),
        ("command apk add x", "apk", ("command",), ["add", "x"]),
        ("stdbuf -oL make", "make", ("stdbuf",), []),
        ("timeout 60 curl -f x", "curl", ("timeout",), ["-f", "x"]),
        ("busybox wget -q x", "wget", ("busybox",), ["-q", "x"]),
        ("sudo env A=1 nice apt-get update", "apt-get", ("sudo", "env", "nice"), ["update"]),
        ("/usr/bin/sudo /usr/bin/apt-get update", "apt-get", ("sudo",), ["update"]),
    ],
)
def test_wrappers_are_stripped(script: str, name: str, wrappers: tuple[str, ...],
                               args: list[str]) -> None:
    cmd = one(script)
    assert cmd.name == name
    assert cmd.wrappers == wrappers
    assert [a.value for a in cmd.args] == args


def test_env_assignments_become_assignments() -> None:
    cmd = one("env DEBIAN_FRONTEND=noninteractive apt-get install -y x")
    assert cmd.assignments == ("DEBIAN_FRONTEND=noninteractive",)


@pytest.mark.parametrize("script", ["sudo", "sudo -l", "command -v curl", "env", "xargs",
                                    "gosu", "exec", "time"])
def test_wrappers_without_command_are_commands(script: str) -> None:
    cmd = one(script)
    assert cmd.name == script.split()[0]
    assert cmd.wrappers == ()


# --------------------------------------------------------------------------- pipelines


def test_pipeline_positions() -> None:
    result = analyze("curl -fsSL https://x | tee /tmp/x | sh; echo done")
    assert [(c.name, c.pipeline_position, c.pipeline_length) for c in result.commands] == [
        ("curl", 1, 3), ("tee", 2, 3), ("sh", 3, 3), ("echo", 0, 0)]
    assert result.commands[0].in_pipeline


def test_pipeline_with_stderr_pipe_and_negation() -> None:
    result = analyze("! make 2>&1 |& grep -v warn")
    assert [(c.name, c.pipeline_position) for c in result.commands] == [("make", 1), ("grep", 2)]


def test_pipeline_inside_substitution_is_separate() -> None:
    result = analyze("echo $(a | b) | c")
    got = [(c.name, c.pipeline_position, c.pipeline_length) for c in result.commands]
    assert got == [("echo", 1, 2), ("a", 1, 2), ("b", 2, 2), ("c", 2, 2)]


# --------------------------------------------------------------------------- redirects


def test_redirects() -> None:
    cmd = one("make >/dev/null 2>&1 2>>/var/log/err <in &>/dev/null >&2")
    assert [(r.op, r.target) for r in cmd.redirects] == [
        (">", "/dev/null"), ("2>&1", None), ("2>>", "/var/log/err"), ("<", "in"),
        ("&>", "/dev/null"), (">&2", None)]
    assert cmd.redirects[2].fd == 2
    assert cmd.redirects[2].writes_file
    assert not cmd.redirects[1].writes_file


def test_redirect_in_list_attaches_to_last_command() -> None:
    result = analyze("a && b > /f")
    a, b = result.commands
    assert a.redirects == ()
    assert [(r.op, r.target) for r in b.redirects] == [(">", "/f")]


def test_redirect_of_group_applies_to_each_command() -> None:
    result = analyze("{ echo a; echo b; } >> /etc/x")
    assert all([(r.op, r.target) for r in c.redirects] == [(">>", "/etc/x")]
               for c in result.commands)


def test_heredoc_and_herestring() -> None:
    result = analyze("cat > /etc/app.conf <<'EOF'\nkey=value\n$NOT_EXPANDED\nEOF\ncat <<< \"hi\"")
    first, second = result.commands
    ops = {r.op: r for r in first.redirects}
    assert ops[">"].target == "/etc/app.conf"
    assert ops["<<"].heredoc == "key=value\n$NOT_EXPANDED\n"
    assert [(r.op, r.target) for r in second.redirects] == [("<<<", "hi")]


def test_heredoc_with_tab_stripping() -> None:
    cmd = analyze("cat <<-EOF > /x\n\tline\n\tEOF\necho after").commands[0]
    heredoc = [r for r in cmd.redirects if r.op == "<<-"][0]
    assert heredoc.heredoc is not None and heredoc.heredoc.startswith("line")


def test_redirect_objects_are_frozen() -> None:
    r = one("echo a > /f").redirects[0]
    assert r == Redirect(">", "/f", 7, 11)


# --------------------------------------------------------------------------- nested scripts


def test_sh_c_with_literal_script_is_analysed_with_exact_offsets() -> None:
    script = "sh -c 'apt-get update && apt-get install -y x'"
    result = analyze(script)
    assert names(result) == ["sh", "apt-get", "apt-get"]
    inner = result.commands[2]
    assert script[inner.start:inner.end] == "apt-get install -y x"
    assert script[inner.args[2].start:inner.args[2].end] == "x"


def test_bash_c_with_escapes_points_at_whole_word() -> None:
    script = 'bash -c "apt-get install -y \\"curl\\" && echo \\$HOME"'
    result = analyze(script)
    assert names(result) == ["bash", "apt-get", "echo"]
    word = result.commands[0].args[1]
    inner = result.commands[1]
    assert (inner.start, inner.end) == (word.start, word.end)
    assert inner.argv() == ["apt-get", "install", "-y", "curl"]


def test_sh_c_with_expansion_is_parsed_from_source() -> None:
    result = analyze('sh -ec "apt-get install -y $PKGS && rm -rf /var/lib/apt/lists/*"')
    assert names(result) == ["sh", "apt-get", "rm"]
    assert result.commands[1].args[-1].value is None


def test_shell_options_before_c() -> None:
    result = analyze("bash -euxo pipefail -c 'make install'")
    assert names(result) == ["bash", "make"]


def test_script_file_is_not_analysed() -> None:
    assert names(analyze("bash /tmp/install.sh -c x")) == ["bash"]


def test_heredoc_fed_to_shell() -> None:
    script = "bash -e <<'EOF'\n# comment\napt-get update\napt-get install -y curl\nEOF\necho done"
    result = analyze(script)
    assert names(result) == ["bash", "apt-get", "apt-get", "echo"]
    inner = result.commands[2]
    assert script[inner.start:inner.end] == "apt-get install -y curl"


def test_heredoc_followed_by_operator_on_same_line() -> None:
    result = analyze("bash <<EOF && echo done\napt-get update\nEOF\necho after")
    assert names(result) == ["bash", "echo", "apt-get", "echo"]


def test_heredoc_piped_to_shell() -> None:
    result = analyze("cat <<EOF | sh -s\nls\nEOF")
    assert [(c.name, c.pipeline_position, c.pipeline_length) for c in result.commands] == [
        ("cat", 1, 2), ("sh", 2, 2)]


@pytest.mark.parametrize(
    "script",
    ["cat <<EOF>/etc/x\na\nEOF\necho after", "cat <<EOF|sh\na\nEOF\necho after",
     "cat <<EOF&&echo y\na\nEOF\necho after", "cat <<EOF; echo y\na\nEOF\necho after"],
)
def test_heredoc_delimiter_glued_to_operator(script: str) -> None:
    result = analyze(script)
    assert result.commands[-1].name == "echo"
    assert result.commands[-1].argv() == ["echo", "after"]
    assert not result.has_errors
    check_offsets(result)
    for cmd in result.commands:
        assert script[cmd.start:cmd.end].startswith(cmd.name or "")


def test_eval_and_su_c_and_find_exec() -> None:
    result = analyze("eval 'apk add x'; su app -c 'npm ci'; "
                     "find / -xdev -perm /6000 -type f -exec chmod a-s {} \\;")
    assert names(result) == ["eval", "apk", "su", "npm", "find", "chmod"]
    chmod = result.commands[-1]
    assert chmod.argv() == ["chmod", "a-s", "{}"]


def test_nested_depth_is_bounded() -> None:
    script = "sh -c " + "'" + "sh -c ls" + "'"
    assert names(analyze(script)) == ["sh", "sh", "ls"]
    deep = "x"
    for _ in range(20):
        deep = "eval " + deep.replace("\\", "\\\\").replace(" ", "\\ ")
    result = analyze(deep)
    assert len(result.commands) <= 12


# --------------------------------------------------------------------------- offsets


def test_offsets_are_character_offsets_for_non_ascii() -> None:
    script = 'echo "héllo wörld" && useradd -c "Zoë" zoë && echo 日本語 | cat'
    result = analyze(script)
    assert names(result) == ["echo", "useradd", "echo", "cat"]
    for cmd in result.commands:
        for w in cmd.args:
            assert script[w.start:w.end] == w.raw
    useradd = result.commands[1]
    assert script[useradd.start:useradd.end] == 'useradd -c "Zoë" zoë'


def test_offsets_with_astral_characters() -> None:
    script = "echo 😀 && echo ok"
    result = analyze(script)
    assert script[result.commands[1].start:result.commands[1].end] == "echo ok"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("script", ['apt-get install "unterminated', "if then", "a &&",
                                    "(( (", "case x in", "echo $("])
def test_errors_are_reported(script: str) -> None:
    result = analyze(script)
    assert result.has_errors
    check_offsets(result)


def test_valid_script_has_no_errors() -> None:
    assert not analyze("apt-get update && apt-get install -y curl").has_errors


@pytest.mark.parametrize(
    "script",
    ["$(" * 3000, "(" * 3000 + ")" * 3000, " && ".join(["true"] * 2000), "'" * 4001,
     "\x00\x01\x02", "\ud800 echo", "echo \udcff"],
)
def test_pathological_inputs_do_not_raise(script: str) -> None:
    result = analyze(script)
    assert isinstance(result, ShellScript)
    check_offsets(result)


def test_astral_characters_do_not_crash_the_parser() -> None:
    # tree-sitter-bash 0.25 reads out of bounds on "{" + U+FB651 and similar
    # code points and may crash the interpreter; run in a child process.
    code = (
        "from slimguard.dockerfile.shell.script import analyze_uncached\n"
        "for cp in (0x80000, 0xD0000, 0xE0000, 0xE0100, 0xFB651, 0x100000, 0x10FFFF):\n"
        "    for pre in ('{', 'a{', 'x{', '${', 'echo {'):\n"
        "        for _ in range(20):\n"
        "            r = analyze_uncached(pre + chr(cp) + ' && echo ok')\n"
        "            assert r.commands[-1].argv() == ['echo', 'ok'] or r.has_errors\n"
        "print('fine')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "fine"


def test_astral_characters_keep_their_offsets() -> None:
    script = "echo a\U000fb651b '\U0010ffff' && echo ok"
    result = analyze(script)
    first = result.commands[0]
    assert [a.value for a in first.args] == ["a\U000fb651b", "\U0010ffff"]
    for w in first.args:
        assert script[w.start:w.end] == w.raw
    assert result.commands[1].argv() == ["echo", "ok"]


# --------------------------------------------------------------------------- exec form


def test_analyze_argv_plain() -> None:
    result = analyze_argv(["apt-get", "install", "-y", "x y", "$HOME", "it's", "a*"])
    cmd = result.commands[0]
    assert cmd.argv() == ["apt-get", "install", "-y", "x y", "$HOME", "it's", "a*"]
    for w in cmd.args:
        assert result.source[w.start:w.end] == w.raw


def test_analyze_argv_shell_form() -> None:
    result = analyze_argv(["/bin/sh", "-c", "apt-get update && apt-get install -y curl"])
    assert names(result) == ["sh", "apt-get", "apt-get"]
    inner = result.commands[1]
    assert result.source[inner.start:inner.end] == "apt-get update"


@pytest.mark.parametrize("argv", [["if", "x"], ["FOO=bar", "x"], ["[", "-f", "x", "]"],
                                  ["{"], ["!"]])
def test_analyze_argv_reserved_first_word(argv: list[str]) -> None:
    cmd = analyze_argv(argv).commands[0]
    assert cmd.argv() == argv


def test_analyze_argv_empty() -> None:
    result = analyze_argv([])
    assert result.commands == () and not result.has_errors


# --------------------------------------------------------------------------- property tests

_SHELLISH = st.sampled_from(
    list(" \t\n-=$'\"\\`(){}[];&|<>#*~/!:.0é😀") + [
        "<<EOF", "\nEOF\n", "$(", "sh -c ", "apt-get install -y ", "sudo ", " | sh", "<<-X\n",
        "\n\tX\n", "&&", "||", "${x:-", "$'\\x41'", "if ", "then ", "fi", "case ", " in ",
        "esac", "for ", "do ", "done", "useradd -u ", "chmod ", "curl ", "bash <<E\n", "\nE\n",
        "eval ", "find . -exec ", " \\;", "x", "y", "1"])


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=300))
def test_analyze_never_raises_on_arbitrary_text(script: str) -> None:
    result = analyze_uncached(script)
    assert result.source == script
    check_offsets(result)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_SHELLISH, max_size=40).map("".join))
def test_analyze_never_raises_on_shell_like_text(script: str) -> None:
    result = analyze_uncached(script)
    check_offsets(result)
    for cmd in result.commands:
        assert isinstance(script[cmd.start:cmd.end], str)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=6))
def test_analyze_argv_round_trips(argv: list[str]) -> None:
    if any("\x00" in a for a in argv):
        return
    result = analyze_argv(argv)
    cmd = result.commands[0]
    got = [cmd.name_word.value if cmd.name_word else None] + [a.value for a in cmd.args]
    if not cmd.wrappers:
        assert got == argv


# --------------------------------------------------------------------------- speed


def test_report_speed(capsys: pytest.CaptureFixture[str]) -> None:
    script = ("set -eux; apt-get update; apt-get install -y --no-install-recommends "
              "ca-certificates curl gcc libc6-dev make pkg-config; curl -fsSL "
              "https://example.com/x.tar.gz -o /tmp/x.tgz; tar -xzf /tmp/x.tgz -C /usr/src; "
              "rm -rf /var/lib/apt/lists/* /tmp/x.tgz; useradd -r -u 1001 -g app app")
    for _ in range(50):
        analyze_uncached(script)
    best = float("inf")
    for _ in range(7):
        t0 = time.process_time()
        for _ in range(200):
            analyze_uncached(script)
        best = min(best, (time.process_time() - t0) / 200)
    with capsys.disabled():
        print(f"\nslimguard.shell: analyze() of a {len(script)}-char RUN line: "
              f"{best * 1e6:.0f} us (uncached, CPU time, best of 7x200)")
    t0 = time.perf_counter()
    analyze(script)
    analyze(script)
    assert analyze(script) is analyze(script)
