"""Run-time checks: compose files, Kubernetes manifests and `docker run` commands, parsed into one model
(:mod:`.model`) and checked by the rules in :mod:`.rules` (SGR001 ...); see docs/runtime.md."""

from slimguard.runtime.engine import FileResult, LoadError, check_document, check_text, load

__all__ = ["FileResult", "LoadError", "check_document", "check_text", "load"]
