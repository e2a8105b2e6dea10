"""What a benchmark reads of its own process: resident memory from /proc/self/status."""
from __future__ import annotations

from pathlib import Path

RSS_PARTS = ("RssAnon", "RssFile", "RssShmem")


def status_mb(*names: str) -> dict[str, float]:
    """Gives the named /proc/self/status figures (kB there) in MB; a name the kernel
    does not give is left out."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in names:
            found[name] = int(value.split()[0]) / 1024
    return found


def rss_mb() -> float:
    """Gives the resident memory (VmRSS) in MB; 0.0 where the kernel gives none."""
    return status_mb("VmRSS").get("VmRSS", 0.0)


def rss_parts() -> str:
    """Gives the RSS's parts in words: anonymous memory (the heaps, stacks, objects), pages
    of files (code of shared libraries, mapped files) and shared memory (SQLite's WAL
    index)."""
    return ", ".join(f"{name[3:].lower()} {mb:.1f}"
                     for name, mb in status_mb(*RSS_PARTS).items())
