"""dive's efficiency and wasted-bytes numbers, recomputed for comparison (not used for findings).

The definitions follow dive 0.13 (``dive/filetree/efficiency.go``, ``dive/image/docker/image_archive.go``
and the analysis step), described in docs/audit.md:

* one tree per layer, built from the tar headers; a node's size is its tar-header size; parent
  directories that the layer does not list are added with size 0 and no directory flag; opaque
  whiteout entries are dropped (their parents are still added);
* every *leaf* of every layer tree is visited in sorted depth-first order and keyed by its path (a
  whiteout ``.wh.X`` by the path of X). A whiteout counts 0 unless X was a directory in the layers
  below, then the sizes of everything below it there. If X does not exist below, dive stops visiting
  that layer (the error ends its walk);
* per path: cumulative size, minimum size, node count. efficiency = Σ minimum / Σ cumulative (1.0
  when Σ cumulative = 0); wasted bytes = Σ cumulative over paths with ≥ 2 nodes (all copies,
  including the surviving one); user wasted percent = wasted ÷ the size of all layers but the first.

The trees are stacked as dive stacks them: a non-whiteout node replaces the payload of the node at
its path and keeps its children; a whiteout removes the path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slimguard.image.layers import DIR, OPAQUE, WHITEOUT, LayerScan


class _N:
    __slots__ = ("children", "size", "is_dir")

    def __init__(self, size: int = 0, is_dir: bool = False) -> None:
        self.children: dict[str, _N] = _EMPTY  # shared until the first child is added
        self.size = size
        self.is_dir = is_dir


_EMPTY: dict = {}


def _add_path(root: _N, path: str, size: int, is_dir: bool, payload: bool = True) -> None:
    node = root
    for name in path.split("/"):
        children = node.children
        ch = children.get(name)
        if ch is None:
            if children is _EMPTY:
                children = node.children = {}
            ch = children[name] = _N()
        node = ch
    if payload:
        node.size = size
        node.is_dir = is_dir


def _get(root: _N, path: str) -> _N | None:
    node = root
    for name in path.split("/"):
        if not name:
            continue
        node = node.children.get(name)  # type: ignore[assignment]
        if node is None:
            return None
    return node


def _remove(root: _N, path: str) -> None:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return
    parent = _get(root, "/".join(parts[:-1]))
    if parent is not None:
        parent.children.pop(parts[-1], None)


def _post_order(root: _N, ordered: bool = True):
    """(path, node) children first, names sorted (when ``ordered``); the root itself is not visited."""
    stack: list = [(root, "", False)]
    while stack:
        node, path, expanded = stack.pop()
        if expanded or not node.children:
            if node is not root:
                yield path, node
            continue
        stack.append((node, path, True))
        names = sorted(node.children, reverse=True) if ordered else node.children
        for name in names:
            stack.append((node.children[name], path + "/" + name, False))


def _subtree_size(node: _N) -> int:
    total = 0
    stack = [node]
    while stack:
        n = stack.pop()
        total += n.size
        stack.extend(n.children.values())
    return total


def _layer_tree(scan: LayerScan) -> _N:
    root = _N(is_dir=True)
    # parent path -> node: nodes are never removed from a layer tree, so the cache stays valid
    parents: dict[str, _N] = {}
    for e in scan.entries:
        kind, path = e[0], e[1]
        if kind == OPAQUE:
            if path:
                _add_path(root, path, 0, False, payload=False)
            continue
        if kind == WHITEOUT:
            i = path.rfind("/")
            path = path[:i + 1] + ".wh." + path[i + 1:]
            size, is_dir = 0, False
        else:
            size, is_dir = e[2], kind == DIR
        i = path.rfind("/")
        if i < 0:
            parent, name = root, path
        else:
            ppath = path[:i]
            parent = parents.get(ppath)  # type: ignore[assignment]
            if parent is None:
                parent = parents[ppath] = _node(root, ppath)
            name = path[i + 1:]
        children = parent.children
        ch = children.get(name)
        if ch is None:
            if children is _EMPTY:
                children = parent.children = {}
            ch = children[name] = _N()
        ch.size = size
        ch.is_dir = is_dir
    return root


def _node(root: _N, path: str) -> _N:
    """The node at ``path``, created with its parents (no payload) where missing."""
    node = root
    for name in path.split("/"):
        children = node.children
        ch = children.get(name)
        if ch is None:
            if children is _EMPTY:
                children = node.children = {}
            ch = children[name] = _N()
        node = ch
    return node


def _stack(lower: _N, upper: _N, ordered: bool = True) -> None:
    """dive's FileTree.Stack: graft every node of ``upper``; whiteouts remove, others replace the payload.
    Within a directory the children are taken in sorted order (``.wh.x`` before ``x``), as dive does."""
    work = [(lower, upper)]
    while work:
        low, up = work.pop()
        for name in (sorted(up.children) if ordered else up.children):
            u = up.children[name]
            if name.startswith(".wh."):
                low.children.pop(name[4:], None)
                continue
            target = low.children.get(name)
            if target is None:
                if low.children is _EMPTY:
                    low.children = {}
                target = low.children[name] = _N()
            target.size = u.size
            target.is_dir = u.is_dir
            if u.children:
                work.append((target, u))


@dataclass
class DiveResult:
    efficiency: float = 1.0
    wasted_bytes: int = 0
    user_wasted_percent: float = 0.0
    size_bytes: int = 0
    user_size_bytes: int = 0
    inefficient_paths: int = 0
    top: list = field(default_factory=list)  # (path, count, cumulative bytes)
    aborted_layers: list = field(default_factory=list)  # layers whose walk dive stops early


class DiveCalc:
    """Feed layers in order with :meth:`add`, then call :meth:`result`."""

    def __init__(self) -> None:
        self.paths: dict[str, list[int]] = {}  # path -> [cumulative, minimum, count]
        self.stacked: _N | None = None
        self.layer_sizes: list[int] = []
        self.aborted: list[int] = []

    def add(self, scan: LayerScan) -> None:
        idx = len(self.layer_sizes)
        self.layer_sizes.append(scan.header_bytes)
        tree = _layer_tree(scan)
        below = tree if self.stacked is None else self.stacked
        paths = self.paths
        # order matters only when a whiteout can end dive's walk early or meet its own path in the stack
        ordered = any(e[0] == WHITEOUT for e in scan.entries)
        if not ordered:
            # no whiteout: only the leaves matter and their order does not (sums per path); no
            # leaf name starts with .wh. (the scan turned those into whiteouts or dropped them)
            stack = [(c, "/" + name) for name, c in tree.children.items()]
            pop, push = stack.pop, stack.append
            while stack:
                node, path = pop()
                children = node.children
                if children:
                    for name, c in children.items():
                        push((c, path + "/" + name))
                    continue
                size = node.size
                data = paths.get(path)
                if data is None:
                    paths[path] = [size, size, 1]
                else:
                    data[0] += size
                    if size < data[1]:
                        data[1] = size
                    data[2] += 1
            if self.stacked is None:
                self.stacked = _N(is_dir=True)
            _stack(self.stacked, tree, False)
            return
        for path, node in _post_order(tree, ordered):
            if node.children:
                continue
            i = path.rfind("/")
            name = path[i + 1:]
            if name.startswith(".wh."):
                path = path[:i + 1] + name[4:]
                prev = _get(below, path)
                if prev is None:
                    self.aborted.append(idx)
                    break
                size = _subtree_size(prev) if prev.is_dir else 0
            else:
                size = node.size
            data = paths.get(path)
            if data is None:
                paths[path] = [size, size, 1]
            else:
                data[0] += size
                if size < data[1]:
                    data[1] = size
                data[2] += 1
        if self.stacked is None:
            self.stacked = _N(is_dir=True)
        _stack(self.stacked, tree, ordered)

    def result(self) -> DiveResult:
        minimum = cumulative = wasted = 0
        inefficient = []
        for path, (cum, mn, count) in self.paths.items():
            minimum += mn
            cumulative += cum
            if count >= 2:
                wasted += cum
                inefficient.append((cum, path, count))
        size = sum(self.layer_sizes)
        user = size - (self.layer_sizes[0] if self.layer_sizes else 0)
        inefficient.sort(key=lambda t: (-t[0], t[1]))
        return DiveResult(
            efficiency=(minimum / cumulative) if cumulative else 1.0,
            wasted_bytes=wasted,
            user_wasted_percent=(wasted / user) if user else 0.0,
            size_bytes=size,
            user_size_bytes=user,
            inefficient_paths=len(inefficient),
            top=[(p, n, c) for c, p, n in inefficient[:10]],
            aborted_layers=list(self.aborted),
        )
