"""Events raised where their causes happen (the clock catching the world up, injected
transactions, a revoked consent), locked cards declining purchases, and transaction JSON that
follows the rows it was cached from."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

BANK = "harborline"
ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}
TRANSACTION_EVENTS = ["transaction.created", "transaction.posted"]
CARD_CHANNELS = ("in_store", "online")


def bearer(token: dict) -> dict:
    return {"Authorization": f"Bearer {token['access_token']}"}


def instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def advance(kit, duration: str) -> None:
    """Move the sandbox clock through the control plane (the world catches up)."""
    answer = kit.client.post("/sandbox/clock", json={"advance": duration}, headers=ADMIN)
    assert answer.status_code == 200, answer.get_data(as_text=True)


def deliver_all(kit, receiver) -> list[dict]:
    """Run the delivery worker until the outbox is empty; the events received."""
    while kit.deliver():
        pass
    return receiver.events()


def owned(kit, username: str = "user_good") -> dict[str, str]:
    """The customer's account ids by type (the first of each type)."""
    from sandbox.extensions import db
    from sandbox.models import Account, Customer

    with kit.app.app_context():
        rows = db.session.execute(
            sa.select(Account.type, Account.id).join(Customer, Customer.id == Account.customer_id)
            .where(Customer.bank_id == BANK, Customer.username == username)
            .order_by(Account.position.desc())).all()
    return dict(rows)


def inject(kit, account_id: str, *transactions: dict) -> dict:
    answer = kit.client.post(f"/sandbox/banks/{BANK}/accounts/{account_id}/transactions",
                             json={"transactions": list(transactions)}, headers=ADMIN)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.json


def transactions_of(kit, token: dict, account_id: str, **query) -> dict[str, dict]:
    """The account's transactions as the data API shows them, by id."""
    answer = kit.client.get(f"/banks/{BANK}/v1/accounts/{account_id}/transactions",
                            query_string=query, headers=bearer(token))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {row["id"]: row for row in answer.json["data"]}


def ids_where(kit, *conditions) -> list[str]:
    from sandbox.extensions import db
    from sandbox.models import Transaction

    with kit.app.app_context():
        return sorted(db.session.scalars(sa.select(Transaction.id).where(*conditions)))


def test_advancing_the_clock_announces_activity_of_consented_accounts_only(kit, receiver):
    from sandbox.models import Account, Customer, Transaction

    kit.subscribe(receiver.url, TRANSACTION_EVENTS)
    checking = owned(kit)["checking"]
    token = kit.customer_token("accounts transactions", account_ids=[checking])
    before = kit.now()
    advance(kit, "P1D")
    events = deliver_all(kit, receiver)

    created = ids_where(kit, Transaction.account_id == checking,
                        Transaction.authorized_at > before)
    posted = ids_where(kit, Transaction.account_id == checking, Transaction.posted_at > before)
    bank_accounts = sa.select(Account.id).join(Customer).where(Customer.bank_id == BANK)
    elsewhere = ids_where(kit, Transaction.account_id != checking,
                          Transaction.account_id.in_(bank_accounts),
                          Transaction.authorized_at > before)
    assert created and posted and elsewhere
    announced = {kind: sorted(e["data"]["transaction_id"] for e in events if e["type"] == kind)
                 for kind in TRANSACTION_EVENTS}
    assert announced == {"transaction.created": created, "transaction.posted": posted}
    assert {(e["consent_id"], e["data"]["account_id"]) for e in events} == \
        {(token["consent_id"], checking)}
    shown = next(e for e in events if e["type"] == "transaction.posted")["data"]["transaction"]
    assert shown["status"] == "posted" and shown["running_balance"] is not None


def test_injected_transactions_are_announced(kit, receiver):
    kit.subscribe(receiver.url, TRANSACTION_EVENTS)
    checking = owned(kit)["checking"]
    kit.customer_token("transactions")
    injected = inject(kit, checking,
                      {"amount": "-42.17", "description": "CORNER CAFE", "status": "pending"},
                      {"amount": "2500.00", "description": "PAYROLL"})
    pending, posted = injected["transaction_ids"]
    events = deliver_all(kit, receiver)
    assert sorted((e["type"], e["data"]["transaction_id"]) for e in events) == sorted([
        ("transaction.created", pending), ("transaction.created", posted),
        ("transaction.posted", posted)])


def test_revoking_a_consent_writes_its_event_at_once_and_once(kit, receiver):
    from sandbox.extensions import db
    from sandbox.models import WebhookDelivery

    kit.subscribe(receiver.url, ["consent.revoked"])
    token = kit.customer_token("accounts")
    url = f"/banks/{BANK}/consents/{token['consent_id']}"
    client_auth = {"Authorization": f"Bearer {kit.client_token()}"}
    assert kit.client.delete(url, headers=client_auth).status_code == 204
    with kit.app.app_context():
        queued = db.session.scalars(sa.select(WebhookDelivery.event_type).where(
            WebhookDelivery.consent_id == token["consent_id"])).all()
    assert queued == ["consent.revoked"], "written by the revoking transaction, not the sweep"
    assert kit.client.delete(url, headers=client_auth).status_code == 204
    deliver_all(kit, receiver)
    assert [(e["type"], e["data"]["consent_id"]) for e in deliver_all(kit, receiver)] == \
        [("consent.revoked", token["consent_id"])], "the worker's sweep must not send it again"


def test_locked_card_declines_the_purchases_the_world_generates(kit, receiver):
    from sandbox.extensions import db
    from sandbox.models import Account, DeclinedAuthorization, Receipt, Transaction

    kit.subscribe(receiver.url, ["transaction.created"])
    checking = owned(kit)["checking"]
    token = kit.customer_token("accounts transactions manage", account_ids=[checking])
    locked = kit.client.post(f"/banks/{BANK}/v1/accounts/{checking}/card/lock",
                             headers=bearer(token))
    assert locked.json["status"] == "locked"
    before = kit.now()
    advance(kit, "P2D")
    events = deliver_all(kit, receiver)

    with kit.app.app_context():
        declined = db.session.scalars(sa.select(DeclinedAuthorization).where(
            DeclinedAuthorization.account_id == checking,
            DeclinedAuthorization.attempted_at > before)).all()
        suffixes = [row.id.split("_", 1)[1] for row in declined]
        leftovers = db.session.scalar(sa.select(sa.func.count()).select_from(Transaction).where(
            Transaction.id.in_([f"txn_{s}" for s in suffixes])))
        receipts = db.session.scalar(sa.select(sa.func.count()).select_from(Receipt).where(
            Receipt.transaction_id.in_([f"txn_{s}" for s in suffixes])))
        still_locked = db.session.get(Account, checking).card_locked
    purchases = ids_where(kit, Transaction.account_id == checking,
                          Transaction.authorized_at > before,
                          Transaction.channel.in_(CARD_CHANNELS), Transaction.amount < 0)
    assert declined and purchases == []
    assert {(row.reason, row.channel in CARD_CHANNELS, row.amount < 0) for row in declined} == \
        {("card_locked", True, True)}
    assert (leftovers, receipts, still_locked) == (0, 0, True)
    announced = {e["data"]["transaction_id"] for e in events}
    assert not announced & {f"txn_{s}" for s in suffixes}


def test_locked_card_declines_injected_purchases(kit):
    from sandbox.extensions import db
    from sandbox.models import Receipt

    def receipts() -> int:
        with kit.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)
                                     .where(Receipt.account_id == checking))

    checking = owned(kit)["checking"]
    token = kit.customer_token("accounts balances manage", account_ids=[checking])
    headers = bearer(token)
    kit.client.post(f"/banks/{BANK}/v1/accounts/{checking}/card/lock", headers=headers)
    balance = kit.client.get(f"/banks/{BANK}/v1/accounts/{checking}/balances",
                             headers=headers).json["current"]
    receipts_before = receipts()
    injected = inject(kit, checking,
                      {"amount": "-19.99", "merchant": {"id": "mch_circuitden"},
                       "receipt": {"line_items": [{"description": "USB cable",
                                                   "unit_price": "19.99"}]}},
                      {"amount": "100.00", "description": "MOBILE CHECK DEPOSIT",
                       "channel": "check"})
    assert len(injected["transaction_ids"]) == 1
    [declined] = injected["declined"]
    assert (declined["index"], declined["amount"], declined["reason"]) == \
        (0, "-19.99", "card_locked")
    assert Decimal(injected["balances"]["current"]) == Decimal(balance) + Decimal("100.00")
    assert receipts() == receipts_before


def test_catching_up_below_a_threshold_raises_balance_low(kit, receiver):
    from sandbox.extensions import db
    from sandbox.models import Account
    from sandbox.services import webhooks

    kit.subscribe(receiver.url, ["balance.low"])
    thresholds: dict[str, Decimal] = {}
    for username in ("user_good", "user_mfa", "user_new", "customer_00001", "customer_00002"):
        token = kit.customer_token("accounts balances manage", username=username)
        for account_id in owned(kit, username).values():
            balances = kit.client.get(f"/banks/{BANK}/v1/accounts/{account_id}/balances",
                                      headers=bearer(token)).json
            if balances.get("available") is None or Decimal(balances["available"]) < 0:
                continue
            answer = kit.client.put(f"/banks/{BANK}/v1/accounts/{account_id}/alerts",
                                    json={"low_balance_threshold": balances["available"]},
                                    headers=bearer(token))
            assert answer.status_code == 200
            thresholds[account_id] = Decimal(balances["available"])
    assert deliver_all(kit, receiver) == [], "no account is below its threshold yet"
    advance(kit, "P1D")
    events = deliver_all(kit, receiver)

    with kit.app.app_context():
        below = sorted(account_id for account_id, threshold in thresholds.items()
                       if webhooks.watched_balance(db.session.get(Account, account_id),
                                                   now=kit.now()) < threshold)
    assert below
    assert sorted(e["data"]["account_id"] for e in events) == below
    assert all(Decimal(e["data"]["balances"]["available"]) < Decimal(
        e["data"]["low_balance_threshold"]) for e in events)


def test_cached_transactions_follow_posting(kit):
    checking = owned(kit)["checking"]
    token = kit.customer_token("accounts transactions")
    posts_at = instant(kit.now() + timedelta(minutes=10))
    [row_id] = inject(kit, checking, {"amount": "-8.25", "description": "BAKERY",
                                      "status": "pending", "posts_at": posts_at}
                      )["transaction_ids"]
    assert transactions_of(kit, token, checking)[row_id]["status"] == "pending"
    advance(kit, "PT20M")
    posted = transactions_of(kit, token, checking)[row_id]
    single = kit.client.get(f"/banks/{BANK}/v1/transactions/{row_id}",
                            headers=bearer(token)).json
    assert posted["status"] == single["status"] == "posted"
    assert posted["posted_at"] is not None and posted["running_balance"] is not None


def test_cached_running_balances_follow_a_back_dated_injection(kit):
    checking = owned(kit)["checking"]
    token = kit.customer_token("accounts transactions")
    first = transactions_of(kit, token, checking, status="posted", limit=10)
    earliest = min(datetime.fromisoformat(r["posted_at"].replace("Z", "+00:00"))
                   for r in first.values())
    inject(kit, checking, {"amount": "-10.00", "description": "FORGOTTEN FEE",
                           "authorized_at": instant(earliest - timedelta(hours=1))})
    again = transactions_of(kit, token, checking, status="posted", limit=20)
    assert {i: Decimal(again[i]["running_balance"]) for i in first} == \
        {i: Decimal(r["running_balance"]) - Decimal("10.00") for i, r in first.items()}


def test_transaction_events_respect_the_consents_transaction_window(kit, receiver):
    kit.subscribe(receiver.url, TRANSACTION_EVENTS)
    checking = owned(kit)["checking"]
    today = kit.now().date()
    kit.customer_token("transactions", account_ids=[checking],
                       transaction_to=today - timedelta(days=30))
    inside = kit.customer_token("transactions", account_ids=[checking],
                                transaction_from=today - timedelta(days=1))
    inject(kit, checking, {"amount": "-9.99", "description": "STREAMING", "status": "pending"})
    events = deliver_all(kit, receiver)
    assert [(e["type"], e["consent_id"]) for e in events] == \
        [("transaction.created", inside["consent_id"])]
