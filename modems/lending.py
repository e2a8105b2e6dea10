"""What the pool asks before it lends a modem: is it on the network, and in which order.

The pool (modems/pool.py) lends for a call only modems `on_network` as its own
last health check saw them; among those its `Chooser` (given by whoever builds
the pool: the daemon's is gateway/care/sims.py) decides the order and may leave
some out. Nothing here knows why a chooser prefers one modem to another.
"""
from __future__ import annotations

from typing import Protocol

ON_NETWORK = ("home", "roaming")
WORK = frozenset({"call", "sms"})


class Chooser(Protocol):
    """Orders the modems that may take a piece of work; runs on the asking thread, outside
    the pool's lock (it may read a database), and must return quickly."""

    def __call__(self, work: str, candidates: list) -> list:
        """Gives `candidates` (modems.pool.ModemStatus) for `work` ("call" | "sms") in the
        order to use them, leaving out those not to use."""


def on_network(status) -> bool:
    """True when the modem (a modems.pool.ModemStatus) may take work as its last health
    check saw it: registered
    (home or roaming) with its SIM ready; a modem not checked yet counts as ready."""
    health = status.health
    return health is None or (health.registration in ON_NETWORK and health.sim_state == "ready")
