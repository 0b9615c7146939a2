"""A token reads only what its consent allows: its bank, its customer, its accounts, its
scopes and its transaction window. Everything else is refused, and ids it may not see are
answered exactly like ids that do not exist."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Consent, Token
from tests.api.conftest import ALL_SCOPES, bearer, customer_of, walk

BANK = "harborline"
UNKNOWN = "does_not_exist_0000"


@pytest.fixture(scope="module")
def good(world):
    return customer_of(world, BANK, "user_good")


@pytest.fixture(scope="module")
def other(world):
    """Another customer of the same bank."""
    return customer_of(world, BANK, "user_mfa")


def first_receipt(customer: dict) -> dict:
    return next(t["receipt"] for a in customer["accounts"] for t in a["transactions"]
                if t["receipt"] and t["receipt"]["shipments"])


def account_paths(account: dict) -> dict[str, str]:
    """One URL of each kind of resource of ``account``."""
    return {
        "account": f"/accounts/{account['id']}",
        "balances": f"/accounts/{account['id']}/balances",
        "transactions": f"/accounts/{account['id']}/transactions",
        "transaction": f"/transactions/{account['transactions'][0]['id']}",
    }


def paths(customer: dict) -> dict[str, str]:
    """One URL of each kind of resource of ``customer``."""
    receipt = first_receipt(customer)
    return {**account_paths(customer["accounts"][0]), "receipt": f"/receipts/{receipt['id']}",
            "shipment": f"/shipments/{receipt['shipments'][0]['id']}"}


UNKNOWN_PATHS = {
    "account": f"/accounts/{UNKNOWN}", "balances": f"/accounts/{UNKNOWN}/balances",
    "transactions": f"/accounts/{UNKNOWN}/transactions",
    "transaction": f"/transactions/{UNKNOWN}", "receipt": f"/receipts/{UNKNOWN}",
    "shipment": f"/shipments/{UNKNOWN}",
}
KINDS = [(kind,) for kind in UNKNOWN_PATHS]


def get(client, token: str, path: str, bank: str = BANK):
    return client.get(f"/banks/{bank}/v1{path}", headers=bearer(token))


@pytest.mark.parametrize(("granted", "path", "missing"), [
    ("balances", "/accounts", "accounts"),
    ("balances", "/accounts/{account}/transactions", "transactions"),
    ("accounts", "/accounts/{account}/balances", "balances"),
    ("accounts", "/transactions/{transaction}", "transactions"),
    ("accounts transactions", "/receipts", "receipts"),
    ("accounts transactions", "/receipts/{receipt}", "receipts"),
    ("accounts", "/shipments", "shipments"),
    ("accounts", "/identity", "identity"),
    ("openid profile", "/accounts", "accounts"),
])
def test_a_scope_the_consent_lacks_is_a_403_naming_it(client, mint, good, granted, path,
                                                       missing):
    account = good["accounts"][0]
    path = path.format(account=account["id"], transaction=account["transactions"][0]["id"],
                       receipt=first_receipt(good)["id"])
    response = get(client, mint(BANK, "user_good", granted), path)
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert f"`{missing}`" in response.get_json()["detail"]
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and f'scope="{missing}"' in challenge


@pytest.mark.parametrize(("kind",), KINDS)
def test_another_customers_ids_look_exactly_like_unknown_ids(client, mint, other, kind):
    token = mint(BANK, "user_good")
    foreign = get(client, token, paths(other)[kind])
    unknown = get(client, token, UNKNOWN_PATHS[kind])
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_json() == unknown.get_json()
    assert foreign.headers.get("ETag") is None


@pytest.mark.parametrize(("kind",), [("account",), ("balances",), ("transactions",),
                                     ("transaction",)])
def test_accounts_left_out_of_the_consent_look_like_unknown_ones(client, mint, good, kind):
    first, second = good["accounts"][0], good["accounts"][1]
    token = mint(BANK, "user_good", ALL_SCOPES, [first["id"]])
    listed = get(client, token, "/accounts").get_json()["data"]
    assert [account["id"] for account in listed] == [first["id"]]
    hidden = get(client, token, account_paths(second)[kind])
    unknown = get(client, token, UNKNOWN_PATHS[kind])
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.get_json() == unknown.get_json()


def test_receipts_and_transactions_of_accounts_outside_the_consent_stay_hidden(
        client, mint, good):
    card = next(a for a in good["accounts"] if a["type"] == "credit_card")
    others = [a["id"] for a in good["accounts"] if a["id"] != card["id"]]
    token = mint(BANK, "user_good", ALL_SCOPES, others)
    receipts = walk(client, f"/banks/{BANK}/v1/receipts", token, limit=100)
    card_receipts = {t["receipt"]["id"] for t in card["transactions"] if t["receipt"]}
    assert card_receipts
    assert not card_receipts & {receipt["id"] for receipt in receipts}
    response = client.get(f"/banks/{BANK}/v1/receipts", query_string={"account_id": card["id"]},
                          headers=bearer(token))
    assert response.status_code == 404


@pytest.mark.parametrize(("kind",), KINDS)
def test_a_token_of_one_bank_opens_nothing_at_another(client, mint, world, kind):
    token = mint("juniper", "user_good")
    juniper_paths = paths(customer_of(world, "juniper", "user_good"))
    response = get(client, token, juniper_paths[kind], bank=BANK)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    own_token = mint(BANK, "user_good")
    foreign = get(client, own_token, juniper_paths[kind])
    unknown = get(client, own_token, UNKNOWN_PATHS[kind])
    assert foreign.status_code == 404
    assert foreign.get_json() == unknown.get_json()


def test_the_consents_transaction_window_bounds_what_is_visible(client, mint, good):
    start, end = date(2026, 1, 1), date(2026, 1, 31)
    token = mint(BANK, "user_good", ALL_SCOPES, transaction_from=start, transaction_to=end)

    def inside(row: dict) -> bool:
        return start.isoformat() <= row["authorized_at"][:10] <= end.isoformat()

    for account in good["accounts"]:
        rows = walk(client, f"/banks/{BANK}/v1/accounts/{account['id']}/transactions", token,
                    limit=100)
        assert [row["id"] for row in rows] == [
            row["id"] for row in sorted(account["transactions"], reverse=True,
                                        key=lambda r: (r["authorized_at"], r["id"]))
            if inside(row)]
    outside = next(row for account in good["accounts"] for row in account["transactions"]
                   if not inside(row))
    assert get(client, token, f"/transactions/{outside['id']}").status_code == 404
    receipts = walk(client, f"/banks/{BANK}/v1/receipts", token, limit=100)
    expected = {row["receipt"]["id"] for account in good["accounts"]
                for row in account["transactions"] if row["receipt"] and inside(row)}
    assert expected and {receipt["id"] for receipt in receipts} == expected


def _change(app, token: str, **changes) -> None:
    """Change the stored token (``token_*``) or its consent (``consent_*``)."""
    with app.app_context():
        row = db.session.scalar(sa.select(Token).where(Token.access_token == token))
        for name, value in changes.items():
            target, _, column = name.partition("_")
            setattr(row if target == "token" else db.session.get(Consent, row.consent_id),
                    column, value)
        db.session.commit()


@pytest.mark.parametrize(("change", "detail"), [
    ({"token_access_token_revoked_at": 1}, "revoked"),
    ({"token_issued_at": 0}, "expired"),
    ({"consent_status": "revoked"}, "no longer authorized"),
    ({"consent_status": "rejected"}, "no longer authorized"),
    ({"consent_expires_at": "past"}, "no longer authorized"),
])
def test_an_inactive_token_is_a_401_invalid_token(app, client, mint, change, detail):
    token = mint(BANK, "user_good")
    assert get(client, token, "/accounts").status_code == 200
    if change.get("consent_expires_at") == "past":
        with app.app_context():
            change = {"consent_expires_at": clock.now() - timedelta(seconds=1)}
    _change(app, token, **change)
    response = get(client, token, "/accounts")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert detail in response.get_json()["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(("headers",), [
    ({},), ({"Authorization": "Basic ZGVtby1hcHA6ZGVtby1zZWNyZXQ="},),
    ({"Authorization": "Bearer"},),
])
def test_a_request_without_a_bearer_token_gets_a_bare_challenge(client, headers):
    response = client.get(f"/banks/{BANK}/v1/accounts", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == f'Bearer realm="{BANK}"'
    assert response.get_json()["status"] == 401


def test_an_unknown_token_is_a_401_invalid_token(client):
    response = get(client, "x" * 48, "/accounts")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_client_credentials_token_reads_no_customer_data(app, client):
    with app.app_context():
        db.session.add(Token(bank_id=BANK, client_id="demo-app", token_type="Bearer",
                             access_token="client-credentials-token-0001", scope=ALL_SCOPES,
                             issued_at=int(clock.now().timestamp()), expires_in=3600))
        db.session.commit()
    response = get(client, "client-credentials-token-0001", "/accounts")
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_an_unknown_bank_is_a_404(client, mint):
    response = get(client, mint(BANK, "user_good"), "/accounts", bank="nobank")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
