"""CDR's paging: ``page`` and ``page-size`` in, ``links`` (``self``, ``first``, ``prev``,
``next``, ``last``) and ``meta`` (``totalRecords``, ``totalPages``) out."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request

from sandbox.dialects.cdr.errors import FIELD_INVALID, INVALID_PAGE, INVALID_PAGE_SIZE, CdrError
from sandbox.web.urls import public_base_url

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
_NATURAL = re.compile(r"^[1-9][0-9]{0,8}$")


@dataclass(frozen=True)
class Page:
    """The page a request asks for: its number (from 1) and size."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def requested_page() -> Page:
    """``page`` and ``page-size`` of the query string; 400 ``Field/Invalid`` or
    ``Field/InvalidPageSize`` when they are not positive integers (or the size exceeds 1000)."""
    number, size = request.args.get("page", "1"), request.args.get("page-size")
    if not _NATURAL.match(number):
        raise CdrError(400, FIELD_INVALID, "page must be a positive integer.")
    if size is not None and (not _NATURAL.match(size) or int(size) > MAX_PAGE_SIZE):
        raise CdrError(400, INVALID_PAGE_SIZE,
                       f"page-size must be an integer from 1 to {MAX_PAGE_SIZE}.")
    return Page(int(number), int(size) if size is not None else DEFAULT_PAGE_SIZE)


def self_link() -> str:
    """The public URL of the current request."""
    query = urlencode(list(request.args.items(multi=True)))
    return public_base_url() + request.path + (f"?{query}" if query else "")


def _link(number: int) -> str:
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    return public_base_url() + request.path + "?" + urlencode([*args, ("page", str(number))])


def envelope(page: Page, total: int, data: dict) -> dict:
    """A paginated answer: ``data``, its ``links`` and ``meta``; 422 ``Field/InvalidPage``
    when the page is past the last one."""
    pages = math.ceil(total / page.size)
    if page.number > max(pages, 1):
        raise CdrError(422, INVALID_PAGE, f"page {page.number} is past the last page, "
                                          f"{max(pages, 1)}.")
    links = {"self": self_link()}
    if page.number > 1:
        links.update(first=_link(1), prev=_link(page.number - 1))
    if page.number < pages:
        links.update(next=_link(page.number + 1), last=_link(pages))
    return {"data": data, "links": links,
            "meta": {"totalRecords": total, "totalPages": pages}}
