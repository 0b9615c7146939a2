"""Faults injected in process: each failure is shaped like the real one on its surface."""
from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.clock import wall_now
from sandbox.faults.responses import ConnectionDropped

DATA = "/banks/harborline/v1/accounts"
TOKEN = "/banks/harborline/token"


def iso(instant):
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def client(bare_app, admin):
    test_client = bare_app.test_client()
    yield test_client
    test_client.delete("/sandbox/faults", headers=admin)


@pytest.mark.parametrize(
    ("fault", "status", "retry_after"),
    [("status=503", 503, "30"), ("status=429;retry_after=7", 429, "7"),
     ("status=500", 500, None), ("timeout=10ms", 504, None)],
)
def test_data_api_failures_are_problem_json(client, admin, fault, status, retry_after):
    response = client.get(DATA, headers={"X-Sandbox-Fault": fault, **admin})

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    assert response.headers.get("Retry-After") == retry_after
    assert response.headers["Cache-Control"] == "no-store"


def test_data_api_401_challenges_like_the_resource_server(client):
    response = client.get(DATA, headers={"X-Sandbox-Fault": "status=401"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith(
        f'Bearer realm="{DATA.split("/")[2]}", error="invalid_token"')


@pytest.mark.parametrize(
    ("fault", "status", "error", "retry_after"),
    [("status=503", 503, "temporarily_unavailable", "30"),
     ("status=429;retry_after=12", 429, "temporarily_unavailable", "12"),
     ("status=500", 500, "server_error", None),
     ("status=400", 400, "invalid_request", None),
     ("status=401", 401, "invalid_client", None)],
)
def test_token_endpoint_failures_are_oauth_errors(client, fault, status, error, retry_after):
    response = client.post(TOKEN, data={"grant_type": "client_credentials"},
                           headers={"X-Sandbox-Fault": fault})

    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.json["error"] == error
    assert response.json["error_description"]
    assert response.headers.get("Retry-After") == retry_after
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


def test_drop_without_a_socket_raises_in_process(client):
    with pytest.raises(ConnectionDropped):
        client.get(DATA, headers={"X-Sandbox-Fault": "drop"})


def test_an_invalid_header_is_a_400_naming_the_header(client):
    response = client.get(DATA, headers={"X-Sandbox-Fault": "status=200"})

    assert response.status_code == 400
    assert response.json["errors"] == [{"path": "X-Sandbox-Fault", "location": "headers",
                                        "message": "status must be an HTTP error status "
                                                   "400-599: 'status=200'"}]


@pytest.mark.parametrize("path", ["/healthz", "/banks/harborline/jwks.json", "/openapi.json"])
def test_the_header_is_ignored_outside_the_data_api_and_token_endpoint(client, path):
    response = client.get(path, headers={"X-Sandbox-Fault": "status=503"})

    assert response.status_code != 503


def statuses(client, count, path=DATA, **headers):
    return [client.get(path, headers=headers).status_code == 503 for _ in range(count)]


def test_rules_draw_the_same_requests_every_run(client, admin):
    rule = {"bank_id": "harborline", "fault": "status=503", "probability": 0.4, "seed": 7}
    client.put("/sandbox/faults", json={"rules": [rule]}, headers=admin)
    first = statuses(client, 30)
    client.put("/sandbox/faults", json={"rules": [rule]}, headers=admin)
    again = statuses(client, 30)
    client.put("/sandbox/faults", json={"rules": [{**rule, "seed": 8}]}, headers=admin)
    other_seed = statuses(client, 30)

    assert first == again
    assert first != other_seed
    assert 3 <= sum(first) <= 27
    listed = client.get("/sandbox/faults", headers=admin).json["rules"][0]
    assert (listed["matched"], listed["injected"]) == (30, sum(other_seed))


@pytest.mark.parametrize(
    ("rule", "path", "hit"),
    [({"bank_id": "juniper"}, DATA, False),
     ({"bank_id": "harborline"}, DATA, True),
     ({"path": "*/transactions"}, DATA, False),
     ({"path": "/banks/*/v1/accounts"}, DATA, True),
     ({}, TOKEN, True),
     ({"client_id": "demo-app"}, TOKEN, True),
     ({"client_id": "other-app"}, TOKEN, False),
     ({}, "/banks/harborline/jwks.json", False)],
)
def test_rules_match_bank_client_and_path(client, admin, rule, path, hit):
    client.put("/sandbox/faults", json={"rules": [{**rule, "fault": "status=503"}]},
               headers=admin)
    if path == TOKEN:
        response = client.post(path, data={"grant_type": "client_credentials",
                                           "client_id": "demo-app"})
    else:
        response = client.get(path)

    assert (response.status_code == 503) is hit


def test_rules_with_unknown_banks_or_bad_faults_are_refused(client, admin):
    response = client.put("/sandbox/faults", headers=admin, json={
        "rules": [{"fault": "status=503"}, {"fault": "explode"}],
        "maintenance": [{"bank_id": "harborline", "from": "2026-03-02T00:00:00Z",
                         "to": "2026-03-01T00:00:00Z"}]})

    assert response.status_code == 422
    paths = {error["path"] for error in response.json["errors"]}
    assert paths == {"rules[1].fault", "maintenance[0].to"}
    assert client.get("/sandbox/faults", headers=admin).json["rules"] == []


def test_a_maintenance_window_answers_503_on_everything_of_the_bank(client, admin):
    now = wall_now()
    window = {"bank_id": "harborline", "from": iso(now - timedelta(hours=1)),
              "to": iso(now + timedelta(hours=1))}
    client.put("/sandbox/faults", json={"maintenance": [window]}, headers=admin)

    data = client.get(DATA)
    token = client.post(TOKEN, data={"grant_type": "client_credentials"})
    page = client.get("/banks/harborline/authorize", headers={"Accept": "text/html"})
    other_bank = client.get("/banks/juniper/v1/accounts")

    assert (data.status_code, data.mimetype) == (503, "application/problem+json")
    assert "maintenance" in data.json["detail"]
    assert 3500 <= int(data.headers["Retry-After"]) <= 3600
    assert (token.status_code, token.json["error"]) == (503, "temporarily_unavailable")
    assert (page.status_code, page.mimetype) == (503, "text/html")
    assert "Down for maintenance" in page.get_data(as_text=True)
    assert other_bank.status_code != 503


def test_a_window_in_the_future_changes_nothing_yet(client, admin):
    now = wall_now()
    window = {"bank_id": "harborline", "from": iso(now + timedelta(hours=1)),
              "to": iso(now + timedelta(hours=2))}
    client.put("/sandbox/faults", json={"maintenance": [window]}, headers=admin)

    assert client.get(DATA).status_code != 503
    assert client.get("/sandbox/faults", headers=admin).json["maintenance"] == [window]
