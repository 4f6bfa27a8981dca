"""The incremental store: unit results keyed by content + slimguard version + settings hash, and the runs.

SQLite by default (``slimguard-fleet.db`` in the working directory), PostgreSQL with
``--db postgresql://…`` (psycopg 3; a Unix socket works as ``postgresql:///db?host=/path/to/dir``).
Three tables, the same in both:

- ``results(key, kind, data)``: one row per unit key; ``data`` is the result's JSON. Errors are not
  stored here, so a unit that raised is computed again next run.
- ``runs(id, started, finished, status, version, settings, computed, reused, errors)``.
- ``run_items(run_id, item, kind, owner, key, error)``: what each run saw; the report is built from
  these rows joined with ``results``, so a re-run and an interrupted run report from the same data.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Iterable

from slimguard.fleet import FleetError
from slimguard.fleet.units import Item, UnitResult

DEFAULT_DB = "slimguard-fleet.db"

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (id {serial}, started TEXT, finished TEXT, status TEXT, version TEXT, "
    "settings TEXT, computed INTEGER DEFAULT 0, reused INTEGER DEFAULT 0, errors INTEGER DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS run_items (run_id INTEGER NOT NULL, item TEXT NOT NULL, kind TEXT NOT NULL, "
    "owner TEXT NOT NULL, key TEXT NOT NULL, error TEXT, PRIMARY KEY (run_id, item))",
]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Store:
    """The SQL both backends share; subclasses set the connection, the placeholder and the upsert."""

    ph = "?"
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
    url = ""

    def __init__(self) -> None:
        self.conn: Any = None

    # -- plumbing
    def _sql(self, sql: str) -> str:
        return sql.replace("?", self.ph)

    def execute(self, sql: str, params: tuple = ()) -> Any:
        cur = self.conn.cursor()
        cur.execute(self._sql(sql), params)
        return cur

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            cur = self.conn.cursor()
            cur.executemany(self._sql(sql), rows)

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _init(self) -> None:
        for stmt in _SCHEMA:
            self.execute(stmt.format(serial=self.serial))
        self.commit()

    # -- results
    def known_keys(self, keys: Iterable[str]) -> set[str]:
        keys = list(dict.fromkeys(keys))
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.execute(f"SELECT key FROM results WHERE key IN ({marks})",
                                                     tuple(chunk)).fetchall())
        return found

    def put_results(self, results: list[UnitResult]) -> None:
        rows = [(r.key, r.kind, json.dumps(r.to_dict(), sort_keys=True)) for r in results if r.error is None]
        self.executemany(self.upsert_sql, rows)

    upsert_sql = "INSERT INTO results (key, kind, data) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING"

    def results(self, keys: Iterable[str]) -> dict[str, UnitResult]:
        keys = list(dict.fromkeys(keys))
        out: dict[str, UnitResult] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for key, data in self.execute(f"SELECT key, data FROM results WHERE key IN ({marks})",
                                          tuple(chunk)).fetchall():
                out[key] = UnitResult.from_dict(json.loads(data))
        return out

    def count_results(self) -> int:
        return int(self.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    # -- runs
    def start_run(self, version: str, settings: str) -> int:
        cur = self.execute("INSERT INTO runs (started, status, version, settings) VALUES (?, ?, ?, ?)"
                           + self.returning, (_now(), "running", version, settings))
        run_id = self._last_id(cur)
        self.commit()
        return run_id

    returning = ""

    def _last_id(self, cur: Any) -> int:
        return int(cur.lastrowid)

    def add_items(self, run_id: int, items: list[Item], keys: dict[str, str]) -> None:
        self.executemany("INSERT INTO run_items (run_id, item, kind, owner, key) VALUES (?, ?, ?, ?, ?)",
                         [(run_id, it.id, it.kind, it.owner, keys[it.id]) for it in items])
        self.commit()

    def set_errors(self, run_id: int, errors: dict[str, str]) -> None:
        """*errors*: unit key -> error, recorded on every item of that key in the run."""
        self.executemany("UPDATE run_items SET error = ? WHERE run_id = ? AND key = ?",
                         [(e, run_id, k) for k, e in errors.items()])

    def finish_run(self, run_id: int, status: str, computed: int, reused: int, errors: int) -> None:
        self.execute("UPDATE runs SET finished = ?, status = ?, computed = ?, reused = ?, errors = ? WHERE id = ?",
                     (_now(), status, computed, reused, errors, run_id))
        self.commit()

    def run_info(self, run_id: int) -> dict | None:
        row = self.execute("SELECT id, started, finished, status, version, settings, computed, reused, errors "
                           "FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        names = ("id", "started", "finished", "status", "version", "settings", "computed", "reused", "errors")
        return dict(zip(names, row))

    def runs(self) -> list[dict]:
        ids = [r[0] for r in self.execute("SELECT id FROM runs ORDER BY id").fetchall()]
        return [self.run_info(i) for i in ids]  # type: ignore[misc]

    def previous_run(self, run_id: int) -> int | None:
        row = self.execute("SELECT MAX(id) FROM runs WHERE id < ?", (run_id,)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def run_items(self, run_id: int) -> list[tuple[str, str, str, str, str | None]]:
        """(item, kind, owner, key, error) of a run, ordered by item."""
        return [tuple(r) for r in self.execute("SELECT item, kind, owner, key, error FROM run_items "
                                                "WHERE run_id = ? ORDER BY item", (run_id,)).fetchall()]


class SQLiteStore(Store):
    def __init__(self, path: str = DEFAULT_DB) -> None:
        import sqlite3

        super().__init__()
        self.url = path
        self.conn = sqlite3.connect(path, timeout=60)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self._init()


class PostgresStore(Store):
    ph = "%s"
    serial = "SERIAL PRIMARY KEY"
    returning = " RETURNING id"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise FleetError("--db postgresql://…: psycopg is not installed (pip install 'psycopg[binary]')") from None
        super().__init__()
        self.url = url
        try:
            self.conn = psycopg.connect(url)
        except psycopg.Error as exc:
            raise FleetError(f"cannot connect to {url}: {str(exc).strip()}") from None
        self._init()

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def _last_id(self, cur: Any) -> int:
        return int(cur.fetchone()[0])


def open_store(db: str | None) -> Store:
    """``postgresql://…``/``postgres://…`` -> PostgreSQL; anything else is a SQLite file path."""
    db = db or os.environ.get("SLIMGUARD_FLEET_DB") or DEFAULT_DB
    if db.startswith(("postgresql://", "postgres://")):
        return PostgresStore(db)
    if db.startswith("sqlite:///"):
        db = db[len("sqlite:///"):]
    return SQLiteStore(db)
