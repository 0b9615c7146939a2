"""CDR's ``x-v``/``x-min-v`` version negotiation: each operation serves the versions of its
payload that the published document defines (:func:`versioned`); the answer names the one
chosen in ``x-v``. (``x-fapi-interaction-id`` is every dialect's:
``sandbox.dialects.speak_the_dialect``.)
"""
from __future__ import annotations

import re
from functools import wraps

from flask import request

from sandbox.dialects.cdr.errors import (
    HEADER_MISSING, INVALID_VERSION, UNSUPPORTED_VERSION, CdrError,
)

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


