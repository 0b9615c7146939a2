"""Account management with the ``manage`` scope, and ``Idempotency-Key`` on its POSTs."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

BANK = "harborline"


def bearer(token: dict, **headers) -> dict:
    return {"Authorization": f"Bearer {token['access_token']}", **headers}


def accounts_of(kit, token: dict) -> dict[str, dict]:
    """The consent's accounts by type: ``{type: {id, balance}}`` (first of each type)."""
    from sandbox.extensions import db
    from sandbox.models import Account, Consent

    with kit.app.app_context():
        consent = db.session.get(Consent, token["consent_id"])
        found: dict[str, dict] = {}
        for account in db.session.scalars(sa.select(Account).where(
                Account.id.in_(consent.account_ids)).order_by(Account.position)):
            found.setdefault(account.type, {"id": account.id,
                                            "balance": account.current_balance,
                                            "status": account.status})
        return found


def test_lock_and_unlock_answer_the_card_state(kit):
    token = kit.customer_token("accounts manage")
    checking = accounts_of(kit, token)["checking"]["id"]
    url = f"/banks/{BANK}/v1/accounts/{checking}/card"
    for action, state in (("lock", "locked"), ("lock", "locked"), ("unlock", "unlocked")):
        answer = kit.client.post(f"{url}/{action}", headers=bearer(token))
        assert answer.status_code == 200
        assert answer.json == {"account_id": checking, "status": state}


def test_accounts_without_a_card_cannot_be_locked(kit):
    token = kit.customer_token("accounts manage")
    savings = accounts_of(kit, token)["savings"]["id"]
    answer = kit.client.post(f"/banks/{BANK}/v1/accounts/{savings}/card/lock",
                             headers=bearer(token))
    assert answer.status_code == 409
    assert "no card" in answer.json["detail"]


@pytest.mark.parametrize(("scope", "status"), [
    ("accounts", 403),
    ("accounts manage", 200),
])
def test_needs_the_manage_scope(kit, scope, status):
    token = kit.customer_token(scope)
    checking = accounts_of(kit, token)["checking"]["id"]
    answer = kit.client.post(f"/banks/{BANK}/v1/accounts/{checking}/card/lock",
                             headers=bearer(token))
    assert answer.status_code == status


def test_accounts_outside_the_consent_are_unknown(kit):
    everything = kit.customer_token("accounts manage")
    checking = accounts_of(kit, everything)["checking"]["id"]
    savings = accounts_of(kit, everything)["savings"]["id"]
    narrow = kit.customer_token("accounts manage", account_ids=[savings])
    answer = kit.client.post(f"/banks/{BANK}/v1/accounts/{checking}/card/lock",
                             headers=bearer(narrow))
    assert answer.status_code == 404
    other = kit.customer_token("accounts manage", username="user_new")
    stranger = kit.client.put(f"/banks/{BANK}/v1/accounts/{checking}/alerts",
                              json={"low_balance_threshold": "10.00"}, headers=bearer(other))
    assert stranger.status_code == 404


@pytest.mark.parametrize(("threshold", "status", "stored"), [
    ("100.00", 200, "100.00"),
    ("0", 200, "0.00"),
    (None, 200, None),
    ("-5.00", 422, None),
    ("12.345", 422, None),
    ("lots", 422, None),
])
def test_low_balance_alert(kit, threshold, status, stored):
    token = kit.customer_token("accounts manage")
    checking = accounts_of(kit, token)["checking"]["id"]
    answer = kit.client.put(f"/banks/{BANK}/v1/accounts/{checking}/alerts",
                            json={"low_balance_threshold": threshold}, headers=bearer(token))
    assert answer.status_code == status, answer.json
    if status == 200:
        assert answer.json == {"account_id": checking, "currency": "USD",
                               "low_balance_threshold": stored}
    else:
        assert answer.json["errors"][0]["path"] == "low_balance_threshold"


def test_idempotent_post_replays_without_a_second_effect(kit, receiver):
    kit.subscribe(receiver.url, ["card.locked", "card.unlocked"])
    token = kit.customer_token("accounts manage")
    checking = accounts_of(kit, token)["checking"]["id"]
    url = f"/banks/{BANK}/v1/accounts/{checking}/card"
    lock = bearer(token, **{"Idempotency-Key": "lock-1"})
    first = kit.client.post(f"{url}/lock", headers=lock)
    kit.client.post(f"{url}/unlock", headers=bearer(token))
    again = kit.client.post(f"{url}/lock", headers=lock)
    assert again.status_code == first.status_code == 200
    assert again.json == first.json == {"account_id": checking, "status": "locked"}
    assert again.headers["Idempotent-Replayed"] == "true"
    state = kit.client.post(f"{url}/unlock", headers=bearer(token))
    assert state.json["status"] == "unlocked", "the replay must not have locked the card"
    kit.deliver()
    assert [event["type"] for event in receiver.events()] == ["card.locked", "card.unlocked"]


def test_same_key_with_another_request_is_refused(kit):
    token = kit.customer_token("accounts manage")
    checking = accounts_of(kit, token)["checking"]["id"]
    url = f"/banks/{BANK}/v1/accounts/{checking}/card"
    headers = bearer(token, **{"Idempotency-Key": "reused"})
    assert kit.client.post(f"{url}/lock", headers=headers).status_code == 200
    other = kit.client.post(f"{url}/unlock", headers=headers)
    assert other.status_code == 422
    assert other.json["errors"][0]["path"] == "Idempotency-Key"


def test_keys_last_a_day_of_sandbox_time(kit):
    token = kit.customer_token("accounts manage")
    checking = accounts_of(kit, token)["checking"]["id"]
    url = f"/banks/{BANK}/v1/accounts/{checking}/card"
    headers = bearer(token, **{"Idempotency-Key": "daily"})
    assert kit.client.post(f"{url}/lock", headers=headers).status_code == 200
    kit.advance(hours=25)
    fresh = kit.customer_token("accounts manage")
    reused = kit.client.post(f"{url}/unlock", headers=bearer(fresh, **{"Idempotency-Key": "daily"}))
    assert reused.status_code == 200
    assert "Idempotent-Replayed" not in reused.headers
    assert reused.json["status"] == "unlocked"


@pytest.mark.parametrize("key", ["", "k" * 65, "tab\there"])
def test_malformed_keys_are_refused(kit, key):
    token = kit.customer_token("accounts manage")
    checking = accounts_of(kit, token)["checking"]["id"]
    answer = kit.client.post(f"/banks/{BANK}/v1/accounts/{checking}/card/lock",
                             headers=bearer(token, **{"Idempotency-Key": key}))
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"


def test_nickname(kit):
    token = kit.customer_token("accounts manage")
    checking = accounts_of(kit, token)["checking"]["id"]
    url = f"/banks/{BANK}/v1/accounts/{checking}"
    named = kit.client.patch(url, json={"nickname": "  Bills  "}, headers=bearer(token))
    assert named.status_code == 200, named.json
    assert named.json["nickname"] == "Bills"
    assert named.json["id"] == checking
    too_long = kit.client.patch(url, json={"nickname": "x" * 61}, headers=bearer(token))
    assert too_long.status_code == 422
    cleared = kit.client.patch(url, json={"nickname": None}, headers=bearer(token))
    assert cleared.json["nickname"] is None
    reader = kit.customer_token("accounts")
    assert kit.client.patch(url, json={"nickname": "x"}, headers=bearer(reader)).status_code == 403


def balances(kit, token: dict, account_id: str) -> dict:
    answer = kit.client.get(f"/banks/{BANK}/v1/accounts/{account_id}/balances",
                            headers=bearer(token))
    assert answer.status_code == 200, answer.json
    return answer.json


def transfer(kit, token: dict, body: dict, **headers):
    return kit.client.post(f"/banks/{BANK}/v1/transfers", json=body,
                           headers=bearer(token, **headers))


def test_transfer_between_own_accounts(kit, receiver):
    kit.subscribe(receiver.url, ["transaction.created"])
    token = kit.customer_token("accounts balances transactions manage")
    mine = accounts_of(kit, token)
    checking, savings = mine["checking"]["id"], mine["savings"]["id"]
    before = {a: Decimal(balances(kit, token, a)["current"]) for a in (checking, savings)}
    answer = transfer(kit, token, {"from_account_id": checking, "to_account_id": savings,
                                   "amount": "25.10", "memo": "Rainy day"})
    assert answer.status_code == 201, answer.json
    moved = answer.json
    assert (moved["from_account_id"], moved["to_account_id"], moved["amount"],
            moved["status"]) == (checking, savings, "25.10", "posted")
    debit, credit = moved["transactions"]
    assert (debit["account_id"], debit["amount"], debit["counterparty_account_id"]) == \
        (checking, "-25.10", savings)
    assert (credit["account_id"], credit["amount"], credit["counterparty_account_id"]) == \
        (savings, "25.10", checking)
    assert "Rainy day" in debit["description"] and debit["channel"] == "transfer"
    after = {a: Decimal(balances(kit, token, a)["current"]) for a in (checking, savings)}
    assert after[checking] == before[checking] - Decimal("25.10")
    assert after[savings] == before[savings] + Decimal("25.10")
    assert Decimal(debit["running_balance"]) == after[checking]
    assert Decimal(credit["running_balance"]) == after[savings]
    listed = kit.client.get(f"/banks/{BANK}/v1/transactions/{debit['id']}",
                            headers=bearer(token))
    assert listed.status_code == 200 and listed.json["amount"] == "-25.10"
    kit.deliver()
    created = {event["data"]["transaction_id"] for event in receiver.events()}
    assert created == {debit["id"], credit["id"]}


def test_card_payment_lowers_the_amount_owed(kit):
    token = kit.customer_token("accounts balances manage")
    mine = accounts_of(kit, token)
    checking, card = mine["checking"]["id"], mine["credit_card"]["id"]
    owed = Decimal(balances(kit, token, card)["current"])
    answer = transfer(kit, token, {"from_account_id": checking, "to_account_id": card,
                                   "amount": "10.00"})
    assert answer.status_code == 201, answer.json
    assert Decimal(balances(kit, token, card)["current"]) == owed - Decimal("10.00")


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": "0.00"}, "amount"),
    ({"amount": "-5.00"}, "amount"),
    ({"amount": "1.001"}, "amount"),
    ({"amount": "99999999.00"}, "amount"),
    ({"to_account_id": "checking"}, "to_account_id"),
    ({"from_account_id": "credit_card"}, "from_account_id"),
    ({"to_account_id": "acct_of_someone_else"}, "to_account_id"),
    ({"memo": "m" * 141}, "memo"),
])
def test_refused_transfers_name_the_field(kit, change, field):
    token = kit.customer_token("accounts balances manage")
    mine = accounts_of(kit, token)
    body = {"from_account_id": mine["checking"]["id"], "to_account_id": mine["savings"]["id"],
            "amount": "5.00"}
    for key, value in change.items():
        body[key] = mine[value]["id"] if value in mine else value
    before = balances(kit, token, mine["checking"]["id"])["current"]
    answer = transfer(kit, token, body)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert [error["path"] for error in answer.json["errors"]] == [field]
    assert balances(kit, token, mine["checking"]["id"])["current"] == before


def test_closed_accounts_cannot_take_part(kit):
    from sandbox.extensions import db
    from sandbox.models import Account

    token = kit.customer_token("accounts balances manage")
    mine = accounts_of(kit, token)
    savings = mine["savings"]["id"]
    with kit.app.app_context():
        db.session.get(Account, savings).status = "closed"
        db.session.commit()
    try:
        answer = transfer(kit, token, {"from_account_id": mine["checking"]["id"],
                                       "to_account_id": savings, "amount": "5.00"})
    finally:
        with kit.app.app_context():
            db.session.get(Account, savings).status = "open"
            db.session.commit()
    assert answer.status_code == 422
    assert answer.json["errors"][0]["path"] == "to_account_id"
    assert "closed" in answer.json["detail"]


def test_repeated_transfer_moves_money_once(kit):
    token = kit.customer_token("accounts balances manage")
    mine = accounts_of(kit, token)
    checking, savings = mine["checking"]["id"], mine["savings"]["id"]
    body = {"from_account_id": checking, "to_account_id": savings, "amount": "7.00"}
    before = Decimal(balances(kit, token, checking)["current"])
    first = transfer(kit, token, body, **{"Idempotency-Key": "rent-2026-03"})
    second = transfer(kit, token, dict(reversed(body.items())),
                      **{"Idempotency-Key": "rent-2026-03"})
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert Decimal(balances(kit, token, checking)["current"]) == before - Decimal("7.00")
    other = transfer(kit, token, {**body, "amount": "8.00"}, **{"Idempotency-Key": "rent-2026-03"})
    assert other.status_code == 422


def test_refused_request_frees_its_key(kit):
    token = kit.customer_token("accounts balances manage")
    mine = accounts_of(kit, token)
    body = {"from_account_id": mine["checking"]["id"], "to_account_id": mine["savings"]["id"],
            "amount": "99999999.00"}
    headers = {"Idempotency-Key": "try-again"}
    assert transfer(kit, token, body, **headers).status_code == 422
    assert transfer(kit, token, {**body, "amount": "1.00"}, **headers).status_code == 201


def test_locked_card_declines_purchases_instead_of_posting_them(kit):
    from sandbox import clock
    from sandbox.extensions import db
    from sandbox.models import Account, DeclinedAuthorization, Transaction
    from sandbox.services import manage

    token = kit.customer_token("accounts manage")
    checking = accounts_of(kit, token)["checking"]["id"]
    kit.client.post(f"/banks/{BANK}/v1/accounts/{checking}/card/lock", headers=bearer(token))
    with kit.app.app_context():
        account = db.session.get(Account, checking)
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)
                                  .where(Transaction.account_id == checking))
        assert manage.declines_purchases(account)
        declined = manage.decline(db.session, account, amount=Decimal("-12.50"),
                                  description="CORNER CAFE", channel="in_store",
                                  attempted_at=clock.now())
        db.session.commit()
        stored = db.session.get(DeclinedAuthorization, declined.id)
        assert (stored.amount, stored.reason) == (Decimal("-12.50"), "card_locked")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)
                                 .where(Transaction.account_id == checking)) == count
    kit.client.post(f"/banks/{BANK}/v1/accounts/{checking}/card/unlock", headers=bearer(token))
    with kit.app.app_context():
        assert not manage.declines_purchases(db.session.get(Account, checking))
