"""Concurrent duplicates across two gunicorn workers: exactly one effect, one answer."""
import base64
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import requests

BANK = "harborline"
RACERS = 8


def client_token(base: str) -> str:
    basic = base64.b64encode(b"demo-app:demo-secret").decode()
    answer = requests.post(f"{base}/banks/{BANK}/token", data={"grant_type": "client_credentials"},
                           headers={"Authorization": f"Basic {basic}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def race(requests_to_send) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(lambda send: send(), requests_to_send))


def test_raced_duplicates_subscribe_once(live_server):
    token = client_token(live_server)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "race-subscribe"}
    body = {"url": "https://bot.example/raced", "events": ["card.locked"]}
    url = f"{live_server}/banks/{BANK}/v1/webhooks"

    def send():
        return requests.post(url, json=body, headers=headers, timeout=30)

    answers = race([send] * RACERS)
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    listed = requests.get(url, headers=headers, timeout=10).json()["data"]
    assert [hook["url"] for hook in listed].count("https://bot.example/raced") == 1



def test_raced_duplicate_transfers_move_money_once(app, live_server):
    import sqlalchemy as sa

    from sandbox.extensions import db
    from sandbox.models import Account, Customer
    from sandbox import clock, unit_of_work
    from sandbox.oauth.minting import mint_token

    with app.app_context():
        with unit_of_work.transaction() as session:
            token = mint_token(session, BANK, "demo-app", "user_good",
                               "accounts balances manage", now=clock.now())
        owned = dict(db.session.execute(
            sa.select(Account.type, Account.id).join(Customer, Customer.id == Account.customer_id)
            .where(Customer.bank_id == BANK, Customer.username == "user_good",
                   Account.type.in_(["checking", "savings"]))).all())
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    balances = f"{live_server}/banks/{BANK}/v1/accounts/{owned['checking']}/balances"
    before = Decimal(requests.get(balances, headers=auth, timeout=10).json()["current"])
    body = {"from_account_id": owned["checking"], "to_account_id": owned["savings"],
            "amount": "3.00"}

    def send(key: str):
        return lambda: requests.post(f"{live_server}/banks/{BANK}/v1/transfers", json=body,
                                     headers={**auth, "Idempotency-Key": key}, timeout=30)

    answers = race([send("race-transfer")] * RACERS + [send("other-transfer")])
    assert {answer.status_code for answer in answers} == {201}, [a.text for a in answers]
    assert len({answer.json()["id"] for answer in answers[:RACERS]}) == 1
    assert answers[-1].json()["id"] != answers[0].json()["id"]
    after = Decimal(requests.get(balances, headers=auth, timeout=10).json()["current"])
    assert after == before - Decimal("6.00"), "one effect per key"
