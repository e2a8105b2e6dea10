"""The voice test: its measures on a recording made through a handset echo, its figures in
words, and `callbox voicetest` through a running daemon on the virtual network against a
phone with an echo path (120 ms, 20 dB) that says a sentence and presses 1 2 3 both ways;
the JSON routes and the Modems page."""
from __future__ import annotations

import json
import re
import threading
import time

import numpy as np
import pytest

from audio.endpoint import open_endpoint
from audio.loudness import integrated_lufs
from audio.pcm import FRAME_BYTES, SILENCE, frames, samples, to_pcm
from audio.player import load_prompt
from audio.port import AudioPort
from audio.voicetest import Marks, Recording, measure, round_trip, measured_signal
from callbox.cli import main
from gateway import users
from gateway.care import requests, voicetests
from gateway.care.models import ModemRequest
from gateway.config import load
from modems.sim import PhoneState
from modems.sim.echo import EchoPath

from tests.boxrig import USER, Rig, ensure_prompts, wait_for
from tests.test_audio_helpers import answered_call, chirp
from tests.webclient import Client
from webui.app import make_app

SENTENCE = "destination_busy"       # "The number you called is busy." (1.7 s, -20 LUFS)


def simulated_test(delay_ms: float, loss_db: float, network_frames: int, noise_rms: float,
                   tail_ms: int, sentence: bytes = b"", clip: int = 0, slip_at: int = 0):
    """Records a voice test offline: the box's frames through `network_frames` of delay and
    a handset echo, with noise and (after the request) a sentence; gives the figures.
    `slip_at`: from that frame on, the network holds one frame more (a slip)."""
    recording, path = Recording(), EchoPath(delay_ms, loss_db)
    pipe = [SILENCE] * network_frames
    rng = np.random.default_rng(5)
    said = list(frames(sentence))

    def step(out: bytes, talk: bytes = SILENCE) -> None:
        mic = to_pcm(samples(talk) + rng.normal(0, noise_rms, 160))
        recording.hear(path.add_to(mic))
        if recording.mark == slip_at:
            pipe.append(SILENCE)
        pipe.append(out)
        path.heard(pipe.pop(0))

    def play(pcm: bytes) -> tuple[int, int]:
        span: list[int] = []
        for frame in recording.sent_frames(pcm, span):
            step(frame)
        return span[0], span[1]

    play(load_prompt("voicetest_intro"))
    quiet = recording.mark
    for _ in range(40):
        step(SILENCE)
    signal = play(measured_signal())
    for _ in range(25):
        step(SILENCE)
    sentence_at = recording.mark
    for frame in said + [SILENCE] * 10:
        step(SILENCE, frame)
    for index in range(clip):
        recording.captured[-1 - index] = b"\xff\x7f" * (FRAME_BYTES // 2)
    marks = Marks(quiet, signal[0], signal[1], sentence_at, recording.mark)
    return measure(recording, marks, tail_ms, keys_in_band="123", keys_reported="12",
                   echo_cancel=True)


def test_the_measures_read_a_line_with_a_handset_echo():
    sentence = load_prompt(SENTENCE)
    figures = simulated_test(120, 20, 2, 30.0, 256, sentence)
    # 120 ms of handset, 40 ms of network, the echo's low-pass smears it by a sample
    assert figures.round_trip_ms == pytest.approx(160, abs=1)
    assert figures.echo_correlation > 0.9
    assert figures.played_dbfs == pytest.approx(-20, abs=0.2)
    # the echo path's low-pass takes 1.2 dB more of a speech-shaped signal
    assert 20 <= figures.erl_db <= 22.5 and not figures.erl_at_least
    assert figures.erl_cancelled_db >= figures.erl_db + 20
    assert figures.noise_dbfs == pytest.approx(20 * np.log10(30 / 32767), abs=1)
    assert figures.speech_lufs == pytest.approx(integrated_lufs(sentence), abs=1)
    assert (figures.clipped_samples, figures.keys_in_band, figures.keys_reported) == (0, "123",
                                                                                     "12")
    # a tail far shorter than the round trip cannot cancel it (the canceller looks for the
    # echo up to the tail and follows it 40 ms further); a quiet far end; clipping
    short = simulated_test(120, 20, 2, 30.0, 64, clip=2)
    assert short.erl_cancelled_db < short.erl_db + 6
    assert short.speech_lufs is None and short.clipped_samples == 320
    said = voicetests.advice(short.to_dict())
    assert any("set echo_tail_ms = 224" in line for line in said)
    assert any("No speech was heard" in line for line in said)
    assert any("reaches full scale" in line for line in said)
    # the box's audio slipping a frame in the middle of the signal: counted, and the
    # canceller's figure is of the line, not of the slip
    slipped = simulated_test(120, 20, 2, 30.0, 256, slip_at=240)
    assert slipped.slips == 1 and slipped.erl_cancelled_db >= slipped.erl_db + 20
    assert ("audio slips", "1 (a frame late, the box being busy; taken out of the canceller's "
            "figure)") in voicetests.describe(slipped.to_dict())
    # an echo lost in the noise is not timed; its loss is a lower bound
    faint = simulated_test(60, 45, 2, 100.0, 128)
    assert faint.round_trip_ms is None and faint.erl_at_least


def test_the_round_trip_is_found_in_noise():
    rng = np.random.default_rng(2)
    sent = samples(measured_signal())
    sent = np.concatenate((np.zeros(800), sent, np.zeros(4000)))
    heard = np.roll(sent, 1234) * 0.05 + rng.normal(0, 80, len(sent))
    lag, correlation = round_trip(sent, heard, 800, len(sent) - 4000)
    assert lag == 1234 and correlation > 0.5


def test_the_figures_in_words():
    figures = {"round_trip_ms": 161.3, "echo_correlation": 0.9, "played_dbfs": -20.0,
               "erl_db": 21.2, "erl_at_least": False, "erl_cancelled_db": 55.0,
               "erl_cancelled_at_least": False, "tail_ms": 256, "slips": 0, "echo_cancel": True,
               "noise_dbfs": -96.0, "speech_lufs": -21.4, "clipped_samples": 0,
               "captured_samples": 80000, "keys_in_band": "123", "keys_reported": "123"}
    words = dict(voicetests.describe(figures))
    assert words["round-trip delay"] == "161 ms"
    assert words["echo return loss"] == "21.2 dB without the canceller"
    assert words[""] == "55.0 dB with the canceller (tail 256 ms, on for calls)"
    assert words["noise floor"] == "below -90 dBFS (silence)"
    assert words["speech level"] == "-21.4 LUFS" and words["clipping"] == "none"
    assert words["keys in-band"] == words["keys the modem reported"] == "1 2 3"
    assert voicetests.advice(figures) == []
    quiet = {**figures, "speech_lufs": -38.0, "echo_cancel": False, "noise_dbfs": -40.0,
             "keys_in_band": "13"}
    said = voicetests.advice(quiet)
    assert "set rx_gain_db to about +14" in said[2] and "echo_cancel = true" in said[0]
    assert "noise_suppression = true" in said[1] and "not all heard in-band" in said[3]
    assert voicetests.parse_answer("not json") == {"number": "", "progress": [],
                                                   "figures": None}


def network_round_trip(network) -> float:
    """Measures the virtual network's own round trip for a box's audio port (ms): a port
    plays a chirp to a phone whose handset echoes it after 20 ms, at 0 dB."""
    modem = network.add_modem("m9", "+4915110000009", profile="simcom")
    with answered_call(network, modem, "+4917000000009") as leg:
        leg.phone.echo = EchoPath(delay_ms=20, return_loss_db=0)
        recording, heard_enough = Recording(), threading.Event()

        def hear(frame: bytes) -> None:
            recording.hear(frame)
            if recording.mark >= 40:
                heard_enough.set()
        port = AudioPort(open_endpoint(modem.audio), modem.name)
        try:
            port.listen(hear)
            span: list[int] = []
            port.play(recording.sent_frames(chirp(0.1), span))
            assert heard_enough.wait(10), "the port stopped capturing"
        finally:
            port.stop()
    sent = samples(recording.sent_pcm())
    lag, correlation = round_trip(sent, samples(recording.captured_pcm()), span[0] * 160,
                                  span[1] * 160)
    assert correlation > 0.8
    return 1000 * lag / 8000 - 20


@pytest.fixture
def box(network, tmp_path):
    """The daemon with m1 (SIMCom, echo_tail_ms 256) and m2 (Quectel)."""
    ensure_prompts()
    rig = Rig(network, tmp_path)
    rig.own_delay_ms = network_round_trip(network)
    rig.path = tmp_path / "callbox.toml"
    text = rig.path.read_text()
    rig.path.write_text(text.replace('roles = ["trigger", "callback"]',
                                     'roles = ["trigger", "callback"]\necho_tail_ms = 256'))
    rig.config = load(str(rig.path))
    rig.start()
    yield rig
    rig.stop()


def latest_progress() -> list[str]:
    row = ModemRequest.select().where(ModemRequest.kind == "voicetest").order_by(
        ModemRequest.id.desc()).first()
    return voicetests.parse_answer(row.answer)["progress"] if row else []


def figure(pattern: str, out: str) -> float:
    found = re.search(pattern, out)
    assert found, f"{pattern!r} not in:\n{out}"
    return float(found.group(1))


def test_callbox_voicetest_measures_a_phone_with_an_echo(box, capsys):
    phone = box.user
    phone.echo = EchoPath(delay_ms=120, return_loss_db=20)
    sentence = load_prompt(SENTENCE)
    codes: list[int] = []
    command = threading.Thread(target=lambda: codes.append(main(
        ["voicetest", "m1", "0170 1234 5678", "--config", str(box.path)])), daemon=True)
    started = time.monotonic()
    command.start()
    assert phone.wait_state(PhoneState.RINGING, timeout=15), "the box did not call"
    phone.answer()
    assert wait_for(lambda: "listening" in latest_progress(), timeout=15)
    phone.play(sentence)        # says a sentence, then presses 1 2 3 (in-band and signalled)
    box.network.later(len(sentence) / 16000 + 0.3, phone.press, "123", 0.15)
    command.join(30)
    assert not command.is_alive() and codes == [0]
    took = time.monotonic() - started
    out = capsys.readouterr().out
    lines = out.splitlines()
    for step in ("calling +4917012345678 from m1", "answered after 0 s",
                 "playing the test signal", "listening", "hung up", "measuring"):
        assert step in lines, (step, out)
    trip = figure(r"round-trip delay +(\d+) ms", out)
    assert abs(trip - (120 + box.own_delay_ms)) <= 20, (trip, box.own_delay_ms)
    erl = figure(r"echo return loss +([\d.]+) dB without the canceller", out)
    assert abs(erl - 20) <= 3
    erl_cancelled = figure(r"([\d.]+) dB with the canceller \(tail 256 ms, on for calls\)",
                           out)
    assert erl_cancelled >= erl + 15
    assert re.search(r"noise floor +below -90 dBFS \(silence\)", out)
    speech = figure(r"speech level +(-[\d.]+) LUFS", out)
    assert abs(speech - integrated_lufs(sentence)) <= 2
    assert re.search(r"clipping +none\n", out)
    assert re.search(r"keys in-band +1 2 3\n", out)
    assert re.search(r"keys the modem reported +1 2 3\n", out)
    # nothing to change on this line (a busy test machine may leave the canceller a little
    # under 40 dB, which the test would say)
    advice = out.partition("what the figures suggest:")[2].splitlines()
    assert all(not line or "the canceller leaves an echo" in line.lower() for line in advice)
    assert took < 30, took
    # the modem was given back: a callback may borrow it again
    driver = box.daemon.pool.acquire("callback")
    assert driver is not None and driver.name == "m1"
    box.daemon.pool.release("m1")
    assert phone.state is PhoneState.IDLE

    code = main(["voicetest", "m1", "not a number", "--config", str(box.path)])
    assert code == 1 and "a phone number has only digits" in capsys.readouterr().err
    code = main(["voicetest", "m7", USER, "--config", str(box.path)])
    assert code == 1 and "no modem named 'm7'" in capsys.readouterr().err


def test_voice_tests_from_the_web_and_their_refusals(box):
    now = time.time()
    users.add_user("root", "admin-secret", now, is_admin=True)
    users.add_user("alice", "alice-secret", now)
    app = make_app(box.config, box.daemon)
    admin, holder = Client(app), Client(app)
    csrf = {"X-CSRF-Token": admin.login("root", "admin-secret")}
    holder_csrf = {"X-CSRF-Token": holder.login("alice", "alice-secret")}
    route = "/api/admin/modems/m1/voicetest"
    assert holder.request("POST", route, json_body={"number": USER},
                          headers=holder_csrf).status == 403
    assert holder.get(route).status == 403
    bad = admin.request("POST", route, json_body={"number": "call me"}, headers=csrf)
    assert bad.status == 400 and "number" in json.loads(bad.text)["fields"]
    assert admin.request("POST", "/api/admin/modems/m9/voicetest", json_body={"number": USER},
                         headers=csrf).status == 404
    assert admin.request("POST", route, json_body={"number": 17}, headers=csrf).status == 400
    assert ModemRequest.select().count() == 0

    asked = admin.request("POST", route, json_body={"number": "01701234 5678"}, headers=csrf)
    assert asked.status == 202, asked.text
    follow = json.loads(asked.text)["follow"]
    assert box.user.wait_state(PhoneState.RINGING, timeout=15)
    assert wait_for(lambda: box.daemon.pool.driver("m1").in_call, timeout=5)
    again = admin.request("POST", route, json_body={"number": USER}, headers=csrf)
    assert again.status == 409 and "in a call" in json.loads(again.text)["error"]
    # one that got past the page's look meanwhile is refused by the daemon
    raced = requests.queue_request(box.config.gateway.box, "voicetest", "m1", USER, now)
    assert wait_for(lambda: requests.get(raced).state == "failed", timeout=5)
    assert requests.get(raced).error == "m1 is in a call; ask again when it ends"
    box.user.reject()

    def request() -> dict:
        return json.loads(admin.get(follow).text)["request"]
    assert wait_for(lambda: request()["state"] == "failed", timeout=10)
    failed = request()
    assert failed["error"] in ("the call was not answered (rejected)",
                               "the call was not answered (no carrier)")
    assert failed["number"] == USER and failed["figures"] is None
    assert failed["progress"][0] == "calling +4917012345678 from m1"
    assert failed["progress"][-1] == "stopped: " + failed["error"]
    for bad_id in ("x1", "-1", "9" * 30):
        assert admin.get(f"{route}?request={bad_id}").status == 400, bad_id
    assert json.loads(admin.get(f"{route}?request=999999").text)["request"] is None

    # a finished test's figures, as the test's own thread writes them
    figures = simulated_test(120, 20, 2, 30.0, 128)
    row = ModemRequest.create(box=box.config.gateway.box, kind="voicetest", modem="m2",
                              text=USER, state="running", created_at=now)
    report = voicetests.VoiceTestReport(row.id, USER, time.time)
    report.progress("calling +4917012345678 from m2")
    report.finished(figures, "")
    shown = json.loads(admin.get(f"/api/admin/modems/m2/voicetest?request={row.id}").text)
    assert shown["request"]["state"] == "done"
    assert shown["request"]["figures"]["round_trip_ms"] == figures.round_trip_ms
    assert ["round-trip delay", "160 ms"] in shown["request"]["described"]
    assert any("echo_tail_ms = 224" in line for line in shown["request"]["advice"])
    assert [test["id"] for test in shown["recent"]] == [row.id]

    page = admin.get("/admin/modems").text
    assert page.count(">Voice test</button>") == 2
    assert "m1 is in a call; ask again when it ends" in page     # m1's last test
    assert "<th>round-trip delay</th><td>160 ms</td>" in page
    form = admin.post("/admin/modems/m2/voicetest", {"number": "abc",
                                                     "csrf_token": admin.csrf("/admin/modems")})
    assert form.status == 400 and "m2: a phone number has only digits" in form.text

    # a stopping box ends a running test: the call hung up, the modem given back
    asked = admin.request("POST", route, json_body={"number": USER}, headers=csrf)
    assert asked.status == 202
    follow = json.loads(asked.text)["follow"]
    assert box.user.wait_state(PhoneState.RINGING, timeout=15)
    box.daemon.voicetests.stop()
    stopped = request()
    assert (stopped["state"], stopped["error"]) == ("failed", "the box is stopping")
    assert box.user.wait_state(PhoneState.IDLE, timeout=5)
    driver = box.daemon.pool.acquire("callback")
    assert driver is not None and driver.name == "m1"
    box.daemon.pool.release("m1")
