"""Semantic model of a Dockerfile."""

from slimguard.dockerfile.model.build import build_model
from slimguard.dockerfile.model.ports import PortSpec, parse_port
from slimguard.dockerfile.model.stages import BaseRef, CopyFrom, Model, RunInfo, Stage, Step, Volume
from slimguard.dockerfile.model.users import UserRef

__all__ = [
    "BaseRef", "CopyFrom", "Model", "PortSpec", "RunInfo", "Stage", "Step", "UserRef", "Volume",
    "build_model", "parse_port",
]
