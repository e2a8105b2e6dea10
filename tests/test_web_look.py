"""Every page of the web UI in headless Chromium at a desk's width (1280 px) and a phone's
(390 px): nothing scrolls sideways, axe-core finds no serious or critical violation, the
admin tables keep their key columns in view, and the screenshots the README shows.

The pages are the app's own GET routes (all but the few that answer JSON, CSV or a
redirect, listed in NOT_PAGES with why), so a page added later is checked without a word
here; one that needs an id gets one from the seeded box (IDS)."""
from __future__ import annotations

import re
import shutil
import time
import types
from pathlib import Path

import pytest

from gateway import users
from gateway.money.ledger import Cdr, Session, start_session
from gateway.store.alerts import raise_alert
from tests.boxrig import FRIEND, USER, Rig, ensure_prompts
from tests.screenshots import SCREENSHOTS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT_MAX = 200_000            # bytes: the README's pictures stay small
# how each page is looked at: window size and colour scheme (the phone in dark mode, so that
# axe's contrast check sees both colour sets without a third round)
VIEWS = {"desk": (1280, 800, "light"), "phone": (390, 844, "dark")}
SERIOUS = ("serious", "critical")

# GET routes that are no page a person reads, and why
NOT_PAGES = {
    "/favicon.ico": "no icon: 204",
    "/language/<code>": "the language switch: a redirect",
    "/static/<name:re:[a-z_]+\\.(css|js)>": "the sheet and the scripts",
    "/static/chart.js": "Chart.js, for the dashboard's charts",
    "/admin/calls.csv": "a CSV export",
    "/admin/start/rates-sample.csv": "the first-run page's sample rates, a download",
    "/admin/start/steps": "a piece of the first-run page that its script fetches",
    "/admin/calls/live": "JSON for the calls page",
    "/admin/console/lines": "JSON for the AT console",
    "/metrics": "Prometheus text",
}
ANONYMOUS = ("/login",)

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright",
                                     reason="the axe-playwright-python package is missing")
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
                allow_module_level=True)


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


def seed_calls(rig) -> int:
    """A settled callback of alice to her friend, and an open alert; gives the session id."""
    now = time.time()
    box = rig.config.gateway.box
    session = start_session(box, rig.account_id, "callback", USER, now - 600)
    Cdr.create(box=box, session=session, account=rig.account_id, role="callback",
               direction="outgoing", number=USER, modem="m1", started_at=now - 600,
               answered_at=now - 590, ended_at=now - 400, billed_seconds=240, cost=24,
               rate_prefix="4917", cause="normal")
    Cdr.create(box=box, session=session, account=rig.account_id, role="destination",
               direction="outgoing", number=FRIEND, modem="m2", started_at=now - 570,
               answered_at=now - 560, ended_at=now - 400, billed_seconds=180, cost=36,
               rate_prefix="4917", cause="normal")
    Session.update(state="settled", ended_at=now - 400).where(Session.id == session).execute()
    raise_alert(box, "modem_down", "m9", now - 60, "m9 is down: no answer to AT",
                advice="Check its USB cable.", modem="m9")
    return session


@pytest.fixture
def box(network, tmp_path):
    from webui.app import make_app
    from webui.server import WebServer

    rig = Rig(network, tmp_path)
    rig.start(balance=1000)
    users.add_user("alice", "alice-secret", time.time())
    users.add_user("root", "admin-secret", time.time(), is_admin=True)
    rig.session_id = seed_calls(rig)
    rig.carol = network.add_phone(number="+4917055555555")
    services = types.SimpleNamespace(pool=rig.daemon.pool, calls=rig.daemon.calls, now=time.time,
                                     phones={"alice": rig.user, "bob": rig.friend,
                                             "carol": rig.carol})
    app = make_app(rig.config, services)
    server = WebServer(app, "127.0.0.1", 0)
    server.start()
    rig.app = app
    rig.url = f"http://127.0.0.1:{server.port}"
    yield rig
    server.stop()
    app.web.stopping.set()
    rig.stop()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def page_paths(app, ids: dict[str, int]) -> list[str]:
    """Gives the path of every page of `app`: its GET routes but the API's and NOT_PAGES,
    each <name:int> filled from `ids` (a page with an id nobody seeded fails here)."""
    paths = []
    for route in app.routes:
        if route.method != "GET" or route.rule.startswith("/api/") or route.rule in NOT_PAGES:
            continue
        names = re.findall(r"<(\w+)(?::[^>]*)?>", route.rule)
        missing = [name for name in names if name not in ids]
        assert not missing, f"{route.rule}: no seeded id for {missing}; add it to the ids"
        paths.append(re.sub(r"<(\w+)(?::[^>]*)?>", lambda m: str(ids[m.group(1)]), route.rule))
    return paths


def log_in(page, url: str, name: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def problems(page) -> list[str]:
    """Gives what is wrong with the page shown: sideways scrolling, serious axe findings."""
    found = []
    wide, room = page.evaluate("[document.documentElement.scrollWidth,"
                               " document.documentElement.clientWidth]")
    if wide > room:
        found.append(f"scrolls sideways: {wide} px wide in {room} px")
    cut = page.evaluate("() => Array.from(document.querySelectorAll('main .scroll'))"
                        ".filter((box) => box.scrollWidth > box.clientWidth + 1)"
                        ".map((box) => (box.querySelector('table') || box).id || box.className)")
    if cut:
        found.append(f"tables cut off on the right (scroll inside): {cut}")
    # axe itself is in every page already (the contexts' init script): run it
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in results["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"]][:3]
            found.append(f"axe {violation['impact']} {violation['id']}: {targets}")
    return found


def in_view(page, selector: str) -> bool:
    """Tells whether the first element matching `selector` shows inside the window's width."""
    return page.evaluate("""(selector) => {
        const element = document.querySelector(selector);
        if (!element) { return false; }
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth;
    }""", selector)


def phones_layout(page, width_name: str) -> list[str]:
    """Tells what is wrong with the row of virtual phones: three side by side at a desk, one
    in view and the others a swipe away on a phone."""
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.phone'), (card) => {
        const box = card.getBoundingClientRect();
        return [Math.round(box.top), Math.round(box.left), Math.round(box.right)];
    })""")
    row = page.evaluate("() => { const row = document.getElementById('phones');"
                        " return [row.scrollWidth, row.clientWidth,"
                        " getComputedStyle(row).scrollSnapType]; }")
    width = page.viewport_size["width"]
    tops = {top for top, _, _ in boxes}
    if len(boxes) != 3 or len(tops) != 1:
        return [f"the phones are not in one row: {boxes}"]
    in_view = [left >= 0 and right <= width for _, left, right in boxes]
    if width_name == "desk" and not all(in_view):
        return [f"not all three phones in view at {width} px: {boxes}"]
    if width_name == "phone" and (in_view != [True, False, False] or row[0] <= row[1]
                                  or not row[2].startswith("x")):
        return [f"the phones do not swipe at {width} px: {boxes}, row {row}"]
    return []


def test_every_page_fits_both_widths_and_passes_axe(box, browser):
    started = time.monotonic()
    paths = page_paths(box.app, {"session_id": box.session_id, "account_id": box.account_id})
    assert {"/", "/phones", "/admin/modems", "/admin/calls", "/login"} <= set(paths)
    axe_script = axe_playwright.Axe().axe_script         # axe-core, bundled: no network
    contexts = {}
    for who in ("alice", "root", "nobody"):
        contexts[who] = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts[who].add_init_script(axe_script)
    log_in(contexts["alice"].new_page(), box.url, "alice", "alice-secret")
    log_in(contexts["root"].new_page(), box.url, "root", "admin-secret")
    pages = {who: context.pages[0] if context.pages else context.new_page()
             for who, context in contexts.items()}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for width_name, (width, height, scheme) in VIEWS.items():
        for page in pages.values():
            page.set_viewport_size({"width": width, "height": height})
            page.emulate_media(color_scheme=scheme)
        for path in paths:
            who = ("nobody" if path in ANONYMOUS else
                   "root" if path.startswith("/admin") else "alice")
            page = pages[who]
            reply = page.goto(box.url + path)
            assert reply.ok, f"{path}: {reply.status}"
            assert page.url.endswith(path), f"{path} went to {page.url}"
            page.wait_for_load_state()
            trouble = problems(page)
            if width_name == "desk" and path == "/admin/modems":
                for selector in ("#modems th.roles", "#modems th.minutes",
                                 "#modems button.reset"):
                    if not in_view(page, selector):
                        trouble.append(f"{selector} is cut off")
            if width_name == "desk" and path == "/admin/calls":
                for selector in ("#history th.rate", "#history th.cost"):
                    if not in_view(page, selector):
                        trouble.append(f"{selector} is cut off")
            if path == "/phones" :
                trouble += phones_layout(page, width_name)
            if path in ("/admin/modems", "/phones") :
                name = "modems" if path == "/admin/modems" else "virtual_phones"
                shot = SCREENSHOTS / f"{name}_{width}.png"
                page.screenshot(path=str(shot), full_page=True)
                if shot.stat().st_size >= SCREENSHOT_MAX:
                    trouble.append(f"{shot.name} is {shot.stat().st_size} bytes")
            if trouble:
                found[f"{path} at {width} px, {scheme}"] = trouble
    page = pages["alice"]                                 # by keyboard: the skip link first
    page.goto(f"{box.url}/")
    page.keyboard.press("Tab")
    focused = "() => [document.activeElement.className, document.activeElement.id," \
              " getComputedStyle(document.activeElement).outlineStyle]"
    assert page.evaluate(focused) == ["skip", "", "solid"]      # shown, with a visible ring
    page.keyboard.press("Enter")
    assert page.evaluate(focused)[1] == "content"
    assert not found, "\n".join(f"{where}: {what}" for where, what in found.items())
    for context in contexts.values():
        context.close()
    print(f"{len(paths)} pages in {len(VIEWS)} views in {time.monotonic() - started:.1f} s")
