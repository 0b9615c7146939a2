"""The CDR Banking operations (``cdr-banking-1.36.0.json``) under ``{iss}/cds-au/v1``:
accounts, balances, transactions and the public product list. Thin views over the same
services as v1: consent enforced by the bearer path and the services, every read logged."""
from __future__ import annotations

import json
from datetime import timedelta

from flask import Response
from flask_smorest import Blueprint

from sandbox import clock
from sandbox.api.auth import authorize
from sandbox.api.common import log_read
from sandbox.dialects.cdr import arguments, mapping
from sandbox.dialects.cdr.errors import INVALID_BANKING_ACCOUNT, NOT_FOUND, CdrError
from sandbox.dialects.cdr.negotiation import versioned
from sandbox.dialects.cdr.paging import Page, envelope, requested_page, self_link
from sandbox.errors import NotFound
from sandbox.extensions import db
from sandbox.fastpath import connection
from sandbox.oauth.resource import CUSTOMER
from sandbox.services import accounts, banks, transactions
from sandbox.services.accounts import NO_ACCOUNT
from sandbox.services.representation import dumps, instant
from sandbox.services.transactions import NO_TRANSACTION
from sandbox.web.urls import public_base_url

#: The CDR dialect's base path under a bank's issuer.
PATH = "/cds-au/v1"
BASIC, DETAIL = "bank:accounts.basic:read", "bank:accounts.detail:read"
TRANSACTIONS = "bank:transactions:read"
#: Transactions a list shows when the client sets no ``oldest-time`` (CDR's default).
DEFAULT_HISTORY = timedelta(days=90)

blp = Blueprint("cdr", __name__, url_prefix="/banks/<bank_id>" + PATH,
                description="Consumer Data Right (Australia) Banking 1.36 dialect.")


def answer(body: dict) -> Response:
    """A 200 JSON answer."""
    return Response(dumps(body), mimetype="application/json")


def single(data: dict) -> Response:
    """A single resource: ``data`` and its ``links``."""
    return answer({"data": data, "links": {"self": self_link()}, "meta": {}})


def paginated(page: Page, rows: list[dict], key: str) -> Response:
    """One page of ``rows`` (all of them given) under ``data.<key>``."""
    chosen = rows[page.offset:page.offset + page.size]
    return answer(envelope(page, len(rows), {key: chosen}))


def _account_filter(body: dict, category: str | None, status: str, owned: bool | None) -> bool:
    return ((category is None or mapping.PRODUCT_CATEGORIES[body["type"]] == category)
            and (status == "ALL" or body["status"].upper() == status)
            and owned is not False)


def _account_filters() -> tuple:
    return (arguments.choice("product-category", tuple(mapping.PRODUCT_CATEGORY_VALUES)),
            arguments.choice("open-status", ("OPEN", "CLOSED", "ALL"), "ALL"),
            arguments.boolean("is-owned"))


@blp.route("/banking/accounts")
@versioned(3)
def list_accounts(bank_id: str):
    """Get Accounts (``listBankingAccounts``, version 3)."""
    grant = authorize(bank_id, CUSTOMER, BASIC)
    filters, page = _account_filters(), requested_page()
    rows = [mapping.account(body) for body in accounts.list_accounts(db.session, grant)
            if _account_filter(body, *filters)]
    log_read(grant, "accounts", None)
    return paginated(page, rows, "accounts")


@blp.route("/banking/accounts/balances")
@versioned(2)
def list_balances(bank_id: str):
    """Get Bulk Balances (``listBankingBalancesBulk``, version 2)."""
    grant = authorize(bank_id, CUSTOMER, BASIC)
    filters, page = _account_filters(), requested_page()
    rows = [mapping.balance(body, balances)
            for body, balances in accounts.list_balances(db.session, grant)
            if _account_filter(body, *filters)]
    log_read(grant, "balances", None)
    return paginated(page, rows, "balances")


@blp.route("/banking/accounts/balances", methods=["POST"])
@versioned(1)
def list_balances_of(bank_id: str):
    """Get Balances For Specific Accounts (``listBankingBalancesSpecificAccounts``, version
    1): ``{"data": {"accountIds": [...]}}``; an id the consent does not cover is a 422."""
    grant = authorize(bank_id, CUSTOMER, BASIC)
    wanted, page = arguments.account_ids(), requested_page()
    unknown = [account_id for account_id in wanted if account_id not in grant.account_ids]
    if unknown:
        raise CdrError(422, INVALID_BANKING_ACCOUNT, f"{NO_ACCOUNT} ({unknown[0]})")
    rows = [mapping.balance(body, balances)
            for body, balances in accounts.list_balances(db.session, grant)
            if body["id"] in wanted]
    log_read(grant, "balances", None)
    return paginated(page, rows, "balances")


@blp.route("/banking/accounts/<account_id>")
@versioned(5)
def get_account(bank_id: str, account_id: str):
    """Get Account Detail (``getBankingAccountDetail``, version 5)."""
    grant = authorize(bank_id, CUSTOMER, DETAIL)
    body = accounts.get_account(db.session, grant, account_id)
    log_read(grant, "account", account_id)
    return single(mapping.account_detail(body))


@blp.route("/banking/accounts/<account_id>/balance")
@versioned(1)
def get_balance(bank_id: str, account_id: str):
    """Get Account Balance (``getBankingBalance``, version 1)."""
    grant = authorize(bank_id, CUSTOMER, BASIC)
    body = accounts.get_account(db.session, grant, account_id)
    balances = accounts.get_balances(db.session, grant, account_id)
    log_read(grant, "balances", account_id)
    return single(mapping.balance(body, balances))


@blp.route("/banking/accounts/<account_id>/transactions")
@versioned(2)
def list_transactions(bank_id: str, account_id: str):
    """Get Transactions For Account (``listBankingTransactions``, version 2): newest first,
    by the time the transaction was made (``executionDateTime``)."""
    grant = authorize(bank_id, CUSTOMER, TRANSACTIONS)
    newest = arguments.instant("newest-time")
    oldest = arguments.instant("oldest-time")
    filters = transactions.Filters(min_amount=arguments.amount("min-amount"),
                                   max_amount=arguments.amount("max-amount"),
                                   q=arguments.text("text"))
    page = requested_page()
    if oldest is None:
        oldest = (newest or grant.now) - DEFAULT_HISTORY
    before = None if newest is None else newest + timedelta(microseconds=1)
    total, bodies = transactions.numbered_page(
        connection(), grant, account_id, filters, since=oldest, before=before,
        offset=page.offset, limit=page.size)
    rows = [mapping.transaction(json.loads(body)) for body in bodies]
    log_read(grant, "transactions", account_id)
    found = envelope(page, total, {"transactions": rows})
    found["meta"]["isQueryParamUnsupported"] = False
    return answer(found)


@blp.route("/banking/accounts/<account_id>/transactions/<transaction_id>")
@versioned(3)
def get_transaction(bank_id: str, account_id: str, transaction_id: str):
    """Get Transaction Detail (``getBankingTransactionDetail``, version 3)."""
    grant = authorize(bank_id, CUSTOMER, TRANSACTIONS)
    if account_id not in grant.account_ids:
        raise NotFound(NO_ACCOUNT)
    body = json.loads(transactions.get_transaction(connection(), grant, transaction_id))
    if body["account_id"] != account_id:
        raise NotFound(NO_TRANSACTION)
    log_read(grant, "transaction", transaction_id)
    return single(mapping.transaction_detail(body))


@blp.route("/banking/products")
@versioned(5)
def list_products(bank_id: str):
    """Get Products (``listBankingProducts``, version 5): the bank's products, public."""
    bank = banks.get_bank(db.session, bank_id)
    if bank is None:
        raise CdrError(404, NOT_FOUND, f"There is no bank {bank_id!r}.")
    effective = arguments.choice("effective", ("CURRENT", "FUTURE", "ALL"), "CURRENT")
    since = arguments.instant("updated-since")
    brand = arguments.text("brand")
    category = arguments.choice("product-category", tuple(mapping.PRODUCT_CATEGORY_VALUES))
    page = requested_page()
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    described = banks.describe(bank, public_base_url())
    rows = [mapping.product(bank.id, bank.name, product, instant(today))
            for product in described["products"]]
    rows = [row for row in rows
            if effective != "FUTURE" and (since is None or today > since)
            and brand in (None, row["brand"], row["brandName"])
            and category in (None, row["productCategory"])]
    return paginated(page, rows, "products")
