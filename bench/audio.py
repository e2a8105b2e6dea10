"""Benchmark: one bridged call on the virtual network, with delay, CPU and loss figures.

Phone A calls modem A, which answers; modem B dials phone B, who answers;
the box bridges the two modems' audio. Both phones then send a stream of
faint noise with a 100 ms chirp every half second (A and B a quarter second
apart). Each chirp is looked up in what the other phone heard: that gives the
one-way delay of every chirp. The network's own delays are measured the same
way first: phone to phone directly, and phone to a modem that plays each
captured frame straight back. Frames lost are the frames heard that differ
from those sent (the path is bit-exact), besides the bridge's own counters.

Two chirps a second per direction: the default 120 s give 240 delays each,
enough for a p99 (bench/stats.py; shorter calls report the maximum).

    python bench/audio.py [--seconds 120]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio import match                                        # noqa: E402
from bench.stats import spread                                 # noqa: E402
from audio.bridge import Bridge                                # noqa: E402
from audio.endpoint import AudioGone, open_endpoint            # noqa: E402
from audio.pcm import FRAME_BYTES, RATE, to_pcm                # noqa: E402
from audio.port import AudioPort                               # noqa: E402
from modems.sim import Delays, Network, PhoneState             # noqa: E402
from modems.sim.atclient import AtClient                       # noqa: E402

PERIOD_S = 0.5
CHIRP_S = 0.1
SEARCH_S = 0.4            # a chirp is looked for this long after it was sent
NUMBERS = {"ma": "+4915110000001", "mb": "+4915110000002", "loop": "+4915110000003",
           "a": "+4917011111111", "b": "+4917022222222", "c": "+4917033333333",
           "d": "+4917044444444", "e": "+4917055555555"}


def chirp() -> bytes:
    t = np.arange(round(RATE * CHIRP_S)) / RATE
    phase = 2 * np.pi * (400 * t + 2000 * t * t / (2 * CHIRP_S))
    return to_pcm(12000 * np.sin(phase) * np.hanning(len(t)))


def stream(seconds: float, lead_s: float, seed: int) -> tuple[bytes, list[int]]:
    """Gives noise with a chirp every PERIOD_S from `lead_s` on, and the chirps' sample offsets."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0, 100, round(RATE * seconds))
    signal = np.frombuffer(chirp(), "<i2")
    offsets = [round(RATE * (lead_s + k * PERIOD_S))
               for k in range(int((seconds - lead_s - SEARCH_S) / PERIOD_S))]
    for offset in offsets:
        values[offset:offset + len(signal)] += signal
    return to_pcm(values), offsets


def send(net, sender, receiver, pcm: bytes) -> int:
    """Queues `pcm` on `sender`; gives the byte offset in `receiver.heard()` of the same tick."""
    with net.lock:
        sender.play(pcm)
        return len(receiver.heard())


def wait_heard(phone, length: int, timeout: float) -> bytes:
    if not phone.wait_heard(lambda pcm: len(pcm) >= length, timeout):
        raise SystemExit(f"phone {phone.number} stopped hearing audio")
    return phone.heard()


def delays_of(heard: bytes, mark: int, offsets: list[int]) -> list[float | None]:
    """Gives the delay in seconds of each chirp (None where it was not found)."""
    signal, found = chirp(), []
    for offset in offsets:
        window = heard[mark + 2 * offset: mark + 2 * (offset + round(RATE * SEARCH_S))]
        at = match.find(window, signal)
        found.append(None if at is None else at / RATE)
    return found


def damaged_frames(heard: bytes, mark: int, sent: bytes, offsets: list[int],
                   delays: list[float | None]) -> tuple[int, int]:
    """Gives (frames that differ from those sent, frames compared), each period at its delay."""
    differ = compared = 0
    period = round(RATE * PERIOD_S)
    for offset, delay in zip(offsets, delays):
        if delay is None:
            differ += period * 2 // FRAME_BYTES
            compared += period * 2 // FRAME_BYTES
            continue
        start = 2 * offset
        shifted = mark + start + 2 * round(delay * RATE)
        for at in range(0, 2 * period, FRAME_BYTES):
            compared += 1
            got = heard[shifted + at: shifted + at + FRAME_BYTES]
            differ += got != sent[start + at: start + at + FRAME_BYTES]
    return differ, compared


@contextlib.contextmanager
def answering_modem(net, modem, phone):
    """The phone calls the modem, the modem answers (ATA)."""
    with AtClient(modem.port) as at:
        at.command("ATE0")
        start = at.mark()
        phone.call(modem.number)
        at.wait_line("^RING$", start)
        at.command("ATA")
        if not phone.wait_state(PhoneState.ACTIVE):
            raise SystemExit("call to the modem did not connect")
        yield
        phone.hangup()


@contextlib.contextmanager
def dialling_modem(net, modem, phone):
    """The modem dials the phone (ATD), the phone answers."""
    with AtClient(modem.port) as at:
        at.command("ATE0")
        at.command(f"ATD{phone.number};")
        if not phone.wait_state(PhoneState.RINGING):
            raise SystemExit("the modem's call did not ring")
        phone.answer()
        if not phone.wait_state(PhoneState.ACTIVE):
            raise SystemExit("call from the modem did not connect")
        yield
        phone.hangup()


def network_delays(net) -> tuple[float, float]:
    """Gives the network's own one-way delays: phone to phone, and phone to modem and back."""
    caller, callee = net.add_phone(NUMBERS["c"]), net.add_phone(NUMBERS["d"])
    caller.call(callee.number)
    callee.wait_state(PhoneState.RINGING)
    callee.answer()
    caller.wait_state(PhoneState.ACTIVE)
    pcm, offsets = stream(3.0, 0.2, seed=7)
    mark = send(net, caller, callee, pcm)
    heard = wait_heard(callee, mark + len(pcm), 10)
    direct = statistics.median(d for d in delays_of(heard, mark, offsets) if d is not None)
    caller.hangup()

    modem = net.add_modem("loop", NUMBERS["loop"], profile="simcom")
    phone = net.add_phone(NUMBERS["e"])
    with answering_modem(net, modem, phone):
        endpoint, stop = open_endpoint(modem.audio), threading.Event()

        def loop():
            with contextlib.suppress(AudioGone):
                while not stop.is_set():
                    endpoint.write_frame(endpoint.read_frame())
        thread = threading.Thread(target=loop, name="bench-loopback", daemon=True)
        thread.start()
        mark = send(net, phone, phone, pcm)
        heard = wait_heard(phone, mark + len(pcm), 10)
        stop.set()
        thread.join(2)
        endpoint.close()
    turnaround = statistics.median(d for d in delays_of(heard, mark, offsets) if d is not None)
    return direct, turnaround


def report_direction(label: str, delays: list[float | None], turnaround: float,
                     differ: int, compared: int) -> None:
    found = [d for d in delays if d is not None]
    missing = len(delays) - len(found)
    if not found:
        print(f"{label}: no chirp arrived ({missing} sent)")
        return
    added = [d - turnaround for d in found]
    print(f"{label}: one-way delay {spread(found)}; {missing} chirps missing")
    print(f"   added by the box (over the modem turnaround): {spread(added)}; "
          f"frames lost or damaged: {differ} of {compared}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="length of the bridged call (default 120)")
    args = parser.parse_args()
    seconds = max(3.0, args.seconds)
    with tempfile.TemporaryDirectory(prefix="callbox-bench-") as workdir, \
            Network(Path(workdir) / "gsm", Delays.zero(no_answer_after=30.0)) as net:
        net.use_alsa_config()
        direct, turnaround = network_delays(net)
        modem_a = net.add_modem("ma", NUMBERS["ma"], profile="simcom")
        modem_b = net.add_modem("mb", NUMBERS["mb"], profile="simcom")
        phone_a, phone_b = net.add_phone(NUMBERS["a"]), net.add_phone(NUMBERS["b"])
        with answering_modem(net, modem_a, phone_a), dialling_modem(net, modem_b, phone_b):
            port_a = AudioPort(open_endpoint(modem_a.audio), "ma")
            port_b = AudioPort(open_endpoint(modem_b.audio), "mb")
            bridge = Bridge(port_a, port_b)
            sent_a, offsets_a = stream(seconds, 0.2, seed=1)
            sent_b, offsets_b = stream(seconds, 0.2 + PERIOD_S / 2, seed=2)
            cpu_before = (port_a.cpu_seconds, port_b.cpu_seconds, time.process_time())
            with net.lock:
                mark_b = send(net, phone_a, phone_b, sent_a)
                mark_a = send(net, phone_b, phone_a, sent_b)
                started = time.monotonic()
            heard_b = wait_heard(phone_b, mark_b + len(sent_a) + RATE, seconds + 30)
            heard_a = wait_heard(phone_a, mark_a + len(sent_b) + RATE, 30)
            elapsed = time.monotonic() - started
            cpu = (port_a.cpu_seconds - cpu_before[0], port_b.cpu_seconds - cpu_before[1],
                   time.process_time() - cpu_before[2])
            bridge.stop()
            stats = bridge.stats()
            overruns = port_a.endpoint.overruns + port_b.endpoint.overruns
            port_a.stop()
            port_b.stop()

    delays_ab = delays_of(heard_b, mark_b, offsets_a)
    delays_ba = delays_of(heard_a, mark_a, offsets_b)
    print(f"bridged call on the virtual network: {elapsed:.1f} s, two simcom modems, "
          f"a chirp every {PERIOD_S} s each way")
    print(f"network's own one-way delay: phone to phone {1000 * direct:.1f} ms; phone to modem "
          f"and straight back {1000 * turnaround:.1f} ms (a 20 ms tick + ALSA's file plugin "
          f"holding one period)")
    report_direction("A -> B", delays_ab, turnaround,
                     *damaged_frames(heard_b, mark_b, sent_a, offsets_a, delays_ab))
    report_direction("B -> A", delays_ba, turnaround,
                     *damaged_frames(heard_a, mark_a, sent_b, offsets_b, delays_ba))
    both = cpu[0] + cpu[1]
    print(f"CPU of the bridge's audio threads: {100 * both / elapsed:.2f} % of one core "
          f"(ma-audio {100 * cpu[0] / elapsed:.2f} %, mb-audio {100 * cpu[1] / elapsed:.2f} %); "
          f"whole process incl. the virtual network {100 * cpu[2] / elapsed:.1f} %")
    print("bridge counters: " + "; ".join(
        f"{direction}: moved {s['moved']}, dropped {s['dropped']}, underruns {s['underruns']}, "
        f"priming {s['priming']}" for direction, s in stats.items())
        + f"; capture overruns {overruns}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
