"""POST /api/callbacks answers a refusal with its status and reason and stores nothing: a
whole box on the virtual network, its call service driven through the web app."""
from __future__ import annotations

import json
import time
import types

import pytest

from gateway import users
from gateway.actions import accounts as account_actions
from gateway.actions.audit import Actor
from gateway.money import ledger
from gateway.money.ledger import Session
from modems.sim import PhoneState
from webui.app import make_app

from tests.boxrig import FRIEND, USER, Rig, ensure_prompts
from tests.webclient import Client

OTHER = "+4917055511122"            # a second destination with a rate (4917)
UNRATED = "+442079460000"           # the rig's rates have no prefix 44


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


@pytest.fixture
def box(network, tmp_path):
    rig = Rig(network, tmp_path)
    rig.start(balance=1000)
    user = users.add_user("alice", "alice-secret", time.time())
    app = make_app(rig.config, types.SimpleNamespace(pool=rig.daemon.pool,
                                                     calls=rig.daemon.calls, now=time.time))
    yield types.SimpleNamespace(rig=rig, client=Client(app),
                                token={"Authorization": f"Bearer {users.set_api_token(user.id)}"})
    rig.stop()


def sessions() -> list[tuple]:
    return [(row.kind, row.number, row.account_id, row.state)
            for row in Session.select().order_by(Session.id)]


def test_a_second_call_while_one_runs_is_refused_with_its_reason(box):
    reply = box.client.post("/api/callbacks", json_body={"a": USER, "b": FRIEND},
                            headers=box.token)
    assert reply.status == 201, reply.text
    first = json.loads(reply.text)["id"]
    assert box.rig.user.wait_state(PhoneState.RINGING, timeout=10)
    reply = box.client.post("/api/callbacks", json_body={"a": FRIEND, "b": OTHER},
                            headers=box.token)
    assert reply.status == 409
    assert "too many calls running for this account" in json.loads(reply.text)["error"]
    assert sessions() == [("connect-two", USER, box.rig.account_id, "running")]
    assert box.client.get(f"/api/callbacks/{first + 1}", headers=box.token).status == 404
    box.client.post(f"/api/callbacks/{first}/hangup", headers=box.token)
    assert box.rig.wait_settled()


def test_the_number_of_calls_set_for_the_account_is_what_refuses(box):
    now = time.time()
    account_actions.set_max_sessions(Actor("root", "cli"), box.rig.account_id, 2, now)
    held = ledger.start_session("box", box.rig.account_id, "callback", OTHER, now)  # one runs
    reply = box.client.post("/api/callbacks", json_body={"a": USER, "b": FRIEND},
                            headers=box.token)
    assert reply.status == 201, reply.text         # the second of two allowed
    first = json.loads(reply.text)["id"]
    assert box.rig.user.wait_state(PhoneState.RINGING, timeout=10)
    reply = box.client.post("/api/callbacks", json_body={"a": FRIEND, "b": OTHER},
                            headers=box.token)
    assert reply.status == 409
    assert "(at most 2 at once)" in json.loads(reply.text)["error"]
    assert [row[0] for row in sessions()] == ["callback", "connect-two"]
    assert ledger.discard_session(held)
    box.client.post(f"/api/callbacks/{first}/hangup", headers=box.token)
    assert box.rig.wait_settled()


def test_a_call_the_flow_would_refuse_is_refused_before_anything_is_stored(box):
    reply = box.client.post("/api/callbacks", json_body={"a": USER, "b": UNRATED},
                            headers=box.token)
    assert reply.status == 409 and json.loads(reply.text)["error"] == f"no rate for {UNRATED}"
    assert sessions() == []
    assert box.rig.user.state == PhoneState.IDLE        # leg A was never called
