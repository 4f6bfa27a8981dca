"""Layer scanning shared by the sources: one capture budget and entry count across an image's layers,
progress metering, and a bundle's layers scanned in manifest order (here, or in a forked worker)."""

from __future__ import annotations

from typing import Callable, Iterator

from slimguard.image.layers import CaptureBudget, LayerScan, scan_layer
from slimguard.image.sources.base import Meter
from slimguard.image.sources.bundles import Bundle
from slimguard.image.sources.forked import ForkedLayers, worker_wanted
from slimguard.image.streams import Limits, Source, decompressed


class Metered(Source):
    """Counts the bytes read or skipped from ``src`` on a :class:`Meter`."""

    def __init__(self, src: Source, meter: Meter | None) -> None:
        self.src = src
        self.meter = meter

    @property
    def pos(self) -> int:  # type: ignore[override]
        return self.src.pos

    @property
    def raw_pos(self) -> int:
        return self.src.raw_pos

    def read(self, n: int) -> bytes:
        data = self.src.read(n)
        if self.meter is not None:
            self.meter.add(len(data))
        return data

    def skip(self, n: int) -> int:
        done = self.src.skip(n)
        if self.meter is not None:
            self.meter.add(done)
        return done

    def peek(self, n: int) -> bytes:
        return self.src.peek(n)


class LayerFeed:
    """Scans layers one after another with shared limits and capture budget."""

    def __init__(self, limits: Limits, meter: Meter | None = None) -> None:
        self.limits = limits
        self.meter = meter
        self.budget = CaptureBudget(limits.max_capture_bytes)
        self.entries = [0]

    def scan(self, raw: Source, what: str) -> LayerScan:
        src, kind = decompressed(raw, self.limits, what)
        scan = scan_layer(src, what, self.limits, self.budget, self.entries)
        scan.compression = kind
        return scan


def bundle_layers(bundle: Bundle, names: list[str], feed: LayerFeed) -> tuple[Iterator[LayerScan], Callable[[], None]]:
    """-> (the layers ``names`` of ``bundle`` in order, a close function for ImageData.close)."""
    if worker_wanted(feed, names):
        forked = ForkedLayers(bundle, names, feed)

        def close() -> None:
            forked.close()
            bundle.close()

        return forked, close
    return _in_order(bundle, names, feed), bundle.close


def _in_order(bundle: Bundle, names: list[str], feed: LayerFeed) -> Iterator[LayerScan]:
    for i, name in enumerate(names):
        if feed.meter is not None:
            feed.meter.label = f"layer {i + 1}/{len(names)}"
        raw = bundle.open(name)
        meter = feed.meter
        if meter is not None and meter.callback is not None:
            yield feed.scan(Metered(raw, meter), f"layer {i} ({name})")
            continue
        # nobody watches the progress: the bare file range (the tar reader then takes headers straight
        # with pread and seeks over file data) and the meter counts the layer once it is read
        scan = feed.scan(raw, f"layer {i} ({name})")
        if meter is not None:
            meter.add(raw.pos)
        yield scan
