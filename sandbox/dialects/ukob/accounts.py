"""``/accounts``, ``/accounts/{AccountId}``, balances (``/accounts/{AccountId}/balances``,
``/balances``) and parties (``/party``, ``/accounts/{AccountId}/party`` and ``/parties``): thin
views over the same services as the v1 API, every read written to the access log."""
from __future__ import annotations

from flask.views import MethodView

from sandbox.api.common import log_read
from sandbox.dialects.ukob import mapping
from sandbox.dialects.ukob.access import reader
from sandbox.dialects.ukob.protocol import answer, blp, envelope
from sandbox.extensions import db
from sandbox.services import accounts, identity

ACCOUNTS = ("ReadAccountsBasic", "ReadAccountsDetail")


@blp.route("/accounts")
class Accounts(MethodView):
    def get(self, bank_id: str):
        """The consent's accounts."""
        who = reader(bank_id, *ACCOUNTS)
        found = accounts.list_accounts(db.session, who.grant)
        log_read(who.grant, "accounts", None)
        detail = who.has("ReadAccountsDetail")
        return answer(envelope({"Account": [mapping.account(body, detail) for body in found]}))


@blp.route("/accounts/<account_id>")
class Account(MethodView):
    def get(self, bank_id: str, account_id: str):
        """One account of the consent."""
        who = reader(bank_id, *ACCOUNTS)
        body = accounts.get_account(db.session, who.grant, account_id)
        log_read(who.grant, "account", account_id)
        detail = who.has("ReadAccountsDetail")
        return answer(envelope({"Account": [mapping.account(body, detail)]}))


def _balances(grant, body: dict) -> list[dict]:
    return mapping.balances(body["id"], body["type"],
                            accounts.get_balances(db.session, grant, body["id"]),
                            accounts.get_opening_balance(db.session, grant, body["id"]))


@blp.route("/accounts/<account_id>/balances")
class AccountBalances(MethodView):
    def get(self, bank_id: str, account_id: str):
        """The balances of one account of the consent."""
        who = reader(bank_id, "ReadBalances")
        body = accounts.get_account(db.session, who.grant, account_id)
        found = _balances(who.grant, body)
        log_read(who.grant, "balances", account_id)
        return answer(envelope({"Balance": found}))


@blp.route("/balances")
class Balances(MethodView):
    def get(self, bank_id: str):
        """The balances of every account of the consent."""
        who = reader(bank_id, "ReadBalances")
        found = [entry for body in accounts.list_accounts(db.session, who.grant)
                 for entry in _balances(who.grant, body)]
        log_read(who.grant, "balances", None)
        return answer(envelope({"Balance": found}))


@blp.route("/party")
class Party(MethodView):
    def get(self, bank_id: str):
        """The customer who gave the consent (the PSU)."""
        who = reader(bank_id, "ReadPartyPSU")
        person = identity.get_identity(db.session, who.grant)
        log_read(who.grant, "identity", who.grant.customer_id)
        return answer(envelope({"Party": mapping.party(person)}))


def _holder(bank_id: str, account_id: str) -> dict:
    """The party holding one account of the consent (every Sandbank account has one
    holder: the customer who gave the consent)."""
    who = reader(bank_id, "ReadParty")
    accounts.get_account(db.session, who.grant, account_id)
    person = identity.get_identity(db.session, who.grant)
    log_read(who.grant, "identity", who.grant.customer_id)
    return mapping.party(person, account_role=True)


@blp.route("/accounts/<account_id>/party")
class AccountParty(MethodView):
    def get(self, bank_id: str, account_id: str):
        """The holder of one account of the consent."""
        return answer(envelope({"Party": _holder(bank_id, account_id)}))


@blp.route("/accounts/<account_id>/parties")
class AccountParties(MethodView):
    def get(self, bank_id: str, account_id: str):
        """Every party of one account of the consent: its one holder."""
        return answer(envelope({"Party": [_holder(bank_id, account_id)]}))
