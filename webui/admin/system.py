"""Admin system page: version, uptime, CPU load, memory, disk, database size, log tail.

The log tail is this box's `event_log` table (what the daemon logged about
modems and itself, in plain words); the daemon's own log goes to the journal.
"""
from __future__ import annotations

import os
import shutil

import bottle

from gateway import __version__
from gateway.store.db import DaemonRecord, EventLogRecord, is_url
from webui import gateway_texts
from webui.admin.common import when

LOG_LINES = 50


def duration_words(seconds: float) -> str:
    """Gives '3 d 4 h 5 min' for a span of time."""
    minutes = int(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] if days else []
    if days or hours:
        parts.append(f"{hours} h")
    parts.append(f"{minutes} min")
    return " ".join(parts)


def megabytes(size: int) -> str:
    """Gives a size in bytes as '12.3 MB', or '4.5 GB' from 1 GB on."""
    mega = size / 1024 / 1024
    return f"{mega / 1024:.1f} GB" if mega >= 1024 else f"{mega:.1f} MB"


def memory() -> dict[str, int]:
    """Gives MemTotal and MemAvailable in bytes from /proc/meminfo ({} elsewhere)."""
    found = {}
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                name, _, value = line.partition(":")
                if name in ("MemTotal", "MemAvailable"):
                    found[name] = int(value.split()[0]) * 1024
    except OSError:
        return {}
    return found


def database_size(database: str) -> str:
    """Gives the SQLite file's size with its write-ahead log, in words."""
    if is_url(database):
        return "kept on the database server"
    size = sum(os.path.getsize(path) for path in (database, database + "-wal")
               if os.path.exists(path))
    return megabytes(size)


def facts(web, when=when) -> list[tuple[str, str]]:
    """Gives the system facts as (label, value) rows (`when` writes the daemon's start: the
    JSON API's house form unless the page gives its language's)."""
    gateway = web.config.gateway
    now = web.now()
    rows = [("Version", f"callbox {__version__}"), ("Box", gateway.box)]
    daemon = DaemonRecord.get_or_none(DaemonRecord.box == gateway.box)
    if daemon is not None:
        heartbeat = max(0, round(now - daemon.heartbeat_at))
        rows.append(("Daemon", f"pid {daemon.pid}, {daemon.status}, started "
                     f"{when(daemon.started_at)}, heartbeat {heartbeat} s ago"))
        rows.append(("Uptime", duration_words(now - daemon.started_at)))
    else:
        rows.append(("Uptime", f"web UI up {duration_words(now - web.started_at)} "
                     "(no daemon row in the database)"))
    load = os.getloadavg()
    rows.append(("CPU load", f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
                 f"(1 / 5 / 15 min) on {os.cpu_count()} cores"))
    found = memory()
    if found:
        rows.append(("Memory", f"{megabytes(found['MemAvailable'])} free of "
                     f"{megabytes(found['MemTotal'])}"))
    try:
        disk = shutil.disk_usage(gateway.state_dir)
        rows.append(("Disk", f"{megabytes(disk.free)} free of {megabytes(disk.total)} "
                     f"({gateway.state_dir})"))
    except OSError as error:
        rows.append(("Disk", f"cannot read {gateway.state_dir}: {error.strerror}"))
    rows.append(("Database", database_size(gateway.database)))
    return rows


def log_tail(box: str) -> list[EventLogRecord]:
    """Gives the box's last LOG_LINES event log lines, newest first."""
    return list(EventLogRecord.select().where(EventLogRecord.box == box)
                .order_by(EventLogRecord.at.desc(), EventLogRecord.id.desc()).limit(LOG_LINES))


def install(app: bottle.Bottle, web) -> None:
    @app.get("/admin/system")
    def system_page():
        session = web.admin_required()
        return web.render("system", session, facts=facts(web, web.language().when),
                          tail=log_tail(web.config.gateway.box), said=gateway_texts.translate)
