"""What the image rules and the audit summary share: byte sizes for people, packages by category."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slimguard.analysis.packages import classify

if TYPE_CHECKING:
    from slimguard.image.packages import Package

MB = 1_000_000


def mb(n: int | float) -> str:
    """*n* bytes as ``12 MB``, ``1.5 MB``, ``300 kB`` or ``12 B`` (decimal units)."""
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1000:
        return f"{n / 1000:.0f} kB"
    return f"{int(n)} B"


def categorize(packages: "list[Package] | tuple[Package, ...]") -> dict[str, list[Package]]:
    """The classified packages by category (compiler, build-tool, ...), in their own order."""
    cats: dict[str, list[Package]] = {}
    for p in packages:
        c = classify(p.name)
        if c is not None:
            cats.setdefault(c, []).append(p)
    return cats
