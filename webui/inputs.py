"""One way to read what a web request carries: numbers, ids and pages, and JSON bodies.

Numbers follow gateway/inputs.py (ASCII digits only, at most 18). A path's
`<x:int>` is the same rule: `make_app` puts `id_filter` in place of Bottle's
own "int" filter, whose `\\d+` takes any Unicode digit and any length, so a
row id in a path can neither be '٣' nor overflow a database column. A JSON
body is bounded in size and nesting before it is parsed (Python's parser
recurses once per level), and every text in it must be storable; what
fails answers a JSON error, never a 500 or an HTML page.
"""
from __future__ import annotations

import json
import re

import bottle

from gateway.inputs import ID_MAX, page_number, text_problem, whole_number

BODY_MAX = 64 * 1024      # bytes of a JSON body; our requests are a few hundred
DEPTH_MAX = 8             # levels of [ and {; our bodies are flat objects
JSON_TYPES = ("application/json", "application/json-rpc")
_NESTING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{\]}]')    # whole strings, or a bracket


def json_error(status: int, message: str, fields: dict | None = None) -> bottle.HTTPResponse:
    """Gives a JSON error answer: {"error": message} and, when given, the fields at fault."""
    payload = {"error": message} if fields is None else {"error": message, "fields": fields}
    return bottle.HTTPResponse(json.dumps(payload), status=status,
                               headers={"Content-Type": "application/json"})


def id_filter(config: str | None) -> tuple:
    """Gives the route filter a path's `<x:int>` uses: a row id in ASCII digits."""
    return r"[0-9]{1,18}", int, str


def query_number(name: str, low: int = 0, high: int = ID_MAX) -> int | None:
    """Gives the query parameter as a whole number in [low, high], or None."""
    return whole_number(bottle.request.query.getunicode(name), low, high)


def form_number(name: str, low: int = 0, high: int = ID_MAX) -> int | None:
    """Gives the form field as a whole number in [low, high], or None."""
    return whole_number(bottle.request.forms.getunicode(name), low, high)


def query_page(last: int | None = None) -> int:
    """Gives the page the query's `page` asks for (1 when it is not a page number)."""
    return page_number(bottle.request.query.getunicode("page"), last)


def unstorable_field(forms: bool) -> tuple[str, str] | None:
    """Gives (field, why) of the first query value, or with `forms` form value, that is not
    storable text (not UTF-8, NUL, control characters), or None when all are fine."""
    sources = [bottle.request.query] + ([bottle.request.forms] if forms else [])
    for source in sources:
        for key, value in source.allitems():
            for text in (key, value):
                try:        # WSGI hands over bytes as Latin-1; Bottle decodes them on demand
                    problem = text_problem(text.encode("latin-1").decode("utf-8"))
                except UnicodeEncodeError:
                    problem = text_problem(text)
                except UnicodeDecodeError:
                    problem = "not UTF-8 text"
                if problem:
                    return ascii(key)[1:41], problem
    return None


def json_id(data: dict, key: str) -> int:
    """Gives data[key] as a row id (a JSON integer from 1 up), or answers 400."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ID_MAX:
        raise json_error(400, f"give {key} as a number", {key: "a whole number from 1 up"})
    return value


def json_body(limit: int = BODY_MAX) -> dict:
    """Gives the request's JSON object, or answers 400 (413 when over `limit` bytes)."""
    request = bottle.request
    if request.content_type.split(";")[0].strip().lower() not in JSON_TYPES:
        raise json_error(400, "send a JSON object with Content-Type: application/json")
    if request.content_length > limit:
        raise json_error(413, f"the body is over {limit} bytes")
    raw = request.body.read(limit + 1)
    if len(raw) > limit:
        raise json_error(413, f"the body is over {limit} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise json_error(400, "the body is not UTF-8") from None
    if nesting(text) > DEPTH_MAX:
        raise json_error(400, f"the body nests deeper than {DEPTH_MAX} levels")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        raise json_error(400, f"the body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise json_error(400, "send a JSON object with Content-Type: application/json")
    for key, value in data.items():
        if text_problem(key):
            raise json_error(400, f"a name in the body: {text_problem(key)}")
        problem = unstorable(value)
        if problem:
            raise json_error(400, f"{key[:64]}: {problem}", {key[:64]: problem})
    return data


def nesting(text: str) -> int:
    """Gives how deep `text` nests [ and { outside strings (stops counting past DEPTH_MAX)."""
    depth = deepest = 0
    for token in _NESTING.finditer(text):
        mark = token.group()[0]
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if depth > DEPTH_MAX:
                break
        elif mark in "]}":
            depth -= 1
    return deepest


def unstorable(value) -> str | None:
    """Gives why a decoded JSON value holds a text that cannot be stored, or None."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return next((problem for item in value if (problem := unstorable(item))), None)
    return None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")
