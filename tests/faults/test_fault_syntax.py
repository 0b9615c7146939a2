"""The fault syntax shared by the header, the rules and the error users."""
from __future__ import annotations

import pytest

from sandbox.faults.spec import Fault, FaultSyntaxError, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status=503", Fault(status=503, retry_after=30)),
        ("status=429;retry_after=7", Fault(status=429, retry_after=7)),
        ("status=500", Fault(status=500)),
        ("latency=750ms", Fault(latency=0.75)),
        ("latency=2s", Fault(latency=2.0)),
        ("latency=250", Fault(latency=0.25)),
        ("timeout", Fault(timeout=35.0)),
        ("timeout=1.5s", Fault(timeout=1.5)),
        ("timeout=99s", Fault(timeout=35.0)),
        ("drop", Fault(drop=True)),
        ("latency=100ms, status=503;retry_after=5", Fault(status=503, retry_after=5, latency=0.1)),
        ("latency=250ms,latency=250ms,drop", Fault(latency=0.5, drop=True)),
    ],
)
def test_valid_faults(text, expected):
    assert parse(text, timeout_cap=35.0) == expected


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "empty fault"),
        ("explode", "unknown fault 'explode'"),
        ("status=200", "400-599"),
        ("status=abc", "400-599"),
        ("status=503;retry_after=soon", "whole seconds"),
        ("status=503;wait=3", "unknown parameter 'wait'"),
        ("status=503;retry_after", "needs a value"),
        ("latency", "needs a duration"),
        ("latency=fast", "not a duration"),
        ("drop=yes", "takes no value"),
        ("timeout;x=1", "takes no parameters"),
    ],
)
def test_invalid_faults_say_what_is_wrong(text, complaint):
    with pytest.raises(FaultSyntaxError, match=complaint):
        parse(text, timeout_cap=35.0)
