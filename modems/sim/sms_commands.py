"""3GPP TS 27.005 SMS commands of the virtual modems (PDU mode; text mode basics)."""
from __future__ import annotations

import logging

from gsmmodem import pdu as gsmpdu

from modems.sim import sms_pdu
from modems.sim.at_engine import (CMS_INVALID_INDEX, CMS_INVALID_PDU, CMS_NO_SERVICE, AtError,
                                  CmsError, Reply, Request)

log = logging.getLogger(__name__)

MEMORIES = ("SM", "ME", "MT", "SR")      # SR: status reports (27.005 3.2.2)
CMS_NO_ACK_EXPECTED = 340      # 27.005 3.2.5: no +CNMA acknowledgement expected
TEXT_STATUS = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT", 4: "ALL"}


def _cmgf(modem, request: Request) -> Reply:
    if request.kind == "set":
        mode = request.int_arg(0)
        if mode not in (0, 1):
            raise AtError()
        modem.settings.cmgf = mode
    elif request.kind == "query":
        return Reply([f"+CMGF: {modem.settings.cmgf}"])
    elif request.kind == "test":
        return Reply(["+CMGF: (0,1)"])
    return Reply()


def _csca(modem, request: Request) -> Reply:
    if request.kind == "set":
        args = request.args()
        if not args or not args[0]:
            raise AtError()
        modem.smsc = args[0]
    elif request.kind == "query":
        toa = 145 if modem.smsc.startswith("+") else 129
        return Reply([f'+CSCA: "{modem.smsc}",{toa}'])
    return Reply()


def _csmp(modem, request: Request) -> Reply:
    return Reply(["+CSMP: 17,167,0,0"] if request.kind == "query" else [])


def _cscs(modem, request: Request) -> Reply:
    if request.kind == "set":
        modem.settings.cscs = request.args()[0] if request.args() else "GSM"
    elif request.kind == "query":
        return Reply([f'+CSCS: "{modem.settings.cscs}"'])
    elif request.kind == "test":
        return Reply(['+CSCS: ("IRA","GSM","UCS2")'])
    return Reply()


def _cpms(modem, request: Request) -> Reply:
    used, total = len(modem.sms_storage()), modem.sms_capacity
    if request.kind == "test":
        return Reply(['+CPMS: ("SM","ME","SR"),("SM","ME"),("SM","ME")'])
    memories = modem.settings.vendor.setdefault("cpms", ["SM", "SM", "SM"])
    if request.kind == "query":
        return Reply(["+CPMS: " + ",".join(f'"{m}",{used},{total}' for m in memories)])
    if request.kind != "set":
        raise AtError()
    chosen = [a.upper() for a in request.args()]
    if not chosen or len(chosen) > 3 or any(m not in MEMORIES for m in chosen):
        raise CmsError(302)
    memories[: len(chosen)] = chosen
    return Reply([f"+CPMS: {used},{total},{used},{total},{used},{total}"])


def _cnmi(modem, request: Request) -> Reply:
    """27.005 3.4.1 +CNMI=<mode>,<mt>,<bm>,<ds>,<bfr>; a modem whose firmware cannot route
    status reports one way (`cnmi_ds_supported`) refuses that <ds>."""
    if request.kind == "set":
        ds = request.int_arg(3, 0)
        if ds not in modem.cnmi_ds_supported:
            raise CmsError(303)          # operation not supported
        modem.settings.cnmi_mt, modem.settings.cnmi_ds = request.int_arg(1, 0), ds
    elif request.kind == "query":
        return Reply([f"+CNMI: 2,{modem.settings.cnmi_mt},0,{modem.settings.cnmi_ds},0"])
    elif request.kind == "test":
        supported = ",".join(map(str, modem.cnmi_ds_supported))
        return Reply([f"+CNMI: (0-2),(0-3),(0,2),({supported}),(0,1)"])
    return Reply()


def _csms(modem, request: Request) -> Reply:
    """27.005 3.2.1: service 1 wants +CMT and +CDS acknowledged with +CNMA."""
    if request.kind == "set":
        service = request.int_arg(0, 0)
        if service not in (0, 1):
            raise CmsError(303)
        modem.csms_service = service
        return Reply(["+CSMS: 1,1,1"])
    if request.kind == "query":
        return Reply([f"+CSMS: {modem.csms_service},1,1,1"])
    return Reply(["+CSMS: (0,1)"] if request.kind == "test" else [])


def _cnma(modem, request: Request) -> Reply:
    """27.005 3.4.4: acknowledges the last +CMT or +CDS; an error in service 0."""
    if modem.csms_service != 1 or not modem.settings.vendor.pop("ack_due", False):
        raise CmsError(CMS_NO_ACK_EXPECTED)
    modem.settings.vendor["acks"] = modem.settings.vendor.get("acks", 0) + 1
    return Reply()


def route_status_report(modem, pdu_hex: str) -> None:
    """Hands a status report to the modem as its +CNMI <ds> says (27.005 3.4.1): pushed
    (+CDS), stored in SR (+CDSI) or, with <ds>=0, not at all."""
    if not modem.registered():
        log.info("modem %s: status report dropped (not registered)", modem.name)
    elif modem.settings.cnmi_ds == 1:
        modem.settings.vendor["ack_due"] = modem.csms_service == 1
        modem.urc(f"+CDS: {sms_pdu.tpdu_length(pdu_hex)}\r\n{pdu_hex}")
    elif modem.settings.cnmi_ds == 2 and len(modem.reports) < modem.sms_capacity:
        index = modem.dialect.first_sms_index
        while index in modem.reports:
            index += 1
        modem.reports[index] = sms_pdu.StoredSms(index, 0, pdu_hex)
        modem.urc(f'+CDSI: "SR",{index}')
    else:
        log.info("modem %s: status report not routed (<ds>=%d, %d stored)", modem.name,
                 modem.settings.cnmi_ds, len(modem.reports))


def _text_lines(header: str, stored) -> list[str]:
    """Gives the text-mode lines of a stored SMS (27.005 3.4.3)."""
    try:
        fields = gsmpdu.decodeSmsPdu(stored.pdu)
    except Exception:
        log.debug("stored PDU %s not decodable for text mode", stored.pdu)
        return [f'{header}"{TEXT_STATUS[stored.status]}","",,""', ""]
    when = fields["time"].strftime("%y/%m/%d,%H:%M:%S+00")
    return [f'{header}"{TEXT_STATUS[stored.status]}","{fields["number"]}",,"{when}"',
            fields["text"]]


def _cmgr(modem, request: Request) -> Reply:
    if request.kind != "set":
        return Reply() if request.kind == "test" else Reply(final="ERROR")
    stored = modem.sms_storage().get(request.int_arg(0))
    if stored is None:
        raise CmsError(CMS_INVALID_INDEX)
    if modem.settings.cmgf == 1:
        lines = _text_lines("+CMGR: ", stored)
    else:
        lines = [f"+CMGR: {stored.status},,{sms_pdu.tpdu_length(stored.pdu)}", stored.pdu]
    if stored.status == 0:
        stored.status = 1
    return Reply(lines)


def _status_filter(modem, request: Request) -> int:
    if modem.settings.cmgf == 1:
        wanted = (request.args() or ["REC UNREAD"])[0].upper()
        return next((k for k, v in TEXT_STATUS.items() if v == wanted), -1)
    return request.int_arg(0, 0)


def _cmgl(modem, request: Request) -> Reply:
    if request.kind == "test":
        return Reply(["+CMGL: (0-4)"] if modem.settings.cmgf == 0 else
                     ['+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")'])
    wanted = _status_filter(modem, request) if request.kind == "set" else 0
    if wanted not in TEXT_STATUS:
        raise AtError()
    lines = []
    for index in sorted(modem.sms_storage()):
        stored = modem.sms_storage()[index]
        if wanted != 4 and stored.status != wanted:
            continue
        if modem.settings.cmgf == 1:
            lines += _text_lines(f"+CMGL: {index},", stored)
        else:
            lines += [f"+CMGL: {index},{stored.status},,{sms_pdu.tpdu_length(stored.pdu)}",
                      stored.pdu]
        if stored.status == 0:
            stored.status = 1
    return Reply(lines)


def _cmgd(modem, request: Request) -> Reply:
    if request.kind == "test":
        return Reply([f"+CMGD: ({','.join(map(str, sorted(modem.sms_storage())))}),(0-4)"])
    if request.kind != "set":
        raise AtError()
    storage = modem.sms_storage()
    flag = request.int_arg(1, 0)
    doomed = {0: (), 1: (1,), 2: (1, 3), 3: (1, 2, 3), 4: (0, 1, 2, 3)}.get(flag)
    if doomed is None:
        raise AtError()
    if flag == 0:
        storage.pop(request.int_arg(0), None)
    else:
        for index in [i for i, s in storage.items() if s.status in doomed]:
            del storage[index]
    return Reply(after=[modem.flush_pending_sms])


def _cmgs(modem, request: Request) -> Reply:
    if request.kind == "test":
        return Reply()
    if request.kind != "set":
        raise AtError()
    if modem.settings.cmgf == 1:
        recipient = (request.args() or [""])[0]
        return Reply(prompt=lambda text: _submit_text(modem, recipient, text))
    length = request.int_arg(0)
    return Reply(prompt=lambda pdu_hex: _submit_pdu(modem, length, pdu_hex))


def _accepted(modem, submitted: sms_pdu.Submitted) -> Reply:
    modem.message_ref = reference = (getattr(modem, "message_ref", 0) + 1) % 256
    return Reply([f"+CMGS: {reference}"],
                 after=[lambda: modem._net.submit_from_modem(modem, submitted, reference)])


def _submit_pdu(modem, length: int, pdu_hex: str | None) -> Reply:
    if pdu_hex is None:
        return Reply()            # Esc: the modem drops the message
    pdu_hex = pdu_hex.strip()
    if not modem.registered():
        return Reply(final=CmsError(CMS_NO_SERVICE).final)
    if sms_pdu.tpdu_length(pdu_hex) != length:
        log.info("modem %s: AT+CMGS length %d does not match PDU", modem.name, length)
        return Reply(final=CmsError(CMS_INVALID_PDU).final)
    try:
        submitted = sms_pdu.decode_submit(pdu_hex)
    except Exception as error:
        log.info("modem %s: undecodable SMS-SUBMIT %s: %s", modem.name, pdu_hex, error)
        return Reply(final=CmsError(CMS_INVALID_PDU).final)
    return _accepted(modem, submitted)


def _submit_text(modem, recipient: str, text: str | None) -> Reply:
    if text is None:
        return Reply()
    if not modem.registered():
        return Reply(final=CmsError(CMS_NO_SERVICE).final)
    return _accepted(modem, sms_pdu.Submitted(recipient, text))


def _ok(modem, request: Request) -> Reply:
    return Reply()


SMS_HANDLERS = {
    "+CMGF": _cmgf, "+CSCA": _csca, "+CSMP": _csmp, "+CSCS": _cscs, "+CPMS": _cpms,
    "+CNMI": _cnmi, "+CMGR": _cmgr, "+CMGL": _cmgl, "+CMGD": _cmgd, "+CMGS": _cmgs,
    "+CSDH": _ok, "+CSMS": _csms, "+CNMA": _cnma,
}
