"""Unit tests of the lossless Dockerfile parser, one feature per test."""

from __future__ import annotations

import pytest

from slimguard import parse
from slimguard.dockerfile.syntax import Comment, Directive, Heredoc, Instruction, TokenKind, Trivia


def roundtrip(text: str):
    tree = parse(text)
    assert str(tree) == text
    # every character belongs to exactly one token, in order, without gaps
    pos = 0
    for tok in tree.tokens():
        assert tok.offset == pos, (tok, pos)
        assert tok.text, "empty token"
        pos += len(tok.text)
    assert pos == len(text)
    return tree


def only(tree):
    (ins,) = tree.instructions
    return ins


def test_simple_file():
    tree = roundtrip("FROM debian:bookworm\nRUN echo hi\n")
    assert [i.name for i in tree.instructions] == ["FROM", "RUN"]
    assert tree.errors == []


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "   \n\t\n"])
def test_no_instructions_is_an_error_but_roundtrips(text):
    tree = roundtrip(text)
    assert tree.instructions == []
    assert [e.message for e in tree.errors] == ["file with no instructions"]


def test_directives_syntax_escape_check():
    text = "# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=JSONArgsRecommended\nFROM x\n"
    tree = roundtrip(text)
    assert [(d.name, d.value) for d in tree.directives] == [
        ("syntax", "docker/dockerfile:1"), ("escape", "`"), ("check", "skip=JSONArgsRecommended")]
    assert tree.escape == "`"


def test_directive_after_comment_is_a_comment():
    tree = roundtrip("# hello\n# escape=`\nFROM x\n")
    assert tree.directives == []
    assert tree.escape == "\\"
    assert len([c for c in tree.children if isinstance(c, Comment)]) == 2


def test_directive_after_blank_line_is_a_comment():
    tree = roundtrip("\n# escape=`\nFROM x\n")
    assert tree.escape == "\\"


def test_directive_with_spaces_and_upper_case():
    tree = roundtrip("#  ESCAPE = `\nFROM x\n")
    assert tree.escape == "`"


def test_unknown_directive_ends_directives():
    tree = roundtrip("# foo=bar\n# escape=`\nFROM x\n")
    assert tree.escape == "\\" and tree.directives == []


def test_duplicate_and_invalid_directives_are_errors():
    tree = roundtrip("# escape=`\n# escape=\\\nFROM x\n")
    assert any("only one escape" in e.message for e in tree.errors)
    tree = roundtrip("# escape=x\nFROM x\n")
    assert tree.errors and tree.errors[0].line == 1 and "invalid escape token" in tree.errors[0].message


def test_backtick_escape_and_windows_paths():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nWORKDIR C:\\Windows\\Temp\nRUN dir `\n    c:\\\n"
    tree = roundtrip(text)
    w = tree.instructions[1]
    assert w.rest == "C:\\Windows\\Temp"
    run = tree.instructions[2]
    assert run.buildkit_value() == ("dir     c:\\",)
    assert (run.start_line, run.end_line) == (4, 5)


def test_continuation_with_comments_and_blank_lines_inside():
    text = "RUN apt-get update && \\\n    # a comment\n\n    apt-get install -y curl \\  \n   && true\n"
    tree = roundtrip(text)
    ins = only(tree)
    assert ins.buildkit_value() == ("apt-get update &&     apt-get install -y curl    && true",)
    assert (ins.start_line, ins.end_line) == (1, 5)
    assert any(isinstance(c, Comment) for c in ins.children)
    assert any(isinstance(c, Trivia) for c in ins.children)


def test_escaped_backslash_at_end_is_not_a_continuation():
    tree = roundtrip("RUN echo a\\\\\nRUN b\n")
    assert len(tree.instructions) == 2


def test_continuation_at_eof():
    tree = roundtrip("FROM x\nRUN a \\")
    assert tree.instructions[-1].buildkit_value() == ("a",)


def test_crlf_bom_no_final_newline_trailing_whitespace():
    text = "\ufeffFROM x  \r\nRUN a \\\r\n  b\t \r\nUSER app"
    tree = roundtrip(text)
    assert [i.name for i in tree.instructions] == ["FROM", "RUN", "USER"]
    assert tree.instructions[1].buildkit_value() == ("a   b",)
    assert tree.instructions[2].rest == "app"
    assert next(tree.tokens()).kind is TokenKind.BOM


def test_lower_case_instructions_and_tabs():
    tree = roundtrip("from\talpine\tas\tbuild\nrun\techo hi\n")
    assert [i.name for i in tree.instructions] == ["FROM", "RUN"]
    assert tree.instructions[0].keyword == "from"
    assert tree.instructions[0].buildkit_value() == ("alpine", "as", "build")


def test_json_and_shell_forms():
    tree = roundtrip('CMD ["node", "server.js"]\nCMD [bash, -c]\nCMD ["a"] trailing\nENTRYPOINT   []\n')
    a, b, c, d = tree.instructions
    assert a.is_json and a.json_args == ["node", "server.js"]
    assert not b.is_json and b.buildkit_value() == ("[bash, -c]",)
    assert c.is_json and c.json_args == ["a"]
    assert d.is_json and d.json_args == []


def test_json_with_non_strings_is_an_error():
    tree = roundtrip('CMD [1, "a"]\n')
    assert tree.errors and "strings only" in tree.errors[0].message


def test_flags():
    text = ('COPY --from=build --chown=1000:1000 --chmod=755 --link --parents --exclude=*.md a b\n'
            'RUN --mount=type=cache,target=/root/.cache --mount="type=bind,source=a b" --network=host --security=insecure make\n'
            'FROM --platform=$BUILDPLATFORM golang AS b\n')
    tree = roundtrip(text)
    copy, run, frm = tree.instructions
    assert copy.buildkit_flags() == ("--from=build", "--chown=1000:1000", "--chmod=755", "--link", "--parents", "--exclude=*.md")
    assert copy.flag("chown").value == "1000:1000" and copy.flag("link").value is None
    assert copy.buildkit_value() == ("a", "b")
    assert run.buildkit_flags()[1] == "--mount=type=bind,source=a b"
    assert run.rest == "make"
    assert frm.flag("platform").value == "$BUILDPLATFORM"
    span = copy.flag("chown").span
    assert text[span.start.offset:span.end.offset] == "--chown=1000:1000"


def test_double_dash_ends_flags():
    ins = only(roundtrip("RUN -- --not-a-flag\n"))
    assert ins.flags == [] and ins.rest == "--not-a-flag"


def test_heredocs_basic_and_quoted_and_chomp():
    text = "RUN <<EOF\nset -e\necho $HOME\nEOF\nRUN <<-'END'\n\techo hi\n\tEND\nCOPY <<\"CFG\" /etc/app.conf\nkey=$v\nCFG\n"
    tree = roundtrip(text)
    a, b, c = tree.instructions
    assert [(h.name, h.expand, h.chomp) for h in a.heredocs] == [("EOF", True, False)]
    assert a.heredocs[0].content == "set -e\necho $HOME\n"
    assert (a.start_line, a.end_line) == (1, 4)
    assert [(h.name, h.expand, h.chomp) for h in b.heredocs] == [("END", False, True)]
    assert b.heredocs[0].body == "echo hi\n"
    assert c.heredocs[0].name == "CFG" and not c.heredocs[0].expand


def test_several_heredocs_on_one_line_and_fd():
    tree = roundtrip("RUN cat <<A > /a && cat 3<<B\nalpha\nA\nbeta\nB\nUSER x\n")
    ins = tree.instructions[0]
    assert [(h.name, h.fd, h.content) for h in ins.heredocs] == [("A", 0, "alpha\n"), ("B", 3, "beta\n")]
    assert tree.instructions[1].name == "USER"


def test_heredoc_end_followed_directly_by_instruction():
    tree = roundtrip("FROM x\nRUN <<EOF\necho\nEOF\nRUN echo next\n")
    assert [i.name for i in tree.instructions] == ["FROM", "RUN", "RUN"]
    assert tree.instructions[2].rest == "echo next"


def test_heredoc_like_text_in_cmd_and_json_is_not_a_heredoc():
    tree = roundtrip('CMD cat <<EOF\nRUN ["cat", "<<EOF"]\nENV A=<<EOF\n')
    assert all(not i.heredocs for i in tree.instructions)
    assert len(tree.instructions) == 3


def test_word_glued_heredoc_is_not_a_heredoc():
    tree = roundtrip("RUN cat<<EOF\nx\n")
    assert not tree.instructions[0].heredocs


def test_unterminated_heredoc_is_an_error_node_that_roundtrips():
    tree = roundtrip("FROM x\nRUN <<EOF\necho never ends\n")
    ins = tree.instructions[1]
    assert ins.heredocs and not ins.heredocs[0].terminated
    assert tree.errors[0].message == "unterminated heredoc" and tree.errors[0].line == 2


def test_onbuild_has_a_trigger_node():
    tree = roundtrip("ONBUILD RUN --mount=type=cache,target=/x make\nONBUILD COPY <<EOF /x\nhi\nEOF\n")
    a, b = tree.instructions
    assert a.trigger is not None and a.trigger.name == "RUN"
    assert a.trigger.buildkit_flags() == ("--mount=type=cache,target=/x",)
    assert a.trigger.rest == "make"
    assert isinstance(a.children[-1], Instruction)
    assert b.trigger.heredocs[0].content == "hi\n"
    assert str(a) == "ONBUILD RUN --mount=type=cache,target=/x make\n"


def test_onbuild_of_forbidden_trigger_is_an_error():
    tree = roundtrip("ONBUILD FROM x\n")
    assert "ONBUILD trigger" in tree.errors[0].message


def test_unknown_instruction_is_an_error_node():
    tree = roundtrip("FROM x\nFOO bar\n")
    assert tree.errors[0].message == "unknown instruction: FOO"
    assert (tree.errors[0].line, tree.errors[0].column) == (2, 1)


def test_env_and_label_forms():
    tree = roundtrip('ENV A b c\nENV A="x y" B=2 C=\\"q\\"\nLABEL "a b"=c d="e\\\n f"\n')
    a, b, c = tree.instructions
    assert a.buildkit_value() == ("A", "b c")
    assert b.buildkit_value() == ("A", '"x y"', "B", "2", "C", '\\"q\\"')
    assert c.buildkit_value() == ('"a b"', "c", "d", '"e f"')


def test_env_errors():
    tree = roundtrip("ENV A\nENV a=b c\n")
    msgs = [e.message for e in tree.errors]
    assert "ENV must have two arguments" in msgs[0]
    assert "can't find =" in msgs[1]


def test_arg_expose_volume_healthcheck_shell():
    tree = roundtrip(
        'ARG A B=2 C="x y"\nEXPOSE 80 443/tcp 8000-8010/udp\nVOLUME ["/data", "/logs"]\nVOLUME /a /b\n'
        'HEALTHCHECK --interval=5s CMD ["curl", "-f", "localhost"]\nHEALTHCHECK NONE\nSHELL ["/bin/bash", "-c"]\n')
    arg, exp, v1, v2, h1, h2, sh = tree.instructions
    assert arg.buildkit_value() == ("A", "B=2", 'C="x y"')
    assert exp.buildkit_value() == ("80", "443/tcp", "8000-8010/udp")
    assert v1.is_json and v1.buildkit_value() == ("/data", "/logs")
    assert v2.buildkit_value() == ("/a", "/b")
    assert h1.buildkit_value() == ("CMD", "curl", "-f", "localhost") and h1.is_json
    assert h2.buildkit_value() == ("NONE",)
    assert sh.json_args == ["/bin/bash", "-c"]


def test_missing_arguments_are_errors():
    tree = roundtrip("FROM\nCOPY onlyone\nUSER\n")
    msgs = [e.message for e in tree.errors]
    assert msgs == ["FROM requires at least one argument", "COPY requires at least two arguments",
                    "USER requires at least one argument"]


def test_spans_and_words():
    text = "FROM x\nRUN echo a \\\n  b\nEXPOSE  80   443\n"
    tree = roundtrip(text)
    run = tree.instructions[1]
    assert (run.span.start.line, run.span.start.column) == (2, 1)
    assert run.keyword_span.end.column == 4
    rs = run.rest_span
    assert (rs.start.line, rs.start.column, rs.end.line, rs.end.column) == (2, 5, 3, 4)
    words = tree.instructions[2].words()
    assert [(w.text, w.span.start.column) for w in words] == [("80", 9), ("443", 14)]


def test_directive_and_comment_nodes():
    tree = roundtrip("# syntax=x\n  # indented comment\nFROM x # not a comment\n")
    assert isinstance(tree.children[0], Directive)
    assert isinstance(tree.children[1], Comment) and tree.children[1].text == "indented comment"
    assert tree.instructions[0].buildkit_value() == ("x", "#", "not", "a", "comment")


def test_line_continuation_only_line_starts_instruction():
    tree = roundtrip("\\\nRUN x\n")
    ins = only(tree)
    assert ins.name == "RUN" and (ins.start_line, ins.end_line) == (1, 2)


def test_heredoc_node_types():
    tree = roundtrip("RUN <<EOF\nx\nEOF\n")
    assert any(isinstance(c, Heredoc) for c in tree.instructions[0].children)


def test_parse_rejects_bytes():
    with pytest.raises(TypeError):
        parse(b"FROM x")  # type: ignore[arg-type]


def test_long_onbuild_chain_parses_without_recursion():
    """A 5,000-level ONBUILD chain (BuildKit refuses the nesting) round-trips and reports errors, no RecursionError."""
    text = "FROM scratch\n" + "ONBUILD " * 5000 + "RUN true\n"
    tree = parse(text)
    assert str(tree) == text
    assert tree.errors and "isn't allowed as an ONBUILD trigger" in tree.errors[0].message
    ins = tree.instructions[1]
    depth = 0
    while ins.trigger is not None:
        ins, depth = ins.trigger, depth + 1
    assert depth == 5000 and ins.name == "RUN"
