"""A call's detail page: each leg's timeline, the prompts and keys, the bill line by line.

An admin sees every call; an account holder only the calls of their account (any
other gives 404, as a call that does not exist: the page never tells which ids are
taken). The timeline is what gateway/calls/timeline.py recorded; a call from before
the box kept timelines shows its legs from its call records. While the call runs, the
page's script (webui/static/call_detail.js) follows the call's live events
(GET /api/events?session=<id>) and fetches this page again on each, so the server's
template stays the only one that draws it.
"""
from __future__ import annotations

import bottle

from gateway.calls import timeline
from webui.inputs import json_error


def visible(web, session, session_id: int) -> dict | None:
    """Gives the call's detail when this login may see it, else None."""
    found = timeline.detail(session_id)
    if found is None:
        return None
    user = session.user
    if user.is_admin and not getattr(session, "by_token", False):
        return found
    if user.account_id is not None and found["account_id"] == user.account_id:
        return found
    return None


def prompt_words(what: str) -> str:
    """Gives a prompt's names as words: 'enter_destination' -> 'enter destination'."""
    return what.replace("_", " ")


def legs_over(call: dict) -> bool:
    """Gives whether every leg of the call has had its last state (its bill follows)."""
    return bool(call["legs"]) and all(
        leg["states"] and leg["states"][-1]["state"] not in timeline.LIVE_STATES
        for leg in call["legs"])


def heard_rows(heard: list[dict]) -> list[dict]:
    """Gives the prompts and keys as the page lists them: keys typed one after another
    make one row ("017098765432#"), at the time of the first."""
    rows: list[dict] = []
    for item in heard:
        if item["kind"] == "key" and rows and rows[-1]["kind"] == "key":
            rows[-1]["what"] += item["what"]
        else:
            rows.append(dict(item))
    return rows


def install(app: bottle.Bottle, web) -> None:
    @app.get("/calls/<session_id:int>/detail")
    def call_detail(session_id):
        session = web.login_required()
        found = visible(web, session, session_id)
        if found is None:
            bottle.abort(404, "no such call")
        return web.render("call_detail", session, call=found, words=prompt_words,
                          heard=heard_rows(found["heard"]), legs_over=legs_over(found),
                          secret=timeline.MASK)

    @app.get("/api/calls/<session_id:int>/detail")
    def call_detail_json(session_id):
        session = web.login_required(api=True)
        found = visible(web, session, session_id)
        if found is None:
            raise json_error(404, "no such call")
        return found
