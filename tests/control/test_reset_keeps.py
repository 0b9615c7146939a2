"""What ``POST /sandbox/reset`` restores and what it keeps, the same on SQLite and PostgreSQL;
a PostgreSQL reset while another server answers; the same export bytes from both engines."""
from __future__ import annotations

import base64
import io
import json
import os
import threading
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from sandbox import clock, create_app
from sandbox.extensions import db
from sandbox.services import clockctl, snapshots
from sandbox.services.export import export_world
from sandbox.services.seeding import seed_world
from sandbox.unit_of_work import transaction
from tests.conftest import TEST_AS_OF, TEST_MONTHS
from tests.pgcluster import ENV

BANK = "harborline"
WORLD = {"seed": 42, "customers": 2, "months": TEST_MONTHS, "as_of": TEST_AS_OF.isoformat()}
POSTGRES_ONLY = "PostgreSQL: runs under make test-postgres"


@pytest.fixture(scope="module")
def postgres_url():
    """A database of its own on the cluster of ``SANDBOX_TEST_POSTGRES``, dropped after."""
    maintenance = os.environ.get(ENV)
    if not maintenance:
        pytest.skip(POSTGRES_ONLY)
    name = f"reset_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(maintenance, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    yield sa.engine.make_url(maintenance).set(database=name).render_as_string(
        hide_password=False)
    with server.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    server.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine_app(request, tmp_path_factory):
    """An app over an empty database of each engine, reset to ``WORLD`` once."""
    folder = tmp_path_factory.mktemp("reset")
    url = (f"sqlite:///{folder / 'sandbox.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    application = create_app({"SQLALCHEMY_DATABASE_URI": url,
                              "SANDBOX_SNAPSHOT_DIR": str(folder / "snapshots"),
                              "SANDBOX_HISTORY_MONTHS": TEST_MONTHS, "TESTING": True})
    first = application.test_client().post("/sandbox/reset", json=WORLD,
                                           headers=admin_headers())
    assert first.status_code == 200, first.get_data(as_text=True)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def admin_headers() -> dict:
    from sandbox.config import DEFAULT_ADMIN_KEY

    return {"X-Sandbox-Admin-Key": DEFAULT_ADMIN_KEY}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def client_token(client, client_id: str, secret: str) -> requests.Response:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return client.post(f"/banks/{BANK}/token", data={"grant_type": "client_credentials"},
                       headers={"Authorization": f"Basic {basic}"})


def register(client) -> dict:
    answer = client.post(f"/banks/{BANK}/register", json={
        "client_name": "Reset survivor", "redirect_uris": ["https://bot.example/cb"],
        "grant_types": ["authorization_code", "client_credentials"],
        "token_endpoint_auth_method": "client_secret_basic", "scope": "accounts"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.json


def subscribe(client, token: str, url: str) -> dict:
    answer = client.post(f"/banks/{BANK}/v1/webhooks", headers=bearer(token),
                         json={"url": url, "events": ["transaction.created"]})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.json


def test_reset_keeps_registered_clients_and_webhook_subscriptions(engine_app):
    client = engine_app.test_client()
    registered = register(client)
    token = client_token(client, registered["client_id"], registered["client_secret"])
    theirs = subscribe(client, token.json["access_token"], "https://bot.example/hooks")
    demo = client_token(client, "demo-app", "demo-secret").json["access_token"]
    ours = subscribe(client, demo, "https://demo.example/hooks")
    minted = client.post(f"/sandbox/banks/{BANK}/tokens", headers=admin_headers(),
                         json={"username": "user_good", "scope": "accounts"}).json
    added = client.post(f"/sandbox/banks/{BANK}/customers", headers=admin_headers(),
                        json={"username": "qa_gone_after_reset"})
    assert added.status_code == 201, added.get_data(as_text=True)

    reset = client.post("/sandbox/reset", json={}, headers=admin_headers())

    assert reset.status_code == 200 and reset.json["snapshot"] is True, reset.json
    again = client_token(client, registered["client_id"], registered["client_secret"])
    assert again.status_code == 200, again.get_data(as_text=True)
    listed = client.get(f"/banks/{BANK}/v1/webhooks", headers=bearer(again.json["access_token"]))
    assert [hook["id"] for hook in listed.json["data"]] == [theirs["id"]]
    demo_again = client_token(client, "demo-app", "demo-secret").json["access_token"]
    listed = client.get(f"/banks/{BANK}/v1/webhooks", headers=bearer(demo_again))
    assert ours["id"] in [hook["id"] for hook in listed.json["data"]]
    # The world is back: QA's customer and the minted token are gone.
    assert client.get(f"/banks/{BANK}/v1/accounts",
                      headers=bearer(minted["access_token"])).status_code == 401
    retry = client.post(f"/sandbox/banks/{BANK}/customers", headers=admin_headers(),
                        json={"username": "qa_gone_after_reset"})
    assert retry.status_code == 201, retry.get_data(as_text=True)


def test_a_client_registered_after_a_reset_gets_a_fresh_id(engine_app):
    client = engine_app.test_client()
    assert client.post("/sandbox/reset", json={}, headers=admin_headers()).status_code == 200

    registered = register(client)

    token = client_token(client, registered["client_id"], registered["client_secret"])
    assert token.status_code == 200, token.get_data(as_text=True)


def test_seeding_fills_exactly_the_tables_a_reset_restores(app):
    with app.app_context():
        filled = {table.name for table in db.metadata.sorted_tables
                  if db.session.scalar(sa.select(sa.func.count()).select_from(table))}
    assert filled == set(snapshots.RESTORED)
    assert set(snapshots.KEPT) <= set(db.metadata.tables)


def test_both_engines_export_the_same_bytes(postgres_url, tmp_path):
    """Seeded (bulk paths into empty tables) and then caught up three days (into full ones)."""
    exports = []
    for url in (f"sqlite:///{tmp_path / 'sandbox.db'}", postgres_url):
        application = create_app({"SQLALCHEMY_DATABASE_URI": url,
                                  "SANDBOX_HISTORY_MONTHS": TEST_MONTHS, "TESTING": True})
        with application.app_context():
            seed_world(db.session, seed=7, customers=1, months=TEST_MONTHS, as_of=TEST_AS_OF, fresh=True)
            db.session.commit()
            with transaction() as session:
                clockctl.move(session, advance="P3D")
            out = io.StringIO()
            export_world(db.session, out, now=clock.now())
            exports.append(out.getvalue())
            db.session.remove()
            db.engine.dispose()
    assert exports[0] == exports[1]
    assert json.loads(exports[0])["seed"] == 7
    assert json.loads(exports[0])["as_of"] == "2026-03-04T12:00:00Z"


def test_postgresql_reset_keeps_another_server_ready_and_consistent(postgres_url, tmp_path):
    from sandbox.testing.server import sandbox_serve

    application = create_app({"SQLALCHEMY_DATABASE_URI": postgres_url,
                              "SANDBOX_HISTORY_MONTHS": TEST_MONTHS, "TESTING": True})
    client = application.test_client()
    assert client.post("/sandbox/reset", json=WORLD, headers=admin_headers()).status_code == 200
    with sandbox_serve(postgres_url, tmp_path / "serve", workers=1,
                       env={"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS)}) as base:
        client.post(f"/sandbox/banks/{BANK}/customers", headers=admin_headers(),
                    json={"username": "qa_changed_world"})
        statuses, done = [], threading.Event()

        def probe():
            while not done.is_set():
                statuses.append(requests.get(f"{base}/readyz", timeout=30).status_code)

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            reset = client.post("/sandbox/reset", json={}, headers=admin_headers())
        finally:
            done.set()
            prober.join()
        theirs = requests.get(f"{base}/sandbox/export", headers=admin_headers(), timeout=60)
        ours = client.get("/sandbox/export", headers=admin_headers())

    assert reset.status_code == 200 and reset.json["snapshot"] is True, reset.json
    assert statuses and set(statuses) == {200}
    assert theirs.status_code == 200
    assert theirs.text == ours.get_data(as_text=True)
    assert "qa_changed_world" not in theirs.text
    with application.app_context():
        db.engine.dispose()


def test_postgresql_reset_outlasts_a_deadlock_with_a_reader(postgres_url):
    application = create_app({"SQLALCHEMY_DATABASE_URI": postgres_url,
                              "SANDBOX_HISTORY_MONTHS": TEST_MONTHS, "TESTING": True})
    client = application.test_client()
    assert client.post("/sandbox/reset", json=WORLD, headers=admin_headers()).status_code == 200
    reader = sa.create_engine(postgres_url)
    answers = []
    with reader.connect() as connection:
        # Holds the last table the reset locks, then asks for the first one.
        connection.execute(sa.text("SELECT count(*) FROM shipments"))
        resetting = threading.Thread(target=lambda: answers.append(
            client.post("/sandbox/reset", json={}, headers=admin_headers())))
        resetting.start()
        for _ in range(300):  # until the reset waits for the lock this reader holds
            if connection.scalar(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                break
            time.sleep(0.1)
        connection.execute(sa.text("SELECT count(*) FROM banks"))
        connection.rollback()
        resetting.join()
    reader.dispose()
    assert answers[0].status_code == 200, answers[0].get_data(as_text=True)
    assert answers[0].json["snapshot"] is True
    with application.app_context():
        db.engine.dispose()
