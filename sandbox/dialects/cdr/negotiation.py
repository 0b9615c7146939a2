"""CDR's request headers: ``x-v``/``x-min-v`` version negotiation and
``x-fapi-interaction-id``.

Each operation serves the versions of its payload that the published document defines
(:func:`versioned`); the answer names the one chosen in ``x-v``. Every answer of the dialect,
errors and injected faults included, carries ``x-fapi-interaction-id``: the client's, or a
fresh UUID (:func:`interaction_id`).
"""
from __future__ import annotations

import re
import uuid
from functools import wraps

from flask import Response, g, request

from sandbox.dialects.cdr.errors import (
    HEADER_MISSING, INVALID_VERSION, UNSUPPORTED_VERSION, CdrError,
)

INTERACTION_ID = "x-fapi-interaction-id"
#: What an ``x-fapi-interaction-id`` sent by a client may be to be played back.
_PLAYABLE = re.compile(r"^[\x21-\x7e]{1,128}$")
_VERSION = re.compile(r"^[1-9][0-9]{0,8}$")


def _version(name: str) -> int | None:
    value = request.headers.get(name)
    if value is None:
        return None
    if not _VERSION.match(value):
        raise CdrError(400, INVALID_VERSION, f"The {name} header must be a positive integer.")
    return int(value)


def negotiate(supported: tuple[int, ...]) -> int:
    """The highest of ``supported`` between ``x-min-v`` and ``x-v``; raises the CDR error:
    400 when a header is missing or malformed, 406 when no version asked for is served."""
    highest = _version("x-v")
    lowest = _version("x-min-v")
    if highest is None:
        raise CdrError(400, HEADER_MISSING, "The x-v header is required.")
    if lowest is None or lowest >= highest:
        lowest = highest
    served = [version for version in supported if lowest <= version <= highest]
    if not served:
        wanted = str(highest) if lowest == highest else f"{lowest} to {highest}"
        raise CdrError(406, UNSUPPORTED_VERSION,
                       f"Version {wanted} of this endpoint is not served; it serves "
                       f"{', '.join(map(str, supported))}.")
    return max(served)


def versioned(*supported: int):
    """Decorate a view serving ``supported`` versions: negotiate before it runs and name the
    chosen version in the answer's ``x-v``."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            version = negotiate(supported)
            response = view(*args, **kwargs)
            response.headers["x-v"] = str(version)
            return response
        return wrapper
    return decorator


def interaction_id() -> str:
    """The request's interaction id: the client's ``x-fapi-interaction-id`` when it is a
    plain token, else a fresh UUID (kept for the request)."""
    if "cdr_interaction_id" not in g:
        sent = request.headers.get(INTERACTION_ID, "")
        g.cdr_interaction_id = sent if _PLAYABLE.match(sent) else str(uuid.uuid4())
    return g.cdr_interaction_id


def add_interaction_id(response: Response) -> Response:
    """``after_request`` of the dialect: play the interaction id back; never cached."""
    response.headers[INTERACTION_ID] = interaction_id()
    response.headers.setdefault("Cache-Control", "no-store")
    return response
