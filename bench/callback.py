"""Benchmark: time from rejecting a trigger call to dialling the caller back.

200 triggers with callback_delay = 0 on the virtual network: the user rings,
the box rejects after 2 rings, calls back; the user rejects the callback and
rings again. Prints the median and p99 (or, under 200 triggers, the maximum:
bench/stats.py) from the reject (the phone sees its call end) to the
callback ringing at the phone, with n.

    python bench/callback.py [--triggers 200]
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import spread  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triggers", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    from audio import prompts
    from modems.sim import Delays, Network, PhoneState
    from tests.boxrig import BOX, Rig

    prompts.generate("en")
    workdir = Path(tempfile.mkdtemp(prefix="callbox-bench-"))
    network = Network(workdir / "gsm", delays=Delays.zero())
    network.start()
    rig = Rig(network, workdir, callback={"callback_delay": 0.0})
    rig.start(balance=100000)
    user = rig.user
    delays: list[float] = []
    try:
        for _ in range(args.triggers):
            user.call(BOX)
            if not user.wait_state(PhoneState.ALERTING, timeout=5):
                print("the box did not ring", file=sys.stderr)
                return 1
            if not user.wait_state(PhoneState.IDLE, timeout=10):
                print("the box did not reject", file=sys.stderr)
                return 1
            rejected = time.monotonic()
            if not user.wait_state(PhoneState.RINGING, timeout=10):
                print("no callback", file=sys.stderr)
                return 1
            delays.append(time.monotonic() - rejected)
            user.reject()
            rig.wait_settled(count=len(delays))
    finally:
        rig.stop()
        network.stop()
    print(f"reject -> callback ringing, callback_delay 0: {spread(delays)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
