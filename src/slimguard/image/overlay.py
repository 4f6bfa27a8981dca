"""Apply layers with the OCI image spec's overlay semantics and account for every byte.

Per layer, in this order (image-spec ``layer.md``):

1. opaque whiteouts (``DIR/.wh..wh..opq``): every child that lower layers put in DIR is hidden;
2. whiteouts (``DIR/.wh.NAME``): DIR/NAME from lower layers is removed, a directory with its subtree;
3. the other entries in tar order: a new entry replaces what a lower layer had at its path (a
   directory replaced by a non-directory loses its subtree; a directory over a directory merges);
   missing parents are created, and a non-directory in the way of a parent is replaced.

Paths are literal: a symlink in a lower layer is not followed when a later layer adds entries below
its name (overlayfs and the spec do the same). Regular-file content is reference counted so that
hardlinks keep bytes alive: bytes are *hidden* when the last path referring to them goes.

Hidden bytes are attributed twice, exactly and deterministically: to the layer that added them
(``origin``) and to the layer whose change hid them (``by``), each split by cause:
``overwritten`` (same path replaced later, e.g. ``chown -R``), ``deleted`` (a file whiteout),
``deleted-dir`` (inside a directory removed by a whiteout), ``opaque`` (inside an opaque directory),
``replaced-dir`` (inside a directory replaced by a file), ``duplicate`` (the same path twice in one
layer).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Iterator

from slimguard.image.layers import CHAR, BLOCK, DIR, HARDLINK, OPAQUE, REG, SYMLINK, WHITEOUT, LayerScan

CAUSES = ("overwritten", "deleted", "deleted-dir", "opaque", "replaced-dir", "duplicate")
TOP = 15


class Content:
    __slots__ = ("layer", "size", "refs")

    def __init__(self, layer: int, size: int) -> None:
        self.layer = layer
        self.size = size
        self.refs = 1


class Node:
    __slots__ = ("kind", "mode", "uid", "gid", "layer", "link", "content", "children", "data")

    def __init__(self, kind: int, mode: int, uid: int, gid: int, layer: int, link: str | None = None) -> None:
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.layer = layer
        self.link = link
        self.content: Content | None = None
        self.children: dict[str, Node] | None = {} if kind == DIR else None
        self.data: bytes | None = None  # captured content (small files only)

    @property
    def size(self) -> int:
        return self.content.size if self.content is not None else 0


@dataclass
class LayerStats:
    index: int
    tar_bytes: int = 0
    raw_bytes: int = 0
    content_bytes: int = 0
    header_bytes: int = 0
    entries: int = 0
    files: int = 0
    whiteouts: int = 0
    opaque_dirs: int = 0
    hidden_from: dict = field(default_factory=dict)  # cause -> bytes of this layer hidden later
    hidden_by: dict = field(default_factory=dict)  # cause -> bytes of lower layers this layer hid
    visible_bytes: int = 0  # bytes of this layer visible in the final filesystem
    compression: str = "none"


@dataclass(order=True)
class HiddenItem:
    size: int
    path: str = field(compare=False)
    origin: int = field(compare=False)
    by: int = field(compare=False)
    cause: str = field(compare=False)
    files: int = field(default=1, compare=False)


class _Top:
    """Keep the ``n`` largest items (deterministic tie-break: first seen wins)."""

    def __init__(self, n: int = TOP) -> None:
        self.n = n
        self.heap: list = []
        self.seq = 0

    def add(self, size: int, item: HiddenItem) -> None:
        self.seq += 1
        key = (size, -self.seq, item)
        if len(self.heap) < self.n:
            heapq.heappush(self.heap, key)
        elif key[:2] > self.heap[0][:2]:
            heapq.heapreplace(self.heap, key)

    def items(self) -> list[HiddenItem]:
        return [k[2] for k in sorted(self.heap, key=lambda k: (-k[0], -k[1]))]


class Overlay:
    def __init__(self) -> None:
        self.root = Node(DIR, 0o755, 0, 0, -1)
        self.layers: list[LayerStats] = []
        self.top_hidden = _Top()
        self.top_hidden_dirs = _Top()
        self.anomalies: list[str] = []
        self._current = -1
        self._cache: dict = {}
        self._contents: list[Content] = []

    # -- accounting -------------------------------------------------------------------------
    def _hide(self, node: Node, path: str, cause: str, by: int, report: bool = True) -> tuple[int, int]:
        """Remove ``node`` (and its subtree) from the view; -> (bytes hidden, files hidden)."""
        total = files = 0
        stack = [(node, path)]
        while stack:
            n, p = stack.pop()
            if n.children:
                for name, child in n.children.items():
                    stack.append((child, p + "/" + name))
            c = n.content
            if c is None:
                continue
            c.refs -= 1
            if c.refs:
                continue
            size = c.size
            files += 1
            if not size:
                continue
            total += size
            origin = self.layers[c.layer] if 0 <= c.layer < len(self.layers) else None
            if origin is not None:
                origin.hidden_from[cause] = origin.hidden_from.get(cause, 0) + size
            self.layers[by].hidden_by[cause] = self.layers[by].hidden_by.get(cause, 0) + size
            if report or n is not node:
                self.top_hidden.add(size, HiddenItem(size, "/" + p, c.layer, by, cause))
        return total, files

    # -- applying ---------------------------------------------------------------------------
    def _lookup(self, path: str) -> tuple[Node | None, Node | None, str]:
        """-> (parent dir node or None, node or None, basename) without creating anything."""
        parts = path.split("/")
        node = self.root
        for name in parts[:-1]:
            ch = node.children.get(name) if node.children is not None else None
            if ch is None or ch.kind != DIR:
                return None, None, parts[-1]
            node = ch
        return node, node.children.get(parts[-1]), parts[-1]

    def _parent(self, path: str, layer: int) -> tuple[Node, str]:
        parts = path.split("/")
        node = self.root
        for k in range(len(parts) - 1):
            name = parts[k]
            children = node.children
            ch = children.get(name)  # type: ignore[union-attr]
            if ch is None or ch.kind != DIR:
                if ch is not None:
                    walked = "/".join(parts[:k + 1])
                    self.anomaly(f"/{walked}: a {_kind(ch.kind)} is replaced by an implied directory "
                                 f"in layer {layer}")
                    self._hide(ch, walked, "overwritten", layer)
                ch = Node(DIR, 0o755, 0, 0, layer)
                children[name] = ch  # type: ignore[index]
            node = ch
        return node, parts[-1]

    def anomaly(self, text: str) -> None:
        if len(self.anomalies) < 50:
            self.anomalies.append(text)

    def apply(self, scan: LayerScan) -> LayerStats:
        i = len(self.layers)
        st = LayerStats(i, tar_bytes=scan.tar_bytes, raw_bytes=scan.raw_bytes, content_bytes=scan.content_bytes,
                        header_bytes=scan.header_bytes, entries=len(scan.entries), compression=scan.compression)
        self.layers.append(st)
        entries = scan.entries
        # 1. opaque whiteouts, 2. whiteouts: both only ever affect lower layers
        deletions = [e for e in entries if e[0] == OPAQUE or e[0] == WHITEOUT]
        if deletions:
            for e in deletions:
                if e[0] == OPAQUE:
                    st.opaque_dirs += 1
                    node = self.root if e[1] == "" else self._lookup(e[1])[1]
                    if node is None or node.kind != DIR or not node.children:
                        continue
                    hidden = files = 0
                    for name, child in list(node.children.items()):
                        b, f = self._hide(child, (e[1] + "/" + name) if e[1] else name, "opaque", i,
                                          report=child.kind != DIR)
                        hidden += b
                        files += f
                    node.children.clear()
                    if hidden:
                        self.top_hidden_dirs.add(hidden, HiddenItem(hidden, "/" + e[1], -1, i, "opaque", files))
            for e in deletions:
                if e[0] != WHITEOUT:
                    continue
                st.whiteouts += 1
                parent, node, name = self._lookup(e[1])
                if node is None:
                    continue
                if node.kind == DIR:
                    hidden, files = self._hide(node, e[1], "deleted-dir", i, report=False)
                    if hidden:
                        self.top_hidden_dirs.add(hidden, HiddenItem(hidden, "/" + e[1], -1, i, "deleted-dir", files))
                else:
                    self._hide(node, e[1], "deleted", i)
                del parent.children[name]  # type: ignore[union-attr]
        # 3. additions in tar order
        captures = scan.captures
        files = 0
        # parent directory path -> its node, valid while no directory is detached (then cleared): tar
        # entries come grouped by directory, so most entries skip the walk from the root
        dirs: dict[str, Node] = {}
        root = self.root
        for e in entries:
            kind = e[0]
            if kind == OPAQUE or kind == WHITEOUT:
                continue
            path = e[1]
            j = path.rfind("/")
            if j < 0:
                parent, name = root, path
            else:
                ppath = path[:j]
                parent = dirs.get(ppath)  # type: ignore[assignment]
                if parent is None:
                    parent, name = self._parent(path, i)
                    dirs[ppath] = parent
                else:
                    name = path[j + 1:]
            children = parent.children
            old = children.get(name)  # type: ignore[union-attr]
            if old is not None:
                if kind == DIR and old.kind == DIR:
                    old.mode, old.uid, old.gid, old.layer = e[3], e[4], e[5], i
                    dirs[path] = old
                    continue
                if old.kind == DIR:
                    dirs.clear()  # a directory goes: paths cached below it are stale
                cause = "duplicate" if old.layer == i else "overwritten"
                if old.kind == DIR:
                    hidden, nfiles = self._hide(old, path, "replaced-dir" if cause == "overwritten" else cause, i,
                                                report=False)
                    if hidden:
                        self.top_hidden_dirs.add(hidden, HiddenItem(hidden, "/" + path, -1, i, "replaced-dir", nfiles))
                else:
                    self._hide(old, path, cause, i)
                if cause == "duplicate":
                    self.anomaly(f"/{path}: appears twice in layer {i}; the later entry wins")
            node = Node(kind, e[3], e[4], e[5], i, e[6])
            if kind == REG:
                node.content = c = Content(i, e[2])
                self._contents.append(c)
                files += 1
                data = captures.get(path)
                if data is not None:
                    node.data = data
            elif kind == HARDLINK:
                target = self._resolve_hardlink(e[6])
                if target is None:
                    self.anomaly(f"/{path}: hardlink to /{e[6]}, which does not exist (kept as an empty file)")
                    node.kind = REG
                    node.content = Content(i, 0)
                    self._contents.append(node.content)
                else:
                    node.kind = REG
                    node.mode, node.uid, node.gid = target.mode, target.uid, target.gid
                    node.content = target.content
                    if target.content is not None:
                        target.content.refs += 1
                    node.data = target.data
            children[name] = node  # type: ignore[index]
            if kind == DIR:
                dirs[path] = node
        st.files = files
        return st

    def _resolve_hardlink(self, target: str) -> Node | None:
        if not target:
            return None
        node = self._lookup(target)[1]
        if node is None or node.kind != REG:
            return None
        return node

    # -- the final view ---------------------------------------------------------------------
    def walk(self, ordered: bool = False) -> Iterator[tuple[str, Node]]:
        """Every path of the final filesystem, depth first (``/`` not included); sorted when ``ordered``."""
        stack: list[tuple[str, Node]] = [("", self.root)]
        while stack:
            path, node = stack.pop()
            if node is not self.root:
                yield path, node
            children = node.children
            if children:
                names = sorted(children, reverse=True) if ordered else children
                for name in names:
                    stack.append((path + "/" + name, children[name]))

    def get(self, path: str, follow: bool = True, max_hops: int = 40) -> Node | None:
        """Look a path up in the final view, following symlinks inside the image root (never outside:
        ``..`` stops at the root). ``follow=False`` leaves a symlink in the last component unresolved."""
        node = self.root
        for name in path.strip("/").split("/"):
            children = node.children
            if children is None:
                return None
            ch = children.get(name)
            if ch is None or ch.kind == SYMLINK or name in (".", ".."):
                return self._get_slow(path, follow, max_hops)
            node = ch
        return node

    def _get_slow(self, path: str, follow: bool, max_hops: int) -> Node | None:
        key = (path, follow)
        cache = self._cache
        if key in cache:
            return cache[key]
        parts = [p for p in path.strip("/").split("/") if p]
        hops = 0
        node = self.root
        stack_parts: list[Node] = []
        i = 0
        result: Node | None = None
        while True:
            if i >= len(parts):
                result = node
                break
            name = parts[i]
            if name == ".":
                i += 1
                continue
            if name == "..":
                node = stack_parts.pop() if stack_parts else self.root
                i += 1
                continue
            if node.children is None:
                break
            child = node.children.get(name)
            if child is None:
                break
            last = i == len(parts) - 1
            if child.kind == SYMLINK and (follow or not last):
                hops += 1
                if hops > max_hops:
                    break
                # resolve the directory part once and cache it: package file lists repeat it
                target = child.link or ""
                rest = parts[i + 1:]
                if target.startswith("/"):
                    node, stack_parts = self.root, []
                parts = [p for p in target.split("/") if p] + rest
                i = 0
                continue
            stack_parts.append(node)
            node = child
            i += 1
        if len(cache) < 200000:
            cache[key] = result
        return result

    def finish(self) -> None:
        self._cache.clear()
        n = len(self.layers)
        for c in self._contents:
            if c.refs > 0 and 0 <= c.layer < n:
                self.layers[c.layer].visible_bytes += c.size
        self._contents = []


def _kind(kind: int) -> str:
    from slimguard.image.layers import KIND_NAMES

    return KIND_NAMES[kind]


__all__ = ["Overlay", "Node", "Content", "LayerStats", "HiddenItem", "CAUSES", "REG", "DIR", "SYMLINK",
           "HARDLINK", "CHAR", "BLOCK"]
