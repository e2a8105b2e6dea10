"""What the admin pages share: times in words, days, query parameters, paging, refusals."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import math
import time
from urllib.parse import urlencode

import bottle

from webui.inputs import query_page

PAGE_SIZE = 50


def when(stamp: float | None) -> str:
    """Gives a Unix time as local 'YYYY-MM-DD HH:MM:SS', or '' for none."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp else ""


def local_midnight(now: float) -> float:
    """Gives the Unix time of the local midnight that began the day of `now`."""
    return datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0,
                                               microsecond=0).timestamp()


def parse_day(text: str) -> float:
    """Gives the local midnight of a 'YYYY-MM-DD' day; ValueError says what is wrong."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").timestamp()
    except ValueError:
        raise ValueError("a day like 2026-11-26") from None


def query_text(name: str, limit: int = 100) -> str:
    """Gives a query-string parameter, stripped and cut to `limit` characters."""
    return (bottle.request.query.getunicode(name) or "").strip()[:limit]


class Refused(Exception):
    """An admin action the box will not do now: the HTTP status and, with `confirm`, that
    the admin may confirm it and send it again."""

    def __init__(self, status: int, message: str, confirm: bool = False):
        super().__init__(message)
        self.status = status
        self.confirm = confirm


@dataclass
class Page:
    """One page of a longer list: its rows and where it sits."""

    rows: list
    number: int
    count: int           # pages in all (at least 1)
    total: int           # rows in all

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def page_of(query, size: int = PAGE_SIZE) -> Page:
    """Gives the page of a peewee query the `page` parameter asks for (the last if beyond)."""
    total = query.count()
    count = max(1, math.ceil(total / size))
    number = query_page(count)
    return Page(list(query.paginate(number, size)), number, count, total)


def page_link(number: int) -> str:
    """Gives this page's query string with `page` set to `number`."""
    params = [(key, value) for key, value in bottle.request.query.decode().allitems()
              if key != "page"]
    return "?" + urlencode(params + [("page", str(number))])
