"""The Flask application class: data API calls skip the cookie session, a view that raises
leaves nothing of its unit of work behind, and bodies nested too deeply to parse, or holding
a NUL character, are answered as the client error they are."""
from __future__ import annotations

from collections.abc import Callable
from types import FunctionType

from flask import Flask, Request, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import BadRequest

from sandbox import fastpath, limits, unit_of_work

#: What a client is told when its body nests deeper than the parsers can follow.
TOO_DEEP = "The request body is nested too deeply to parse."


class PageSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions for the HTML pages; data API calls (``/v1/``, bearer tokens,
    never a cookie) get Flask's null session instead of decoding one."""

    def open_session(self, app: Flask, request: Request):
        if "/v1/" in request.path:
            return None
        return super().open_session(app, request)


class SandboxRequest(Request):
    """Flask's request, for which JSON nested deeper than the parser's recursion limit is
    malformed JSON like any other (``get_json(silent=True)`` answers None, else 400), and a
    JSON body holding a NUL character is refused as it is read
    (:func:`sandbox.limits.refuse_nul_in_json`): Flask's ``get_json`` and webargs' parser
    both read it here."""

    def get_data(self, cache: bool = True, as_text: bool = False,
                 parse_form_data: bool = False):
        data = super().get_data(cache=cache, as_text=as_text, parse_form_data=parse_form_data)
        if self.is_json:
            limits.refuse_nul_in_json(data.encode() if as_text else data)
        return data

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            return self.on_json_loading_failed(ValueError(TOO_DEEP))


class Sandbank(Flask):
    """Flask with a session interface for pages only, whose request's work (the session's
    and the data connection's) is rolled back when a view raises, and ``ensure_sync``
    remembered per plain function: Flask asks, for every hook and view of every request,
    whether it is a coroutine function, and the answer never changes for a function. Only
    module-level functions are remembered (a fixed set); a view's bound method, new on every
    request, is asked afresh."""

    session_interface = PageSessionInterface()
    request_class = SandboxRequest

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[FunctionType, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        if type(func) is not FunctionType:
            return super().ensure_sync(func)
        synced = self._sync.get(func)
        if synced is None:
            synced = self._sync[func] = super().ensure_sync(func)
        return synced

    def handle_user_exception(self, e: Exception):
        """A view raised: its unit of work is rolled back before the error is rendered. A
        ``RecursionError`` while serving a request with a body comes from parsing it
        (webargs' and the scenario loader's JSON, YAML): a 400, never a 500."""
        unit_of_work.abandon()
        fastpath.abandon()
        if isinstance(e, RecursionError) and request.content_length:
            e = BadRequest(TOO_DEEP)
        return super().handle_user_exception(e)

    def handle_exception(self, e: Exception):
        """An unhandled error (a 500): nothing of the request's work is committed."""
        unit_of_work.abandon()
        fastpath.abandon()
        return super().handle_exception(e)
