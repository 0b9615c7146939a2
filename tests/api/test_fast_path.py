"""The fast read path: the JSON it stores and splices is exactly the documented shape of every
resource, and no change of a transaction, whoever makes it and however, is hidden by JSON
stored before it."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from sandbox.api.accounts.schemas import AccountListSchema, AccountSchema, BalancesSchema
from sandbox.api.identity.schemas import IdentitySchema
from sandbox.api.receipts.schemas import ReceiptPageSchema, ReceiptSchema
from sandbox.api.shipments.schemas import ShipmentPageSchema, ShipmentSchema
from sandbox.api.transactions.schemas import TransactionPageSchema, TransactionSchema
from sandbox.database import DATA_ENGINE
from sandbox.extensions import db
from sandbox.models import Transaction, TransactionJson
from sandbox.services.representation import dumps
from tests.api.conftest import bearer, customer_of

BANK = "harborline"


@pytest.fixture(scope="module")
def token(mint):
    return mint(BANK, "user_good")


@pytest.fixture(scope="module")
def ids(app, token) -> dict:
    """An id of every resource kind that user_good can read."""
    client = app.test_client()
    accounts = client.get(f"/banks/{BANK}/v1/accounts", headers=bearer(token)).get_json()
    account = next(a for a in accounts["data"] if a["type"] == "credit_card")
    receipts = client.get(f"/banks/{BANK}/v1/receipts", headers=bearer(token)).get_json()
    receipt = next(r for r in receipts["data"] if r["shipments"])
    return {"account": account["id"], "transaction": receipt["transaction_id"],
            "receipt": receipt["id"], "shipment": receipt["shipments"][0]}


@pytest.mark.parametrize(("path", "schema"), [
    ("/accounts", AccountListSchema),
    ("/accounts/{account}", AccountSchema),
    ("/accounts/{account}/balances", BalancesSchema),
    ("/accounts/{account}/transactions?limit=100", TransactionPageSchema),
    ("/transactions/{transaction}", TransactionSchema),
    ("/receipts?limit=100", ReceiptPageSchema),
    ("/receipts/{receipt}", ReceiptSchema),
    ("/shipments?limit=100", ShipmentPageSchema),
    ("/shipments/{shipment}", ShipmentSchema),
    ("/identity", IdentitySchema),
])
def test_every_answer_is_byte_for_byte_its_schemas_dump(client, token, ids, path, schema):
    response = client.get(f"/banks/{BANK}/v1" + path.format(**ids), headers=bearer(token))
    text = response.get_data(as_text=True)

    assert response.status_code == 200
    assert text == dumps(schema().dump(json.loads(text)))


def _served(client, token, transaction_id: str) -> dict:
    response = client.get(f"/banks/{BANK}/v1/transactions/{transaction_id}",
                          headers=bearer(token))
    assert response.status_code == 200
    return response.get_json()


def _page_row(client, token, account_id: str, transaction_id: str) -> dict:
    page = client.get(f"/banks/{BANK}/v1/accounts/{account_id}/transactions?limit=100",
                      headers=bearer(token)).get_json()
    return next(row for row in page["data"] if row["id"] == transaction_id)


def _stored(app, transaction_ids: list[str]) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(TransactionJson.transaction_id).where(
            TransactionJson.transaction_id.in_(transaction_ids))))


def _orm_change(transaction_id: str, description: str) -> None:
    db.session.get(Transaction, transaction_id).description = description


def _core_change(transaction_id: str, description: str) -> None:
    table = Transaction.__table__
    db.session.connection().execute(
        sa.update(table).where(table.c.id == sa.bindparam("row_id"))
        .values(description=sa.bindparam("text")),
        [{"row_id": transaction_id, "text": description}])


def _replace(transaction_id: str, description: str) -> None:
    table = Transaction.__table__
    row = dict(db.session.connection().execute(
        sa.select(table).where(table.c.id == transaction_id)).mappings().one())
    db.session.execute(sa.delete(Transaction).where(Transaction.id == transaction_id))
    db.session.connection().execute(sa.insert(table), [{**row, "description": description}])


@pytest.mark.parametrize(("change",), [(_orm_change,), (_core_change,), (_replace,)])
def test_a_transaction_changed_in_place_is_served_as_it_now_is(app, client, token, world,
                                                                change):
    account = next(a for a in customer_of(world, BANK, "user_good")["accounts"]
                   if a["type"] == "checking")
    row = account["transactions"][3]
    _served(client, token, row["id"])
    _page_row(client, token, account["id"], row["id"])
    assert _stored(app, [row["id"]]) == {row["id"]}
    description = f"CHANGED BY {change.__name__.upper()}"

    with app.app_context():
        change(row["id"], description)
        db.session.commit()

    assert _stored(app, [row["id"]]) == set()
    assert _served(client, token, row["id"])["description"] == description
    assert _page_row(client, token, account["id"], row["id"])["description"] == description


@pytest.mark.sqlite_only(reason="counts statements with SQLite's trace callback; PostgreSQL is "
                                "sent the same statements")
def test_a_page_of_transactions_is_three_statements(app, client, token, ids):
    """The token's grant (with the bank's page size and the fault state), the page, the
    access-log entry: on PostgreSQL each statement is a round trip."""
    url = f"/banks/{BANK}/v1/accounts/{ids['account']}/transactions?limit=50"
    client.get(url, headers=bearer(token))  # stores the page's JSON
    statements: list[str] = []

    def trace(dbapi_connection, _record) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    with app.app_context():
        engines = (db.engine, app.extensions[DATA_ENGINE])
    for engine in engines:
        engine.dispose()
        sa.event.listen(engine, "connect", trace)
    try:
        answer = client.get(url, headers=bearer(token))
    finally:
        for engine in engines:
            sa.event.remove(engine, "connect", trace)
            engine.dispose()

    sent = [statement for statement in statements if not statement.startswith("PRAGMA")]
    assert answer.status_code == 200 and len(answer.get_json()["data"]) == 50
    assert [statement.split(None, 1)[0] for statement in sent] == ["SELECT", "SELECT", "INSERT"]
    assert "FROM oauth_tokens" in sent[0] and "banks.settings" in sent[0]
    assert "FROM transactions" in sent[1]
    assert sent[2].startswith("INSERT INTO access_log")
