"""The module's own voice settings, as a mixin of `ModemDriver`: set after open, read
for `callbox probe`.

A module may refuse any of these lines (another firmware, a setting allowed only
during a call): the refusal is logged at info and the module keeps its own value;
it never stops the modem from coming up. It needs from the driver `name`,
`profile`, `_module_voice` and `_write` (a command that raises on ERROR).
"""
from __future__ import annotations

import logging

from gsmmodem.exceptions import CommandError, TimeoutException

from modems.profiles.voice import VoiceCommand, first_range, values_after

log = logging.getLogger(__name__)


class ModuleVoiceMixin:
    """Applies and reads the module's echo canceller, side tone and gains."""

    def _apply_module_voice(self) -> None:
        """Sends the profile's voice lines for this modem's settings, if it has any."""
        wanted = self._module_voice
        if wanted is None:
            return      # not asked to (callbox probe): the module stays as it is
        commands, missing = self.profile.voice_commands(wanted)
        for key in missing:
            log.info("%s: the %s profile has no command for %s; the module keeps its own",
                     self.name, self.profile.name, key)
        done = [command.setting for command in commands
                if self._in_module_range(command) and self._voice_line(command)]
        if done:
            log.info("%s: module voice settings: %s", self.name, ", ".join(done))

    def _in_module_range(self, command: VoiceCommand) -> bool:
        """False (logged) when the module states a range and the value is outside it."""
        if command.value is None or not command.test:
            return True
        span = first_range(self._voice_answer(command.test) or [])
        if span is None or span[0] <= command.value <= span[1]:
            return True
        log.warning("%s: %s is outside what the module takes (%d to %d, says %s); "
                    "left as the module has it", self.name, command.setting, span[0], span[1],
                    command.test)
        return False

    def _voice_line(self, command: VoiceCommand) -> bool:
        if self._voice_answer(command.line) is None:
            log.info("%s: the module refused %s (%s); it keeps its own setting",
                     self.name, command.line, command.setting)
            return False
        return True

    def _voice_answer(self, line: str) -> list[str] | None:
        """Gives the response lines, or None when the module refuses or does not answer."""
        try:
            return self._write(line)
        except CommandError:
            return None
        except TimeoutException:
            log.info("%s: no answer to %s", self.name, line)
            return None

    def module_voice_report(self) -> list[tuple[str, str]]:
        """Gives (setting, what the module says in plain words) for each query the profile
        knows; "not supported" where the module answers ERROR."""
        report = []
        for query in self.profile.voice_queries:
            response = self._voice_answer(query.line)
            if response is None:
                report.append((query.setting, "not supported"))
                continue
            values = values_after(query.prefix, response)
            report.append((query.setting, query.describe(values) if values else "unknown"))
        return report
