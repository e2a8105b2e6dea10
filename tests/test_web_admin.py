"""The admin pages called as a WSGI app: accounts, rates, calls, SMS, system; who may
use them, CSRF on every form, validation, the CSV upload and export."""
from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest

from gateway.money import accounts
from gateway.money.ledger import Account, CallerId, Cdr, RateRecord, Session, debit, start_session
from gateway.sms import store as sms_store
from gateway.sms.models import SmsCommand, SmsIn, SmsOut
from gateway.store.db import EventLogRecord
from webui.admin.common import local_midnight
from webui.admin.pages import talk_seconds_today

from tests.webclient import Client

GOOD_RATES = (b"prefix,description,price_per_minute,connect_fee,initial_increment,increment\n"
              b"49,Germany fixed,0.01,0,60,60\n"
              b"4917,Germany mobile,0.012,0.05,30,6\n"
              b"44,United Kingdom,0.02,0,60,60\n")
BAD_RATES = (b"prefix,description,price_per_minute,connect_fee,initial_increment,increment\n"
             b"49,Germany fixed,0.01,0,60,60\n"
             b"4917,Germany mobile,cheap,0.05,30,6\n"
             b"\n"
             b"44,United Kingdom,0.02,0,60\n"
             b"33,France,0.02,0,60,60\n")


@pytest.fixture
def admin(app):
    client = Client(app)
    client.login("root", "admin-secret")
    return client


@pytest.fixture
def holder(app):
    client = Client(app)
    client.login("alice", "alice-secret")
    return client


def csrf_of(client, path="/admin/accounts") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def admin_posts(app) -> dict[str, dict]:
    """Every state-changing admin route added here, with a form that would otherwise pass."""
    alice = app.alice.id
    return {f"/admin/accounts/{alice}/pin": {"pin": "9876"},
            f"/admin/accounts/{alice}/lock": {"locked": "1"},
            f"/admin/accounts/{alice}/sessions": {"sessions": "3"},
            f"/admin/accounts/{alice}/callerids": {"number": "+4917099999999"},
            f"/admin/accounts/{alice}/callerids/remove": {"number": "+4917012345678"},
            "/admin/rates": {},
            "/admin/sms/out/1/retry": {},
            "/admin/modems/m1/reset": {"confirm": "1"},
            "/admin/console": {"modem": "m1", "command": "AT"}}


ADMIN_PAGES = ("/admin/accounts/1", "/admin/rates", "/admin/calls", "/admin/calls.csv",
               "/admin/sms", "/admin/sms?show=out", "/admin/sms?show=quarantine",
               "/admin/system", "/admin/console")
ADMIN_JSON = ("/admin/calls/live", "/admin/console/lines?modem=m1")


def nothing_changed(app) -> bool:
    alice = Account.get_by_id(app.alice.id)
    return (accounts.pin_matches("1234", alice.pin_hash) and not alice.locked
            and CallerId.select().where(CallerId.account == alice.id).count() == 1
            and RateRecord.select().count() == 0)


def test_every_admin_route_refuses_account_holders(app, holder):
    for path in ADMIN_PAGES:
        assert holder.get(path).status == 403, path
    for path in ADMIN_JSON:
        reply = holder.get(path)
        assert reply.status == 403 and "admins only" in json.loads(reply.text)["error"], path
    csrf = holder.csrf()
    for path, form in admin_posts(app).items():
        assert holder.post(path, {**form, "csrf_token": csrf}).status == 403, path
    reply = holder.post("/admin/rates", {"csrf_token": csrf},
                        files={"file": ("rates.csv", GOOD_RATES)})
    assert reply.status == 403
    assert nothing_changed(app)


def test_admin_routes_need_a_login(app):
    client = Client(app)
    for path in ADMIN_PAGES:
        reply = client.get(path)
        assert reply.status == 303 and reply.headers["Location"].endswith("/login"), path
    for path in ADMIN_JSON:
        assert client.get(path).status == 401, path


def test_every_admin_form_without_the_csrf_token_is_refused(app, admin):
    for path, form in admin_posts(app).items():
        assert admin.post(path, form).status == 403, path
        assert admin.post(path, {**form, "csrf_token": "forged"}).status == 403, path
    reply = admin.post("/admin/rates", {}, files={"file": ("rates.csv", GOOD_RATES)})
    assert reply.status == 403
    assert nothing_changed(app)


# -- accounts -----------------------------------------------------------------------------------

def test_admin_sets_the_pin_with_a_message_for_a_bad_one(app, admin):
    csrf = csrf_of(admin)
    path = f"/admin/accounts/{app.alice.id}/pin"
    reply = admin.post(path, {"csrf_token": csrf, "pin": "12a"})
    assert reply.status == 400 and 'id="pin-error">a PIN is 4 to 8 digits' in reply.text
    Account.update(pin_locked_until=app.clock.now + 600).where(
        Account.id == app.alice.id).execute()
    reply = admin.post(path, {"csrf_token": csrf, "pin": "24680"})
    assert reply.status == 200 and "PIN changed" in reply.text
    alice = Account.get_by_id(app.alice.id)
    assert accounts.pin_matches("24680", alice.pin_hash) and alice.pin_locked_until == 0


def test_admin_locks_and_unlocks_an_account(app, admin):
    csrf = csrf_of(admin)
    path = f"/admin/accounts/{app.alice.id}/lock"
    reply = admin.post(path, {"csrf_token": csrf, "locked": "1"})
    assert reply.status == 200 and "account locked" in reply.text
    assert Account.get_by_id(app.alice.id).locked
    for garbage in ("abc", "2", "", "yes"):          # each of these unlocked it
        reply = admin.post(path, {"csrf_token": csrf, "locked": garbage})
        assert reply.status == 400 and 'id="lock-error">locked is 1' in reply.text, garbage
        assert Account.get_by_id(app.alice.id).locked, garbage
    assert "alice</a> (locked)" in admin.get("/admin/accounts").text
    holder = Client(app)
    holder.login("alice", "alice-secret")
    assert "This account is locked" in holder.get("/").text
    reply = admin.post(path, {"csrf_token": csrf, "locked": "0"})
    assert reply.status == 200 and "account unlocked" in reply.text
    assert not Account.get_by_id(app.alice.id).locked


def test_admin_adds_and_removes_caller_ids(app, admin):
    csrf = csrf_of(admin)
    base = f"/admin/accounts/{app.bob.id}/callerids"
    reply = admin.post(base, {"csrf_token": csrf, "number": "12ab; ATH"})
    assert reply.status == 400 and 'id="number-error">not a phone number' in reply.text
    reply = admin.post(base, {"csrf_token": csrf, "number": "+4917012345678"})
    assert reply.status == 400 and "authorized for account alice" in reply.text
    assert accounts.by_caller_id("+4917012345678").name == "alice"    # not moved
    reply = admin.post(base, {"csrf_token": csrf, "number": "0170 5550001"})
    assert reply.status == 200 and "+491705550001 authorized" in reply.text
    assert accounts.by_caller_id("+491705550001").name == "bob"
    page = admin.get(f"/admin/accounts/{app.bob.id}").text
    assert re.search(r'id="caller-ids">\s*<li>\+491705550001', page)
    reply = admin.post(base + "/remove", {"csrf_token": csrf, "number": "+491705550001"})
    assert reply.status == 200 and "+491705550001 removed" in reply.text
    assert accounts.by_caller_id("+491705550001") is None
    reply = admin.post(base + "/remove", {"csrf_token": csrf, "number": "+4917012345678"})
    assert reply.status == 404 and accounts.by_caller_id("+4917012345678").name == "alice"


def test_topups_are_listed_with_who_and_when(app, admin):
    csrf = csrf_of(admin)
    admin.post(f"/admin/accounts/{app.alice.id}/topup",
               {"csrf_token": csrf, "amount": "7.50", "note": "cash at the desk"})
    debit(app.alice.id, 200, "cli:ops", app.clock.now + 60, "refund")
    page = admin.get(f"/admin/accounts/{app.alice.id}").text
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]*)</td></tr>",
                      page)
    assert [row[1:] for row in rows] == [("-2.00 EUR", "cli:ops", "refund"),
                                          ("7.50 EUR", "web:root", "cash at the desk"),
                                          ("10.00 EUR", "admin", "opening balance")]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[0]) for row in rows)
    assert admin.get("/admin/accounts/999").status == 404


# -- rates --------------------------------------------------------------------------------------

def test_a_rates_file_with_two_bad_lines_names_both_and_stores_nothing(app, admin):
    store = RateRecord.insert(prefix="1", description="old", price_per_minute=5000)
    store.execute()
    reply = admin.post("/admin/rates", {"csrf_token": csrf_of(admin, "/admin/rates"),
                                        "replace": "1"},
                       files={"file": ("rates.csv", BAD_RATES)})
    assert reply.status == 400
    assert "2 bad line(s): nothing was stored" in reply.text
    problems = re.findall(r"<li>(line \d+: [^<]+)</li>", reply.text)
    assert len(problems) == 2
    assert problems[0].startswith("line 3: price_per_minute &#039;cheap&#039;")
    assert problems[1].startswith("line 5: 5 columns, expected 6")
    assert [rate.prefix for rate in RateRecord.select()] == ["1"]


def test_a_good_rates_file_is_stored_and_searchable(app, admin):
    csrf = csrf_of(admin, "/admin/rates")
    reply = admin.post("/admin/rates", {"csrf_token": csrf},
                       files={"file": ("rates.csv", GOOD_RATES)})
    assert reply.status == 200 and "3 rates stored" in reply.text
    mobile = RateRecord.get_by_id("4917")
    assert (mobile.price_per_minute, mobile.connect_fee, mobile.initial_increment,
            mobile.increment) == (1200, 5, 30, 6)
    by_prefix = admin.get("/admin/rates?q=%2B49").text
    assert "Germany fixed" in by_prefix and "Germany mobile" in by_prefix
    assert "United Kingdom" not in by_prefix
    by_words = admin.get("/admin/rates?q=kingdom").text
    assert "United Kingdom" in by_words and "Germany" not in by_words
    assert "No rate matches" in admin.get("/admin/rates?q=France").text
    reply = admin.post("/admin/rates", {"csrf_token": csrf, "replace": "1"},
                       files={"file": ("rates.csv", b"33,France,0.02,0,60,60\n")})
    assert "1 rate stored, replacing the previous 3" in reply.text
    assert [rate.prefix for rate in RateRecord.select()] == ["33"]


def test_a_rates_upload_that_is_no_csv_text_says_so(app, admin):
    csrf = csrf_of(admin, "/admin/rates")
    reply = admin.post("/admin/rates", {"csrf_token": csrf})
    assert reply.status == 400 and 'id="file-error">choose a CSV file' in reply.text
    reply = admin.post("/admin/rates", {"csrf_token": csrf},
                       files={"file": ("rates.csv", b"49,\xff\xfe,0.01,0,60,60\n")})
    assert reply.status == 400 and "not UTF-8" in reply.text
    reply = admin.post("/admin/rates", {"csrf_token": csrf},
                       files={"file": ("rates.csv", b"# only a comment\n")})
    assert reply.status == 400 and "has no rates" in reply.text
    assert RateRecord.select().count() == 0


# -- calls --------------------------------------------------------------------------------------

def make_calls(app) -> tuple[int, int]:
    """Two settled sessions (alice 2 legs, bob 1 leg) and one running; gives alice's and the
    running session's ids."""
    now = app.clock.now
    alice_call = start_session("box", app.alice.id, "callback", "+4917012345678", now - 300)
    Cdr.create(box="box", session=alice_call, account=app.alice.id, role="callback",
               direction="outgoing", number="+4917012345678", modem="m1",
               started_at=now - 300, answered_at=now - 290, ended_at=now - 200, cost=12,
               rate_prefix="4917", cause="normal")
    Cdr.create(box="box", session=alice_call, account=app.alice.id, role="destination",
               direction="outgoing", number="+441234567890", modem="m2",
               started_at=now - 280, answered_at=None, ended_at=now - 250, cost=0,
               cause="no answer")
    bob_call = start_session("box", app.bob.id, "connect-two", "+4917011111111",
                             now - 3 * 86400)
    Cdr.create(box="box", session=bob_call, account=app.bob.id, role="callback",
               direction="outgoing", number="+4917011111111", modem="m1",
               started_at=now - 3 * 86400, answered_at=now - 3 * 86400 + 5,
               ended_at=now - 3 * 86400 + 65, cost=7, rate_prefix="4917", cause="normal")
    Session.update(state="settled", ended_at=now - 200).where(
        Session.id.in_([alice_call, bob_call])).execute()
    running = start_session("box", app.bob.id, "callback", "+4917022222222", now - 20)
    Cdr.create(box="box", session=running, account=app.bob.id, role="callback",
               direction="outgoing", number="+4917022222222", modem="m1",
               started_at=now - 20, answered_at=now - 15)
    return alice_call, running


def numbers(page: str) -> set[str]:
    """Gives the numbers of the legs in the history table of a calls page."""
    return set(re.findall(r"<td>(\+\d+)</td><td>m\d</td>", page))


def local_day(stamp: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(stamp))


def test_history_filters_by_account_number_day_and_status(app, admin):
    alice_call, running = make_calls(app)
    everything = admin.get("/admin/calls").text
    assert numbers(everything) == {"+4917012345678", "+441234567890", "+4917011111111",
                                   "+4917022222222"}
    assert numbers(admin.get(f"/admin/calls?account={app.alice.id}").text) == {
        "+4917012345678", "+441234567890"}
    assert numbers(admin.get("/admin/calls?number=4412").text) == {"+441234567890"}
    assert numbers(admin.get("/admin/calls?status=not+answered").text) == {"+441234567890"}
    assert numbers(admin.get("/admin/calls?status=running").text) == {"+4917022222222"}
    three_days_ago = local_day(app.clock.now - 3 * 86400)
    assert numbers(admin.get(f"/admin/calls?from={three_days_ago}&to={three_days_ago}")
                   .text) == {"+4917011111111"}
    reply = admin.get("/admin/calls?from=yesterday&status=lost")
    assert reply.status == 400
    assert 'id="from-error">enter a day like' in reply.text
    assert 'id="status-error">' in reply.text


def test_history_pages(app, admin):
    now = app.clock.now
    session = start_session("box", app.alice.id, "callback", "+4917012345678", now)
    for index in range(120):
        Cdr.create(box="box", session=session, account=app.alice.id, role="callback",
                   direction="outgoing", number=f"+49170{index:07d}", modem="m1",
                   started_at=now - index, ended_at=now - index)
    first = admin.get("/admin/calls").text
    assert "page 1 of 3 (120 in all)" in first and "+491700000000" in first
    assert "+491700000050" not in first
    third = admin.get("/admin/calls?number=49170&page=3").text
    assert "page 3 of 3" in third and "+491700000119" in third and "+491700000099" not in third
    assert 'href="?number=49170&amp;page=2"' in third


def test_csv_export_has_one_row_per_leg_and_follows_the_filters(app, admin):
    alice_call, running = make_calls(app)
    reply = admin.get(f"/admin/calls.csv?account={app.alice.id}")
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[0] == ["session", "account", "leg", "number", "modem", "start", "answer",
                       "end", "duration", "rate_prefix", "cost", "cause"]
    assert len(rows) == 3
    by_leg = {row[2]: row for row in rows[1:]}
    callback = by_leg["callback"]
    assert callback[:5] == [str(alice_call), "alice", "callback", "+4917012345678", "m1"]
    assert callback[8:] == ["90", "4917", "0.12", "normal"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cell) for cell in callback[5:8])
    assert by_leg["destination"][6] == "" and by_leg["destination"][8:] == ["0", "", "0.00",
                                                                           "no answer"]
    everything = list(csv.reader(io.StringIO(admin.get("/admin/calls.csv").text)))
    assert len(everything) == 5
    page = admin.get(f"/admin/calls?account={app.alice.id}&number=49").text
    assert f'href="/admin/calls.csv?account={app.alice.id}&amp;number=49"' in page
    assert admin.get("/admin/calls.csv?to=someday").status == 400


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(app, admin):
    now = app.clock.now
    Cdr.create(box="box", session=None, account=None, role="trigger", direction="incoming",
               number="+4917012345678", modem="m1", started_at=now, ended_at=now,
               cause='=HYPERLINK("http://x")')
    row = list(csv.reader(io.StringIO(admin.get("/admin/calls.csv").text)))[1]
    assert row[3] == "+4917012345678" and row[11] == "'=HYPERLINK(\"http://x\")"


def test_the_live_list_shows_running_sessions_only(app, admin):
    alice_call, running = make_calls(app)
    live = json.loads(admin.get("/admin/calls/live").text)
    assert [call["id"] for call in live["sessions"]] == [running]
    call = live["sessions"][0]
    assert (call["account"], call["kind"], call["number"]) == ("bob", "callback",
                                                               "+4917022222222")
    assert call["legs"]["a"]["state"] == "waiting"      # no live event: the books say running
    page = admin.get("/admin/calls").text
    assert f'<tr data-session="{running}">' in page and 'src="/static/admin_calls.js"' in page
    assert admin.get("/static/admin_calls.js").status == 200


# -- SMS ----------------------------------------------------------------------------------------

def test_sms_log_in_out_and_quarantine(app, admin):
    now = app.clock.now
    SmsCommand.create(box="box", modem="m1", sender="+4917012345678", text="BAL",
                      state="done", result="balance sent", received_at=now)
    SmsIn.create(box="box", modem="m1", dedup_key="k1", pdu="07FFBADPDU", sender_raw="?",
                 error="truncated user data", state="quarantined", received_at=now)
    sms_store.enqueue("box", "+4917012345678", "Your balance is 10.00 EUR", now)
    incoming = admin.get("/admin/sms").text
    assert "BAL" in incoming and "balance sent" in incoming and "07FFBADPDU" not in incoming
    outgoing = admin.get("/admin/sms?show=out").text
    assert "Your balance is 10.00 EUR" in outgoing and "queued" in outgoing
    quarantine = admin.get("/admin/sms?show=quarantine").text
    assert "07FFBADPDU" in quarantine and "truncated user data" in quarantine
    assert admin.get("/admin/sms?show=drafts").status == 404


def test_retrying_a_failed_sms_queues_it_again(app, admin):
    now = app.clock.now
    failed = sms_store.enqueue("box", "+4917012345678", "Callback refused", now - 60)
    SmsOut.update(state="failed", attempts=4, reason="+CMS ERROR: 38").where(
        SmsOut.id == failed).execute()
    sent = sms_store.enqueue("box", "+4917012345678", "Done", now - 60)
    SmsOut.update(state="sent", sent_at=now - 50).where(SmsOut.id == sent).execute()
    page = admin.get("/admin/sms?show=out").text
    assert f'action="/admin/sms/out/{failed}/retry"' in page
    assert f'action="/admin/sms/out/{sent}/retry"' not in page
    csrf = csrf_of(admin, "/admin/sms?show=out")
    reply = admin.post(f"/admin/sms/out/{failed}/retry", {"csrf_token": csrf})
    assert reply.status == 200 and f"SMS {failed} to +4917012345678 queued again" in reply.text
    row = SmsOut.get_by_id(failed)
    assert (row.state, row.attempts, row.next_attempt_at) == ("queued", 0, now)
    reply = admin.post(f"/admin/sms/out/{sent}/retry", {"csrf_token": csrf})
    assert reply.status == 409 and "only a failed or queued one" in reply.text
    assert SmsOut.get_by_id(sent).state == "sent"
    assert admin.post("/admin/sms/out/999/retry", {"csrf_token": csrf}).status == 404


# -- system ---------------------------------------------------------------------------------

def test_system_page_shows_the_box_and_the_log_tail(app, admin):
    from gateway.store.db import DaemonRecord
    now = app.clock.now
    DaemonRecord.create(box="box", pid=4242, version="0.1.0", started_at=now - 3 * 3600 - 120,
                        heartbeat_at=now - 4, status="2/3 modems up")
    for index in range(60):
        EventLogRecord.create(box="box", at=now - 60 + index, modem="m1", kind="signal",
                              message=f"event number {index}")
    EventLogRecord.create(box="other", at=now, kind="x", message="another box's line")
    page = admin.get("/admin/system").text
    assert "callbox " in page and "pid 4242, 2/3 modems up" in page
    assert "3 h 2 min" in page and "heartbeat 4 s ago" in page
    for label in ("CPU load", "Memory", "Disk", "Database"):
        assert f'<th scope="row">{label}</th>' in page, label
    assert re.search(r"Database</th><td>\d+\.\d MB", page)
    assert "event number 59" in page and "event number 10" in page
    assert "event number 9<" not in page and "another box" not in page
    assert page.index("event number 59") < page.index("event number 58")


def test_minutes_today_count_talk_since_local_midnight(app):
    midnight = local_midnight(app.clock.now)
    now = midnight + 12 * 3600
    for modem, answered, ended in (("m1", midnight + 10, midnight + 100),
                                   ("m1", now - 30, None),                # still talking
                                   ("m1", midnight - 500, midnight - 10),  # yesterday
                                   ("m2", None, midnight + 50)):           # not answered
        Cdr.create(box="box", role="callback", direction="outgoing", number="+491", modem=modem,
                   started_at=answered or midnight, answered_at=answered, ended_at=ended)
    Cdr.create(box="other", role="callback", direction="outgoing", number="+491", modem="m1",
               started_at=now - 100, answered_at=now - 100, ended_at=now)
    assert talk_seconds_today(now, "box") == {"m1": pytest.approx(120)}
    assert talk_seconds_today(now)["m1"] == pytest.approx(220)
