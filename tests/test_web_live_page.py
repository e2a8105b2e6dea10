"""The live call page in headless Chromium when the box refuses it a live event stream:
it reads the call's state by polling instead, and takes a stream again once one is free."""
from __future__ import annotations

import shutil
import time

import pytest

from gateway.money.ledger import Account, start_session

from tests.test_web_server import PASSWORD, serve, web_app  # noqa: F401  (a fixture)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT = 20_000     # milliseconds a page may take to show a leg's state

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
                allow_module_level=True)


def leg_state(page, state: str) -> None:
    page.wait_for_selector(f'#leg-a .state[data-state="{state}"]', timeout=WAIT)


def test_a_page_refused_a_stream_polls_then_streams_again(tmp_path, serve):
    app = web_app(tmp_path, {"streams_per_login": 1}, holders=1)
    server = serve(app)
    url = f"http://127.0.0.1:{server.port}"
    account = Account.get(Account.name == "holder0").id
    call = start_session("box", account, "web", "+4917000000001", time.time())
    app.web.tracker.started(call, account)
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
        first.goto(f"{url}/calls/{call}")
        deadline = time.monotonic() + 10
        while app.web.streams.in_use() < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert app.web.streams.in_use() == 1           # the first page holds the one stream

        second = context.new_page()
        refused = []
        second.on("response", lambda reply: refused.append(reply.status)
                  if reply.url.endswith("/api/events") else None)
        second.goto(f"{url}/calls/{call}")
        deadline = time.monotonic() + 10
        while 429 not in refused and time.monotonic() < deadline:
            second.wait_for_timeout(100)
        assert 429 in refused

        live.publish({"session": call, "leg": "a", "number": "+4917000000001",
                      "state": "dialing", "seconds": 0, "cause": "", "at": time.time()})
        leg_state(first, "dialing")       # by its stream
        leg_state(second, "dialing")      # by polling, its stream refused

        first.close()                     # the stream's slot comes free ...
        deadline = time.monotonic() + 30
        while refused.count(200) < 1 and time.monotonic() < deadline:
            second.wait_for_timeout(250)
        assert 200 in refused             # ... and the second page takes it
        live.publish({"session": call, "leg": "a", "number": "+4917000000001",
                      "state": "alerting", "seconds": 0, "cause": "", "at": time.time()})
        leg_state(second, "alerting")
        browser.close()
