"""Every transaction filter agrees with a brute-force filter over ``sandbox export`` of the
same world."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.conftest import customer_of, walk

BANK = "cobaltpeak"


def brute_force(rows: list[dict], params: dict) -> list[str]:
    """Ids of the exported rows the filters keep, newest first."""
    def keep(row: dict) -> bool:
        day = row["authorized_at"][:10]
        amount = Decimal(row["amount"])
        merchant = ((row["merchant"] or {}).get("name") or "").lower()
        return all((
            "from" not in params or day >= params["from"],
            "to" not in params or day <= params["to"],
            "status" not in params or row["status"] == params["status"],
            "category" not in params or row["category"] == params["category"],
            "min_amount" not in params or amount >= Decimal(params["min_amount"]),
            "max_amount" not in params or amount <= Decimal(params["max_amount"]),
            "q" not in params or params["q"].lower() in row["description"].lower()
            or params["q"].lower() in merchant,
        ))

    kept = [row for row in rows if keep(row)]
    return [row["id"] for row in sorted(kept, key=lambda r: (r["authorized_at"], r["id"]),
                                        reverse=True)]


@pytest.fixture(scope="module")
def rows(world) -> dict[str, list[dict]]:
    """Every exported transaction of user_good and user_business, by account id."""
    return {account["id"]: account["transactions"]
            for username in ("user_good", "user_business")
            for account in customer_of(world, BANK, username)["accounts"]}


#: (customer, filters, whether the case keeps some rows and drops others)
CASES = [
    ("user_good", {"from": "2026-02-01"}, True),
    ("user_good", {"to": "2026-01-15"}, True),
    ("user_good", {"from": "2026-01-10", "to": "2026-01-10"}, True),
    ("user_good", {"from": "2026-02-20", "to": "2026-02-01"}, False),
    ("user_good", {"status": "pending"}, True),
    ("user_good", {"status": "posted"}, True),
    ("user_good", {"category": "groceries"}, True),
    ("user_good", {"category": "dining", "status": "posted", "from": "2026-01-01"}, True),
    ("user_good", {"min_amount": "0"}, True),
    ("user_good", {"max_amount": "-100"}, True),
    ("user_good", {"min_amount": "-60.5", "max_amount": "-10"}, True),
    ("user_good", {"q": "RENT"}, True),
    ("user_good", {"q": "market"}, True),
    ("user_good", {"q": "%"}, False),
    ("user_good", {"q": "_"}, False),
    ("user_business", {"category": "supplies", "max_amount": "-20", "to": "2026-02-14"}, True),
    ("user_business", {"q": "payroll", "status": "posted"}, True),
]


@pytest.mark.parametrize(("username", "params", "selective"), CASES)
def test_filters_keep_exactly_what_a_brute_force_filter_keeps(client, mint, world, rows,
                                                              username, params, selective):
    token = mint(BANK, username, "transactions")
    kept = total = 0
    for account in customer_of(world, BANK, username)["accounts"]:
        url = f"/banks/{BANK}/v1/accounts/{account['id']}/transactions"
        got = [row["id"] for row in walk(client, url, token, limit=200, **params)]
        assert got == brute_force(rows[account["id"]], params)
        kept, total = kept + len(got), total + len(rows[account["id"]])
    assert (0 < kept < total) is selective


@pytest.mark.parametrize(("query", "argument"), [
    ("from=yesterday", "from"), ("to=2026-02-30", "to"), ("status=cleared", "status"),
    ("category=Groceries", "category"), ("min_amount=ten", "min_amount"),
    ("max_amount=NaN", "max_amount"), ("max_amount=1e400", "max_amount"), ("q=", "q"),
    ("limit=0", "limit"), ("limit=x", "limit"),
])
def test_a_bad_argument_is_a_422_naming_it(client, mint, world, query, argument):
    token = mint(BANK, "user_good", "transactions")
    account = customer_of(world, BANK, "user_good")["accounts"][0]
    response = client.get(f"/banks/{BANK}/v1/accounts/{account['id']}/transactions?{query}",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert [error["path"] for error in response.get_json()["errors"]] == [argument]
