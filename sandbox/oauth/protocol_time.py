"""Protocol time: the instants a client checks against its own clock.

The server decides on the sandbox clock (token, consent, code and PAR expiry), but a client
compares ID token ``iat``/``exp``/``auth_time``, introspection ``iat``/``exp`` and DCR
timestamps with the wall clock. One rule maps a sandbox instant to the wall clock, by the time
remaining: an instant E seen when sandbox-now is T is sent as ``wall-now + (E - T)``.
"""
from __future__ import annotations

import math

from sandbox import clock


def wall_seconds(sandbox_seconds: float) -> int:
    """The wall-clock Unix time of the sandbox instant ``sandbox_seconds`` (Unix seconds)."""
    offset = clock.wall_now().timestamp() - clock.now().timestamp()
    return math.floor(sandbox_seconds + offset)  # never after the wall clock's own second
