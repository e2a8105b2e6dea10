"""The call detail page as WSGI: the timeline, prompts and keys, the bill; who may see it."""
from __future__ import annotations

import json
import time

from gateway.calls.timeline import MASK, Recorder, SessionEvent, events_of
from gateway.money.ledger import Cdr, RateRecord, Session, start_session

from tests.boxrig import wait_for
from tests.webclient import Client


def a_call(app) -> int:
    """Records a finished callback of alice's as the flows and the recorder do; gives its id."""
    now = app.clock.now - 120
    session = start_session("box", app.alice.id, "callback", "+4917012345678", now)
    Session.update(state="settled", ended_at=now + 80).where(Session.id == session).execute()
    RateRecord.create(prefix="4917", description="Germany mobile", price_per_minute=12000)
    for role, number, modem, answered, cost in (("callback", "+4917012345678", "m1", 2, 12),
                                                ("destination", "+4917098765432", "m2", 20, 12)):
        Cdr.create(box="box", session=session, account=app.alice.id, role=role,
                   direction="outgoing", number=number, modem=modem, started_at=now,
                   answered_at=now + answered, ended_at=now + 70, billed_seconds=60,
                   cost=cost, rate_prefix="4917", cause="normal")
    events = [(0, 1, "callback", "+4917012345678", "leg", "dialing", "m1"),
              (2, 1, "callback", "+4917012345678", "leg", "connected", "m1"),
              (3, None, "", "", "prompt", "enter_account", ""),
              (5, None, "", "", "key", MASK, ""), (5.2, None, "", "", "key", "#", ""),
              (6, None, "", "", "prompt", "enter_pin", ""),
              (8, None, "", "", "key", MASK, ""), (8.2, None, "", "", "key", "#", ""),
              (10, None, "", "", "prompt", "enter_destination", ""),
              (12, None, "", "", "key", "0", ""), (12.3, None, "", "", "key", "#", ""),
              (14, 2, "destination", "+4917098765432", "leg", "dialing", "m2"),
              (16, 2, "destination", "+4917098765432", "leg", "alerting", "m2"),
              (20, 2, "destination", "+4917098765432", "leg", "connected", "m2"),
              (70, 2, "destination", "+4917098765432", "leg", "ended", "normal"),
              (71, 1, "callback", "+4917012345678", "leg", "ended", "normal")]
    for after, leg, role, number, kind, what, detail in events:
        SessionEvent.create(session=session, at=now + after, leg=leg, role=role, number=number,
                            kind=kind, what=what, detail=detail)
    return session


def login(app, name: str, password: str) -> Client:
    client = Client(app)
    assert client.form_login({"name": name, "password": password}).status == 303
    return client


def test_the_holder_sees_each_leg_the_prompts_keys_and_bill(app):
    call = a_call(app)
    page = login(app, "alice", "alice-secret").get(f"/calls/{call}/detail")
    assert page.status == 200
    text = page.text
    for leg, states in (("leg-1", ("dialing", "connected", "ended")),
                        ("leg-2", ("dialing", "alerting", "connected", "ended"))):
        section = text[text.index(f'id="{leg}"'):]
        section = section[:section.index("</section>")]
        assert [state for state in states if f'data-state="{state}"' in section] == list(states)
    assert "+20.0 s" in text and "(normal)" not in text.split('id="leg-1"')[0]
    assert "enter destination" in text and "Keys typed:" in text
    assert f'<span class="what">{MASK}#</span>' in text        # the PIN, masked
    assert '<span class="what">0#</span>' in text
    assert "+4917" in text and 'id="bill-total">0.24 EUR' in text
    detail = json.loads(login(app, "alice", "alice-secret")
                        .get(f"/api/calls/{call}/detail").text)
    assert [leg["number"] for leg in detail["legs"]] == ["+4917012345678", "+4917098765432"]
    assert detail["legs"][1]["states"][-1] == {**detail["legs"][1]["states"][-1],
                                               "state": "ended", "cause": "normal"}
    assert detail["cost"] == 24 and len(detail["bill"]) == 2


def test_an_admin_sees_every_call_and_a_holder_only_their_own(app):
    call = a_call(app)
    assert login(app, "root", "admin-secret").get(f"/calls/{call}/detail").status == 200
    bob = login(app, "bob", "bob-secret")
    assert bob.get(f"/calls/{call}/detail").status == 404       # as if there were none
    assert bob.get(f"/api/calls/{call}/detail").status == 404
    assert login(app, "alice", "alice-secret").get(f"/calls/{call + 1}/detail").status == 404
    assert Client(app).get(f"/calls/{call}/detail").status == 303        # log in first
    assert Client(app).get(f"/api/calls/{call}/detail").status == 401
    admin_calls = login(app, "root", "admin-secret").get("/admin/calls").text
    assert f'href="/calls/{call}/detail"' in admin_calls
    assert f'href="/calls/{call}/detail"' in login(app, "alice", "alice-secret").get("/calls").text


def test_a_call_from_before_timelines_shows_its_legs_from_its_records(app):
    call = a_call(app)
    SessionEvent.delete().execute()
    text = login(app, "alice", "alice-secret").get(f"/calls/{call}/detail").text
    assert "older than the timelines" in text
    assert text.count('data-state="connected"') == 2 and text.count('data-state="ended"') == 2


def test_the_recorder_writes_what_it_can_and_skips_sessions_that_are_gone(app):
    """(tests/test_outage.py: a call's timeline kept through a PostgreSQL outage.)"""
    call = a_call(app)
    SessionEvent.delete().execute()
    told = []      # what a detail page open on the call hears, and how much it could read
    recorder = Recorder(now=time.time, told=lambda event: told.append(
        (event, len(events_of(event["session"])))))
    recorder.start()
    try:
        recorder.note(call, "prompt", "goodbye")
        recorder.note(None, "prompt", "never written")       # a session without a row yet
        recorder.note(call + 99, "prompt", "of a session that is gone")
        recorder.note(call, "key", "5")
        assert wait_for(lambda: len(events_of(call)) == 2, timeout=5)
        assert wait_for(lambda: any(event["session"] == call for event, _ in told), timeout=5)
    finally:
        recorder.stop()
    assert [event.what for event in events_of(call)] == ["goodbye", "5"]
    assert {event["kind"] for event, _ in told} == {"timeline"}
    assert all(written >= 1 for event, written in told if event["session"] == call)  # then told
    assert not recorder.worker.alive()
