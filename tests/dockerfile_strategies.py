"""Hypothesis strategies producing Dockerfile-like text (valid, odd and broken)."""

from __future__ import annotations

from hypothesis import strategies as st

KEYWORDS = ["FROM", "RUN", "CMD", "COPY", "ADD", "ENV", "ARG", "USER", "EXPOSE", "VOLUME", "WORKDIR",
            "LABEL", "ENTRYPOINT", "SHELL", "HEALTHCHECK", "ONBUILD", "STOPSIGNAL", "MAINTAINER", "from",
            "run", "Copy", "BOGUS"]
FRAGMENTS = ["a", "b c", "--from=x", "--mount=type=cache,target=/x", "'q'", '"d q"', "$X", "${Y:-z}",
             "[\"a\", \"b\"]", "[1]", "[", "<<EOF", "<<-E", "3<<'Q'", "cat <<A <<B", "=", "k=v", "#", "\\",
             "`", "\t", " ", "  ", "é", "日本", "\\\\", "--", "-- x", "AS", "as", "80/tcp", "{", "}", "&&"]
NEWLINES = ["\n", "\r\n", "\r", "", "\n\n"]


@st.composite
def instruction_lines(draw) -> str:
    kw = draw(st.sampled_from(KEYWORDS))
    parts = draw(st.lists(st.sampled_from(FRAGMENTS), max_size=6))
    line = kw + "".join(" " + p for p in parts)
    if draw(st.booleans()):
        line = draw(st.sampled_from(["", " ", "\t", "  "])) + line
    if draw(st.integers(0, 4)) == 0:
        line += draw(st.sampled_from([" \\", "\\", "`", " \\  ", "\\\t"]))
    return line


@st.composite
def heredoc_blocks(draw) -> str:
    name = draw(st.sampled_from(["EOF", "E", "Q", "A", "B"]))
    body = draw(st.lists(st.sampled_from(["echo hi", "\tindented", "# c", "", "EOF ", " EOF", "\\"]), max_size=4))
    end = draw(st.sampled_from([name, "\t" + name, name + " ", ""]))
    return "\n".join(body + [end])


LINES = st.one_of(
    instruction_lines(),
    heredoc_blocks(),
    st.sampled_from(["# comment", "#", "# escape=`", "# escape=\\", "# syntax=docker/dockerfile:1",
                     "# check=skip=all", "", "   ", "\t", "  # indented", "\\", "`"]),
    st.text(max_size=20),
)


@st.composite
def dockerfiles(draw) -> str:
    lines = draw(st.lists(LINES, max_size=12))
    out = "\ufeff" if draw(st.integers(0, 9)) == 0 else ""
    for line in lines:
        out += line + draw(st.sampled_from(NEWLINES))
    return out
