"""Finding 15: no control-plane answer may be kept by a cache (tokens, exports, access log)."""
from __future__ import annotations

import pytest
import requests

ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status"),
    [
        ("POST", "/sandbox/banks/harborline/tokens", {"username": "user_good"}, ADMIN, 201),
        ("GET", "/sandbox/export", None, ADMIN, 200),
        ("GET", "/sandbox/access-log", None, ADMIN, 200),
        ("GET", "/sandbox/export", None, {}, 401),
        ("POST", "/sandbox/banks/harborline/tokens", {"username": "user_good"},
         {"X-Sandbox-Admin-Key": "wrong"}, 401),
        ("GET", "/sandbox/no-such-thing", None, ADMIN, 404),
    ],
)
def test_control_plane_answer_is_not_stored(live_server, method, path, body, headers, status):
    answer = requests.request(method, live_server + path, json=body, headers=headers, timeout=60)

    assert answer.status_code == status
    assert answer.headers["Cache-Control"] == "no-store"
    if status == 201:
        assert answer.json()["access_token"]


def test_public_pages_stay_cacheable(live_server):
    assert "no-store" not in requests.get(live_server + "/banks", timeout=10).headers.get(
        "Cache-Control", "")
