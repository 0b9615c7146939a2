"""Prepared statements answer exactly what ``Connection.execute`` answers, types included."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import AccessLogEntry, Transaction
from sandbox.fastpath import Prepared


def test_a_prepared_select_reads_what_execute_reads(app):
    statement = (sa.select(Transaction.id, Transaction.amount, Transaction.authorized_at,
                           Transaction.posted_at, Transaction.running_balance)
                 .where(Transaction.amount < sa.bindparam("below", type_=Transaction.amount.type))
                 .order_by(Transaction.authorized_at.desc(), Transaction.id.desc()).limit(25))
    prepared = Prepared(statement)
    with app.app_context():
        connection = db.engine.connect()
        expected = [tuple(row) for row in connection.execute(statement, {"below": Decimal("-20")})]
        rows = prepared.rows(connection, {"below": Decimal("-20")})
        first = prepared.first(connection, {"below": Decimal("-20")})
        connection.close()

    assert len(expected) == 25
    assert rows == expected
    assert isinstance(rows[0][1], Decimal) and rows[0][2].tzinfo is not None
    assert first.id == expected[0][0] and first.amount == expected[0][1]


def test_a_prepared_insert_writes_the_row_execute_would_write(app):
    at = datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)
    values = {"bank_id": "harborline", "client_id": "demo-app", "customer_id": "cus_x",
              "consent_id": "cns_prepared", "resource": "accounts", "resource_id": None,
              "path": "/banks/harborline/v1/accounts", "at": at}
    insert = Prepared(sa.insert(AccessLogEntry).values(
        {name: sa.bindparam(name, type_=AccessLogEntry.__table__.c[name].type) for name in values}))
    with app.app_context():
        connection = db.engine.connect()
        insert.execute(connection, values)
        connection.commit()
        connection.connection.commit()
        connection.close()
        stored = db.session.scalars(sa.select(AccessLogEntry)
                                    .where(AccessLogEntry.consent_id == "cns_prepared")).one()

    assert (stored.bank_id, stored.path, stored.at, stored.resource_id) == \
        ("harborline", values["path"], at, None)
