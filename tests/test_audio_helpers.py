"""Helpers for the audio tests: a virtual network, calls answered by modems, test signals.

No tests live here; the audio test modules import these names.
"""
from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass

import numpy as np
import pytest

from audio import prompts
from audio.pcm import RATE, samples, to_pcm
from modems.sim import Delays, Network, PhoneState, VirtualPhone, VirtualModem
from modems.sim.atclient import AtClient

FRAME_SAMPLES = 160


@pytest.fixture
def net(tmp_path):
    with Network(tmp_path / "sim", Delays.zero(no_answer_after=5.0)) as network:
        network.use_alsa_config()
        yield network


@pytest.fixture(scope="session")
def prompt_dir():
    """Makes sure the English prompts exist (a no-op after `make prompts`); gives their folder."""
    report = prompts.generate("en")
    assert not report.failed, report.failed
    return prompts.DEFAULT_DIR


@dataclass
class Leg:
    """A phone in an active call with a modem that answered it."""

    modem: VirtualModem
    phone: VirtualPhone
    at: AtClient

    def hangup(self) -> None:
        self.phone.hangup()


@contextlib.contextmanager
def answered_call(net: Network, modem: VirtualModem, phone_number: str):
    """Has a new phone call `modem` and the modem answer (huawei: voice port on); gives a Leg."""
    phone = net.add_phone(phone_number)
    with AtClient(modem.port) as at:
        at.command("ATE0")
        start = at.mark()
        phone.call(modem.number)
        at.wait_line("^RING$", start)
        assert at.command("ATA")[-1] == "OK"
        assert phone.wait_state(PhoneState.ACTIVE)
        if modem.profile == "huawei":
            assert at.command("AT^DDSETEX=2")[-1] == "OK"
        try:
            yield Leg(modem, phone, at)
        finally:
            phone.hangup()


def chirp(seconds: float = 0.1, low: float = 400.0, high: float = 2400.0,
          level: float = 12000.0) -> bytes:
    """Gives a linear sweep: sharp under cross-correlation, unlike any other test sound."""
    t = np.arange(round(RATE * seconds)) / RATE
    phase = 2 * np.pi * (low * t + (high - low) * t * t / (2 * seconds))
    return to_pcm(level * np.sin(phase) * np.hanning(len(t)))


def noise(seconds: float, level: float, seed: int = 1) -> bytes:
    """Gives white noise of RMS `level`."""
    rng = np.random.default_rng(seed)
    return to_pcm(rng.normal(0.0, level, round(RATE * seconds)))


def tone_level(pcm: bytes, freq: float) -> float:
    """Gives the amplitude of `freq` in `pcm`, comparable to a sine's peak."""
    values = samples(pcm)
    if not len(values):
        return 0.0
    t = np.arange(len(values)) / RATE
    return 2 * abs(np.dot(values, np.exp(-2j * np.pi * freq * t))) / len(values)


def tail_has_tone(freq: float, frames: int = 4, level: float = 1500.0):
    """Gives a predicate for wait_heard: the last `frames` frames hold `freq`."""
    return lambda pcm: tone_level(bytes(pcm[-frames * 2 * FRAME_SAMPLES:]), freq) > level


def wait_frames(port, count: int, timeout: float = 5.0) -> bool:
    """Waits until `port` captured `count` more frames."""
    seen = threading.Semaphore(0)

    def count_frame(_frame: bytes) -> None:
        seen.release()
    port.listen(count_frame)
    try:
        deadline = time.monotonic() + timeout
        return all(seen.acquire(timeout=max(0.0, deadline - time.monotonic()))
                   for _ in range(count))
    finally:
        port.unlisten(count_frame)


def heard_after(phone: VirtualPhone, mark: int, samples_wanted: int, timeout: float = 5.0) -> bytes:
    """Waits until `phone` heard `samples_wanted` samples after byte offset `mark`; gives them."""
    wanted = mark + 2 * samples_wanted
    assert phone.wait_heard(lambda pcm: len(pcm) >= wanted, timeout), "phone stopped hearing"
    return phone.heard()[mark:wanted]
