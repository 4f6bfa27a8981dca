"""BuildKit's build checks: their names as aliases, the `# check=` directive, BUILDKIT_DOCKERFILE_CHECK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from slimguard.core.config import Config
from slimguard.core.findings import Severity
from slimguard.core.registry import get_rule, rules_of
from slimguard.dockerfile.analysis.buildkit import CHECKS, parse_check_options, suggest
from slimguard.dockerfile.context import LintOptions
from slimguard.dockerfile.lint import lint_text
from slimguard.knowledge.facts import Resolver

UNDEFINED = "FROM scratch\nCOPY $x /\n"
ROOT = Path(__file__).resolve().parents[1]


def cli_lint(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "slimguard", "lint", "--engine", "never", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    return proc.stdout


def lint(text: str, build_args: dict | None = None, **config) -> list:
    cfg = Config(engine="never", **config)
    res = lint_text(text, "Dockerfile", cfg, LintOptions.from_config(cfg, build_args=build_args), Resolver("never"))
    assert not res.errors, res.errors
    return list(res.findings)


def rules_found(text: str, **kw) -> set[str]:
    return {f.rule for f in lint(text, **kw)}


def test_every_check_is_an_alias_of_exactly_one_rule():
    for name in CHECKS:
        owners = [r.id for r in rules_of("dockerfile") if name in r.aliases]
        assert len(owners) == 1, (name, owners)
        assert get_rule(name).id == owners[0]
        assert get_rule(name.lower()).id == owners[0]  # any case


def test_select_and_ignore_by_check_name_any_case():
    text = "FROM scratch AS Base\nCOPY $x /\n"
    assert rules_found(text, select={"StageNameCasing".upper()}) == {"SG100"}
    assert rules_found(text, select={"UNDEFINEDVAR", "SG100"}) == {"SG100", "SG105"}
    assert "SG105" in rules_found(text)
    assert "SG105" not in rules_found(text, ignore={"UNDEFINEDVAR"})
    f = lint(text, select={"STAGENAMECASING"}, severity={"STAGENAMECASING": Severity.ERROR})
    assert [x.severity for x in f] == [Severity.ERROR]


def test_cli_select_by_check_name(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM scratch AS Base\nCOPY $x /\n")
    out = cli_lint("--select", "StageNameCasing", str(p))
    assert "SG100 (StageNameCasing)" in out and "SG105" not in out
    out = cli_lint("--select", "undefinedvar", str(p))
    assert "SG105 (UndefinedVar)" in out and "SG100" not in out
    out = cli_lint("--build-arg", "BUILDKIT_DOCKERFILE_CHECK=skip=UndefinedVar", str(p))
    assert "SG105" not in out


def test_existing_rules_answer_to_buildkit_names():
    text = "FROM scratch\nMAINTAINER me@example.org\n"
    assert rules_found(text, select={"MAINTAINERDEPRECATED"}) == {"SG079"}
    assert "SG079" not in rules_found(text, ignore={"MAINTAINERDEPRECATED"})


def test_skip_directive():
    assert "SG105" in rules_found(UNDEFINED)
    assert "SG105" not in rules_found("# check=skip=UndefinedVar\n" + UNDEFINED)
    # other checks still run
    text = "# check=skip=UndefinedVar\nFROM scratch\nCOPY $x /\nEXPOSE 8080:80\n"
    assert {"SG113"} <= rules_found(text) and "SG105" not in rules_found(text)


def test_skip_all_only_touches_buildkit_rules():
    text = "# check=skip=all\nFROM scratch\nCOPY $x /\nWORKDIR app\nEXPOSE 8080:80\n"
    found = rules_found(text)
    assert not found & {"SG105", "SG025", "SG113"}
    assert "SG001" in found  # not a BuildKit check


def test_skip_directive_not_honoured_after_the_first_instruction():
    text = "FROM scratch\n# check=skip=UndefinedVar\n\nCOPY $x /\n"
    assert "SG105" in rules_found(text)
    after_comment = "# a comment\n# check=skip=UndefinedVar\n" + UNDEFINED
    assert "SG105" in rules_found(after_comment)


def test_check_comment_right_above_an_instruction():
    text = "FROM scratch\n# check=skip=UndefinedVar // on purpose\nCOPY $x /\nCOPY $y /\n"
    assert [f.line for f in lint(text) if f.rule == "SG105"] == [4]


def test_error_true_raises_buildkit_findings():
    text = "# check=error=true\nFROM scratch\nCOPY $x /\n"
    by_rule = {f.rule: f.severity for f in lint(text)}
    assert by_rule["SG105"] is Severity.ERROR
    assert by_rule["SG001"] is not Severity.ERROR  # not a BuildKit check
    # a configured override wins over the file
    over = lint(text, severity={"UNDEFINEDVAR": Severity.INFO})
    assert {f.severity for f in over if f.rule == "SG105"} == {Severity.INFO}
    # skipped checks stay skipped
    assert "SG105" not in rules_found("# check=skip=UndefinedVar;error=true\nFROM scratch\nCOPY $x /\n")


def test_experimental_enables_invalid_definition_description():
    text = "# nope\nARG A=1\nFROM scratch\n"
    assert "SG111" not in rules_found(text)
    assert "SG111" in rules_found("# check=experimental=InvalidDefinitionDescription\n" + text)
    assert "SG111" in rules_found("# check=experimental=all\n" + text)
    # skip=all does not skip an enabled experimental check (BuildKit's rule)
    assert "SG111" in rules_found("# check=skip=all;experimental=all\n" + text)
    # an explicit --select wins
    assert rules_found("# check=experimental=all\n" + text, select={"SG105"}) == set()


def test_build_arg_replaces_the_directive():
    text = "# check=skip=UndefinedVar\n" + UNDEFINED
    assert "SG105" in rules_found(text, build_args={"BUILDKIT_DOCKERFILE_CHECK": "skip=ExposeInvalidFormat"})
    assert "SG105" not in rules_found(UNDEFINED, build_args={"BUILDKIT_DOCKERFILE_CHECK": "skip=all"})
    f = lint(UNDEFINED, build_args={"BUILDKIT_DOCKERFILE_CHECK": "error=true"})
    assert {x.severity for x in f if x.rule == "SG105"} == {Severity.ERROR}


def test_disable_ignore_pragma_turns_skips_off():
    text = "# check=skip=UndefinedVar\n" + UNDEFINED
    assert "SG105" in rules_found(text, disable_ignore_pragma=True)


def test_hadolint_mode_does_not_turn_on_buildkit_style_rules():
    text = "from scratch AS Base\nENV A b\n"
    found = rules_found(text, hadolint_compat=True)
    assert not found & {"SG100", "SG101", "SG103", "SG107", "SG111", "SG106", "SG112"}


def test_parse_check_options():
    o = parse_check_options("skip=A, B;error=true;experimental=all")
    assert o is not None and o.skip == {"A", "B"} and o.error and o.experimental_all
    assert parse_check_options("skip=all").skip_all
    assert parse_check_options("error=maybe") is None
    assert parse_check_options("bogus=1") is None
    assert parse_check_options("") is not None


def test_suggest():
    assert suggest("DIR_ASSET", ["DIR_ASSETS", "DIR_CONFIG"]) == "DIR_ASSETS"
    assert suggest("PAHT", ["PATH"]) == "PATH"
    assert suggest("x", ["completely_different"]) is None
    assert suggest("PATH", ["PATH", "PATX"]) is None
