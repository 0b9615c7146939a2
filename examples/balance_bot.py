"""The integration under test: a tiny chat bot answering questions about a linked bank
account through the open-banking API (what a user of Sandbank builds)."""
from __future__ import annotations

from decimal import Decimal

import requests


class BankUnavailable(Exception):
    """The bank's API is down or rate-limiting; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"the bank is unavailable, retry in {retry_after} s")
        self.retry_after = retry_after


def _get(issuer: str, token: str, path: str, **params) -> dict:
    answer = requests.get(f"{issuer}/v1{path}", params=params, timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    if answer.status_code in (429, 503):
        raise BankUnavailable(int(answer.headers.get("Retry-After", "60")))
    answer.raise_for_status()
    return answer.json()


def _money(amount: str) -> str:
    value = Decimal(amount)
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def balance_reply(issuer: str, token: str) -> str:
    """'What's my balance?' -> one line per account."""
    try:
        accounts = _get(issuer, token, "/accounts")["data"]
        lines = []
        for account in accounts:
            balances = _get(issuer, token, f"/accounts/{account['id']}/balances")
            current = _money(balances["current"])
            lines.append(f"{account['name']} ••{account['mask']}: {current}")
    except BankUnavailable as outage:
        return f"Your bank is not answering right now. I'll try again in {outage.retry_after} s."
    return "\n".join(lines)


def parcel_reply(issuer: str, token: str) -> str:
    """'When does my parcel arrive?'"""
    shipments = _get(issuer, token, "/shipments")["data"]
    if not shipments:
        return "No parcels on the way."
    parcel = shipments[0]
    if parcel["status"] == "delivered":
        return f"Your {parcel['carrier']} parcel was delivered on {parcel['delivered_at'][:10]}."
    if parcel["status"] == "delayed":
        return f"Your {parcel['carrier']} parcel is delayed."
    return f"Your {parcel['carrier']} parcel is {parcel['status'].replace('_', ' ')}."
