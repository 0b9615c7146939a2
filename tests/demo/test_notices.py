"""What each bank event says in the chat (``sandbox.demo.webhooks.notice``), and what it
leaves unsaid."""
import pytest

from sandbox.demo.models import Link
from sandbox.demo.webhooks import notice

LINK = Link(bank_name="Harborline Bank", status="active")


def event(kind: str, **data) -> dict:
    return {"id": "evt_1", "type": kind, "consent_id": "cns_1", "data": data}


def purchase(amount: str, merchant: str | None, channel: str) -> dict:
    return {"amount": amount, "currency": "USD", "channel": channel,
            "description": "CORNER CAFE #12", "merchant": {"name": merchant} if merchant else None}


def parcel(status: str) -> dict:
    return {"status": status, "carrier": "Kestrel Freight",
            "estimated_delivery": "2026-03-04T18:00:00Z"}


@pytest.mark.parametrize(("sent", "said"), [
    (event("transaction.created", transaction=purchase("-42.17", "Marigold Kitchen", "in_store")),
     "Harborline Bank: new purchase at Marigold Kitchen, $42.17."),
    (event("transaction.created", transaction=purchase("-7.50", None, "online")),
     "Harborline Bank: new purchase at CORNER CAFE #12, $7.50."),
    (event("transaction.created", transaction=purchase("-180.00", None, "atm")), None),
    (event("transaction.created", transaction=purchase("2500.00", None, "ach")), None),
    (event("transaction.created", account_id="acc_1"), None),  # no transactions scope
    (event("shipment.updated", shipment=parcel("out_for_delivery")),
     "Your Kestrel Freight parcel is out for delivery (estimated 2026-03-04)."),
    (event("shipment.updated", shipment=parcel("delivered")),
     "Your Kestrel Freight parcel was delivered."),
    (event("shipment.updated", shipment=parcel("in_transit")), None),
    (event("balance.low", balances={"available": "42.10", "currency": "USD"}),
     "Harborline Bank: low balance: $42.10 available."),
    (event("consent.revoked", reason="customer"),
     "You removed Sandbank Chat's access at Harborline Bank. I can no longer read your "
     "accounts there."),
    (event("consent.revoked", reason="operator"),
     "Harborline Bank removed Sandbank Chat's access. I can no longer read your accounts "
     "there."),
    (event("consent.revoked"),
     "Access at Harborline Bank was removed. I can no longer read your accounts there."),
    (event("consent.expired"),
     "Your consent at Harborline Bank expired. Link your bank account again to continue."),
])
def test_each_event_says_what_happened(sent, said):
    assert notice(sent, LINK) == said


def test_a_revocation_the_person_asked_for_in_the_chat_is_not_announced_again():
    assert notice(event("consent.revoked", reason="client"),
                  Link(bank_name="Harborline Bank", status="unlinked")) is None
