"""``slimguard fleet``: every repository and every image of an organisation, incremental, on Dask.

- :mod:`.inputs`: the fleet file (YAML) and flags -> a :class:`~.inputs.FleetSpec`.
- :mod:`.discovery`: the spec -> :class:`~.units.Item` s (files found the way ``lint``/``check`` find them,
  registries enumerated with the catalog and tags list, plain image lists).
- :mod:`.units`: the work units, pure functions over frozen :class:`~.units.Unit` s returning frozen,
  JSON-serialisable :class:`~.units.UnitResult` s (they call :mod:`slimguard.api`).
- :mod:`.store`: results keyed by content + slimguard version + settings hash; SQLite or PostgreSQL.
- :mod:`.executor`: the units on Dask distributed (a LocalCluster, or ``--scheduler tcp://…``).
- :mod:`.report`: totals, worst offenders, groups, and the diff between two runs.
- :mod:`.run`: the whole run, as the command line does it (:func:`~.run.run_fleet`).
"""

from __future__ import annotations

__all__ = ["FleetError"]


class FleetError(Exception):
    """A fleet run that cannot go on: a bad fleet file, an unreachable scheduler, a worker of another version."""
