"""Benchmark: where the daemon's resident memory goes, dependency by dependency.

A fresh interpreter imports what `callbox.daemon` needs one step at a time, in
the order the dependencies lean on each other, and reads its VmRSS
(/proc/self/status) after each step; a step's figure is what it added to the
steps before it (a module shared by two steps counts in the first). Then the
dependencies the daemon loads only on the path that needs them, each on top of
the daemon, and the data a library loads the first time a path uses it (Babel's
locale data, by the SMS reply that writes an amount). Each run is a new process;
the figures are the median of --runs.
The running daemon (threads, buffers, the database) adds to this: bench/modems.py.

    python bench/memory.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
import statistics
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent

# (label, modules imported in that step)
STEPS = (
    ("ssl (cheroot's TLS, the web gate; prometheus_client needs it too)", ("ssl",)),
    ("sqlite3", ("sqlite3",)),
    ("importlib.metadata (the version), email, zipfile, csv", ("importlib.metadata",)),
    ("numpy (in-band DTMF detector, tones, mixing: every call)", ("numpy",)),
    ("peewee + playhouse, loaded without a PostgreSQL driver", ("gateway.store.driverless",)),
    ("phonenumbers (metadata of a region loads when first used)", ("phonenumbers",)),
    ("bottle", ("bottle",)),
    ("cheroot", ("cheroot.wsgi",)),
    ("python-gsmmodem-new, pyserial", ("gsmmodem.modem", "serial")),
    ("pyalsaaudio", ("alsaaudio",)),
    ("ours: modems/", ("modems.pool",)),
    ("ours: audio/", ("audio.bridge", "audio.dtmf", "audio.speech")),
    ("ours: gateway/", ("gateway.calls.service", "gateway.sms.service",
                        "gateway.store.migrations")),
    ("ours: webui/", ("webui.app", "webui.server")),
    ("ours: callbox/daemon.py and what is left", ("callbox.daemon",)),
)
# (label, steps before it, its step); a step names modules to import, or
# ["module:function", arguments...] to call
AMOUNT = "gateway.sms.wording:amount_text"      # an SMS reply's amount, "12,34 €"
ON_DEMAND = (
    ("psycopg 3 + asyncio (postgresql:// database only)", (), ("psycopg",)),
    ("apprise, import only (sending runs in a child process)", (), ("apprise",)),
    ("prometheus_client ([metrics] enabled)", (), ("prometheus_client",)),
    ("Babel's locale data, the first SMS reply with an amount (CLDR's root and global data, "
     "the language: English)", (), ([AMOUNT, 1234, "EUR", "en"],)),
    ("Babel's locale data, each further language of such replies (German)",
     (([AMOUNT, 1234, "EUR", "en"],),), ([AMOUNT, 1234, "EUR", "de"],)),
    ("Babel's locale data, each further language of such replies (Russian)",
     (([AMOUNT, 1234, "EUR", "en"],),), ([AMOUNT, 1234, "EUR", "ru"],)),
)

PROBE = """
import importlib, json, sys
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
steps = json.loads(sys.argv[1])
figures = [rss()]
for modules in steps:
    for module in modules:
        if isinstance(module, list):        # ["module:function", arguments...]: a call
            name, function = module[0].split(":")
            getattr(importlib.import_module(name), function)(*module[1:])
        else:
            importlib.import_module(module)
    figures.append(rss())
print(json.dumps(figures))
"""


def measure(steps: list[tuple]) -> list[float]:
    """Gives VmRSS in MB before the first step and after each, in a new interpreter."""
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(steps)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    daemon_steps = [modules for _, modules in STEPS]
    runs = [measure(daemon_steps) for _ in range(args.runs)]
    rows = [("Python 3.11 interpreter, nothing imported", [run[0] for run in runs])]
    for index, (label, _) in enumerate(STEPS, start=1):
        rows.append((label, [run[index] - run[index - 1] for run in runs]))
    total = statistics.median(run[-1] for run in runs)
    extra = []
    for label, before, step in ON_DEMAND:
        figures = [measure([("callbox.daemon",), *before, step]) for _ in range(args.runs)]
        extra.append((label, [run[-1] - run[-2] for run in figures]))
    print(f"Resident memory of `import callbox.daemon`, step by step (median of {args.runs} "
          "runs, each a new interpreter):\n")
    print("| step | MB |\n|---|---|")
    for label, values in rows:
        print(f"| {label} | {statistics.median(values):.1f} |")
    print(f"| **the daemon's code and libraries, loaded** | **{total:.1f}** |")
    for label, values in extra:
        print(f"| on demand: {label} | +{statistics.median(values):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
