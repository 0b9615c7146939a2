"""Every answer under a standards dialect's path speaks that dialect, also when the sandbox
answered before any of the dialect's views ran: a routing 404 or 405, an injected fault."""
import pytest

UKOB = "/banks/harborline/open-banking/v4.0/aisp"
CDR = "/banks/harborline/cds-au/v1"


@pytest.mark.parametrize(("method", "path", "status", "shape"), [
    ("GET", f"{UKOB}/nothing", 404, "Errors"),
    ("PUT", f"{UKOB}/accounts", 405, "Errors"),
    ("GET", f"{CDR}/nothing", 404, "errors"),
    ("DELETE", f"{CDR}/banking/accounts", 405, "errors"),
])
def test_routing_errors_leave_in_the_dialects_shape(client, method, path, status, shape):
    response = client.open(path, method=method, headers={"x-fapi-interaction-id": "qa-42"})

    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert shape in response.get_json()
    assert response.headers["x-fapi-interaction-id"] == "qa-42"
    assert response.headers["Cache-Control"] == "no-store"
    if status == 405:
        assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(("path", "shape"), [(f"{UKOB}/accounts", "Errors"),
                                             (f"{CDR}/banking/accounts", "errors")])
def test_an_injected_fault_is_in_the_dialects_shape(client, path, shape):
    response = client.get(path, headers={"X-Sandbox-Fault": "status=503", "x-v": "1"})

    assert response.status_code == 503
    assert shape in response.get_json()
    assert response.headers["x-fapi-interaction-id"]
    assert response.headers["Retry-After"]
