"""What the admins' JSON API modules share: JSON answers, typed reading of a body's
values, paging, and the admin check of a change (webui/api/admin.py, webui/api/box.py)."""
from __future__ import annotations

import json

import bottle

from webui.inputs import json_body


def answer(status: int, payload: dict) -> bottle.HTTPResponse:
    return bottle.HTTPResponse(json.dumps(payload), status=status,
                               headers={"Content-Type": "application/json"})


def invalid(fields: dict[str, str], message: str = "invalid values") -> bottle.HTTPResponse:
    """Gives the 400 answer naming each refused field."""
    return answer(400, {"error": message, "fields": fields})


def optional_body() -> dict:
    """Gives the request's JSON object, or {} when it has no body."""
    if not bottle.request.content_length:
        return {}
    return json_body()


def texts(data: dict, names: tuple[str, ...]) -> dict[str, str]:
    """Gives the named values of a JSON object as text ("" when absent); 400 names every
    value that is not a string."""
    wrong = {name: f"give {name} as a string" for name in names
             if data.get(name) is not None and not isinstance(data.get(name), str)}
    if wrong:
        raise invalid(wrong)
    return {name: data.get(name) or "" for name in names}


def flag(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise invalid({name: f"give {name} as true or false"})
    return value


def page_json(page, key: str, rows: list) -> dict:
    return {"page": page.number, "pages": page.count, "total": page.total, key: rows}


def posted(web):
    """Gives the session of a state-changing request by an admin with the CSRF token."""
    session = web.admin_required(api=True)
    web.check_csrf(session, api=True)
    return session
