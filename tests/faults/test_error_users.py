"""Error users (``user_error_<code>``) fail in their documented ways, at every bank."""
from __future__ import annotations

import pytest

from sandbox import catalog, create_app
from sandbox.extensions import db
from sandbox.faults import error_users
from sandbox.faults.responses import ConnectionDropped
from tests.conftest import fresh_database

HOLD_CAP = 0.2


@pytest.fixture(scope="module")
def app(world_template, tmp_path_factory):
    """The test world with a short cap on held requests."""
    with fresh_database(tmp_path_factory.mktemp("errors"), world_template) as url:
        application = create_app({"SQLALCHEMY_DATABASE_URI": url,
                                  "SANDBOX_HISTORY_MONTHS": 3, "TESTING": True,
                                  "SANDBOX_FAULT_TIMEOUT_CAP": HOLD_CAP})
        yield application
        with application.app_context():
            db.engine.dispose()


def token_of(client, admin, username: str, bank: str = "harborline") -> dict:
    response = client.post(f"/sandbox/banks/{bank}/tokens", json={"username": username},
                           headers=admin)
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.mark.parametrize("bank", [bank["id"] for bank in catalog.banks()])
def test_every_error_user_exists_at_every_bank(client, admin, bank):
    for user in error_users.load():
        assert token_of(client, admin, user["username"], bank)


@pytest.mark.parametrize(
    ("username", "status", "retry_after"),
    [("user_error_401", 401, None), ("user_error_403", 403, None),
     ("user_error_429", 429, "30"), ("user_error_500", 500, None),
     ("user_error_503", 503, "60"), ("user_error_timeout", 504, None)],
)
def test_every_data_call_of_an_error_user_fails(client, admin, username, status, retry_after):
    headers = token_of(client, admin, username)

    for path in ("/banks/harborline/v1/accounts", "/banks/harborline/v1/identity"):
        response = client.get(path, headers=headers)
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"
        assert response.headers.get("Retry-After") == retry_after


def test_the_drop_user_loses_the_connection(client, admin):
    with pytest.raises(ConnectionDropped):
        client.get("/banks/harborline/v1/accounts",
                   headers=token_of(client, admin, "user_error_drop"))


def test_the_slow_user_gets_real_answers(client, admin):
    response = client.get("/banks/harborline/v1/accounts",
                          headers=token_of(client, admin, "user_error_slow"))

    assert response.status_code == 200
    assert response.json["data"]


def test_other_users_are_not_affected(client, admin):
    response = client.get("/banks/harborline/v1/accounts",
                          headers=token_of(client, admin, "user_good"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("username", "status", "text"),
    [("user_error_login_500", 500, "Something went wrong"),
     ("user_error_login_503", 503, "Down for maintenance")],
)
def test_login_error_users_get_the_banks_error_page(client, username, status, text):
    response = client.post("/banks/juniper/authorize", headers={"Accept": "text/html"},
                           data={"username": username, "password": "pass_good",
                                 "step": "login"})

    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert text in response.get_data(as_text=True)
    assert response.headers.get("Retry-After") == ("120" if status == 503 else None)
