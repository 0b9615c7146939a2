"""The fast path's tricks, by what they answer: prepared statements answer exactly what
``Connection.execute`` answers, types included; parsed query strings are remembered without
changing an answer; a read's access-log entry is committed before its answer leaves, and a
view that raises logs nothing."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import marshmallow as ma
import pytest
import sqlalchemy as sa
from werkzeug.exceptions import UnprocessableEntity

from sandbox import clock, fastpath, unit_of_work
from sandbox.database import DATA_ENGINE
from sandbox.extensions import db
from sandbox.fastpath import Prepared, QueryParser
from sandbox.models import AccessLogEntry, Transaction
from sandbox.oauth.minting import mint_token
from sandbox.services import access_log


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


class CountingQuery(ma.Schema):
    """A query schema that counts how often it validates."""

    loads = 0
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 100))
    status = ma.fields.List(ma.fields.String())

    @ma.pre_load
    def count(self, data, **_kwargs):
        type(self).loads += 1
        return data


def test_a_repeated_query_string_is_validated_once_and_each_caller_gets_its_own_copy(app):
    parser, CountingQuery.loads = QueryParser(), 0
    schema = CountingQuery()
    with app.test_request_context("/?limit=5&status=posted"):
        first = parser.parse(schema, location="query")
        first["limit"] = 99
        second = parser.parse(schema, location="query")

    assert second == {"limit": 5, "status": ["posted"]}
    assert CountingQuery.loads == 1


def test_a_query_string_that_fails_is_refused_every_time(app):
    parser, schema = QueryParser(), CountingQuery()
    for _ in range(2):
        with app.test_request_context("/?limit=0"), pytest.raises(UnprocessableEntity):
            parser.parse(schema, location="query")


def test_the_parser_forgets_the_least_recently_used_query_strings(app, monkeypatch):
    monkeypatch.setattr(QueryParser, "CAPACITY", 3)
    parser, schema, CountingQuery.loads = QueryParser(), CountingQuery(), 0

    def parse(query: str) -> None:
        with app.test_request_context(f"/?{query}"):
            parser.parse(schema, location="query")

    for limit in (1, 2, 3, 1, 4):  # 2 is now the least recently used, and is dropped
        parse(f"limit={limit}")
    assert CountingQuery.loads == 4
    parse("limit=1")
    assert CountingQuery.loads == 4
    parse("limit=2")
    assert CountingQuery.loads == 5


def _entries(url: str, consent_id: str) -> int:
    """Access-log entries of ``consent_id``, counted on a connection of an engine of its own
    (not the app's, so only what was committed is seen)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(AccessLogEntry)
                                     .where(AccessLogEntry.consent_id == consent_id))
    finally:
        engine.dispose()


def test_a_read_is_in_the_access_log_once_its_answer_is_back(app, client):
    with app.app_context(), unit_of_work.transaction() as session:
        minted = mint_token(session, "harborline", "demo-app", "user_good", "accounts",
                            None, now=clock.now())
    url, consent = app.config["SQLALCHEMY_DATABASE_URI"], minted["consent_id"]

    counts = []
    for _ in range(3):
        answer = client.get("/banks/harborline/v1/accounts",
                            headers={"Authorization": f"Bearer {minted['access_token']}"})
        assert answer.status_code == 200
        counts.append(_entries(url, consent))

    assert counts == [1, 2, 3]


def test_a_view_that_raises_logs_nothing(app):
    values = {"bank_id": "harborline", "client_id": "demo-app", "customer_id": "cus_x",
              "consent_id": "cns_raised", "resource": "accounts", "resource_id": None,
              "path": "/banks/harborline/v1/accounts",
              "at": datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)}
    with app.test_request_context("/banks/harborline/v1/accounts"):
        fastpath.write_with_commit(access_log.INSERT, values)
        fastpath.abandon()
        fastpath.commit(app.response_class())
    with app.test_request_context("/banks/harborline/v1/accounts"):
        fastpath.write_with_commit(access_log.INSERT, {**values, "consent_id": "cns_returned"})
        fastpath.commit(app.response_class())
        fastpath.close_connection()

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert (_entries(url, "cns_raised"), _entries(url, "cns_returned")) == (0, 1)


@pytest.mark.postgres_only(reason="the server closes the connections: PostgreSQL's "
                                  "pg_terminate_backend")
def test_reads_go_on_when_the_server_closed_every_pooled_connection(app, client):
    """The data engine does not ping on check-out: a read that finds its pooled connection
    closed (a restart, an idle timeout) runs again on a fresh one, and nobody sees it."""
    with app.app_context(), unit_of_work.transaction() as session:
        minted = mint_token(session, "harborline", "demo-app", "user_good", "accounts",
                            None, now=clock.now())
    headers = {"Authorization": f"Bearer {minted['access_token']}"}
    engine = app.extensions[DATA_ENGINE]
    held = [engine.connect() for _ in range(3)]
    pooled = {connection.connection.dbapi_connection.info.backend_pid for connection in held}
    for connection in held:
        connection.close()
    assert client.get("/banks/harborline/v1/accounts", headers=headers).status_code == 200

    killer = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
    with killer.connect() as connection:
        killed = connection.scalars(
            sa.select(sa.func.pg_terminate_backend(sa.column("pid")))
            .select_from(sa.table("pg_stat_activity"))
            .where(sa.column("pid").in_(pooled))).all()
    killer.dispose()
    answers = [client.get("/banks/harborline/v1/accounts", headers=headers) for _ in range(4)]
    unauthenticated = client.get("/banks/harborline/v1/accounts")

    assert killed and all(killed)
    assert [answer.status_code for answer in answers] == [200] * 4
    assert unauthenticated.status_code == 401
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection.info.backend_pid not in pooled
