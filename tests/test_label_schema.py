"""hadolint's label schema settings (`label-schema`, `strict-labels`) and the label rules they drive."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimguard.core.config import Config, ConfigError, load_config
from slimguard.dockerfile.context import LintOptions
from slimguard.dockerfile.lint import lint_text
from slimguard.knowledge.facts import Resolver


def test_hadolint_yaml_label_schema(tmp_path: Path) -> None:
    (tmp_path / ".hadolint.yaml").write_text(
        "label-schema:\n  org.opencontainers.image.source: url\n  maintainer: Email\nstrict-labels: true\n")
    cfg = load_config(tmp_path)
    assert dict(cfg.label_schema) == {"org.opencontainers.image.source": "url", "maintainer": "email"}
    assert cfg.strict_labels is True
    opts = LintOptions.from_config(cfg)
    assert opts.label_schema == dict(cfg.label_schema) and opts.strict_labels


def test_slimguard_toml_label_schema_on_top(tmp_path: Path) -> None:
    (tmp_path / ".hadolint.yaml").write_text("label-schema:\n  a: text\n")
    (tmp_path / ".slimguard.toml").write_text('strict-labels = true\n[label-schema]\nb = "semver"\n')
    cfg = load_config(tmp_path)
    assert dict(cfg.label_schema) == {"a": "text", "b": "semver"}
    assert cfg.strict_labels


@pytest.mark.parametrize("text", ["label-schema:\n  a: number\n", "label-schema: [a]\n"])
def test_invalid_label_schema(tmp_path: Path, text: str) -> None:
    (tmp_path / ".hadolint.yaml").write_text(text)
    with pytest.raises(ConfigError, match="label"):
        load_config(tmp_path)


def test_require_label_flags() -> None:
    cfg = Config(label_schema={"a": "text"}).with_flags(require_labels=["b:url", "c:HASH"], strict_labels=True)
    assert dict(cfg.label_schema) == {"a": "text", "b": "url", "c": "hash"}
    assert cfg.strict_labels
    with pytest.raises(ConfigError):
        Config().with_flags(require_labels=["nocolon"])
    with pytest.raises(ConfigError):
        Config().with_flags(require_labels=["a:bogus"])


def test_schema_reaches_the_label_rules(tmp_path: Path) -> None:
    (tmp_path / ".hadolint.yaml").write_text("label-schema:\n  version: semver\n  source: url\nstrict-labels: true\n")
    cfg = load_config(tmp_path)
    text = 'FROM debian:bookworm-slim\nLABEL version="v1" team="ops"\n'
    res = lint_text(text, "Dockerfile", cfg, None, Resolver("never"))
    codes = sorted(a for f in res.findings for a in f.aliases if a in {"DL3049", "DL3050", "DL3056"})
    assert codes == ["DL3049", "DL3050", "DL3056"]


def test_no_schema_no_label_findings() -> None:
    text = 'FROM debian:bookworm-slim\nLABEL version="v1"\n'
    res = lint_text(text, "Dockerfile", Config(engine="never"), None, Resolver("never"))
    assert not [f for f in res.findings if f.rule in {"SG062", "SG063", "SG064", "SG069"}]
