"""Prompt generation (espeak-ng + sox), the prompt player, and numbers/money/durations as words."""
from __future__ import annotations

import subprocess
import sys
import wave

import numpy as np
import pytest

from audio import prompts, tones
from audio.loudness import integrated_lufs
from audio.pcm import FRAME_BYTES, RATE, SILENCE, frames, to_pcm
from audio.player import PromptError, load_prompt, sequence
from audio.prompts import Language, generate
from tests.test_audio_helpers import prompt_dir  # noqa: F401


def write_wav(path, pcm: bytes, rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)


def test_generated_prompts_are_8khz_mono_16bit(tmp_path):
    report = generate("en", tmp_path, ["your_balance_is", "four"])
    assert sorted(report.generated) == ["four", "your_balance_is"] and not report.failed
    for name in report.generated:
        with wave.open(str(tmp_path / "en" / f"{name}.wav")) as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
            assert 0.2 < wav.getnframes() / RATE < 3.0
    assert len(load_prompt("four", prompt_dir=tmp_path)) > 0.2 * RATE * 2


def test_loudness_is_measured_as_bs1770_says():
    seconds = np.arange(3 * RATE) / RATE
    sine = np.sin(2 * np.pi * 997 * seconds)
    # the standard's check: a 997 Hz sine at full scale is -3.01 LUFS (at 48 kHz; at
    # 8 kHz the prewarped shelf weighs 997 Hz 0.24 dB less)
    assert integrated_lufs(to_pcm(sine * 32767)) == pytest.approx(-3.25, abs=0.05)
    assert integrated_lufs(to_pcm(sine * 3277)) == pytest.approx(-23.25, abs=0.05)
    # the gates: 3 s of silence between the sounds leave them as loud (within the
    # blocks that straddle an edge); without gating they would read 1.8 dB quieter
    gapped = np.concatenate([sine * 3277, np.zeros(3 * RATE), sine * 3277])
    assert integrated_lufs(to_pcm(gapped)) == pytest.approx(-23.25, abs=0.3)
    assert integrated_lufs(SILENCE * 100) == float("-inf")


def test_every_prompt_is_equally_loud_and_never_clips(prompt_dir):
    for name in prompts.NAMES:
        pcm = load_prompt(name, prompt_dir=prompt_dir)
        assert integrated_lufs(pcm) == pytest.approx(prompts.LOUDNESS_LUFS, abs=0.3), name
        peak = np.abs(np.frombuffer(pcm, "<i2")).max()
        assert 20 * np.log10(peak / 32768) <= prompts.PEAK_LIMIT_DBFS + 0.01, name


def test_unchanged_text_is_not_generated_again_and_changed_text_is(tmp_path):
    first = Language("en-us", 150, {"hello": "Hello", "bye": "Bye"})
    assert sorted(generate("en", tmp_path, language=first).generated) == ["bye", "hello"]
    made = (tmp_path / "en" / "hello.wav").stat().st_mtime_ns
    again = generate("en", tmp_path, language=first)
    assert again.generated == [] and sorted(again.unchanged) == ["bye", "hello"]
    assert (tmp_path / "en" / "hello.wav").stat().st_mtime_ns == made
    changed = Language("en-us", 150, {"hello": "Hello there", "bye": "Bye"})
    report = generate("en", tmp_path, language=changed)
    assert report.generated == ["hello"] and report.unchanged == ["bye"]


def test_a_recording_is_never_overwritten(tmp_path):
    texts = Language("en-us", 150, {"welcome": "Welcome", "goodbye": "Goodbye"})
    generate("en", tmp_path, language=texts)
    recording = tones.tone(440, 0.5)
    write_wav(tmp_path / "en" / "welcome.wav", recording)
    write_wav(tmp_path / "en" / "goodbye.wav", recording)      # no manifest entry counts too
    (tmp_path / "en" / "manifest.json").write_text('{"prompts": {}}')
    changed = Language("en-us", 150, {"welcome": "Welcome to the box", "goodbye": "Goodbye"})
    report = generate("en", tmp_path, language=changed)
    assert sorted(report.recordings) == ["goodbye", "welcome"] and report.generated == []
    assert load_prompt("welcome", prompt_dir=tmp_path) == recording


def test_command_line_reports_progress_and_recordings(tmp_path):
    run = [sys.executable, "-m", "audio.prompts", "--out", str(tmp_path), "--lang", "en",
           "--lang", "de", "goodbye", "four"]
    first = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("2/2 prompts generated") == 2
    assert "de: de voice" in first.stdout and "2 language(s) in" in first.stdout
    write_wav(tmp_path / "de" / "four.wav", tones.tone(440, 0.3))
    second = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert second.stdout.count("0/2 prompts generated") == 2 and "1 unchanged" in second.stdout
    assert "four.wav is a recording, not generated: kept" in second.stdout


def test_every_prompt_of_the_flow_exists(prompt_dir):
    for name in prompts.ENGLISH:
        assert len(load_prompt(name, prompt_dir=prompt_dir)) > FRAME_BYTES, name


def test_load_prompt_rejects_missing_and_wrong_format(tmp_path):
    (tmp_path / "en").mkdir()
    with pytest.raises(PromptError, match="missing"):
        load_prompt("nothing", prompt_dir=tmp_path)
    write_wav(tmp_path / "en" / "wide.wav", bytes(1600), rate=16000)
    with pytest.raises(PromptError, match="16000 Hz"):
        load_prompt("wide", prompt_dir=tmp_path)
    with pytest.raises(PromptError):
        load_prompt("../etc/passwd", prompt_dir=tmp_path)


def test_sequence_puts_short_pauses_between_prompts(tmp_path):
    (tmp_path / "en").mkdir()
    write_wav(tmp_path / "en" / "a.wav", b"\x01\x00" * 800)
    write_wav(tmp_path / "en" / "b.wav", b"\x02\x00" * 400)
    pcm = sequence(["a", "b", "a"], prompt_dir=tmp_path, pause_s=0.05)
    assert len(pcm) == 2 * (800 + 400 + 800 + 2 * 400)
    assert pcm[1600:2400] == bytes(800)


def test_frames_pads_the_last_frame():
    cut = list(frames(b"\x05\x00" * 200))
    assert [len(frame) for frame in cut] == [FRAME_BYTES, FRAME_BYTES]
    assert cut[1] == b"\x05\x00" * 40 + bytes(240)
    assert list(frames(b"")) == [] and list(frames(SILENCE)) == [SILENCE]
