"""The apology: answer a trigger call, say the service is unavailable, hang up.

Used while the database is unreachable: the box cannot know the caller's
account or money, so instead of a callback it answers the call that rang it
(the caller pays a few seconds, as for any announcement) and says why.
"""
from __future__ import annotations

import logging

from audio.endpoint import AudioGone, open_endpoint
from audio.player import frames
from audio.port import AudioPort
from modems.errors import ModemError

log = logging.getLogger(__name__)

ANSWER_SETTLE = 0.3       # seconds between the answer and the first word


def apologize(driver, call_id: int, audio_spec: str, pcm: bytes, number: str) -> None:
    """Answers `call_id` on `driver`, plays `pcm` to it, hangs up; never raises."""
    port = None
    try:
        driver.answer(call_id)
        port = AudioPort(open_endpoint(audio_spec), driver.name)
        playback = port.play(frames(pcm))
        playback.done.wait(len(pcm) / 16000 + 2.0)
        log.info("%s: told %s that the service is unavailable", driver.name, number)
    except (ModemError, AudioGone, OSError, ValueError) as error:
        log.warning("%s: could not tell %s that the service is unavailable: %s",
                    driver.name, number, error)
    finally:
        if port is not None:
            port.stop()
        try:
            driver.hangup(call_id)
        except ModemError as error:
            log.warning("%s: hanging up on %s failed: %s", driver.name, number, error)
