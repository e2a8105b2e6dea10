"""Prepared queries: a query the box runs many times is turned into SQL once.

peewee builds the SQL text of a query anew each time it runs it, and on this box that
is most of what a query costs: an upsert of a modem's status row takes 0.34 ms to
build and 0.01 ms to run in SQLite (2026-12-03, x86_64). The SMS, status and webhook
paths run a few dozen queries a second under load, so the building took about half
the daemon's CPU (bench/modems.py). A query the box runs often is declared once,
with a `Param` where each run's value goes:

    _BY_SENDER = Prepared(lambda: SmsIn.select().where(SmsIn.sender == Param("sender"))
                          .order_by(SmsIn.id.desc()).limit(1))
    row = _BY_SENDER.first(sender=number)

and its SQL is built the first time it runs on a database (each database its own:
SQLite and PostgreSQL differ) and kept. A value goes through the field's conversion
as peewee's own would where the field is beside it (`Model.field == Param(...)`); in
an INSERT or UPDATE it goes in as given (an int, float, str, bool or None needs
nothing more), or converted by the field it names: `Param("at", SmsOut.sent_at)`. A
prepared INSERT gives every column whose default is computed per row (a time, a
token): the SQL would keep the first run's.

Run it as prepared (`rows`, `first`, `scalar`, `run`). A query derived from it
(`prepared.query(...).where(...)`, `.get()`) is built anew each time, with the values
still bound: right but not faster. A query around it (`.count()`, a subquery) has no
values to bind and is refused with a TypeError. A `Param` cannot stand for a list:
an `IN` list is one `Param` per item, and a `PreparedSet` keeps one query per length.

The database classes (gateway/store/engine.py) take `PreparedSql` in, which is where
the kept SQL is used.
"""
from __future__ import annotations

import threading
from typing import Any, Callable
import weakref

from peewee import Field, Insert, Node


class _Slot:
    """Where a run's value goes among a query's parameters, and how it is converted."""

    __slots__ = ("name", "converter")

    def __init__(self, name: str, converter: Callable[[Any], Any] | None):
        self.name = name
        self.converter = converter

    def bind(self, values: dict[str, Any]) -> Any:
        try:
            value = values[self.name]
        except KeyError:
            raise TypeError(f"a prepared query needs a value for {self.name!r}") from None
        if isinstance(value, Node):
            raise TypeError(f"{self.name!r}: a prepared query takes values, not SQL")
        return self.converter(value) if self.converter is not None else value


class Param(Node):
    """A value given when a prepared query runs (see the module docstring)."""

    def __init__(self, name: str, field: Field | None = None):
        super().__init__()
        self.name = name
        self.field = field

    def __sql__(self, ctx):
        converter = self.field.db_value if self.field is not None else ctx.state.converter
        return ctx.value(_Slot(self.name, converter), converter=False)


class Prepared:
    """A query declared once and run with new values (see the module docstring)."""

    def __init__(self, build: Callable[[], Any]):
        """`build()` gives the query, with a `Param` for each value a run gives."""
        self.template = build()
        if isinstance(self.template, Insert):
            # peewee's model INSERT asks for the new id back (RETURNING) when the database
            # bound at build time can: built while PostgreSQL was bound, it would ask SQLite
            # too. Each run decides for its own database instead, as peewee's execute does.
            if self.template._returning is not None and \
                    self.template._returning == self.template._pk_returning():
                self.template._returning = None
            given = {getattr(field, "name", field) for row in [self.template._insert]
                     if isinstance(row, dict) for field in row}
            computed = [name for name, field in self.template.table._meta.fields.items()
                        if callable(field.default) and name not in given]
            if computed:    # the first run's value would be kept in the SQL for every run
                raise ValueError(f"a prepared INSERT must give {', '.join(computed)} "
                                 "(a default computed for each row)")
        self._sql: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # database ->
        self._lock = threading.Lock()                                          # (sql, params)

    def query(self, **values):
        """Gives the query bound to these values, to run as it is."""
        query = self.template.clone()
        query._prepared = (self, values, weakref.ref(query))
        return query

    def rows(self, **values) -> list:
        return list(self.query(**values))

    def first(self, **values):
        """Gives the first row or None (put the LIMIT in the query)."""
        return next(iter(self.query(**values)), None)

    def scalar(self, **values):
        """Gives the first column of the first row (a query made with `.tuples()`), or None."""
        row = self.first(**values)
        return row[0] if row is not None else None

    def run(self, **values):
        """Runs an INSERT, UPDATE or DELETE: gives what peewee's execute() gives."""
        return self.query(**values).execute()

    def compiled(self, database, build: Callable[[], tuple[str, list]]) -> tuple[str, list]:
        with self._lock:
            kept = self._sql.get(database)
            if kept is None:
                kept = self._sql[database] = build()
            return kept


class PreparedSql:
    """Taken in by a peewee Database class: runs a prepared query with the SQL kept for it."""

    def execute(self, query, **context_options):
        prepared = getattr(query, "_prepared", None)

        def build() -> tuple[str, list]:
            return self.get_sql_context(**context_options).sql(query).query()

        if prepared is None:
            sql, params = build()
            if any(isinstance(param, _Slot) for param in params):
                raise TypeError("a query around a prepared query (a count, a subquery) cannot "
                                "run: run the prepared query as it is")
            return self.execute_sql(sql, params)
        owner, values, made = prepared
        # only the query prepared() gave, unchanged: a query derived from it has other SQL
        as_prepared = made() is query and not context_options
        sql, params = owner.compiled(self, build) if as_prepared else build()
        return self.execute_sql(sql, [param.bind(values) if isinstance(param, _Slot) else param
                                      for param in params])


class PreparedSet:
    """Prepared queries of one shape, one for each key: an `IN` list's length (one `Param`
    per item), the columns an upsert writes. Keys are few on a box (its SIMs, its rows)."""

    def __init__(self, build: Callable[[Any], Any]):
        """`build(key)` gives the query for that key."""
        self._build = build
        self._kept: dict[Any, Prepared] = {}

    def __getitem__(self, key) -> Prepared:
        prepared = self._kept.get(key)
        if prepared is None:
            prepared = self._kept[key] = Prepared(lambda: self._build(key))
        return prepared


def columns(model, names) -> dict:
    """Gives each named field of `model` with a `Param` of its name, converted by the field
    as peewee converts the values of an INSERT: `Model.insert(columns(Model, names))`."""
    return {field: Param(name, field) for name in names for field in [getattr(model, name)]}


def _upsert_query(key):
    model, conflict, names = key
    fields = columns(model, names)
    return model.insert(fields).on_conflict(
        conflict_target=[getattr(model, name) for name in conflict],
        update={field: param for field, param in fields.items() if field.name not in conflict})


_UPSERTS = PreparedSet(_upsert_query)     # by model, conflict columns, columns written


def upsert(model, conflict: tuple[str, ...], values: dict[str, Any]) -> Any:
    """Inserts a row of `model`, or updates the row with the same `conflict` columns (a
    unique key) to `values`: prepared once for each set of columns written."""
    return _UPSERTS[model, conflict, tuple(values)].run(**values)
