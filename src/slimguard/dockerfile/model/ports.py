"""EXPOSE port specifications."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PORT_RE = re.compile(r"^(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?$")


@dataclass(frozen=True, slots=True)
class PortSpec:
    text: str
    start: int | None  # None when the text could not be resolved to a number
    end: int | None
    protocol: str = "tcp"

    @property
    def ports(self) -> range:
        if self.start is None or self.end is None:
            return range(0)
        return range(self.start, self.end + 1)

    @property
    def lowest(self) -> int | None:
        return self.start

    @property
    def is_privileged(self) -> bool:
        return self.start is not None and 0 < self.start < 1024


def parse_port(text: str) -> PortSpec:
    """Parse ``80``, ``80/tcp``, ``8000-8010/udp``, ``127.0.0.1:80:80`` style specs."""
    spec = text.strip()
    if spec.count(":") >= 1:  # ip:host:container forms are not valid in EXPOSE but tolerate
        spec = spec.rsplit(":", 1)[1]
    m = _PORT_RE.match(spec)
    if not m:
        return PortSpec(text, None, None)
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else start
    proto = (m.group(3) or "tcp").lower()
    if start > 65535 or end > 65535 or end < start:
        return PortSpec(text, None, None, proto)
    return PortSpec(text, start, end, proto)
