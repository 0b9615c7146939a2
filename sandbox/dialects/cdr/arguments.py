"""Query arguments of the CDR operations, checked the CDR way: a wrong value is a 400 with
``Field/Invalid`` (or ``Field/InvalidDateTime``) naming the field."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal

from flask import request

from sandbox.dialects.cdr.errors import FIELD_INVALID, FIELD_MISSING, INVALID_DATE, CdrError

_AMOUNT = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,8})?$")
MAX_TEXT = 200
#: The years a date-time argument may name (the world's history lies well inside them).
EARLIEST_YEAR, LATEST_YEAR = 1900, 9000


def choice(name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
    """The query argument ``name``, one of ``allowed``."""
    value = request.args.get(name, default)
    if value is not None and value not in allowed:
        raise CdrError(400, FIELD_INVALID, f"{name} must be one of {', '.join(allowed)}.")
    return value


def boolean(name: str) -> bool | None:
    """The query argument ``name``, ``true`` or ``false``."""
    value = choice(name, ("true", "false"))
    return None if value is None else value == "true"


def instant(name: str) -> datetime | None:
    """The query argument ``name``, an RFC 3339 date-time (UTC when it names no offset), in
    UTC."""
    value = request.args.get(name)
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise CdrError(400, INVALID_DATE, f"{name} must be an RFC 3339 date-time, e.g. "
                                          "2026-03-01T00:00:00Z.") from None
    found = found.astimezone(timezone.utc) if found.tzinfo else found.replace(tzinfo=timezone.utc)
    if not EARLIEST_YEAR <= found.year <= LATEST_YEAR:
        raise CdrError(400, INVALID_DATE, f"{name} must be between the years {EARLIEST_YEAR} "
                                          f"and {LATEST_YEAR}.")
    return found


def amount(name: str) -> Decimal | None:
    """The query argument ``name``, an amount such as ``-42.17``."""
    value = request.args.get(name)
    if value is None:
        return None
    if not _AMOUNT.match(value):
        raise CdrError(400, FIELD_INVALID, f"{name} must be an amount such as -42.17.")
    return Decimal(value)


def text(name: str) -> str | None:
    """The query argument ``name``, free text of at most 200 characters."""
    value = request.args.get(name)
    if value is not None and len(value) > MAX_TEXT:
        raise CdrError(400, FIELD_INVALID, f"{name} must be at most {MAX_TEXT} characters.")
    return value or None


def account_ids() -> list[str]:
    """``data.accountIds`` of the JSON body (``RequestAccountIdListV1``)."""
    body = request.get_json(silent=True)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or "accountIds" not in data:
        raise CdrError(400, FIELD_MISSING, "The body must be {\"data\": {\"accountIds\": "
                                           "[...]}}: data.accountIds is missing.")
    ids = data["accountIds"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise CdrError(400, FIELD_INVALID, "data.accountIds must be a list of "
                                           "account ids.")
    return ids
