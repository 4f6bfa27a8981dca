"""What the cache rules (SGA010-SGA014) share: a package manager's cache directory left in the image."""

from __future__ import annotations

from typing import ClassVar, Iterator

from slimguard.core.findings import Finding, Severity
from slimguard.image.layers import DIR, REG
from slimguard.image.rules.base import ImageContext, ImageRule
from slimguard.image.units import MB, mb


class CacheRule(ImageRule):
    """Reports each of ``caches`` (path without the leading /, what it holds, the advice) that is a directory
    holding at least 1 MB of regular files in the final filesystem."""

    severity = Severity.INFO
    concern = "pkg-hygiene"
    caches: ClassVar[tuple[tuple[str, str, str], ...]]

    def check(self, ctx: ImageContext) -> Iterator[Finding]:
        ov = ctx.overlay
        if ov is None:
            return
        for path, label, advice in self.caches:
            node = ov.get("/" + path, follow=False)  # symlinked parents are followed, the cache itself is not
            if node is None or node.kind != DIR:
                continue
            total = files = 0
            stack = [node]
            while stack:
                n = stack.pop()
                if n.children:
                    stack.extend(n.children.values())
                elif n.kind == REG and n.content is not None:
                    total += n.content.size
                    files += 1
            if total >= 1 * MB:
                yield ctx.finding(self, f"{label} left in the image: {mb(total)} in {files} file(s) under /{path}; "
                                  f"{advice}", path="/" + path, bytes=total)
