"""Benchmark: bridged calls on the virtual network, with delay, loss and CPU figures.

For each call phone A calls modem A, which answers; modem B dials phone B,
who answers; the box bridges the two modems' audio, with a DTMF detector
listening on leg A as in a real call (#11). Every phone then sends a stream
of faint noise with a 100 ms chirp every half second (A and B a quarter
second apart). Each chirp is looked up in what the other phone heard: that
gives the one-way delay of every chirp. The network's own delays are
measured the same way first: phone to phone directly, and phone to a modem
that plays each captured frame straight back. Frames lost are the frames
heard as silence (the streams are never silent) and, without echo
cancellation (the path is then bit-exact), the frames that differ from those
sent; besides the bridge's and the ports' own counters.

`--calls N` runs N such calls at once (2N modems, 2N phones), all on the
one network clock. `--echo-cancel on` gives every port the echo canceller
(`VoiceSettings(echo_cancel=True, echo_tail_ms=128)`); `both` runs twice,
off then on, each on a new network. Two chirps a second per direction: 60 s
give 120 delays per direction per call; a figure over fewer than 200
samples says "max", not p99 (bench/stats.py).

    python bench/audio.py [--seconds 60] [--calls 1] [--echo-cancel off|on|both]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio.bridge import Bridge                                # noqa: E402
from audio.dtmf import DtmfDetector                            # noqa: E402
from audio.endpoint import AudioGone, open_endpoint            # noqa: E402
from audio.pcm import RATE                                     # noqa: E402
from audio.port import AudioPort                               # noqa: E402
from audio.voice import VoiceSettings                          # noqa: E402
from bench.audio_measure import (LEAD_S, PERIOD_S, GcPauses, Losses,  # noqa: E402
                                 delays_of, heard_length, losses_of, send, stream,
                                 thread_cpu_seconds, wait_heard, why_late)
from bench.stats import spread                                 # noqa: E402
from modems.sim import Delays, Network, PhoneState             # noqa: E402
from modems.sim.atclient import AtClient                       # noqa: E402

ECHO = VoiceSettings(echo_cancel=True, echo_tail_ms=128)


def modem_number(index: int) -> str:
    return f"+4915110{index:06d}"


def phone_number(index: int) -> str:
    return f"+491701{index:07d}"


@contextlib.contextmanager
def answering_modem(modem, phone):
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
def dialling_modem(modem, phone):
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
    caller, callee = net.add_phone(phone_number(9001)), net.add_phone(phone_number(9002))
    caller.call(callee.number)
    callee.wait_state(PhoneState.RINGING)
    callee.answer()
    caller.wait_state(PhoneState.ACTIVE)
    pcm, offsets = stream(3.0, LEAD_S, seed=7)
    mark = send(net, caller, callee, pcm)
    heard = wait_heard(callee, mark + len(pcm), 10)
    direct = statistics.median(d for d in delays_of(heard, mark, offsets) if d is not None)
    caller.hangup()

    modem = net.add_modem("loop", modem_number(9001), profile="simcom")
    phone = net.add_phone(phone_number(9003))
    with answering_modem(modem, phone):
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


@dataclass
class BridgedCall:
    """One call: two phones, two modems, two ports bridged, a detector on leg A."""

    index: int
    net: Network
    echo_cancel: bool
    modem_a: object = None
    modem_b: object = None
    phone_a: object = None
    phone_b: object = None
    ports: tuple = ()
    bridge: Bridge | None = None
    keys: list[str] = field(default_factory=list)
    streams: dict = field(default_factory=dict)     # direction: (sent, offsets, mark)

    def __post_init__(self) -> None:
        # every modem is added before any PCM is opened: alsa-lib may not see an
        # ALSA config rewritten within the same second it last read it
        n = self.index
        self.modem_a = self.net.add_modem(f"c{n}a", modem_number(2 * n + 1), profile="simcom")
        self.modem_b = self.net.add_modem(f"c{n}b", modem_number(2 * n + 2), profile="simcom")
        self.phone_a = self.net.add_phone(phone_number(2 * n + 1))
        self.phone_b = self.net.add_phone(phone_number(2 * n + 2))

    def connect(self, stack: contextlib.ExitStack) -> None:
        """Sets up both legs and bridges them."""
        stack.enter_context(answering_modem(self.modem_a, self.phone_a))
        stack.enter_context(dialling_modem(self.modem_b, self.phone_b))
        voice = ECHO if self.echo_cancel else None
        self.ports = tuple(AudioPort(open_endpoint(modem.audio), modem.name, voice=voice)
                           for modem in (self.modem_a, self.modem_b))
        stack.callback(lambda: [port.stop() for port in self.ports])
        detector = DtmfDetector()
        self.ports[0].listen(lambda frame: self.keys.extend(detector.feed(frame)))
        self.bridge = Bridge(*self.ports)
        stack.callback(self.bridge.stop)

    def make_streams(self, seconds: float) -> None:
        """Makes both phones' streams (outside the network lock: that takes a while)."""
        for direction, lead, seed in (("A -> B", LEAD_S, 2 * self.index + 1),
                                      ("B -> A", LEAD_S + PERIOD_S / 2, 2 * self.index + 2)):
            self.streams[direction] = stream(seconds, lead, seed) + (0,)

    def start_streams(self) -> None:
        """Queues both phones' streams (call this under the network lock: one tick for all)."""
        for direction, sender, receiver in (("A -> B", self.phone_a, self.phone_b),
                                            ("B -> A", self.phone_b, self.phone_a)):
            sent, offsets, _ = self.streams[direction]
            self.streams[direction] = (sent, offsets, send(self.net, sender, receiver, sent))

    def heard_all(self) -> bool:
        """True once both phones heard their whole stream and a second more."""
        return all(heard_length(receiver) >= mark + len(sent) + 2 * RATE
                   for (sent, _, mark), receiver in zip(self.streams.values(),
                                                        (self.phone_b, self.phone_a)))

    def measure(self, direction: str) -> tuple[list[float | None], Losses]:
        sent, offsets, mark = self.streams[direction]
        receiver = self.phone_b if direction == "A -> B" else self.phone_a
        heard = receiver.heard()
        delays = delays_of(heard, mark, offsets)
        return delays, losses_of(heard, mark, sent, offsets, delays, not self.echo_cancel)


@dataclass
class Counters:
    """The ports' counters at one moment, to give what happened in between."""

    cpu: list[float]
    late: list[int]
    skipped: list[int]
    process: float
    clock: float

    @classmethod
    def read(cls, ports: list[AudioPort], clock_id: int | None) -> "Counters":
        return cls([p.cpu_seconds for p in ports], [p.late_frames for p in ports],
                   [p.skipped_frames for p in ports], time.process_time(),
                   thread_cpu_seconds(clock_id))

    def __sub__(self, other: "Counters") -> "Counters":
        return Counters([a - b for a, b in zip(self.cpu, other.cpu)],
                        [a - b for a, b in zip(self.late, other.late)],
                        [a - b for a, b in zip(self.skipped, other.skipped)],
                        self.process - other.process, self.clock - other.clock)


def run(calls: int, seconds: float, echo_cancel: bool,
        turnaround: float) -> tuple[float, list[BridgedCall]]:
    """Runs `calls` bridged calls at once for `seconds`, prints the figures; gives the
    audio threads' CPU per call in % of one core, and the calls."""
    with tempfile.TemporaryDirectory(prefix="callbox-bench-") as workdir, \
            Network(Path(workdir) / "gsm", Delays.zero(no_answer_after=30.0)) as net, \
            contextlib.ExitStack() as stack:
        net.use_alsa_config()
        clock_id = net._clock.native_id if net._clock else None
        bridged = [BridgedCall(index, net, echo_cancel) for index in range(calls)]
        setup_started = time.monotonic()
        for call in bridged:
            call.connect(stack)
        ports = [port for call in bridged for port in call.ports]
        for call in bridged:
            call.make_streams(seconds)
        before = Counters.read(ports, clock_id)
        setup_late = before.late
        stats_before = [call.bridge.stats() for call in bridged]
        with net.lock:
            for call in bridged:
                call.start_streams()
            started = time.monotonic()
        waiting = threading.Event()
        with GcPauses() as collections:
            while not all(call.heard_all() for call in bridged):
                if time.monotonic() > started + seconds + 30:
                    raise SystemExit("the phones stopped hearing audio")
                waiting.wait(0.25)
        elapsed = time.monotonic() - started
        late = [frame for port in ports for frame in port.late_log if frame.at >= started]
        used = Counters.read(ports, clock_id) - before
        stats = [{d: {what: count - earlier[d][what] for what, count in counts.items()}
                  for d, counts in call.bridge.stats().items()}
                 for call, earlier in zip(bridged, stats_before)]
        overruns = sum(port.endpoint.overruns for port in ports)
        keys = sum(len(call.keys) for call in bridged)
        setup_s = started - setup_started

    print(f"\n{calls} bridged call(s) at once, echo cancellation "
          f"{'on (128 ms tail)' if echo_cancel else 'off'}: {elapsed:.1f} s of streams, "
          f"{2 * calls} simcom modems, a DTMF detector on each leg A; a chirp every "
          f"{PERIOD_S} s each way")
    report_delays(bridged, turnaround)
    print("   bridges (during the streams): " + ", ".join(
        f"{what} {sum(s[d][what] for s in stats for d in s)}"
        for what in ("moved", "dropped", "underruns", "priming"))
        + f"; capture overruns {overruns}; keys detected on leg A {keys} (none pressed)")
    names = [port.name for port in ports]
    print("   late frames per port: " + ", ".join(f"{n} {v}" for n, v in zip(names, used.late))
          + f" (total {sum(used.late)}; during the {setup_s:.1f} s of call setup before: "
          f"{sum(setup_late)})")
    if late:
        print(f"   of the last {len(late)} late frames: {why_late(late)}")
    print(f"   during the streams: {collections.summary()}")
    print("   skipped frames per port: "
          + ", ".join(f"{n} {v}" for n, v in zip(names, used.skipped))
          + f" (total {sum(used.skipped)})")
    audio = sum(used.cpu)
    per_port = sorted(100 * cpu / elapsed for cpu in used.cpu)
    print(f"   CPU: audio threads {100 * audio / elapsed:.2f} % of one core in all, "
          f"{100 * audio / elapsed / calls:.2f} % per call (per port median "
          f"{statistics.median(per_port):.2f} %, max {per_port[-1]:.2f} %); the virtual "
          f"network's clock thread {100 * used.clock / elapsed:.1f} %; whole process "
          f"(network, phones, AT clients and bench included) {100 * used.process / elapsed:.1f} %")
    return 100 * audio / elapsed / calls, bridged


def report_delays(bridged: list[BridgedCall], turnaround: float) -> None:
    """Prints the delay the box added and the frames lost, per direction and in all."""
    every: list[float] = []
    for direction in ("A -> B", "B -> A"):
        added, missing, sent = [], 0, 0
        silent = compared = 0
        differ: int | None = 0
        for call in bridged:
            delays, losses = call.measure(direction)
            sent += len(delays)
            missing += delays.count(None)
            added += [d - turnaround for d in delays if d is not None]
            silent += losses.silent
            compared += losses.compared
            differ = None if losses.differ is None or differ is None else differ + losses.differ
        every += added
        unlike = ("not compared (the canceller changes the sound)" if differ is None
                  else f"{differ} unlike those sent")
        print(f"   {direction}: delay added {spread(added)}; {missing} of {sent} chirps "
              f"missing; frames lost: {silent} of {compared} heard as silence, {unlike}")
    print(f"   both directions: delay added by the box (over the modem turnaround of "
          f"{1000 * turnaround:.1f} ms) {spread(every)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="length of the streams (default 60)")
    parser.add_argument("--calls", type=int, default=1, help="bridged calls at once (default 1)")
    parser.add_argument("--echo-cancel", choices=("off", "on", "both"), default="off",
                        help="echo cancellation on every port; both: a run without, then with")
    args = parser.parse_args()
    if not 1 <= args.calls <= 50:
        parser.error("--calls must be 1 to 50")
    seconds = max(3.0, args.seconds)
    with tempfile.TemporaryDirectory(prefix="callbox-bench-") as workdir, \
            Network(Path(workdir) / "gsm", Delays.zero(no_answer_after=30.0)) as net:
        net.use_alsa_config()
        direct, turnaround = network_delays(net)
    print(f"network's own one-way delay: phone to phone {1000 * direct:.1f} ms; phone to modem "
          f"and straight back {1000 * turnaround:.1f} ms (a 20 ms tick + ALSA's file plugin "
          f"holding one period)")
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.echo_cancel]
    per_call = {mode: run(args.calls, seconds, mode, turnaround)[0] for mode in modes}
    if len(per_call) == 2:
        print(f"\nCPU of the audio threads per call: {per_call[False]:.2f} % of one core "
              f"without echo cancellation, {per_call[True]:.2f} % with "
              f"({args.calls} call(s) at once)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
