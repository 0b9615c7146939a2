"""Shapes of accounts and balances (DESIGN.md §5)."""
import marshmallow as ma

from sandbox.api.common import Schema, day, instant, money, one_of, text
from sandbox.vocabulary import ACCOUNT_TYPES


class AccountSchema(Schema):
    """An account the consent covers. Credit cards add `credit_limit`, `statement_day`,
    `minimum_payment` and `payment_due_on`."""

    id = text("Account id, opaque and unique across the world.", "acc_3292a6d48e31aed0",
              required=True)
    bank_id = text("The bank holding the account.", "harborline", required=True)
    type = one_of("Kind of account.", ACCOUNT_TYPES, required=True)
    name = text("Product name as the bank shows it.", "Harbor Everyday Checking", required=True)
    nickname = text("The name the person gave the account, or null.", "Bills",
                    required=True, allow_none=True)
    mask = text("Last four digits of the account number.", "4821", required=True)
    currency = text("ISO 4217 currency code.", "USD", required=True)
    status = one_of("`open` or `closed`.", ("open", "closed"), required=True)
    opened_on = day("Day the account was opened.", required=True)
    routing_number = text("ABA routing number of the bank (nine digits).", "211471004",
                          required=True)
    credit_limit = money("Credit limit (credit cards only).")
    statement_day = ma.fields.Integer(metadata={
        "description": "Day of the month the card statement closes (credit cards only).",
        "example": 14})
    minimum_payment = money("Minimum payment of the last closed statement, or null before "
                             "the first statement (credit cards only).", allow_none=True)
    payment_due_on = day("Due date of that minimum payment, or null (credit cards only).",
                         allow_none=True)


class AccountListSchema(Schema):
    """The accounts of the consent, in the bank's display order."""

    data = ma.fields.List(ma.fields.Nested(AccountSchema), required=True,
                          metadata={"description": "The accounts."})
    next_cursor = text("Always null: every account fits on one page.", required=True,
                       allow_none=True)


class BalancesSchema(Schema):
    """Balances of one account at the sandbox clock's now.

    Deposit accounts: `current` is the ledger balance (opening plus posted amounts) and
    `available` subtracts pending debits. Credit cards: `current` is the amount owed and
    `available` is the limit minus the amount owed minus pending purchases. Loans and
    mortgages: `current` is the amount owed and `available` is null."""

    current = money("Current (ledger) balance; for cards, loans and mortgages the amount "
                     "owed.", required=True)
    available = money("What can be spent now; null for loans and mortgages.", required=True,
                       allow_none=True)
    credit_limit = money("Credit limit (credit cards only).")
    as_of = instant("The instant these balances describe (the sandbox clock).", required=True)
    currency = text("ISO 4217 currency code.", "USD", required=True)
