"""A running call's detail page in headless Chromium when the box refuses it a live stream:
it reads the page every few seconds instead, and shows each new line of the call (a key
typed, masked as stored) and then the bill as the page that has the stream does."""
from __future__ import annotations

import shutil
import time

import pytest

from gateway.calls.live import settled_event, timeline_event
from gateway.calls.timeline import MASK, SessionEvent
from gateway.money.ledger import Account, Cdr, Session, start_session

from tests.test_web_server import PASSWORD, serve, web_app  # noqa: F401  (a fixture)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT = 20_000     # milliseconds a page may take to show what changed

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
                allow_module_level=True)


def test_a_detail_page_refused_a_stream_follows_the_call_by_polling(tmp_path, serve):
    app = web_app(tmp_path, {"streams_per_login": 1}, holders=1)
    url = f"http://127.0.0.1:{serve(app).port}"
    account = Account.get(Account.name == "holder0").id
    call = start_session("box", account, "callback", "+4917000000001", time.time() - 5)
    live = app.web.calls.context.live

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        first = context.new_page()
        first.goto(f"{url}/login")
        first.fill("#name", "holder0")
        first.fill("#password", PASSWORD)
        first.click("button[type=submit]")
        first.wait_for_load_state()
        first.goto(f"{url}/calls/{call}/detail")
        deadline = time.monotonic() + 10
        while app.web.streams.in_use() < 1 and time.monotonic() < deadline:
            first.wait_for_timeout(100)
        assert app.web.streams.in_use() == 1          # the first page holds the one stream
        second = context.new_page()
        refused = []
        second.on("response", lambda reply: refused.append(reply.status)
                  if "/api/events" in reply.url else None)
        second.goto(f"{url}/calls/{call}/detail")
        deadline = time.monotonic() + 10
        while 429 not in refused and time.monotonic() < deadline:
            second.wait_for_timeout(100)
        assert 429 in refused
        assert "Keys typed:" not in second.inner_text("#call-live")

        for key in (MASK, MASK, "#"):        # as the recorder writes an account's PIN
            SessionEvent.create(session=call, at=time.time(), kind="key", what=key)
        live.publish(timeline_event(call, time.time()))
        sync_api.expect(first.locator("#heard .what")).to_have_text(f"{MASK}{MASK}#",
                                                                   timeout=WAIT)  # streamed
        Cdr.create(box="box", session=call, account=account, role="callback",
                   direction="outgoing", number="+4917000000001", modem="m1",
                   started_at=time.time() - 5, answered_at=time.time() - 4,
                   ended_at=time.time(), billed_seconds=60, cost=12, cause="normal")
        Session.update(state="settled", ended_at=time.time()).where(Session.id == call).execute()
        live.publish(settled_event(call, 12, time.time()))
        for page in (first, second):          # the second by polling, its stream refused
            sync_api.expect(page.locator("#heard .what")).to_have_text(f"{MASK}{MASK}#",
                                                                      timeout=WAIT)
            sync_api.expect(page.locator("#bill-total")).to_have_text("0.12 EUR", timeout=WAIT)
            sync_api.expect(page.locator("#call-live")).to_have_attribute("data-state",
                                                                          "settled")
        deadline = time.monotonic() + 10
        while app.web.streams.in_use() and time.monotonic() < deadline:
            first.wait_for_timeout(100)
        assert app.web.streams.in_use() == 0          # the call is over: no page listens
        browser.close()
