"""Shipment progress at an instant: the planned timeline is stored whole; what a client sees
is the events that have happened by ``now``, and the status is the last of them."""
from __future__ import annotations

from datetime import datetime

from sandbox.clock import iso


def visible_events(events: list[dict], now: datetime) -> list[dict]:
    """The events that have happened by ``now``, in time order."""
    cutoff = iso(now)
    return [event for event in events if event["at"] <= cutoff]


def status_at(events: list[dict], now: datetime) -> str:
    """The status at ``now``: the last visible event's (``label_created`` before any)."""
    visible = visible_events(events, now)
    return visible[-1]["status"] if visible else "label_created"


def delivered_at(events: list[dict], now: datetime) -> str | None:
    """When the parcel was delivered, once it has been by ``now``."""
    for event in visible_events(events, now):
        if event["status"] == "delivered":
            return event["at"]
    return None


def progress(events: list[dict], shipped_at: datetime, now: datetime) -> dict:
    """``status``, visible ``events``, ``shipped_at`` (once shipped) and ``delivered_at``."""
    visible = visible_events(events, now)
    return {
        "status": visible[-1]["status"] if visible else "label_created",
        "events": visible,
        "shipped_at": iso(shipped_at) if shipped_at <= now else None,
        "delivered_at": next((e["at"] for e in visible if e["status"] == "delivered"), None),
    }
