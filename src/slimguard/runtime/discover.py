"""Finding compose files and Kubernetes manifests in directories."""

from __future__ import annotations

import os
import re

from slimguard.dockerfile.discover import SKIP_DIRS
from slimguard.runtime.compose import is_compose_name

_MANIFEST = re.compile(r"^apiVersion:\s*\S+", re.MULTILINE)
_KIND = re.compile(r"^kind:\s*\S+", re.MULTILINE)
_MAX = 4 * 1024 * 1024


def looks_like_manifest(path: str) -> bool:
    """A YAML file with top-level apiVersion and kind, and no template syntax (Helm charts' templates/)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(_MAX)
    except OSError:
        return False
    return bool(_MANIFEST.search(text) and _KIND.search(text)) and "{{" not in text


def discover(path: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            full = os.path.join(root, name)
            if is_compose_name(name):
                found.append(full)
            elif name.endswith((".yaml", ".yml")) and looks_like_manifest(full):
                found.append(full)
    return found
