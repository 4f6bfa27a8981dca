"""Shell analysis for Dockerfile RUN instructions.

``analyze(script)`` parses a script with tree-sitter-bash and returns a
:class:`ShellScript`: every simple command in source order and the operations
they perform (package installs, user creation, chmod/chown, downloads, cache
cleanups, file writes, build steps, privilege tools).  Importing this package
does not import tree-sitter; the parser is created on first use.
"""

from slimguard.dockerfile.shell.classify import classify_command
from slimguard.dockerfile.shell.files import cache_kind, decode_mode
from slimguard.dockerfile.shell.model import (
    Build,
    CacheCleanup,
    ChmodOp,
    ChownOp,
    Download,
    FileWrite,
    Operation,
    PackageOp,
    PrivilegeTool,
    Redirect,
    ShellScript,
    SimpleCommand,
    UserOp,
    Word,
)
from slimguard.dockerfile.shell.parse import SHELLS, shell_mode
from slimguard.dockerfile.shell.script import analyze, analyze_argv

__all__ = [
    "analyze",
    "analyze_argv",
    "classify_command",
    "cache_kind",
    "decode_mode",
    "shell_mode",
    "SHELLS",
    "Word",
    "Redirect",
    "SimpleCommand",
    "ShellScript",
    "Operation",
    "PackageOp",
    "UserOp",
    "ChownOp",
    "ChmodOp",
    "Download",
    "CacheCleanup",
    "FileWrite",
    "Build",
    "PrivilegeTool",
]
