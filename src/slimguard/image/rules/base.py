"""What an image rule is: a rule checked by ``slimguard audit`` on a built image, never fixable."""

from __future__ import annotations

from typing import ClassVar

from slimguard.core.rule import Rule


class ImageRule(Rule):
    """Base class of the image rules (``SGA…``); ``check`` receives an :class:`ImageContext`."""

    kind: ClassVar[str] = "image"
    origins: ClassVar[tuple[str, ...]] = ("image",)
    example_lang: ClassVar[str] = "dockerfile"
