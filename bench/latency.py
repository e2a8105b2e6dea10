"""Pairs the URCs a virtual modem wrote with the events the daemon made of them."""
from __future__ import annotations

# (what the figure is called, which URC lines count, the event's class name in modems.events)
URC_KINDS = (
    ("incoming call (RING)", lambda line: line in ("RING", "+CRING: VOICE"), "IncomingCall"),
    ("SMS (+CMTI)", lambda line: line.startswith("+CMTI"), "SmsStored"),
)


def match_latencies(urc_logs, received, events) -> dict[str, tuple[list[float], int]]:
    """Pairs each URC with the first event it caused on the same modem; `urc_logs`: modem
    -> [(time, line)]; `received`: (modem, event class) -> the events' times; `events`:
    class name -> class. Gives, by kind, the latencies and how many URCs had no event
    before the modem's next URC of that kind."""
    result: dict[str, tuple[list[float], int]] = {}
    for kind, is_urc, event in URC_KINDS:
        latencies: list[float] = []
        unmatched = 0
        for modem, log in urc_logs.items():
            paired, missed = pair([at for at, line in log if is_urc(line)],
                                  list(received.get((modem, events[event]), ())))
            latencies += paired
            unmatched += missed
        result[kind] = (latencies, unmatched)
    return result


def pair(written: list[float], handled: list[float]) -> tuple[list[float], int]:
    """Gives the time from each URC to the first event after it, and how many URCs had
    none before the next URC: a RING whose call had ended before the box read the call
    list makes no event, and pairing it with the next call's (8 s later with 8 modems)
    would count 8 s that nobody waited."""
    latencies = []
    unmatched = 0
    position = 0
    for index, at in enumerate(written):
        while position < len(handled) and handled[position] < at:
            position += 1
        if position == len(handled):
            unmatched += len(written) - index
            break
        following = written[index + 1] if index + 1 < len(written) else float("inf")
        if handled[position] >= following:
            unmatched += 1
            continue
        latencies.append(handled[position] - at)
        position += 1
    return latencies, unmatched
