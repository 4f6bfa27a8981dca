"""A rich progress bar on a terminal (units done/total, rate, ETA); nothing otherwise."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    def __init__(self, enabled: bool | None = None, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._bar: Any = None
        self._task: Any = None

    def start(self, total: int, label: str = "units") -> None:
        if not self.enabled or total == 0:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TaskProgressColumn,
                                   TextColumn, TimeElapsedColumn, TimeRemainingColumn)

        class Rate(TextColumn):
            def render(self, task: Any) -> Any:  # units per second
                from rich.text import Text

                speed = task.finished_speed or task.speed
                return Text(f"{speed:6.1f}/s" if speed else "     ?/s")

        self._bar = RichProgress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TaskProgressColumn(), Rate(""), TimeElapsedColumn(), TextColumn("ETA"),
                                 TimeRemainingColumn(), console=Console(file=self.stream), transient=False)
        self._bar.start()
        self._task = self._bar.add_task(label, total=total)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
