"""YAML as ruamel.yaml nodes: values, exact positions, and edits that leave the rest of the file alone.

Compose files and Kubernetes manifests are composed with ruamel.yaml's round-trip loader into node
graphs. Every node carries ruamel's marks (line, column and character offset of its start and end),
which give findings their ``file:line:col`` and fixes their insertion points. A fix is a text edit:
new entries are rendered by ruamel.yaml (in the document's own indentation style) and inserted at a
node boundary; scalars are replaced in place. Comments, key order, quoting and the formatting of
everything else stay byte-identical, and the result is re-composed to prove it is still valid YAML.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from slimguard.core.findings import Edit

MERGE_TAG = "tag:yaml.org,2002:merge"
_TRUE = {"true", "yes", "on", "y"}
_FALSE = {"false", "no", "off", "n"}


class YamlError(Exception):
    """Invalid YAML: one line naming line:column when known."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.allow_duplicate_keys = True
    return y


def compose_all(text: str) -> list[Node | None]:
    """The documents of *text* as node graphs (None for an empty document)."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        nodes = list(_yaml().compose_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        col = mark.column + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", line, col) from None
    except YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError("invalid YAML: nested too deep") from None
    out: list[Node | None] = []
    for n in nodes:
        _refuse_duplicates(n)
        if isinstance(n, ScalarNode) and n.tag.endswith(":null") and n.value in ("", "~", "null", "Null", "NULL"):
            out.append(None)
        else:
            out.append(n)
    return out


def _refuse_duplicates(root: Node | None) -> None:
    """A mapping that repeats a key (two ``web:`` services) is refused: YAML forbids it, tools disagree on
    which one wins, and an edit made to one of them would not survive the next reading."""
    if root is None:
        return
    for n in walk(root):
        if not isinstance(n, MappingNode):
            continue
        seen: set = set()
        for k, _v in n.value:
            if not isinstance(k, ScalarNode) or k.tag == MERGE_TAG or (k.value == "<<" and k.style is None):
                continue
            key = (k.tag, k.value)
            if key in seen:
                mark = k.start_mark
                raise YamlError(f"duplicate key {str(k.value)[:80]!r}", mark.line + 1, mark.column + 1)
            seen.add(key)


# -- values ---------------------------------------------------------------------------------


def is_map(node: Any) -> bool:
    return isinstance(node, MappingNode)


def is_seq(node: Any) -> bool:
    return isinstance(node, SequenceNode)


def is_scalar(node: Any) -> bool:
    return isinstance(node, ScalarNode)


def is_null(node: Any) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag.endswith(":null"))


def scalar(node: Any) -> Any:
    """The Python value of a scalar node (YAML 1.2 core schema, as ruamel resolved it)."""
    if not isinstance(node, ScalarNode):
        return None
    tag, value = node.tag, node.value
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return value.lower() in _TRUE
    if tag.endswith(":int"):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            try:
                return int(value.replace("_", ""))
            except ValueError:
                return value
    if tag.endswith(":float"):
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value


def as_bool(node: Any) -> bool | None:
    """A boolean, accepting YAML 1.1 spellings (yes/no/on/off) that docker-compose's PyYAML reads."""
    v = scalar(node)
    if isinstance(v, bool):
        return v
    if isinstance(v, str):
        if v.lower() in _TRUE:
            return True
        if v.lower() in _FALSE:
            return False
    return None


def as_int(node: Any) -> int | None:
    v = scalar(node)
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"[+-]?\d+", v.strip()):
        return int(v)
    return None


def as_str(node: Any) -> str | None:
    v = scalar(node)
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(node, ScalarNode) and not isinstance(v, str):
        return node.value
    return str(v)


@dataclass(frozen=True)
class Entry:
    """One key of a mapping, with where it came from."""

    key: ScalarNode
    value: Node
    owner: MappingNode  # the mapping whose text holds the entry
    inherited: bool = False  # reached through a merge key (`<<: *anchor`)

    @property
    def name(self) -> str:
        return str(self.key.value)


def entries(node: Any) -> list[Entry]:
    """The mapping's entries with merge keys resolved (own keys win, then merges in order)."""
    if not isinstance(node, MappingNode):
        return []
    own: list[Entry] = []
    merged: list[Entry] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and (k.tag == MERGE_TAG or (k.value == "<<" and k.style is None)):
            sources = v.value if isinstance(v, SequenceNode) else [v]
            for src in sources:
                for e in entries(src):
                    merged.append(Entry(e.key, e.value, e.owner, True))
            continue
        if isinstance(k, ScalarNode):
            own.append(Entry(k, v, node, False))
    seen: set[str] = set()
    out: list[Entry] = []
    for e in own + merged:
        if e.name in seen:
            continue
        seen.add(e.name)
        out.append(e)
    return out


def get(node: Any, key: str) -> Entry | None:
    for e in entries(node):
        if e.name == key:
            return e
    return None


def value(node: Any, key: str) -> Node | None:
    e = get(node, key)
    return e.value if e is not None else None


def items(node: Any) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def walk(node: Any) -> Iterator[Node]:
    """Every node once (aliases are the same object and are visited once)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, MappingNode):
            for k, v in reversed(n.value):
                stack.append(v)
                stack.append(k)
        elif isinstance(n, SequenceNode):
            stack.extend(reversed(n.value))


def reference_counts(root: Any) -> Counter:
    """How many parents reference each node (more than one: the node is an anchor used by aliases)."""
    counts: Counter = Counter()
    seen: set[int] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        children: list[Node] = []
        if isinstance(n, MappingNode):
            for k, v in n.value:
                children += [k, v]
        elif isinstance(n, SequenceNode):
            children = list(n.value)
        for c in children:
            counts[id(c)] += 1
            stack.append(c)
    return counts


# -- positions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Loc:
    """A span of the source text: character offsets."""

    start: int
    end: int


def loc(node: Node, end_node: Node | None = None) -> Loc:
    end = (end_node or node).end_mark.index
    start = content_start(node)
    return Loc(start, max(start, end))


def content_start(node: Node) -> int:
    """The node's first character after an anchor or tag (``&x {a: 1}`` -> the brace)."""
    start = node.start_mark.index
    buf = node.start_mark.buffer
    if buf is None:
        return start
    i = start
    for _ in range(2):  # an anchor and a tag, in either order
        if i < len(buf) and buf[i] in "&!":
            while i < len(buf) and buf[i] not in " \t\r\n":
                i += 1
            while i < len(buf) and buf[i] in " \t":
                i += 1
    return i if i < node.end_mark.index else start


def key_loc(entry: Entry) -> Loc:
    """From the key to the end of a scalar value (or the end of the key for collections)."""
    if isinstance(entry.value, ScalarNode) and entry.value.end_mark.line == entry.key.start_mark.line:
        return Loc(entry.key.start_mark.index, max(entry.value.end_mark.index, entry.key.end_mark.index))
    return Loc(entry.key.start_mark.index, entry.key.end_mark.index)


class TextIndex:
    """Offsets to 1-based line and column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        offset = max(0, min(offset, len(self.text)))
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def span(self, loc: Loc) -> tuple[int, int, int, int]:
        line, col = self.position(loc.start)
        end = loc.end
        # keep multi-line spans on their first line: findings point at the key
        nl = self.text.find("\n", loc.start)
        if nl != -1 and end > nl:
            end = nl
            while end > loc.start and self.text[end - 1] in " \t\r":
                end -= 1
        end_line, end_col = self.position(end)
        return line, col, end_line, max(end_col, col + 1 if end_line == line and end == loc.start else end_col)


# -- style ----------------------------------------------------------------------------------


@dataclass
class Style:
    """The document's indentation, so inserted YAML looks like its neighbours."""

    mapping: int = 2  # columns from a key to its nested keys
    dash: int = 2  # columns from a key to the dash of its block sequence ('containers:\n  - name')
    newline: str = "\n"


def detect_style(text: str, roots: list[Node | None]) -> Style:
    maps: Counter = Counter()
    dashes: Counter = Counter()
    for root in roots:
        for n in walk(root):
            if not isinstance(n, MappingNode) or n.flow_style:
                continue
            for k, v in n.value:
                if isinstance(v, MappingNode) and not v.flow_style and v.value:
                    first = v.value[0][0]
                    if first.start_mark.line > k.start_mark.line:
                        d = first.start_mark.column - k.start_mark.column
                        if d > 0:
                            maps[d] += 1
                elif isinstance(v, SequenceNode) and not v.flow_style and v.value:
                    if v.start_mark.line > k.start_mark.line:
                        d = v.start_mark.column - k.start_mark.column
                        if d >= 0:
                            dashes[d] += 1
    style = Style()
    if maps:
        style.mapping = maps.most_common(1)[0][0]
    if dashes:
        style.dash = dashes.most_common(1)[0][0]
    i = text.find("\n")
    if i > 0 and text[i - 1] == "\r":
        style.newline = "\r\n"
    return style


def _has_nesting(root: Node) -> bool:
    """Whether the document has a nested block mapping or sequence to learn indentation from."""
    for n in walk(root):
        if isinstance(n, MappingNode) and not n.flow_style:
            for k, v in n.value:
                if isinstance(v, (MappingNode, SequenceNode)) and not v.flow_style and v.value and \
                        v.start_mark.line > k.start_mark.line:
                    return True
    return False


# -- rendering ------------------------------------------------------------------------------


def quoted(text: str) -> Any:
    """A string ruamel.yaml writes in double quotes (user "1000:1000" must never read as a number)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return DoubleQuotedScalarString(text)


def _to_ruamel(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _to_ruamel(v)
        return m
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_to_ruamel(v) for v in value)
    if isinstance(value, str) and type(value) is str and _needs_quotes(value):
        return quoted(value)
    return value


_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _needs_quotes(s: str) -> bool:
    """Strings a YAML 1.1 reader (docker-compose's PyYAML) could take for something else."""
    if s.lower() in _YAML11_WORDS or s == "":
        return True
    if re.fullmatch(r"[-+]?[0-9][0-9_:.eE+-]*", s):
        return True
    return False


def render_block(key: str, value: Any, column: int, style: Style) -> str:
    """``key: value`` as block YAML starting at *column*, each line ending with a newline."""
    from ruamel.yaml.comments import CommentedMap

    y = _yaml()
    y.width = 4096
    offset = style.dash
    y.indent(mapping=style.mapping, sequence=offset + 2, offset=offset)
    doc = CommentedMap()
    doc[key] = _to_ruamel(value)
    buf = io.StringIO()
    y.dump(doc, buf)
    lines = buf.getvalue().splitlines()
    pad = " " * column
    return "".join(pad + line + style.newline for line in lines)


def render_item(item: dict, dash_column: int, style: Style) -> str:
    """One block-sequence item holding a mapping: ``- name: x`` / ``  value: y``."""
    y = _yaml()
    y.width = 4096
    y.indent(mapping=style.mapping, sequence=2, offset=0)
    buf = io.StringIO()
    y.dump([_to_ruamel(item)], buf)
    pad = " " * dash_column
    return "".join(pad + line + style.newline for line in buf.getvalue().splitlines())


def merge_edits(edits: list[Edit]) -> tuple[Edit, ...]:
    """Join insertions at the same offset (in order) so one fix never conflicts with itself."""
    out: list[Edit] = []
    for e in edits:
        if out and e.start == e.end == out[-1].start == out[-1].end:
            out[-1] = Edit(e.start, e.end, out[-1].text + e.text)
        else:
            out.append(e)
    return tuple(out)


def render_flow(value: Any) -> str:
    """A value in flow style: ``{type: RuntimeDefault}``, ``[ALL]``, ``true``."""
    y = _yaml()
    y.width = 4096
    y.default_flow_style = True
    buf = io.StringIO()
    y.dump({"v": _to_ruamel(value)}, buf)
    out = buf.getvalue().strip()
    # ruamel writes {v: ...}
    assert out.startswith("{v: ") and out.endswith("}"), out
    return out[4:-1]


def render_scalar(value: Any, flow: bool = False) -> str:
    """A scalar for a block context (plain where YAML allows it) or, with *flow*, for a flow collection."""
    if flow or isinstance(value, (dict, list, tuple)):
        return render_flow(value)
    y = _yaml()
    y.width = 4096
    buf = io.StringIO()
    y.dump({"v": _to_ruamel(value)}, buf)
    out = buf.getvalue().rstrip("\n")
    assert out.startswith("v: "), out
    return out[3:]


# -- edits ----------------------------------------------------------------------------------


class Patcher:
    """Builds text edits against one file's YAML documents."""

    def __init__(self, text: str, roots: list[Node | None]) -> None:
        self.text = text
        self.roots = roots
        self.style = detect_style(text, roots)
        self._styles: list[tuple[int, int, Style]] = []
        for r in roots:
            if r is not None:
                st = detect_style(text, [r])
                if st.mapping == Style.mapping and st.dash == Style.dash:
                    # nothing to learn from this document: keep the file's style
                    st = Style(self.style.mapping, self.style.dash, self.style.newline) if not _has_nesting(r) else st
                self._styles.append((r.start_mark.index, r.end_mark.index, st))
        self._refs: Counter = Counter()
        self._flow: list[tuple[int, int]] = []
        for r in roots:
            self._refs.update(reference_counts(r))
            for n in walk(r):
                if isinstance(n, (MappingNode, SequenceNode)) and n.flow_style:
                    self._flow.append((content_start(n), n.end_mark.index))

    def style_at(self, offset: int) -> Style:
        """The indentation style of the document holding *offset*."""
        for s, e, st in self._styles:
            if s <= offset <= e:
                return st
        return self.style

    def in_flow(self, node: Node) -> bool:
        """Whether the node is written inside a flow collection ({...} or [...])."""
        at = content_start(node)
        return any(s < at < e for s, e in self._flow)

    # ownership: a node reached through an alias is shared text; editing it would change every user
    def shared(self, node: Node) -> bool:
        return self._refs.get(id(node), 0) > 1

    def _line_end(self, offset: int) -> int:
        """The offset just after the newline ending the line that holds *offset*."""
        if offset > 0 and self.text[offset - 1] == "\n":
            return offset
        nl = self.text.find("\n", offset)
        return len(self.text) if nl == -1 else nl + 1

    def node_end(self, node: Node) -> int:
        """End of the node's text (for block collections: end of their last scalar or flow node)."""
        if isinstance(node, MappingNode) and not node.flow_style and node.value:
            k, v = node.value[-1]
            return max(k.end_mark.index, self.node_end(v))
        if isinstance(node, SequenceNode) and not node.flow_style and node.value:
            return self.node_end(node.value[-1])
        return node.end_mark.index

    def _insert_lines(self, offset: int, block: str) -> Edit:
        if offset >= len(self.text) and self.text and not self.text.endswith("\n"):
            return Edit(len(self.text), len(self.text), self.style.newline + block.rstrip("\r\n"))
        return Edit(offset, offset, block)

    def add_entry(self, mapping: MappingNode, key: str, value: Any) -> tuple[Edit, ...] | None:
        """Insert ``key: value`` as the mapping's last entry."""
        if self.shared(mapping):
            return None
        if mapping.flow_style:
            return self._add_flow_entry(mapping, key, value)
        if not mapping.value:
            return None
        column = mapping.value[0][0].start_mark.column
        end = self._line_end(self.node_end(mapping))
        return (self._insert_lines(end, render_block(key, value, column, self.style_at(end))),)

    def _add_flow_entry(self, mapping: MappingNode, key: str, value: Any) -> tuple[Edit, ...] | None:
        end = mapping.end_mark.index  # just after '}'
        if end <= 0 or self.text[end - 1] != "}":
            return None
        close = end - 1
        j = close
        while j > 0 and self.text[j - 1] in " \t\r\n":
            j -= 1
        piece = f"{key}: {render_flow(value)}"
        if mapping.value:
            return (Edit(j, j, ", " + piece),)
        return (Edit(content_start(mapping), end, "{" + piece + "}"),)

    def replace_value(self, node: Node, value: Any) -> tuple[Edit, ...] | None:
        """Replace a scalar or flow value in place (block collections are not replaced)."""
        if self.shared(node):
            return None
        if isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style:
            return None
        start = content_start(node)
        end = node.end_mark.index
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            return None
        return (Edit(start, end, render_scalar(value, self.in_flow(node))),)

    def set_path(self, mapping: MappingNode, path: list[str], value: Any) -> tuple[Edit, ...] | None:
        """Make ``mapping[path[0]]...[path[-1]] == value``, creating what is missing."""
        if not path:
            return None
        if self.shared(mapping):
            return None
        key, rest = path[0], path[1:]
        entry = get(mapping, key)
        if entry is not None and entry.inherited:
            entry = None  # override a merged key in the mapping's own text
        nested: Any = value
        for k in reversed(rest):
            nested = {k: nested}
        if entry is None:
            return self.add_entry(mapping, key, nested)
        child = entry.value
        if not rest:
            if isinstance(child, (MappingNode, SequenceNode)) and not child.flow_style:
                return None
            return self.replace_value(child, value)
        if is_null(child):
            return self._fill_null(entry, nested)
        if isinstance(child, MappingNode):
            return self.set_path(child, rest, value)
        return None

    def _fill_null(self, entry: Entry, value: dict) -> tuple[Edit, ...] | None:
        """``key:`` (or ``key: null``/``~``) becomes ``key:`` with a nested block."""
        node = entry.value
        if self.shared(node):
            return None
        style = self.style_at(entry.key.start_mark.index)
        column = entry.key.start_mark.column + style.mapping
        edits: list[Edit] = []
        if isinstance(node, ScalarNode) and node.value:
            start = node.start_mark.index
            while start > 0 and self.text[start - 1] in " \t":
                start -= 1
            edits.append(Edit(start, node.end_mark.index, ""))
        line_end = self._line_end(max(entry.key.end_mark.index, node.end_mark.index))
        block = "".join(render_block(k, v, column, style) for k, v in value.items())
        edits.append(self._insert_lines(line_end, block))
        return tuple(edits)

    def append_item(self, mapping: MappingNode, path: list[str], item: Any) -> tuple[Edit, ...] | None:
        """Append *item* to the sequence at *path* (creating the sequence when missing)."""
        if self.shared(mapping):
            return None
        node: Any = mapping
        parent = mapping
        for i, k in enumerate(path):
            e = get(node, k)
            if e is None or e.inherited:
                return self.set_path(node, path[i:], [item])
            parent, node = node, e.value
            if self.shared(node):
                return None
            if i < len(path) - 1 and not isinstance(node, MappingNode):
                if is_null(node):
                    return self.set_path(parent, path[i:], [item])
                return None
        seq = node
        if is_null(seq):
            return self.set_path(parent, path[-1:], [item])
        if isinstance(seq, ScalarNode):  # compose allows `tmpfs: /run` for a one-item list
            return (Edit(content_start(seq), seq.end_mark.index, render_flow([as_str(seq), item])),)
        if not isinstance(seq, SequenceNode):
            return None
        if seq.flow_style:
            end = seq.end_mark.index
            if end <= 0 or self.text[end - 1] != "]":
                return None
            j = end - 1
            while j > 0 and self.text[j - 1] in " \t\r\n":
                j -= 1
            piece = render_flow(item)
            if seq.value:
                return (Edit(j, j, ", " + piece),)
            return (Edit(content_start(seq), end, "[" + piece + "]"),)
        if not seq.value:
            return None
        dash_col = seq.start_mark.column
        end = self._line_end(self.node_end(seq))
        if isinstance(item, dict):
            return (self._insert_lines(end, render_item(item, dash_col, self.style_at(end))),)
        return (self._insert_lines(end, " " * dash_col + "- " + render_scalar(item) + self.style.newline),)

    def set_fields(self, mapping: MappingNode, prefix: list[str], fields: dict[str, Any]) -> tuple[Edit, ...] | None:
        """Set several keys of the mapping at *prefix* at once (one insertion when it is created)."""
        node: Any = mapping
        for i, k in enumerate(prefix):
            e = get(node, k)
            if e is None or e.inherited or is_null(e.value):
                nested: Any = dict(fields)
                for kk in reversed(prefix[i + 1:]):
                    nested = {kk: nested}
                if e is not None and is_null(e.value) and not e.inherited:
                    return self._fill_null(e, nested)
                return self.add_entry(node, k, nested)
            node = e.value
            if not isinstance(node, MappingNode):
                return None
        edits: list[Edit] = []
        for k, v in fields.items():
            e = get(node, k)
            if e is not None and not e.inherited and scalar(e.value) == v:
                continue
            part = self.set_path(node, [k], v)
            if part is None:
                return None
            edits.extend(part)
        return merge_edits(edits)

    def remove_item(self, seq: SequenceNode, item: Node) -> tuple[Edit, ...] | None:
        """Delete one scalar item: its whole line in a block sequence, the item and a comma in a flow one."""
        if self.shared(seq) or not isinstance(item, ScalarNode):
            return None
        if seq.flow_style:
            s, e = content_start(item), item.end_mark.index
            j = e
            while j < len(self.text) and self.text[j] in " \t":
                j += 1
            if j < len(self.text) and self.text[j] == ",":
                j += 1
                while j < len(self.text) and self.text[j] in " \t":
                    j += 1
                return (Edit(s, j, ""),)
            i = s
            while i > 0 and self.text[i - 1] in " \t":
                i -= 1
            if i > 0 and self.text[i - 1] == ",":
                return (Edit(i - 1, e, ""),)
            return (Edit(s, e, ""),)  # the only item: [] remains
        if item.start_mark.line != item.end_mark.line:
            return None
        line_start = self.text.rfind("\n", 0, item.start_mark.index) + 1
        prefix = self.text[line_start:content_start(item)]
        if prefix.strip() != "-":
            return None
        end = self._line_end(item.end_mark.index)
        rest = self.text[item.end_mark.index:end].lstrip(" \t")
        if rest.startswith("#"):  # `- seccomp:unconfined  # for io_uring`: the comment stays, on its own line
            dash = line_start + len(prefix) - len(prefix.lstrip(" \t"))
            if not rest.endswith("\n") and end >= len(self.text):
                rest += self.style.newline
            return (Edit(line_start, end, self.text[line_start:dash] + rest),)
        return (Edit(line_start, end, ""),)

    def replace_text(self, node: ScalarNode, new_text: str) -> tuple[Edit, ...] | None:
        """Replace a scalar's value keeping its quoting style (plain, '...' or "...")."""
        if self.shared(node) or node.style in ("|", ">"):
            return None
        start, end = content_start(node), node.end_mark.index
        if node.style == '"':
            import json

            return (Edit(start, end, json.dumps(new_text)),)
        if node.style == "'":
            return (Edit(start, end, "'" + new_text.replace("'", "''") + "'"),)
        return (Edit(start, end, render_scalar(new_text, self.in_flow(node))),)
