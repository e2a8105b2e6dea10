"""What SMS commands ask of the call side: callbacks, connect-two, balance."""
from __future__ import annotations

from typing import Callable

from gateway import ledger
from gateway.billing import format_money


class CallActions:
    """The SMS commands' view of the call service (see gateway.sms_commands.Actions)."""

    def __init__(self, calls, currency: str):
        self.calls = calls
        self.currency = currency

    def callback(self, number: str, destination: str | None) -> str | None:
        refusal = self.calls.refusal(number)
        if refusal is not None:
            return refusal
        self.calls.start_session(number, destination=destination,
                                 kind="sms-callback" if destination is None else "sms-direct")
        return None

    def connect(self, account_id: int, sender: str, a: str, b: str,
                notify: Callable[[str], None]) -> str | None:
        self.calls.start_connect(account_id, a, b,
                                 notify=lambda outcome: notify(self.summary(outcome)))
        return None

    def balance(self, account_id: int) -> int:
        return ledger.available(account_id)

    def summary(self, outcome) -> str:
        """Gives the SMS that tells how a connect-two ended."""
        if outcome.refusal:
            return f"Not connected: {outcome.refusal}."
        minutes, seconds = divmod(int(outcome.seconds), 60)
        return (f"{outcome.a}: {outcome.a_state}. {outcome.b}: {outcome.b_state}. "
                f"Talk time {minutes}:{seconds:02d}, cost {format_money(outcome.cost, self.currency)}.")
