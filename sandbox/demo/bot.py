"""The built-in bot: it answers from the data API only, and only what each link's consent
allows. Every answer is a list of ``(kind, body)`` messages (see ``templates/demo/_message``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from sandbox.demo import linking, threads
from sandbox.demo.bank_client import BankError
from sandbox.demo.models import Conversation, Link
from sandbox.demo.reader import account_label, explain, money, read

Reply = list[tuple[str, dict]]
#: Quick replies under the composer: what the bot understands.
QUICK_REPLIES = ("What's my balance?", "Show my last receipt", "When does my parcel arrive?",
                 "What did I spend on dining this month?", "Recent transactions", "Unlink")
HELP = ("I can tell you your balance, show your last receipt, track your parcel, sum your "
        "dining this month or list recent transactions. Try a quick reply below.")


def text(words: str) -> tuple[str, dict]:
    return "text", {"text": words}


def answer(session: Session, conversation: Conversation, question: str, *,
           now: datetime) -> Reply:
    """The bot's reply to ``question`` (``now``: the sandbox instant, for "this month")."""
    words = question.lower()
    if "unlink" in words or "disconnect" in words:
        return _unlink(threads.active_links(session, conversation.id))
    if "link" in words or "connect" in words:
        return [bank_picker()]
    intents: list[tuple[tuple[str, ...], Callable[[list[Link], datetime], Reply]]] = [
        (("dining", "spend", "spent", "restaurant"), _dining),
        (("balance", "how much"), _balances),
        (("receipt",), _receipt),
        (("parcel", "package", "deliver", "shipment", "arrive"), _parcel),
        (("recent", "transaction", "activity"), _recent),
    ]
    for keys, handler in intents:
        if any(key in words for key in keys):
            links = threads.active_links(session, conversation.id)
            removed = threads.removed_links(session, conversation.id)
            if not links:
                return _nothing_linked(removed)
            return _newly_removed(removed) + handler(links, now)
    return [text(HELP)]


def bank_picker() -> tuple[str, dict]:
    """The "pick your bank" card (the banks are listed when it is drawn)."""
    return "banks", {"text": "Which bank? You'll sign in at the bank itself, and choose what "
                             "to share.", "scopes": list(linking.DATA_SCOPES)}


def _nothing_linked(removed: list[Link]) -> Reply:
    """No link may be read: say why (access removed at a bank, or never linked)."""
    if removed:
        banks = ", ".join(dict.fromkeys(link.bank_name for link in removed))
        return [text(f"Access was removed at {banks}, so I can no longer read your accounts "
                     "there. Link your bank account again if you want me back."), bank_picker()]
    return [text("No bank account is linked yet."), bank_picker()]


def _newly_removed(removed: list[Link]) -> Reply:
    """Say once, beside the answer from the banks still linked, where access was removed."""
    news = [link for link in removed if link.status == "removed"]
    for link in news:
        link.status = "ended"
    return [text(f"Access was removed at {link.bank_name}, so I no longer read your accounts "
                 "there.") for link in news]


def _unlink(links: list[Link]) -> Reply:
    if not links:
        return [text("No bank account is linked.")]
    replies = []
    for link in links:
        try:
            linking.unlink(link)
            replies.append(text(f"Unlinked {link.bank_name}: the bank has revoked Sandbank "
                                "Chat's access."))
        except BankError as error:
            replies.append(text(explain(link, error, "accounts")))
    return replies


def _each(links: list[Link], kind: str, work: Callable[[Link], Reply]) -> Reply:
    """``work`` for every link, a plain explanation for each that fails."""
    replies: Reply = []
    for link in links:
        try:
            replies += work(link)
        except BankError as error:
            replies.append(text(explain(link, error, kind)))
    return replies


def _accounts(link: Link) -> list[dict]:
    return read(link, "/v1/accounts", {"limit": 50})["data"]


def _balances(links: list[Link], _now: datetime) -> Reply:
    def work(link: Link) -> Reply:
        rows = []
        for account in _accounts(link):
            balances = read(link, f"/v1/accounts/{account['id']}/balances")
            rows.append([account_label(account),
                         money(balances["available"], balances["currency"]) + " available"])
        return [("lines", {"title": f"{link.bank_name} balances", "rows": rows})]
    return _each(links, "balances", work)


def _rows(links: list[Link], kind: str, path: str,
          params: dict) -> tuple[Reply, list[tuple[Link, dict]]]:
    """The rows of one list of every link, with the explanations of the reads that failed."""
    found: list[tuple[Link, dict]] = []

    def work(link: Link) -> Reply:
        found.extend((link, row) for row in read(link, path, params)["data"])
        return []
    return _each(links, kind, work), found


def _receipt(links: list[Link], _now: datetime) -> Reply:
    replies, found = _rows(links, "receipts", "/v1/receipts", {"limit": 1})
    if not found:
        return replies or [text("I found no receipt in what you shared.")]
    link, receipt = max(found, key=lambda pair: pair[1]["issued_at"])
    merchant = receipt.get("merchant") or {}
    return replies + [("receipt", {
        "bank": link.bank_name, "merchant": merchant.get("name", "Merchant"),
        "issued_at": receipt["issued_at"], "currency": receipt["currency"],
        "items": [{"description": item["description"], "quantity": item["quantity"],
                   "total": item["total"]} for item in receipt["line_items"]],
        **{key: receipt[key] for key in ("subtotal", "tax", "tip", "shipping", "total")}})]


def _parcel(links: list[Link], _now: datetime) -> Reply:
    replies, found = _rows(links, "shipments", "/v1/shipments", {"limit": 20})
    if not found:
        return replies or [text("I found no parcel in what you shared.")]
    moving = [pair for pair in found if pair[1]["status"] != "delivered"]
    link, parcel = max(moving or found, key=lambda pair: pair[1]["shipped_at"] or "")
    events = parcel.get("events") or []
    last = events[-1] if events else None
    return replies + [("parcel", {
        "bank": link.bank_name, "carrier": parcel["carrier"],
        "tracking_number": parcel["tracking_number"],
        "status": parcel["status"].replace("_", " "),
        "estimated_delivery": parcel.get("estimated_delivery"),
        "delivered_at": parcel.get("delivered_at"),
        "last_scan": _scan(last) if last else None})]


def _scan(event: dict) -> str:
    """``Out for delivery, Charlotte (2026-12-07 08:14 UTC)``."""
    place = f", {event['city']}" if event.get("city") else ""
    return f"{event['description']}{place} ({event['at'][:16].replace('T', ' ')} UTC)"


def _dining(links: list[Link], now: datetime) -> Reply:
    start, today = now.date().replace(day=1), now.date()

    def work(link: Link) -> Reply:
        total, count = Decimal("0"), 0
        for account in _accounts(link):
            query = {"category": "dining", "from": start.isoformat(),
                     "to": today.isoformat(), "limit": 50}
            page = read(link, f"/v1/accounts/{account['id']}/transactions", query)
            while True:
                for row in page["data"]:
                    total -= Decimal(row["amount"])
                    count += 1
                if not page.get("next_cursor"):
                    break
                page = read(link, f"/v1/accounts/{account['id']}/transactions",
                            {**query, "cursor": page["next_cursor"]})
        return [text(f"{link.bank_name}: you spent {money(total)} on dining in "
                     f"{start:%B %Y} ({count} transaction{'s' if count != 1 else ''}).")]
    return _each(links, "transactions", work)


def _recent(links: list[Link], _now: datetime) -> Reply:
    def work(link: Link) -> Reply:
        rows = []
        for account in _accounts(link):
            rows += read(link, f"/v1/accounts/{account['id']}/transactions",
                         {"limit": 5})["data"]
        rows.sort(key=lambda row: row["authorized_at"], reverse=True)
        return [("lines", {"title": f"{link.bank_name}: recent transactions", "rows": [
            [f"{row['authorized_at'][:10]} {row['description']}",
             money(row["amount"], row["currency"])] for row in rows[:5]]})]
    return _each(links, "transactions", work)
