"""Fault injection: the ``X-Sandbox-Fault`` header, persistent rules, maintenance windows and
error users, applied to a bank's endpoints before their views run."""
import threading

from flask import Flask

#: ``app.extensions`` key of the semaphore counting this process's held requests.
HOLD_SLOTS = "sandbox.hold_slots"


def limit_holds(app: Flask, slots: int) -> None:
    """Let ``app`` hold at most ``slots`` requests at once in this process (latency and
    timeout faults); a fault that finds every slot taken is answered at once. Without a
    limit (the test client) every hold sleeps."""
    app.extensions[HOLD_SLOTS] = threading.BoundedSemaphore(max(slots, 0))
