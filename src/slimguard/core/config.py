"""Configuration: hadolint's `.hadolint.yaml` and slimguard's own settings.

Precedence, lowest first: defaults, `.hadolint.yaml`, `[tool.slimguard]` in pyproject.toml or
`.slimguard.toml`, then the command line.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from slimguard.core.findings import Severity


class ConfigError(Exception):
    exit_code = 2


DEFAULT_UID = 10001  # the uid:gid a fix gives a user it creates, unless configured
DEFAULT_GID = 10001


@dataclass(frozen=True)
class Config:
    """Every setting of a run, frozen: built once from the config files and the command line."""

    select: frozenset[str] = frozenset()  # empty: all rules
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))  # code -> severity
    failure_threshold: Severity | None = Severity.INFO
    trusted_registries: tuple[str, ...] = ()
    disable_ignore_pragma: bool = False
    no_fail: bool = False
    hadolint_compat: bool = False
    uid: int = DEFAULT_UID
    gid: int = DEFAULT_GID
    engine: str = "auto"
    sources: tuple[str, ...] = ()  # the config files read, in order
    # hadolint's label schema (label -> text, url, semver, hash, rfc3339, spdx or email) and strict labels
    label_schema: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    strict_labels: bool = False
    exclude: tuple[str, ...] = ()  # glob patterns of paths a directory walk leaves out

    @property
    def hadolint_mode(self) -> bool:
        """Whether the user expects hadolint's findings: --hadolint-compat, or a .hadolint.yaml was read."""
        return self.hadolint_compat or any(Path(s).name in (".hadolint.yaml", ".hadolint.yml") for s in self.sources)

    def __post_init__(self) -> None:
        object.__setattr__(self, "select", frozenset(c.upper() for c in self.select))
        object.__setattr__(self, "ignore", frozenset(c.upper() for c in self.ignore))
        object.__setattr__(self, "severity", MappingProxyType({k.upper(): v for k, v in self.severity.items()}))
        object.__setattr__(self, "trusted_registries", tuple(self.trusted_registries))
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "label_schema", MappingProxyType(dict(self.label_schema)))
        object.__setattr__(self, "exclude", tuple(self.exclude))

    def with_flags(self, *, select: set[str] | None = None, ignore: set[str] | None = None,
                   failure_threshold: str | None = None, engine: str | None = None,
                   hadolint_compat: bool | None = None, uid: int | None = None, gid: int | None = None,
                   require_labels: list[str] | tuple[str, ...] | None = None,
                   strict_labels: bool | None = None) -> "Config":
        """These settings with the command line's on top (``select`` replaces, ``ignore`` adds;
        ``require_labels``, hadolint's ``--require-label NAME:TYPE`` values, add to the label schema)."""
        changes: dict[str, Any] = {}
        if require_labels:
            schema = dict(self.label_schema)
            for item in require_labels:
                name, sep, kind = str(item).rpartition(":")
                if not sep or not name:
                    raise ConfigError(f"--require-label: expected LABEL:TYPE, not {item!r}")
                schema[name] = _label_type(kind, "--require-label")
            changes["label_schema"] = schema
        if strict_labels is not None:
            changes["strict_labels"] = strict_labels
        if select:
            changes["select"] = frozenset(select)
        if ignore:
            changes["ignore"] = self.ignore | frozenset(ignore)
        if failure_threshold:
            changes["failure_threshold"] = parse_threshold(failure_threshold, "--failure-threshold")
        if engine:
            changes["engine"] = engine
        if hadolint_compat is not None:
            changes["hadolint_compat"] = hadolint_compat
        if uid:
            changes["uid"] = uid
        if gid:
            changes["gid"] = gid
        return dataclasses.replace(self, **changes) if changes else self


_THRESHOLDS = {"error", "warning", "info", "style", "ignore", "none"}


def parse_threshold(value: str, where: str) -> Severity | None:
    v = str(value).strip().lower()
    if v not in _THRESHOLDS:
        raise ConfigError(f"{where}: failure-threshold must be one of {', '.join(sorted(_THRESHOLDS))}, not {value!r}")
    if v in ("ignore", "none"):
        return None
    return Severity.parse(v)


def _as_list(value: Any, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: {key} must be a string or a list of strings")


LABEL_TYPES = ("text", "url", "semver", "hash", "rfc3339", "spdx", "email")


def _label_type(value: Any, where: str) -> str:
    kind = str(value).strip().lower()
    if kind not in LABEL_TYPES:
        raise ConfigError(f"{where}: label type must be one of {', '.join(LABEL_TYPES)}, not {value!r}")
    return kind


def _label_schema(value: Any, where: str, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a mapping of label name to type")
    return {str(name): _label_type(kind, f"{where}: {key}.{name}") for name, kind in value.items()}


def _load_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def apply_hadolint(cfg: "_Draft", data: Any, where: str) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping at the top level")
    cfg.ignore |= {c.upper() for c in _as_list(data.get("ignored"), where, "ignored")}
    override = data.get("override") or {}
    if not isinstance(override, dict):
        raise ConfigError(f"{where}: override must be a mapping")
    for level, codes in override.items():
        try:
            sev = Severity.parse(str(level))
        except ValueError as exc:
            raise ConfigError(f"{where}: override: {exc}") from None
        for code in _as_list(codes, where, f"override.{level}"):
            cfg.severity[code.upper()] = sev
    if "failure-threshold" in data:
        cfg.failure_threshold = parse_threshold(data["failure-threshold"], where)
    cfg.trusted_registries += _as_list(data.get("trustedRegistries"), where, "trustedRegistries")
    if data.get("disable-ignore-pragma"):
        cfg.disable_ignore_pragma = True
    if data.get("no-fail"):
        cfg.no_fail = True
    cfg.label_schema.update(_label_schema(data.get("label-schema"), where, "label-schema"))
    if "strict-labels" in data:
        cfg.strict_labels = bool(data["strict-labels"])
    cfg.sources.append(where)


def apply_slimguard(cfg: "_Draft", data: dict[str, Any], where: str) -> None:
    known = {"select", "ignore", "severity", "failure-threshold", "trusted-registries", "disable-ignore-pragma",
             "no-fail", "hadolint-compat", "uid", "gid", "engine", "label-schema", "strict-labels", "exclude"}
    for key in data:
        if key not in known:
            raise ConfigError(f"{where}: unknown setting {key!r} (known: {', '.join(sorted(known))})")
    if "select" in data:
        cfg.select = {c.upper() for c in _as_list(data["select"], where, "select")}
        _validate(cfg.select, f"{where}: select")
    ignore = {c.upper() for c in _as_list(data.get("ignore"), where, "ignore")}
    _validate(ignore, f"{where}: ignore")
    cfg.ignore |= ignore
    sev = data.get("severity") or {}
    if not isinstance(sev, dict):
        raise ConfigError(f"{where}: severity must be a table of CODE = \"level\"")
    for code, level in sev.items():
        try:
            cfg.severity[str(code).upper()] = Severity.parse(str(level))
        except ValueError as exc:
            raise ConfigError(f"{where}: severity.{code}: {exc}") from None
    if "failure-threshold" in data:
        cfg.failure_threshold = parse_threshold(data["failure-threshold"], where)
    cfg.trusted_registries += _as_list(data.get("trusted-registries"), where, "trusted-registries")
    cfg.label_schema.update(_label_schema(data.get("label-schema"), where, "label-schema"))
    for flag in ("disable-ignore-pragma", "no-fail", "hadolint-compat", "strict-labels"):
        if flag in data:
            setattr(cfg, flag.replace("-", "_"), bool(data[flag]))
    for key in ("uid", "gid"):
        if key in data:
            if not isinstance(data[key], int) or data[key] < 0:
                raise ConfigError(f"{where}: {key} must be a non-negative integer")
            setattr(cfg, key, data[key])
    if "engine" in data:
        if data["engine"] not in ("auto", "never"):
            raise ConfigError(f"{where}: engine must be 'auto' or 'never'")
        cfg.engine = data["engine"]
    if "exclude" in data:
        if not isinstance(data["exclude"], list) or not all(isinstance(x, str) for x in data["exclude"]):
            raise ConfigError(f"{where}: exclude must be a list of glob patterns")
        cfg.exclude = list(data["exclude"])
    cfg.sources.append(where)


class _Draft:
    """The mutable settings while the files are read; :meth:`freeze` makes the :class:`Config`."""

    def __init__(self) -> None:
        self.select: set[str] = set()
        self.ignore: set[str] = set()
        self.severity: dict[str, Severity] = {}
        self.failure_threshold: Severity | None = Severity.INFO
        self.trusted_registries: list[str] = []
        self.disable_ignore_pragma = False
        self.no_fail = False
        self.hadolint_compat = False
        self.uid = DEFAULT_UID
        self.gid = DEFAULT_GID
        self.engine = "auto"
        self.sources: list[str] = []
        self.label_schema: dict[str, str] = {}
        self.strict_labels = False
        self.exclude: list[str] = []

    def freeze(self) -> Config:
        return Config(**vars(self))


def _validate(codes: set[str], where: str) -> None:
    """A slimguard setting or flag may name only rules, aliases and concerns that exist."""
    from slimguard.core.registry import UnknownCodeError, validate_codes

    try:
        validate_codes(codes, where)
    except UnknownCodeError as exc:
        raise ConfigError(str(exc)) from None


def validate_flag_codes(codes: set[str], flag: str) -> None:
    """Raise :class:`ConfigError` for a --select/--ignore code that names nothing."""
    _validate(codes, flag)


def _is_file(p: Path) -> bool:
    """Whether *p* is a file; a directory slimguard may not look into is a clear error, not a traceback."""
    try:
        return p.is_file()
    except PermissionError:
        raise ConfigError(f"{p}: cannot look for the configuration file here: permission denied") from None
    except OSError:
        return False


CONFIG_NAMES = (".slimguard.toml", "pyproject.toml", ".hadolint.yaml", ".hadolint.yml")


def find_config_dir(start: str | os.PathLike[str]) -> Path | None:
    """The nearest directory at or above *start* holding a slimguard setting (``.slimguard.toml``, a
    ``pyproject.toml`` with ``[tool.slimguard]``, ``.hadolint.yaml``), as ruff finds its settings; the search
    stops at the repository root (a directory with ``.git``). None when there is none."""
    d = Path(start).resolve()
    for _ in range(256):  # bounded: no symlink loop can keep it going
        for name in CONFIG_NAMES:
            p = d / name
            try:
                if not p.is_file():
                    continue
                if name == "pyproject.toml" and "[tool.slimguard" not in p.read_text(encoding="utf-8",
                                                                                    errors="replace"):
                    continue
            except OSError:
                continue
            return d
        if (d / ".git").exists() or d.parent == d:
            return None
        d = d.parent
    return None


def load_config(cwd: str | os.PathLike[str] | None = None, hadolint_file: str | None = None,
                config_file: str | None = None) -> Config:
    """Defaults, then `.hadolint.yaml`, then `[tool.slimguard]`/`.slimguard.toml` (the first found)."""
    cfg = _Draft()
    base = Path(cwd or os.getcwd())
    if hadolint_file:
        apply_hadolint(cfg, _load_yaml(Path(hadolint_file)), hadolint_file)
    else:
        for name in (".hadolint.yaml", ".hadolint.yml"):
            p = base / name
            if _is_file(p):
                apply_hadolint(cfg, _load_yaml(p), str(p))
                break
    candidates = [Path(config_file)] if config_file else [base / ".slimguard.toml", base / "pyproject.toml"]
    for p in candidates:
        if not _is_file(p):
            if config_file:
                raise ConfigError(f"{p}: no such file")
            continue
        import tomllib

        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: invalid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{p}: cannot read: {exc}") from None
        section = data if p.name == ".slimguard.toml" else data.get("tool", {}).get("slimguard")
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ConfigError(f"{p}: [tool.slimguard] must be a table")
        apply_slimguard(cfg, section, str(p))
        break
    return cfg.freeze()
