"""Semantic model of a Dockerfile."""

from .build import build_model
from .ports import PortSpec, parse_port
from .stages import BaseRef, CopyFrom, Model, RunInfo, Stage, Step, Volume
from .users import UserRef

__all__ = [
    "BaseRef", "CopyFrom", "Model", "PortSpec", "RunInfo", "Stage", "Step", "UserRef", "Volume",
    "build_model", "parse_port",
]
