"""What SMS commands ask of the call side: callbacks, connect-two, balance.

It lives with the calls, not with the SMS: the commands know only their `Actions`
protocol (gateway/sms/commands.py), so the SMS room never imports the call room.
A callback or connect-two asked by SMS is not started by the command: the
command records a call intent in its own transaction (gateway/calls/intents.py),
and the call service's `intents` thread starts it once it is committed, so a
crash or a retried transaction can never place the same call twice.
"""
from __future__ import annotations

from typing import Callable

from gateway.calls import intents
from gateway.calls.flows.connect_two import Outcome
from gateway.money import ledger


class CallActions:
    """The SMS commands' view of the call service (see gateway.sms.commands.Actions)."""

    def __init__(self, calls, box: str, now: Callable[[], float],
                 notifier: Callable[[str, str | None], Callable[[Outcome, int], None]]):
        """`notifier(number, modem)` gives the function that texts `number` the summary of
        a connect two, given its outcome and the account that asked (the SMS service's
        `summary_to`: the text is the SMS side's, in that account's language); `modem` is
        a hint and may be None."""
        self.calls = calls
        self.box = box
        self.now = now
        self.notifier = notifier

    def callback(self, number: str, destination: str | None) -> str | None:
        refusal = self._not_dialled(destination) or self.calls.refusal(number)
        if refusal is not None:
            return refusal
        intents.record(self.box, "sms-callback" if destination is None else "sms-direct",
                       number, self.now(), destination=destination)
        return None

    def connect(self, account_id: int, sender: str, a: str, b: str,
                notify: Callable[[str], None]) -> str | None:
        refusal = self._not_dialled(a) or self._not_dialled(b)
        if refusal is not None:
            return refusal
        # `notify` cannot outlive this process; the intent keeps who to text instead.
        intents.record(self.box, "connect-two", a, self.now(), destination=b,
                       account=account_id, reply_to=sender)
        return None

    def _not_dialled(self, number: str | None) -> str | None:
        """Gives why the box never dials `number` (the [callback] prefix lists), or None."""
        if number is None or self.calls.context.destination_allowed(number):
            return None
        return f"{number} may not be dialled"

    def committed(self) -> None:
        """The command's transaction has committed: its intent may start now."""
        self.calls.wake_intents()

    def balance(self, account_id: int) -> int:
        return ledger.available(account_id)

    def start(self, intent: intents.CallIntent) -> None:
        """Starts the session a committed intent asks for (on the `intents` thread)."""
        if intent.kind == "connect-two":
            notify = self.notifier(intent.reply_to, None)
            self.calls.start_connect(intent.account, intent.number, intent.destination,
                                     notify=lambda outcome: notify(outcome, intent.account),
                                     intent=intent.id)
        else:
            self.calls.start_session(intent.number, destination=intent.destination,
                                     kind=intent.kind, intent=intent.id)
