"""``/accounts/{AccountId}/transactions`` and ``/transactions``: pages of the same keyset
list as v1, newest first, walked by ``Links.Next``; the consent's window, accounts and
credit/debit permissions respected."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_smorest import abort

from sandbox.api.common import DEFAULT_PAGE_SIZE, log_read
from sandbox.clock import UTC
from sandbox.dialects.ukob import mapping
from sandbox.dialects.ukob.access import Reader, reader
from sandbox.dialects.ukob.protocol import answer, blp, envelope
from sandbox.extensions import db
from sandbox.fastpath import connection
from sandbox.services import accounts, transactions
from sandbox.services.paging import InvalidCursor
from sandbox.web.urls import public_base_url

TRANSACTIONS = ("ReadTransactionsBasic", "ReadTransactionsDetail", "ReadTransactionsCredits",
                "ReadTransactionsDebits")


class BookingInstant(ma.fields.Field):
    """An ISO 8601 date-time; as the document says, a time zone is ignored (the instant is
    read as UTC), and a bare date is its midnight."""

    default_error_messages = {"invalid": "Not an ISO 8601 date-time, e.g. 2026-02-01T00:00:00."}

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        try:
            return datetime.fromisoformat(str(value).replace("Z", "")).replace(tzinfo=UTC)
        except ValueError:
            raise self.make_error("invalid") from None


class TransactionArgsSchema(ma.Schema):
    """The query of a transaction list."""

    class Meta:
        unknown = ma.EXCLUDE

    fromBookingDateTime = BookingInstant(load_default=None)
    toBookingDateTime = BookingInstant(load_default=None)
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(1, 300))


TRANSACTION_ARGS = TransactionArgsSchema()


def _query() -> dict:
    try:
        return TRANSACTION_ARGS.load(request.args)
    except ma.ValidationError as error:
        abort(400, errors=error.messages)


def _filters(who: Reader, args: dict) -> transactions.Filters:
    """The list's filters: the booking window asked, and credits or debits only when the
    consent holds only one of ``ReadTransactionsCredits``/``ReadTransactionsDebits``."""
    credits, debits = who.has("ReadTransactionsCredits"), who.has("ReadTransactionsDebits")
    return transactions.Filters(
        since=args["fromBookingDateTime"], until=args["toBookingDateTime"],
        min_amount=Decimal("0.00") if credits and not debits else None,
        max_amount=Decimal("-0.01") if debits and not credits else None)


def _page(who: Reader, account: dict, filters, cursor: str | None) -> tuple[list, str | None]:
    """One page of an account's transactions in OB's shape, and the v1 cursor after it."""
    page = json.loads(transactions.transaction_page(
        connection(), who.grant, account["id"], filters, DEFAULT_PAGE_SIZE, cursor))
    detail = who.has("ReadTransactionsDetail")
    return ([mapping.transaction(row, account["type"], detail) for row in page["data"]],
            page["next_cursor"])


def _next_link(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = {**request.args.to_dict(), "cursor": cursor}
    return f"{public_base_url()}{request.path}?{urlencode(query)}"


@blp.route("/accounts/<account_id>/transactions")
class AccountTransactions(MethodView):
    def get(self, bank_id: str, account_id: str):
        """One account's transactions, newest first, a page at a time."""
        who = reader(bank_id, *TRANSACTIONS)
        args = _query()
        account = accounts.get_account(db.session, who.grant, account_id)
        rows, cursor = _page(who, account, _filters(who, args), args["cursor"])
        log_read(who.grant, "transactions", account_id)
        return answer(envelope({"Transaction": rows}, _next_link(cursor), pages=None))


def _encode(account_id: str, cursor: str | None) -> str:
    raw = f"{account_id}.{cursor or ''}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(token: str) -> tuple[str, str | None]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor() from None
    account_id, _, cursor = raw.partition(".")
    return account_id, cursor or None


@blp.route("/transactions")
class Transactions(MethodView):
    def get(self, bank_id: str):
        """The transactions of every account of the consent: account after account (in
        the bank's order), each newest first, a page at a time."""
        who = reader(bank_id, *TRANSACTIONS)
        args = _query()
        listed = accounts.list_accounts(db.session, who.grant)
        ids = [account["id"] for account in listed]
        account_id, cursor = _decode(args["cursor"]) if args["cursor"] else (
            ids[0] if ids else None, None)
        if account_id is not None and account_id not in ids:
            raise InvalidCursor()
        rows, following, filters = [], None, _filters(who, args)
        for index in range(ids.index(account_id) if ids else 0, len(ids)):
            rows, cursor = _page(who, listed[index], filters, cursor)
            if cursor is not None:
                following = _encode(ids[index], cursor)
            elif rows and index + 1 < len(ids):
                following = _encode(ids[index + 1], None)
            if rows or following:
                break
        log_read(who.grant, "transactions", None)
        return answer(envelope({"Transaction": rows}, _next_link(following), pages=None))
