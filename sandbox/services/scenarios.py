"""Scenario documents: add or override banks, clients, customers, accounts, balances,
transactions, receipts and shipments in one database transaction.

A document has the shape of the export (DESIGN.md §5) with every field optional but the
identifying ones; what is left out is generated. Validation happens in two passes, both
naming the path of every error (``banks[0].customers[2].accounts[0].transactions[5].amount``):
the marshmallow schema (:mod:`sandbox.services.scenario_schema`), then what needs the
database (unknown merchants, accounts of someone else, receipts that do not add up). An
invalid document changes nothing.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
import yaml
from werkzeug.security import generate_password_hash

from sandbox import catalog, clock
from sandbox.extensions import db
from sandbox.models import (
    Account, Bank, Customer, Merchant, OAuthClient, Receipt, Shipment, Transaction,
    TransactionJson, WorldState,
)
from sandbox.services import ledger, manage, webhooks
from sandbox.services.representation import money
from sandbox.services.scenario_schema import ScenarioSchema
from sandbox.synth import keys
from sandbox.synth.context import history_start, make_world
from sandbox.synth.generate import customer_rows
from sandbox.synth.people import plan_customer
from sandbox.vocabulary import CARD_CHANNELS, LIABILITIES
from sandbox.synth.store import BulkWriter

DEFAULT_PASSWORD = "pass_good"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PENDING_DAYS = 2
SHIPMENT_FLOWS = {
    "label_created": (("label_created", "in_transit", "out_for_delivery", "delivered"), 0),
    "in_transit": (("label_created", "in_transit", "out_for_delivery", "delivered"), 1),
    "out_for_delivery": (("label_created", "in_transit", "out_for_delivery", "delivered"), 2),
    "delivered": (("label_created", "in_transit", "out_for_delivery", "delivered"), 3),
    "delayed": (("label_created", "in_transit", "delayed", "in_transit", "out_for_delivery",
                 "delivered"), 2),
    "exception": (("label_created", "in_transit", "exception"), 2),
}
EVENT_TEXT = {"label_created": "Shipping label created", "in_transit": "In transit",
              "out_for_delivery": "Out for delivery", "delivered": "Delivered",
              "delayed": "Delayed: the parcel will arrive later than expected",
              "exception": "Delivery exception: the parcel could not be delivered"}


class DocumentError(ValueError):
    """The document is not parseable YAML or JSON, or not a mapping."""


class ScenarioInvalid(ValueError):
    """The document does not validate; ``messages`` maps paths to messages (nested as
    marshmallow reports them, or flat ``{"a[0].b": [...]}``)."""

    def __init__(self, messages: dict):
        super().__init__("the scenario document is invalid")
        self.messages = messages

    def flat(self) -> list[dict]:
        """``[{"path", "message"}]``, one entry per problem."""
        from sandbox.errors import flatten_errors

        return flatten_errors(self.messages)


def mimetype_of(path: Path) -> str:
    """The media type a scenario file is read as, from its extension."""
    return "application/json" if path.suffix.lower() == ".json" else "application/yaml"


def parse_document(text: str, mimetype: str | None) -> dict:
    """Parse a scenario from JSON or YAML text (YAML unless the media type says JSON)."""
    try:
        document = json.loads(text) if mimetype == "application/json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise DocumentError(f"not valid {'JSON' if mimetype == 'application/json' else 'YAML'}: "
                            f"{error}") from None
    if not isinstance(document, dict):
        raise DocumentError("a scenario document is a mapping with a `banks` list")
    return document


def bundled_scenario(name: str) -> Path:
    """The path of a ready scenario shipped in ``fixtures/scenarios`` (``name`` without
    extension); raises ``FileNotFoundError`` naming the available ones."""
    folder = resources.files("sandbox") / "fixtures" / "scenarios"
    candidate = folder / f"{name}.yaml"
    if not candidate.is_file():
        available = sorted(entry.name[:-5] for entry in folder.iterdir()
                           if entry.name.endswith(".yaml"))
        raise FileNotFoundError(f"no scenario {name!r}; bundled: {', '.join(available)}")
    return Path(str(candidate))


def load(document: dict) -> dict:
    """Validate and apply a scenario document; answers what changed, with ids and tokens.

    Raises :class:`ScenarioInvalid` (nothing changed).
    """
    try:
        data = ScenarioSchema().load(document)
    except ma.ValidationError as error:
        raise ScenarioInvalid(error.messages) from None

    def apply(loader: _Loader) -> None:
        for index, bank in enumerate(data["banks"]):
            loader.bank(bank, f"banks[{index}]")

    loader, _ = _apply(apply)
    return loader.result()


def create_customer(bank_id: str, spec: dict) -> dict:
    """A custom customer from a partial spec (validated by ``CustomerSpecSchema``): answers
    its credentials, id and accounts. A spec without accounts gets a generated customer of
    ``spec["profile"]`` (``regular`` when absent). Raises ``LookupError`` for an unknown bank
    and :class:`ScenarioInvalid` with paths relative to the spec."""
    bank = db.session.get(Bank, bank_id)
    if bank is None:
        raise LookupError(f"there is no bank {bank_id!r}")
    spec = {"password": DEFAULT_PASSWORD, **spec}
    if not spec.get("username") and not spec.get("id"):
        spec["username"] = _fresh_username(bank_id)
    if not spec.get("accounts"):
        spec.setdefault("profile", "regular")
    loader, _ = _apply(lambda loader: loader.customer(bank, spec, ""))
    return loader.result()["customers"][0]


def add_transactions(bank_id: str, account_id: str, transactions: list[dict]) -> dict:
    """Inject transactions (``TransactionDocSchema`` dicts) into an account; balances and
    running balances follow, and ``transaction.created`` (``transaction.posted`` for posted
    rows) and ``balance.low`` are raised. On an account whose card is locked, card purchases
    are declined instead of added. Answers the account's new balances, the transaction ids
    and the declined purchases. Raises ``LookupError`` when the bank has no such account."""
    account = db.session.get(Account, account_id)
    if account is None or account.bank_id != bank_id:
        raise LookupError(f"{bank_id} has no account {account_id!r}")
    decline = manage.declines_purchases(account)

    def announce(loader: _Loader, ids: list[str]) -> None:
        webhooks.notify_transactions("transaction.created", ids)
        webhooks.notify_transactions("transaction.posted", loader.posted)
        webhooks.refresh_low_balances([account.id])

    loader, ids = _apply(lambda loader: loader.transactions(account, transactions,
                                                            "transactions", decline=decline),
                         announce)
    db.session.refresh(account)
    return {"account_id": account.id, "transaction_ids": ids, "declined": loader.declined,
            "balances": ledger.balances(account)}


def _apply(work: Callable[[_Loader], Any],
           then: Callable[[_Loader, Any], None] | None = None) -> tuple[_Loader, Any]:
    """Run ``work(loader)`` in one transaction (then ``then(loader, result)``, once balances
    are up to date): commit when it validated, roll back and re-raise otherwise; then mint
    the documented consents. Answers ``(loader, result)``."""
    loader = _Loader()
    try:
        value = work(loader)
        loader.finish()
        if then is not None:
            then(loader, value)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    loader.mint_consents()
    db.session.commit()
    return loader, value


def _fresh_username(bank_id: str) -> str:
    taken = set(db.session.scalars(sa.select(Customer.username).where(
        Customer.bank_id == bank_id, Customer.username.like("qa\\_%", escape="\\"))))
    number = len(taken) + 1
    while f"qa_{number:05d}" in taken:
        number += 1
    return f"qa_{number:05d}"


@dataclass
class _Made:
    """What one customer of the document became."""

    bank_id: str
    username: str
    customer_id: str
    password: str | None
    accounts: list[dict] = field(default_factory=list)
    consents: list[dict] = field(default_factory=list)
    minted: list[dict] = field(default_factory=list)


class _Loader:
    """Applies one document inside the session's transaction, collecting errors by path."""

    def __init__(self):
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.counts = dict.fromkeys(("banks", "customers", "accounts", "transactions",
                                     "receipts", "shipments", "clients", "consents"), 0)
        self.made: list[_Made] = []
        self.touched: dict[str, datetime | None] = {}
        self.now = clock.now()
        self.state = db.session.get(WorldState, 1)
        self.seed = self.state.seed if self.state else 0
        self.hashes: dict[str, str] = {}
        self.merchants = {m.id: m for m in db.session.scalars(sa.select(Merchant))}
        #: Ids of the rows added as posted; purchases declined instead of added.
        self.posted: list[str] = []
        self.declined: list[dict] = []

    def error(self, path: str, message: str) -> None:
        self.errors[path or "(body)"].append(message)

    def touch(self, account_id: str, since: datetime | None) -> None:
        """Mark an account for rebalancing from ``since`` (None: from its opening)."""
        earlier = self.touched.get(account_id, since)
        self.touched[account_id] = None if since is None or earlier is None else min(since,
                                                                                     earlier)

    # -- banks and clients ------------------------------------------------------------------

    def bank(self, doc: dict, path: str) -> None:
        bank = db.session.get(Bank, doc["id"])
        if bank is None:
            if not doc.get("name") or not doc.get("routing_number"):
                self.error(f"{path}.name", "A new bank needs `name` and `routing_number`.")
                return
            template = catalog.banks()[0]
            settings = {k: v for k, v in template.items()
                        if k not in ("id", "name", "routing_number")}
            position = db.session.scalar(sa.select(sa.func.count()).select_from(Bank))
            bank = Bank(id=doc["id"], name=doc["name"], routing_number=doc["routing_number"],
                        settings=settings, position=position)
            db.session.add(bank)
            db.session.flush()
            for client in catalog.clients():
                self.client(bank, dict(client), path)
        settings = dict(bank.settings)
        for key in ("page_size_max", "consent_max_days", "mfa_policy"):
            if key in doc:
                settings[key] = doc[key]
        if "brand" in doc:
            brand = {k: v for k, v in doc["brand"].items() if k != "logo_url"}
            settings["brand"] = {**settings.get("brand", {}), **brand}
        bank.settings = settings
        bank.name = doc.get("name", bank.name)
        bank.routing_number = doc.get("routing_number", bank.routing_number)
        self.counts["banks"] += 1
        for index, client in enumerate(doc["clients"]):
            self.client(bank, client, f"{path}.clients[{index}]")
        for index, customer in enumerate(doc["customers"]):
            self.customer(bank, customer, f"{path}.customers[{index}]")

    def client(self, bank: Bank, doc: dict, path: str) -> None:
        row = db.session.scalar(sa.select(OAuthClient).where(
            OAuthClient.bank_id == bank.id, OAuthClient.client_id == doc["client_id"]))
        metadata = dict(row.client_metadata) if row is not None else {}
        secret = doc.get("client_secret", row.client_secret if row is not None else None)
        if row is None:
            confidential = bool(secret)
            metadata = {
                "client_name": doc["client_id"],
                "token_endpoint_auth_method": "client_secret_basic" if confidential else "none",
                "grant_types": ["authorization_code", "refresh_token"]
                + (["client_credentials"] if confidential else []),
                "response_types": ["code"],
                "redirect_uris": ["http://localhost/callback", "http://127.0.0.1/callback"],
                "scope": " ".join(catalog.SCOPES),
            }
            row = OAuthClient(bank_id=bank.id, client_id=doc["client_id"],
                              client_id_issued_at=int(self.now.timestamp()),
                              client_secret_expires_at=0)
            db.session.add(row)
        for key in ("client_name", "token_endpoint_auth_method", "grant_types",
                    "response_types", "redirect_uris", "scope"):
            if key in doc:
                metadata[key] = doc[key]
        public = metadata["token_endpoint_auth_method"] == "none"
        if public == bool(secret):
            self.error(f"{path}.client_secret", "A secret exactly when the client is "
                                                "confidential (auth method not `none`).")
        row.client_secret = secret or None
        row.set_client_metadata(metadata)
        self.counts["clients"] += 1

    # -- customers ------------------------------------------------------------------------

    def _at(self, base: str, name: str) -> str:
        return f"{base}.{name}" if base else name

    def customer(self, bank: Bank, doc: dict, path: str) -> None:
        customer = self._find_customer(bank, doc, path)
        if customer is False:
            return
        created = customer is None
        password = doc.get("password")
        if created:
            password = password or DEFAULT_PASSWORD
            if doc.get("profile") and not doc["accounts"]:
                customer = self._generated_customer(bank, doc, password)
            else:
                customer = self._new_customer(bank, doc, password)
        elif password:
            customer.password_hash = self._hash(password)
        self._update_identity(customer, doc)
        made = _Made(bank.id, customer.username, customer.id, password if created else
                     doc.get("password"))
        self.made.append(made)
        self.counts["customers"] += 1
        for index, account in enumerate(doc["accounts"]):
            row = self.account(bank, customer, account, index,
                               self._at(path, f"accounts[{index}]"))
            if row is not None:
                made.accounts.append({"id": row.id, "type": row.type, "name": row.name,
                                      "mask": row.mask})
        if not doc["accounts"]:
            made.accounts = [{"id": a.id, "type": a.type, "name": a.name, "mask": a.mask}
                             for a in db.session.scalars(
                                 sa.select(Account).where(Account.customer_id == customer.id)
                                 .order_by(Account.position))]
        for index, consent in enumerate(doc["consents"]):
            self._check_consent(bank, made, consent, self._at(path, f"consents[{index}]"))

    def _find_customer(self, bank: Bank, doc: dict, path: str):
        """The customer the doc names (None: a new one; False: an error was recorded)."""
        if doc.get("id"):
            customer = db.session.get(Customer, doc["id"])
            if customer is not None and customer.bank_id != bank.id:
                self.error(self._at(path, "id"), f"Customer {doc['id']!r} belongs to "
                                                 f"{customer.bank_id}.")
                return False
            if customer is not None:
                return customer
        if doc.get("username"):
            return db.session.scalar(sa.select(Customer).where(
                Customer.bank_id == bank.id, Customer.username == doc["username"]))
        self.error(self._at(path, "id"), f"{bank.id} has no customer {doc['id']!r}; give a "
                                         "`username` to create one.")
        return False

    def _hash(self, password: str) -> str:
        if password not in self.hashes:
            self.hashes[password] = generate_password_hash(password)
        return self.hashes[password]

    def _world(self, bank: Bank):
        months = self.state.history_months if self.state else 3
        start = (self.state.history_start if self.state and self.state.history_start
                 else history_start(self.now.date(), months))
        fixture = {**bank.settings, "id": bank.id, "name": bank.name,
                   "routing_number": bank.routing_number}
        return make_world(self.seed, months, start, fixture)

    def _next_position(self, bank: Bank) -> int:
        highest = db.session.scalar(sa.select(sa.func.max(Customer.position)).where(
            Customer.bank_id == bank.id))
        return 0 if highest is None else highest + 1

    def _generated_customer(self, bank: Bank, doc: dict, password: str) -> Customer:
        persona = {"username": doc["username"], "profile": doc["profile"],
                   "mfa_required": doc.get("mfa_required", False),
                   "locked": doc.get("locked", False), "password": password}
        rows = customer_rows(self._world(bank), doc["username"], self._next_position(bank),
                             persona, self.now, self._hash(password))
        rows.customer["persona"] = None
        counts: dict[str, int] = {}
        with BulkWriter(db.session.connection(), counts) as writer:
            writer.add(rows)
        for kind in ("accounts", "transactions", "receipts", "shipments"):
            self.counts[kind] += counts.get(kind, 0)
        return db.session.get(Customer, rows.customer["id"])

    def _new_customer(self, bank: Bank, doc: dict, password: str) -> Customer:
        position = self._next_position(bank)
        plan = plan_customer(self._world(bank), doc["username"], position, None)
        customer = Customer(
            id=plan.id, bank_id=bank.id, position=position, username=plan.username,
            password_hash=self._hash(password), persona=None, name=plan.name, email=plan.email,
            phone=plan.phone, line1=plan.line1, city=plan.city["name"],
            region=plan.city["region"], postal_code=plan.postal_code, country="US",
            home_lat=plan.lat, home_lon=plan.lon, mfa_required=False, locked=False)
        db.session.add(customer)
        db.session.flush()
        return customer

    @staticmethod
    def _update_identity(customer: Customer, doc: dict) -> None:
        for key in ("name", "email", "phone", "mfa_required", "locked"):
            if key in doc:
                setattr(customer, key, doc[key])
        for key, value in doc.get("address", {}).items():
            setattr(customer, key, value)
        if "home" in doc:
            customer.home_lat, customer.home_lon = doc["home"]["lat"], doc["home"]["lon"]

    # -- accounts -------------------------------------------------------------------------

    def account(self, bank: Bank, customer: Customer, doc: dict, index: int,
                path: str) -> Account | None:
        """Update the account the doc names, or open it. An account without an id is the
        customer's ``index``-th scenario account, so loading a document twice updates it."""
        account_id = doc.get("id") or "acc_" + keys.token(self.seed, bank.id, customer.id,
                                                          "scenario", index)
        account = db.session.get(Account, account_id)
        if account is not None and account.customer_id != customer.id:
            self.error(self._at(path, "id"), f"Account {doc['id']!r} is not "
                                             f"{customer.username}'s.")
            return None
        if account is None:
            account = self._open_account(bank, customer, account_id, doc, path)
            if account is None:
                return None
        for key in ("name", "nickname", "mask", "status", "opened_on", "statement_day"):
            if key in doc:
                setattr(account, key, doc[key])
        if doc.get("credit_limit") is not None:
            account.credit_limit = doc["credit_limit"]
        self.counts["accounts"] += 1
        if doc["replace_transactions"]:
            self._remove_history(account)
        self.transactions(account, doc["transactions"], self._at(path, "transactions"))
        if "current" in doc.get("balances", {}):
            self._aim_balance(account, doc["balances"]["current"])
        return account

    def _open_account(self, bank: Bank, customer: Customer, account_id: str, doc: dict,
                      path: str) -> Account | None:
        kind = doc.get("type", "checking")
        product = next((p for p in bank.settings["products"] if p["type"] == kind), None)
        if product is None:
            self.error(self._at(path, "type"), f"{bank.id} offers no {kind} product.")
            return None
        position = db.session.scalar(sa.select(sa.func.count()).select_from(Account).where(
            Account.customer_id == customer.id))
        rng = keys.rng(account_id)
        limits = sorted(Decimal(limit) for limit in product.get("credit_limits") or ())
        account = Account(
            id=account_id, bank_id=bank.id, customer_id=customer.id,
            position=position, type=kind, product=product["code"], name=product["name"],
            mask=f"{rng.randint(0, 9999):04d}", currency="USD", status="open",
            opened_on=self.now.date() - timedelta(days=365), routing_number=bank.routing_number,
            credit_limit=limits[0] if limits else None,
            statement_day=rng.randint(1, 28) if kind == "credit_card" else None,
            apr=Decimal(product["apr"]) if product.get("apr") else None,
            opening_balance=ZERO, current_balance=ZERO, pending_total=ZERO,
            card_locked=False, generated_through=None)
        db.session.add(account)
        db.session.flush()
        return account

    def _remove_history(self, account: Account) -> None:
        ids = sa.select(Transaction.id).where(Transaction.account_id == account.id)
        receipts = sa.select(Receipt.id).where(Receipt.account_id == account.id)
        db.session.execute(sa.delete(TransactionJson).where(
            TransactionJson.transaction_id.in_(ids)))
        db.session.execute(sa.delete(Shipment).where(Shipment.receipt_id.in_(receipts)))
        db.session.execute(sa.delete(Receipt).where(Receipt.account_id == account.id))
        db.session.execute(sa.delete(Transaction).where(Transaction.account_id == account.id))
        self.touch(account.id, None)

    def _aim_balance(self, account: Account, current: Decimal) -> None:
        """Set the opening balance so that the current balance is ``current``."""
        posted = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Transaction.amount), 0))
                                   .where(Transaction.account_id == account.id,
                                          Transaction.status == "posted"))
        posted = Decimal(posted).quantize(CENT)
        account.opening_balance = current + posted if account.type in LIABILITIES \
            else current - posted
        self.touch(account.id, None)

    # -- transactions ---------------------------------------------------------------------

    def transactions(self, account: Account, docs: list[dict], path: str, *,
                     decline: bool = False) -> list[str]:
        """Add or replace ``docs`` in ``account``; answers their ids. With ``decline``, card
        purchases are recorded as declined (``self.declined``) instead."""
        rows, receipts, shipments, ids, positions = [], [], [], [], []
        customer = db.session.get(Customer, account.customer_id)
        for index, doc in enumerate(docs):
            where = f"{path}[{index}]"
            built = self._transaction(account, customer, doc, index, len(docs), where)
            if built is None:
                continue
            row, receipt, parcels = built
            rows.append(row)
            positions.append(index)
            ids.append(row["id"])
            if receipt:
                receipts.append(receipt)
            shipments.extend(parcels)
        self._check_owners(account, rows, path)
        if not rows or self.errors:
            return ids
        if decline:
            rows, receipts, shipments = self._decline(account, rows, positions, receipts,
                                                      shipments)
            ids = [row["id"] for row in rows]
            if not rows:
                return ids
        replaced = [row["id"] for row in rows]
        db.session.execute(sa.delete(TransactionJson).where(
            TransactionJson.transaction_id.in_(replaced)))
        old_receipts = sa.select(Receipt.id).where(Receipt.transaction_id.in_(replaced))
        db.session.execute(sa.delete(Shipment).where(Shipment.receipt_id.in_(old_receipts)))
        db.session.execute(sa.delete(Receipt).where(Receipt.transaction_id.in_(replaced)))
        db.session.execute(sa.delete(Transaction).where(Transaction.id.in_(replaced)))
        connection = db.session.connection()
        for model, batch in ((Transaction, rows), (Receipt, receipts), (Shipment, shipments)):
            if batch:
                connection.execute(sa.insert(model.__table__), batch)
        self.touch(account.id, min(row["posts_at"] for row in rows))
        self.posted.extend(row["id"] for row in rows if row["status"] == "posted")
        self.counts["transactions"] += len(rows)
        self.counts["receipts"] += len(receipts)
        self.counts["shipments"] += len(shipments)
        return ids

    def _decline(self, account: Account, rows: list[dict], positions: list[int],
                 receipts: list[dict], shipments: list[dict]) -> tuple[list, list, list]:
        """Record the card purchases among ``rows`` as declined; answers the rows, receipts
        and parcels that remain."""
        kept, gone = [], set()
        for row, position in zip(rows, positions):
            if row["channel"] not in CARD_CHANNELS or row["amount"] >= 0:
                kept.append(row)
                continue
            declined = manage.decline(
                account, amount=row["amount"], description=row["description"],
                channel=row["channel"], attempted_at=row["authorized_at"],
                merchant_id=row["merchant_id"])
            self.declined.append({"index": position, "id": declined.id,
                                  "amount": money(row["amount"]), "currency": declined.currency,
                                  "description": declined.description,
                                  "attempted_at": declined.attempted_at,
                                  "reason": declined.reason})
            if row["receipt_id"]:
                gone.add(row["receipt_id"])
        return (kept, [r for r in receipts if r["id"] not in gone],
                [s for s in shipments if s["receipt_id"] not in gone])

    def _check_owners(self, account: Account, rows: list[dict], path: str) -> None:
        """Record an error for every row whose id is another account's transaction."""
        positions = {row["id"]: index for index, row in enumerate(rows)}
        ids = list(positions)
        for start in range(0, len(ids), 500):
            foreign = db.session.execute(sa.select(Transaction.id).where(
                Transaction.id.in_(ids[start:start + 500]),
                Transaction.account_id != account.id)).scalars()
            for transaction_id in foreign:
                self.error(f"{path}[{positions[transaction_id]}].id",
                           f"Transaction {transaction_id!r} belongs to another account.")

    def _transaction(self, account: Account, customer: Customer, doc: dict, index: int,
                     count: int, path: str):
        at = self._at
        authorized = doc.get("authorized_at") or self.now - timedelta(minutes=count - index)
        amount = doc["amount"]
        if authorized > self.now:
            self.error(at(path, "authorized_at"), "Must not be after the sandbox clock's now.")
            return None
        if doc["status"] == "posted":
            if doc.get("posts_at"):
                self.error(at(path, "posts_at"), "Only pending rows have `posts_at`; "
                                                 "give `posted_at`.")
            posts = doc.get("posted_at") or authorized
            if posts > self.now or posts < authorized:
                self.error(at(path, "posted_at"), "Must lie between `authorized_at` and now.")
                return None
        else:
            if doc.get("posted_at"):
                self.error(at(path, "posted_at"), "A pending row has not posted: leave it out.")
            posts = doc.get("posts_at") or max(authorized, self.now) + timedelta(days=PENDING_DAYS)
            if posts <= self.now:
                self.error(at(path, "posts_at"), "A pending row posts after now.")
                return None
        merchant = self._merchant(doc.get("merchant"), at(path, "merchant"))
        if merchant is False:
            return None
        counterparty = doc.get("counterparty_account_id")
        if counterparty and db.session.get(Account, counterparty) is None:
            self.error(at(path, "counterparty_account_id"), f"No account {counterparty!r}.")
        token = doc.get("id") or "txn_" + keys.token(account.id, "scenario", authorized.isoformat(),
                                                    amount, index)
        suffix = token.split("_", 1)[-1]
        location = doc.get("location") or {}
        channel = doc.get("channel") or ("in_store" if location else "online" if merchant
                                         else "transfer" if counterparty else "ach")
        category = doc.get("category") or (merchant.category if merchant else
                                           "income" if amount > 0 else "shopping")
        description = doc.get("description") or (merchant.name.upper() if merchant else
                                                 "DEPOSIT" if amount > 0 else "PAYMENT")
        receipt, parcels = None, []
        if doc.get("receipt"):
            built = self._receipt(doc["receipt"], account, customer, token, suffix, amount,
                                  authorized, merchant, at(path, "receipt"))
            if built is None:
                return None
            receipt, parcels = built
        row = {
            "id": token, "account_id": account.id, "amount": amount,
            "currency": doc.get("currency") or account.currency, "status": doc["status"],
            "authorized_at": authorized, "posted_at": posts if doc["status"] == "posted" else None,
            "posts_at": posts, "description": description, "category": category,
            "channel": channel, "merchant_id": merchant.id if merchant else None,
            "location_line1": location.get("line1"), "location_city": location.get("city"),
            "location_region": location.get("region"),
            "location_postal_code": location.get("postal_code"),
            "location_country": location.get("country", "US") if location else None,
            "location_lat": location.get("lat"), "location_lon": location.get("lon"),
            "running_balance": None, "counterparty_account_id": counterparty,
            "receipt_id": receipt["id"] if receipt else None,
        }
        return row, receipt, parcels

    def _merchant(self, doc: dict | None, path: str):
        """The merchant a transaction names: None, a Merchant, or False after an error."""
        if not doc:
            return None
        if doc.get("id"):
            merchant = self.merchants.get(doc["id"])
            if merchant is None:
                self.error(f"{path}.id", f"No merchant {doc['id']!r} in the catalogue.")
                return False
            return merchant
        merchant_id = "mch_" + "".join(c for c in doc["name"].lower() if c.isalnum())[:30]
        merchant = self.merchants.get(merchant_id)
        if merchant is None:
            merchant = Merchant(id=merchant_id, name=doc["name"],
                                category=doc.get("category", "shopping"),
                                mcc=doc.get("mcc", "5999"), website=doc.get("website"))
            db.session.add(merchant)
            db.session.flush()
            self.merchants[merchant_id] = merchant
        return merchant

    # -- receipts and parcels ---------------------------------------------------------------

    def _receipt(self, doc: dict, account: Account, customer: Customer, transaction_id: str,
                 suffix: str, amount: Decimal, authorized: datetime, merchant, path: str):
        if merchant is None:
            self.error(path, "A receipt needs the transaction's `merchant`.")
            return None
        if amount >= 0:
            self.error(path, "A receipt belongs to a purchase (a negative amount).")
            return None
        paid = -amount
        charges = doc["tax"] + doc["tip"] + doc["shipping"]
        lines = []
        for index, line in enumerate(doc.get("line_items") or ()):
            total = (line["unit_price"] * line["quantity"]).quantize(CENT)
            if "total" in line and line["total"] != total:
                self.error(f"{path}.line_items[{index}].total",
                           f"quantity × unit_price is {total}, not {line['total']}.")
            lines.append({"sku": line.get("sku") or f"SKU-{index + 1:03d}",
                          "description": line["description"], "quantity": line["quantity"],
                          "unit_price": str(line["unit_price"]), "total": str(total)})
        subtotal = sum((Decimal(line["total"]) for line in lines), ZERO) if lines \
            else doc.get("subtotal", paid - charges)
        if not lines:
            lines = [{"sku": "SKU-001", "description": merchant.name, "quantity": 1,
                      "unit_price": str(subtotal), "total": str(subtotal)}]
        if "subtotal" in doc and doc["subtotal"] != subtotal:
            self.error(f"{path}.subtotal", f"The line items add up to {subtotal}.")
        total = subtotal + charges
        if "total" in doc and doc["total"] != total:
            self.error(f"{path}.total", f"subtotal + tax + tip + shipping is {total}.")
        elif total != paid:
            self.error(f"{path}.total", f"The receipt totals {total} but the transaction "
                                        f"paid {paid}.")
        receipt_id = doc.get("id") or f"rcp_{suffix}"
        order_id = doc.get("order_id") or (f"ord_{suffix}" if doc["shipments"] else None)
        receipt = {"id": receipt_id, "transaction_id": transaction_id, "account_id": account.id,
                   "merchant_id": merchant.id, "issued_at": doc.get("issued_at") or authorized,
                   "currency": doc.get("currency") or account.currency, "line_items": lines,
                   "subtotal": subtotal, "tax": doc["tax"], "tip": doc["tip"],
                   "shipping": doc["shipping"], "total": total, "order_id": order_id}
        parcels = []
        for index, shipment in enumerate(doc["shipments"]):
            parcel = self._shipment(shipment, customer, receipt, f"{suffix}{index}", authorized,
                                    f"{path}.shipments[{index}]")
            if parcel is not None:
                parcels.append(parcel)
        return receipt, parcels

    def _shipment(self, doc: dict, customer: Customer, receipt: dict, suffix: str,
                  ordered: datetime, path: str) -> dict | None:
        city = f"{customer.city}, {customer.region}"
        if doc.get("events"):
            events = [{"at": _iso(e["at"]), "status": e["status"],
                       "description": e.get("description") or EVENT_TEXT[e["status"]],
                       "city": e.get("city") or city} for e in doc["events"]]
            if [e["at"] for e in events] != sorted(e["at"] for e in events):
                self.error(f"{path}.events", "Events must be in time order.")
                return None
        else:
            events = self._timeline(doc["status"], ordered, city)
        pickup = next((e["at"] for e in events if e["status"] == "in_transit"), events[0]["at"])
        shipped_at = doc.get("shipped_at") or clock.parse_instant(pickup)
        if shipped_at < ordered:
            self.error(f"{path}.shipped_at", "A parcel ships after the purchase.")
            return None
        delivered = [e["at"] for e in events if e["status"] == "delivered"]
        estimate = doc.get("estimated_delivery") or (
            date.fromisoformat(delivered[-1][:10]) if delivered
            else shipped_at.date() + timedelta(days=3))
        rng = keys.rng(self.seed, "parcel", suffix)
        carriers = catalog.merchant_catalogue()["carriers"]
        carrier = next((c for c in carriers if c["name"] == doc.get("carrier")), None) \
            or rng.choices(carriers, weights=[c["weight"] for c in carriers])[0]
        tracking = doc.get("tracking_number") or carrier["prefix"] + "".join(
            str(rng.randint(0, 9)) for _ in range(carrier["digits"]))
        return {"id": doc.get("id") or f"shp_{suffix}", "receipt_id": receipt["id"],
                "customer_id": customer.id, "order_id": doc.get("order_id") or receipt["order_id"],
                "carrier": doc.get("carrier") or carrier["name"], "tracking_number": tracking,
                "shipped_at": shipped_at, "estimated_delivery": estimate, "events": events}

    def _timeline(self, status: str, ordered: datetime, city: str) -> list[dict]:
        """A journey whose latest event at now has ``status``; what follows is planned
        after now, so the parcel moves on as the clock does."""
        flow, current = SHIPMENT_FLOWS[status]
        last_past = max(ordered, self.now - timedelta(hours=1))
        span = last_past - ordered
        events = []
        for index, step in enumerate(flow):
            if index <= current:
                at = ordered + span * (index + 1) / (current + 1)
            else:
                at = self.now + timedelta(days=index - current)
            events.append({"at": _iso(at), "status": step, "description": EVENT_TEXT[step],
                           "city": city})
        return events

    # -- consents ---------------------------------------------------------------------------

    def _check_consent(self, bank: Bank, made: _Made, doc: dict, path: str) -> None:
        from sandbox.services.clients import find_client

        if find_client(db.session, bank.id, doc["client_id"]) is None:
            self.error(f"{path}.client_id", f"No client {doc['client_id']!r} at {bank.id}.")
            return
        owned = {account["id"] for account in made.accounts}
        unknown = sorted(set(doc["account_ids"] or ()) - owned)
        if unknown and made.accounts:
            self.error(f"{path}.account_ids", f"Not {made.username}'s: {', '.join(unknown)}.")
            return
        made.consents.append(doc)

    def mint_consents(self) -> None:
        """Create the documented consents, in the caller's unit of work."""
        from sandbox.oauth.minting import mint_token

        for made in self.made:
            for doc in made.consents:
                made.minted.append(mint_token(
                    db.session, made.bank_id, doc["client_id"], made.username, doc["scope"],
                    doc["account_ids"], now=clock.now(), expires_at=doc["expires_at"],
                    transaction_from=doc["transaction_from"],
                    transaction_to=doc["transaction_to"], purpose=doc["purpose"]))
                self.counts["consents"] += 1

    # -- the end ----------------------------------------------------------------------------

    def finish(self) -> None:
        """Raise the collected errors, or bring every touched account's balances up to date."""
        if self.errors:
            raise ScenarioInvalid(dict(self.errors))
        db.session.flush()
        for account_id, since in self.touched.items():
            ledger.rebalance(db.session.get(Account, account_id), since)

    def result(self) -> dict:
        """Counts, and each customer's credentials, ids, accounts and minted tokens."""
        return {"counts": dict(self.counts), "customers": [
            {"bank_id": m.bank_id, "username": m.username, "customer_id": m.customer_id,
             "password": m.password, "accounts": m.accounts, "tokens": m.minted}
            for m in self.made]}


def _iso(instant: datetime) -> str:
    return instant.astimezone(clock.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
