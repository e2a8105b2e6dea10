"""Runs a command with its output kept in a log file, showing one progress line instead.

    python3 tools/quietly.py LOG LABEL COMMAND [ARG...]

`make setup` runs pip through it: pip's and setuptools' chatter (warnings about
package indexes, build logs, deprecation notices) goes to LOG, and the terminal
sees one line saying what pip is at ("LABEL: Collecting numpy"), rewritten in
place on a terminal, then "LABEL: done". When the command fails, the last lines
of the log are shown, and its exit code is passed on. Standard library only: it
runs before the virtual environment has anything in it.
"""
from __future__ import annotations

import re
import subprocess
import sys

SHOWN = re.compile(r"^\s*(Collecting|Building|Installing|Obtaining|Preparing|Successfully) ")
TAIL_LINES = 30           # log lines shown when the command fails
WIDTH = 78                # characters of the progress line


def run(log_path: str, label: str, command: list[str], out=sys.stdout) -> int:
    """Runs `command`, its output into `log_path`; gives its exit code."""
    live = out.isatty()
    tail: list[str] = []
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(command) + "\n")
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace") as process:
            if not live:
                print(f"{label} (log: {log_path})", file=out, flush=True)
            for line in process.stdout:
                log.write(line)
                tail = (tail + [line.rstrip("\n")])[-TAIL_LINES:]
                if live and SHOWN.match(line):
                    text = f"{label}: {line.strip()}"[:WIDTH]
                    print(f"\r{text:<{WIDTH}}", end="", file=out, flush=True)
            code = process.wait()
    if live:
        print("\r" + " " * WIDTH + "\r", end="", file=out)
    if code:
        print(f"{label}: FAILED (exit code {code}); the last lines of {log_path}:", file=out)
        print("\n".join("  " + line for line in tail), file=out, flush=True)
    else:
        print(f"{label}: done", file=out, flush=True)
    return code


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    return run(argv[0], argv[1], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
