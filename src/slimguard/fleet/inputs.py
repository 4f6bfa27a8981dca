"""The fleet file (YAML) and the command-line flags, merged into one :class:`FleetSpec`.

```yaml
repos:                       # directories or git repositories (local paths)
  - path: ./checkouts/payments
    owner: payments          # optional: default from the git remote's owner, else the parent directory
  - ./checkouts/web          # a plain string is a path
registries:
  - url: registry.example.com:5000
    include: ["team-*/*"]    # fnmatch patterns on the repository name (default: all)
    exclude: ["*/scratch-*"]
    newest: 3                # the newest N tags of each repository (by version-aware tag order)
images:                      # plain image lists
  - registry:registry.example.com:5000/base/debian:12
settings:
  deep: false                # layer audits (default: config only, two requests per image)
  select: [SG001, SGA002]
  ignore: []
  platform: linux/amd64
```

Relative paths are relative to the fleet file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from slimguard.fleet import FleetError


@dataclass(frozen=True)
class RepoInput:
    path: str
    owner: str | None = None


@dataclass(frozen=True)
class RegistryInput:
    url: str  # host[:port], optionally with http(s)://
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    newest: int | None = None


@dataclass(frozen=True)
class FleetSpec:
    repos: tuple[RepoInput, ...] = ()
    registries: tuple[RegistryInput, ...] = ()
    images: tuple[str, ...] = ()
    settings: dict = field(default_factory=dict)

    def merged(self, other: "FleetSpec") -> "FleetSpec":
        return replace(self, repos=self.repos + other.repos, registries=self.registries + other.registries,
                       images=self.images + other.images, settings={**self.settings, **other.settings})


_SETTINGS = {"deep", "select", "ignore", "severity", "uid", "gid", "hadolint-compat", "trusted-registries",
             "platform"}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return tuple(str(v) for v in value)
    raise FleetError(f"{where}: expected a string or a list of strings")


def parse_fleet(data: Any, where: str = "fleet file", base_dir: str = ".") -> FleetSpec:
    """A fleet file's parsed YAML -> FleetSpec (errors name the key)."""
    if data is None:
        return FleetSpec()
    if not isinstance(data, dict):
        raise FleetError(f"{where}: expected a mapping at the top level")
    unknown = set(data) - {"repos", "registries", "images", "settings"}
    if unknown:
        raise FleetError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                         "(known: repos, registries, images, settings)")
    repos = []
    for i, r in enumerate(data.get("repos") or []):
        if isinstance(r, str):
            r = {"path": r}
        if not isinstance(r, dict) or not isinstance(r.get("path"), str):
            raise FleetError(f"{where}: repos[{i}]: expected a path or {{path, owner}}")
        path = r["path"] if os.path.isabs(r["path"]) else os.path.join(base_dir, r["path"])
        repos.append(RepoInput(os.path.normpath(path), str(r["owner"]) if r.get("owner") else None))
    registries = []
    for i, g in enumerate(data.get("registries") or []):
        if isinstance(g, str):
            g = {"url": g}
        if not isinstance(g, dict) or not isinstance(g.get("url"), str):
            raise FleetError(f"{where}: registries[{i}]: expected a url or {{url, include, exclude, newest}}")
        newest = g.get("newest")
        if newest is not None and (not isinstance(newest, int) or newest < 1):
            raise FleetError(f"{where}: registries[{i}].newest: expected a positive integer")
        registries.append(RegistryInput(g["url"], _strings(g.get("include"), f"{where}: registries[{i}].include"),
                                        _strings(g.get("exclude"), f"{where}: registries[{i}].exclude"), newest))
    images = _strings(data.get("images"), f"{where}: images")
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise FleetError(f"{where}: settings: expected a mapping")
    bad = set(settings) - _SETTINGS
    if bad:
        raise FleetError(f"{where}: settings: unknown key(s) {', '.join(sorted(map(str, bad)))}")
    return FleetSpec(tuple(repos), tuple(registries), images, dict(settings))


def load_fleet_file(path: str) -> FleetSpec:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        with open(path, encoding="utf-8") as fh:
            data = YAML(typ="safe", pure=True).load(fh)
    except OSError as exc:
        raise FleetError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except YAMLError as exc:
        raise FleetError(f"{path}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_fleet(data, path, os.path.dirname(os.path.abspath(path)))


def settings_of(spec: FleetSpec) -> Any:
    """The spec's settings as :class:`~slimguard.fleet.units.Settings`."""
    from slimguard.fleet.units import Settings

    s = spec.settings
    sev = s.get("severity") or {}
    if not isinstance(sev, dict):
        raise FleetError("settings.severity: expected a mapping of CODE: level")
    return Settings(deep=bool(s.get("deep", False)), select=tuple(sorted(_strings(s.get("select"), "select"))),
                    ignore=tuple(sorted(_strings(s.get("ignore"), "ignore"))),
                    severity=tuple(sorted((str(k).upper(), str(v)) for k, v in sev.items())),
                    uid=s.get("uid"), gid=s.get("gid"), hadolint_compat=bool(s.get("hadolint-compat", False)),
                    trusted_registries=tuple(_strings(s.get("trusted-registries"), "trusted-registries")),
                    platform=s.get("platform"))
