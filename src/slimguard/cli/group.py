"""The click group: subcommands listed from the table and loaded lazily."""

from __future__ import annotations

import importlib

import click

from slimguard import __version__
from slimguard.cli.table import COMMANDS

COMMANDS = {**COMMANDS, "fleet": ("slimguard.fleet.cli", "command",
                                  "Lint, check and audit every repository and image of a fleet, on Dask.")}


def _available(module: str) -> bool:
    """A subcommand is listed only when its module is installed."""
    import importlib.util

    return importlib.util.find_spec(module) is not None


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(COMMANDS[name][0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _available(COMMANDS[cmd_name][0]):
            return None
        module_name, attr, _ = COMMANDS[cmd_name]
        module = importlib.import_module(module_name)
        return getattr(module, attr)  # type: ignore[no-any-return]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def build_cli() -> click.Group:
    @click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, "--version", "-V", prog_name="slimguard")
    def cli() -> None:
        """slimguard finds, fixes and proves: containers that run as non-root and carry less."""

    return cli
