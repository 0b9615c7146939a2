"""Finding 3 of issue 9: parallel transfers from one account on two workers cannot overdraw
it. Of six transfers of 60.00 from 100.00, exactly one succeeds, every time."""
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from sandbox.testing.admin import SandboxAdmin, http_transport

BANK = "harborline"
RACERS = 6


def customer_with_checking(admin: SandboxAdmin, username: str) -> tuple[dict, str, str]:
    """A customer whose checking account holds exactly 100.00, with a savings account and a
    ``manage`` token; answers (auth headers, checking id, savings id)."""
    made = admin.create_customer(BANK, username=username, accounts=[
        {"type": "checking", "balances": {"current": "100.00"}},
        {"type": "savings", "balances": {"current": "0.00"}}],
        consents=[{"scope": "accounts balances transactions manage"}])
    ids = {account["type"]: account["id"] for account in made["accounts"]}
    auth = {"Authorization": f"Bearer {made['tokens'][0]['access_token']}"}
    return auth, ids["checking"], ids["savings"]


@pytest.mark.parametrize("trial", range(4))
def test_parallel_transfers_have_the_serial_outcome(live_server, trial):
    admin = SandboxAdmin(http_transport(live_server))
    auth, checking, savings = customer_with_checking(admin, f"race_{trial}")
    api = f"{live_server}/banks/{BANK}/v1"
    body = {"from_account_id": checking, "to_account_id": savings, "amount": "60.00"}

    def send(_):
        return requests.post(f"{api}/transfers", json=body, headers=auth, timeout=60)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        answers = list(pool.map(send, range(RACERS)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [422] * (RACERS - 1), [answer.text for answer in answers]
    for refused in (answer for answer in answers if answer.status_code == 422):
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert "Insufficient funds" in refused.json()["detail"]
    balances = requests.get(f"{api}/accounts/{checking}/balances", headers=auth, timeout=10)
    assert Decimal(balances.json()["current"]) == Decimal("40.00")
    assert Decimal(requests.get(f"{api}/accounts/{savings}/balances", headers=auth,
                                timeout=10).json()["current"]) == Decimal("60.00")
    (made,) = [answer.json() for answer in answers if answer.status_code == 201]
    debit, credit = made["transactions"]
    assert (debit["running_balance"], credit["running_balance"]) == ("40.00", "60.00")
    listed = requests.get(f"{api}/accounts/{checking}/transactions", headers=auth,
                          timeout=10).json()["data"]
    assert [row["running_balance"] for row in listed if row["channel"] == "transfer"] == ["40.00"]
