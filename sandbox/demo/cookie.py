"""The chat's own cookie: this browser's conversation id and CSRF token, signed with the
app's secret key. Not Flask's session: the banks' sign-in pages clear that one."""
from __future__ import annotations

import secrets

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

NAME = "sandbank_chat"
PATH = "/demo/chat"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="sandbank-chat")


def state() -> dict:
    """The cookie's values for this request (empty when absent or not ours)."""
    if "chat_cookie" not in g:
        try:
            value = _serializer().loads(request.cookies.get(NAME, ""))
        except BadSignature:
            value = {}
        g.chat_cookie = value if isinstance(value, dict) else {}
    return g.chat_cookie


def put(key: str, value: str) -> None:
    """Change one value; the response sets the cookie again."""
    state()[key] = value
    g.chat_cookie_changed = True


def csrf_token() -> str:
    """This browser's CSRF token for the chat's forms, made on first use."""
    if not isinstance(state().get("csrf"), str):
        put("csrf", secrets.token_urlsafe(32))
    return state()["csrf"]


def keep(response: Response) -> Response:
    """``after_request`` of the chat: send the cookie again when it changed."""
    if g.get("chat_cookie_changed"):
        response.set_cookie(NAME, _serializer().dumps(state()), path=PATH, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    return response
