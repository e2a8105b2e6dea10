"""Generic 27.007 modem (no vendor extensions): the driver polls AT+CLCC."""
from __future__ import annotations

from modems.sim.dialects.base import Dialect, iccid_handler


class GenericDialect(Dialect):
    handlers = {"+CCID": iccid_handler("+ICCID"), "+ICCID": iccid_handler("+ICCID")}
