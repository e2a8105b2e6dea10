"""Admin rates page: the table with a search, and a CSV upload that is all or nothing.

The upload is gateway/actions/rates.py's import, the same as `callbox rates
import` and POST /api/admin/rates: a file with any bad line stores nothing and
every bad line is listed with its line number; a good file is written in one
transaction, with its audit record.
"""
from __future__ import annotations


import bottle

from gateway.actions import rates as rate_actions
from webui import i18n
from webui.admin.common import page_link, page_of, query_text
from webui.gateway_texts import translate

MAX_UPLOAD = 2 * 1024 * 1024      # bytes; a world rate table is well under 1 MB


def rates_query(search: str):
    """Gives the rates whose prefix starts with the digits searched, or whose
    description contains the text, ordered by prefix."""
    return rate_actions.search(search)


def read_upload() -> tuple[str | None, str | None]:
    """Gives (the uploaded file's text, None) or (None, why it cannot be read)."""
    upload = bottle.request.files.get("file")
    if upload is None or not upload.raw_filename:
        return None, "choose a CSV file"
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return None, f"the file is over {MAX_UPLOAD // 1024 // 1024} MB"
    try:
        return data.decode("utf-8-sig"), None      # -sig: spreadsheets write a BOM
    except UnicodeDecodeError as error:
        return None, f"the file is not UTF-8 text (byte {error.start + 1})"


def install(app: bottle.Bottle, web) -> None:
    def page(session, *, problems=(), file_error="", notice="", status=200):
        bottle.response.status = status
        search = query_text("q")
        return web.render("rates", session, rates=page_of(rates_query(search)), search=search,
                          link=page_link, problems=[translate(text) for text in problems],
                          file_error=translate(file_error), notice=notice)

    @app.get("/admin/rates")
    def rates_page():
        session = web.admin_required()
        return page(session)

    @app.post("/admin/rates")
    def upload_rates():
        session = web.admin_required()
        web.check_csrf(session)
        text, file_error = read_upload()
        if file_error:
            return page(session, file_error=file_error, status=400)
        replace = bottle.request.forms.getunicode("replace") == "1"
        try:
            stored, removed = rate_actions.import_rates(
                web.actor(session, "web"), text, replace, web.now())
        except rate_actions.BadRateLines as error:
            return page(session, problems=error.problems, status=400, file_error=str(error))
        except rate_actions.NoRates as error:
            return page(session, file_error=str(error), status=400)
        if replace:
            return page(session, notice=i18n.ngettext(
                "{count} rate stored, replacing the previous {removed}",
                "{count} rates stored, replacing the previous {removed}",
                stored).format(count=stored, removed=removed))
        return page(session, notice=i18n.ngettext("{count} rate stored", "{count} rates stored",
                                                  stored).format(count=stored))
