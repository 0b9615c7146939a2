"""The Flask application class: two per-request costs of plain Flask removed from the data
API's hot path, with behaviour unchanged."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface


class PageSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions for the HTML pages; data API calls (``/v1/``, bearer tokens,
    never a cookie) get Flask's null session instead of decoding one."""

    def open_session(self, app: Flask, request: Request):
        if "/v1/" in request.path:
            return None
        return super().open_session(app, request)


class Sandbank(Flask):
    """Flask with a session interface for pages only, and ``ensure_sync`` remembered per
    function: Flask asks, for every hook and view of every request, whether it is a
    coroutine function, and the answer never changes for a function."""

    session_interface = PageSessionInterface()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        try:
            return self._sync[func]
        except KeyError:
            synced = self._sync[func] = super().ensure_sync(func)
            return synced
