"""Voice tests from the admin Modems page and the JSON API.

"Voice test" queues a request (gateway/care/requests.py, kind "voicetest")
that the daemon runs as a call of its own (gateway/calls/voicetest.py); the
page shows each modem's last test, its progress while it runs (refreshed by
/static/voicetest.js from `GET /api/admin/modems/<name>/voicetest`) and its
figures in the words `callbox voicetest` prints (gateway/care/voicetests.py).
"""
from __future__ import annotations

from gateway.care import requests, voicetests
from modems.numbers import InvalidNumber, destination_e164
from webui.admin.common import Refused, when

RUNNING = ("queued", "running")


def ask_voicetest(pool, config, name: str, number: str, now: float) -> tuple[int, str]:
    """Queues a voice test of modem `name` calling `number`; gives (the request id, the
    number in E.164). Refused 400 for a number that is not one, 409 when the modem is not
    up or is in a call."""
    try:
        e164 = destination_e164(number.strip(), config.gateway.country)
    except InvalidNumber as error:
        raise Refused(400, f"{error.reason}: give the number to call") from None
    status = next((status for status in (pool.status() if pool is not None else [])
                   if status.name == name), None)
    if status is None or status.state != "up":
        raise Refused(409, f"{name} is not up: the box cannot call from it now")
    if status.in_call:
        raise Refused(409, f"{name} is in a call; test it when the call ends")
    return requests.queue_request(config.gateway.box, "voicetest", name, e164, now), e164


def request_json(row) -> dict:
    """Gives one voice test request: its state, progress, figures in numbers and words."""
    answer = voicetests.parse_answer(row.answer)
    figures = answer["figures"]
    return {"id": row.id, "modem": row.modem, "number": row.text, "state": row.state,
            "asked_at": row.created_at, "done_at": row.done_at, "error": row.error,
            "progress": answer["progress"], "figures": figures,
            "described": [list(line) for line in voicetests.describe(figures)]
            if figures else [],
            "advice": voicetests.advice(figures) if figures else []}


def last_tests(box: str, names: list[str], when=when) -> dict[str, dict]:
    """Gives each modem's last voice test (as request_json, with `when` in words)."""
    shown = {}
    for name in names:
        rows = requests.recent(box, name, limit=1, kind="voicetest")
        if rows:
            shown[name] = {**request_json(rows[0]), "when": when(rows[0].created_at),
                           "running": rows[0].state in RUNNING}
    return shown
