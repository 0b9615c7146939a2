"""The two duration notations: ISO 8601 (clock moves, scenario times) and the fault syntax's
short spans."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sandbox.durations import parse_duration, parse_seconds

JAN_31 = datetime(2026, 1, 31, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "months", "span"), [
    ("P3D", 0, timedelta(days=3)),
    ("PT2H", 0, timedelta(hours=2)),
    ("P1DT12H30M", 0, timedelta(days=1, hours=12, minutes=30)),
    ("P2W", 0, timedelta(weeks=2)),
    ("PT90S", 0, timedelta(seconds=90)),
    ("PT1.5S", 0, timedelta(seconds=1.5)),
    ("P1Y2M", 14, timedelta(0)),
    (" p3d ", 0, timedelta(days=3)),
])
def test_iso_durations_are_months_plus_a_span(text, months, span):
    duration = parse_duration(text)

    assert (duration.months, duration.span) == (months, span)


@pytest.mark.parametrize("text", ["P", "PT", "3D", "P3", "PT2", "P1H", "P-1D", "soon", ""])
def test_what_is_not_an_iso_duration_is_refused(text):
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        parse_duration(text)


def test_calendar_months_clamp_to_the_end_of_the_month():
    assert parse_duration("P1M").after(JAN_31) == datetime(2026, 2, 28, 9, 30,
                                                           tzinfo=timezone.utc)
    assert parse_duration("P1M").before(datetime(2026, 3, 31, tzinfo=timezone.utc)) == \
        datetime(2026, 2, 28, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["P9000Y", "P3000000D"])
def test_a_duration_beyond_the_calendar_is_a_value_error(text):
    with pytest.raises(ValueError):
        parse_duration(text).after(JAN_31)
    with pytest.raises(ValueError):
        parse_duration(text).before(JAN_31)


@pytest.mark.parametrize(("text", "seconds"), [
    ("750ms", 0.75), ("2s", 2.0), ("1.5s", 1.5), ("250", 0.25), (" 3s ", 3.0)])
def test_short_spans_are_seconds(text, seconds):
    assert parse_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "2m", "PT2S", "-1s", "s"])
def test_what_is_not_a_short_span_is_refused(text):
    with pytest.raises(ValueError, match="750ms or 2s"):
        parse_seconds(text)
