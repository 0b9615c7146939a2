"""A parcel's status follows the clock along its planned timeline."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sandbox.services.shipments import delivered_at, progress, status_at, visible_events

TIMELINE = [
    {"at": "2026-03-01T10:00:00Z", "status": "label_created", "description": "", "city": "A"},
    {"at": "2026-03-02T09:00:00Z", "status": "in_transit", "description": "", "city": "A"},
    {"at": "2026-03-03T08:00:00Z", "status": "delayed", "description": "", "city": "B"},
    {"at": "2026-03-05T13:00:00Z", "status": "out_for_delivery", "description": "", "city": "C"},
    {"at": "2026-03-05T17:30:00Z", "status": "delivered", "description": "", "city": "C"},
]
SHIPPED = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize(("now", "status", "visible"), [
    ("2026-03-01T10:00:00Z", "label_created", 1),
    ("2026-03-02T12:00:00Z", "in_transit", 2),
    ("2026-03-04T00:00:00Z", "delayed", 3),
    ("2026-03-05T14:00:00Z", "out_for_delivery", 4),
    ("2026-03-09T00:00:00Z", "delivered", 5),
])
def test_status_is_the_last_event_that_has_happened(now, status, visible):
    assert status_at(TIMELINE, at(now)) == status
    assert len(visible_events(TIMELINE, at(now))) == visible


def test_delivery_and_shipping_appear_only_once_they_happen():
    before = progress(TIMELINE, SHIPPED, at("2026-03-01T12:00:00Z"))
    after = progress(TIMELINE, SHIPPED, at("2026-03-06T00:00:00Z"))

    assert before["shipped_at"] is None and before["delivered_at"] is None
    assert after["shipped_at"] == "2026-03-02T09:00:00Z"
    assert after["delivered_at"] == delivered_at(TIMELINE, at("2026-03-06T00:00:00Z")) \
        == "2026-03-05T17:30:00Z"
