"""Sandbank's resources in CDR's words (the table is in docs/dialects-cdr.md): accounts,
balances, transactions, the customer and the bank's products. Pure functions over the v1
representations the services return."""
from __future__ import annotations

from decimal import Decimal

from sandbox.vocabulary import LIABILITIES

#: Account type → ``productCategory`` (``BankingProductCategoryV2``).
PRODUCT_CATEGORIES = {
    "checking": "TRANS_AND_SAVINGS_ACCOUNTS", "savings": "TRANS_AND_SAVINGS_ACCOUNTS",
    "credit_card": "CRED_AND_CHRG_CARDS", "loan": "PERS_LOANS",
    "mortgage": "RESIDENTIAL_MORTGAGES",
}
#: Every ``productCategory`` of the published document, for the ``product-category`` filter.
PRODUCT_CATEGORY_VALUES = (
    "BUSINESS_LOANS", "BUY_NOW_PAY_LATER", "CRED_AND_CHRG_CARDS", "LEASES", "MARGIN_LOANS",
    "OVERDRAFTS", "PERS_LOANS", "REGULATED_TRUST_ACCOUNTS", "RESIDENTIAL_MORTGAGES",
    "TERM_DEPOSITS", "TRADE_FINANCE", "TRANS_AND_SAVINGS_ACCOUNTS", "TRAVEL_CARDS",
)
#: Transaction channel → CDR ``type`` for money out and money in.
TRANSACTION_TYPES = {
    "in_store": ("PAYMENT", "OTHER"), "online": ("PAYMENT", "OTHER"),
    "atm": ("OTHER", "OTHER"), "check": ("PAYMENT", "TRANSFER_INCOMING"),
    "ach": ("DIRECT_DEBIT", "TRANSFER_INCOMING"),
    "transfer": ("TRANSFER_OUTGOING", "TRANSFER_INCOMING"),
    "fee": ("FEE", "FEE"), "interest": ("INTEREST_CHARGED", "INTEREST_PAID"),
}
_ZERO = Decimal("0.00")


def masked_number(account: dict) -> str:
    """``maskedNumber``: cards as a masked PAN, other accounts as a masked account number."""
    if account["type"] == "credit_card":
        return f"xxxx xxxx xxxx {account['mask']}"
    return f"xxxxxx{account['mask']}"


def account(body: dict) -> dict:
    """``BankingAccountV3`` of a v1 account."""
    found = {
        "accountId": body["id"], "creationDate": body["opened_on"],
        "displayName": body["name"], "openStatus": body["status"].upper(), "isOwned": True,
        "accountOwnership": "ONE_PARTY", "maskedNumber": masked_number(body),
        "productCategory": PRODUCT_CATEGORIES[body["type"]], "productName": body["name"],
    }
    if body.get("nickname"):
        found["nickname"] = body["nickname"]
    return found


def account_detail(body: dict) -> dict:
    """``BankingAccountDetailV5``: the account, and a card's next payment when known."""
    found = account(body)
    if body["type"] == "credit_card" and body.get("payment_due_on") \
            and body.get("minimum_payment") is not None:
        found["specificAccountUType"] = "creditCard"
        found["creditCard"] = {"minPaymentAmount": body["minimum_payment"],
                               "paymentDueAmount": body["minimum_payment"],
                               "paymentCurrency": body["currency"],
                               "paymentDueDate": body["payment_due_on"]}
    return found


def balance(body: dict, balances: dict) -> dict:
    """``BankingBalance``: what is owed is a negative ``currentBalance``; an available
    balance is never negative."""
    current = Decimal(balances["current"])
    if body["type"] in LIABILITIES:
        current = -current
    available = Decimal(balances["available"]) if balances["available"] is not None else _ZERO
    found = {"accountId": body["id"], "currentBalance": f"{current:.2f}",
             "availableBalance": f"{max(available, _ZERO):.2f}",
             "currency": balances["currency"]}
    if balances.get("credit_limit") is not None:
        found["creditLimit"] = balances["credit_limit"]
    return found


def transaction(body: dict) -> dict:
    """``BankingTransactionV2`` of a v1 transaction."""
    outgoing, incoming = TRANSACTION_TYPES[body["channel"]]
    found = {
        "accountId": body["account_id"], "transactionId": body["id"],
        "isDetailAvailable": True,
        "type": outgoing if Decimal(body["amount"]) < 0 else incoming,
        "status": body["status"].upper(), "description": body["description"],
        "executionDateTime": body["authorized_at"], "amount": body["amount"],
        "currency": body["currency"], "reference": "",
    }
    if body["posted_at"]:
        found["postingDateTime"] = body["posted_at"]
    if body["merchant"]:
        found["merchantName"] = body["merchant"]["name"]
        found["merchantCategoryCode"] = body["merchant"]["mcc"]
    return found


def transaction_detail(body: dict) -> dict:
    """``BankingTransactionDetailV3``: the transaction with its ``extendedData`` (the payee
    of a purchase)."""
    found = transaction(body)
    extended = {}
    if body["merchant"] and Decimal(body["amount"]) < 0:
        extended["payee"] = body["merchant"]["name"]
    found["extendedData"] = extended
    return found


def customer(identity: dict) -> dict:
    """``ResponseCommonCustomer`` data: a person, names split at spaces."""
    names = identity["name"].split()
    person = {"lastName": names[-1], "middleNames": names[1:-1]}
    if len(names) > 1:
        person["firstName"] = names[0]
    return {"customerUType": "person", "person": person}


def product(bank_id: str, bank_name: str, body: dict, last_updated: str) -> dict:
    """``BankingProductV6`` of one of the bank's products (a v1 ``products`` entry)."""
    return {
        "productId": body["code"], "lastUpdated": last_updated,
        "productCategory": PRODUCT_CATEGORIES[body["type"]], "name": body["name"],
        "description": body["name"], "brand": bank_id, "brandName": bank_name,
        "isTailored": False,
    }
