"""Finding 4 of issue 9, for every resource at once, against a live server: what a token's
consent leaves out, the data API leaves out.

One table names every data-API resource (a route the table does not cover fails the suite).
Each resource is attacked with tokens whose consent (a) selects one account, (b) lacks the
resource's scope, (c) has a transaction window that excludes rows: lists omit what the consent
does not cover, reads by id answer exactly like unknown ids, a missing scope is a 403 naming
it. Webhook payloads and the access log follow the same rule. The truth each answer is held to
comes from ``/sandbox/export``, not from the API under test."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

import pytest
import requests

from sandbox.testing.admin import ControlPlaneError, MintedToken, SandboxAdmin, http_transport
from tests.conftest import TEST_AS_OF
from sandbox.testing.server import free_port

BANK = "harborline"
USERNAME = "user_good"
#: Another customer of the bank: their ids must look like unknown ones.
STRANGER = "user_mfa"
PAGE = 100
UNKNOWN = "unknown_0000000000"


class Resource(NamedTuple):
    """A data-API GET route, the scope it needs, and what it answers: one item of ``family``,
    or (``lists``) every item of ``family`` the consent covers, of the path's account when the
    path names one."""

    rule: str
    scope: str
    family: str
    lists: bool


#: Every data-API GET route. Adding a resource means adding a row. (The standards dialects'
#: routes, under their own paths, are held to their consents by their own suites.)
RESOURCES = [
    Resource("/banks/<bank_id>/v1/accounts", "accounts", "accounts", True),
    Resource("/banks/<bank_id>/v1/accounts/<account_id>", "accounts", "accounts", False),
    Resource("/banks/<bank_id>/v1/accounts/<account_id>/balances", "balances", "accounts",
             False),
    Resource("/banks/<bank_id>/v1/accounts/<account_id>/transactions", "transactions",
             "transactions", True),
    Resource("/banks/<bank_id>/v1/transactions/<transaction_id>", "transactions",
             "transactions", False),
    Resource("/banks/<bank_id>/v1/receipts", "receipts", "receipts", True),
    Resource("/banks/<bank_id>/v1/receipts/<receipt_id>", "receipts", "receipts", False),
    Resource("/banks/<bank_id>/v1/shipments", "shipments", "shipments", True),
    Resource("/banks/<bank_id>/v1/shipments/<shipment_id>", "shipments", "shipments", False),
    Resource("/banks/<bank_id>/v1/identity", "identity", "identity", False),
]
#: GET routes under a ``/v1/`` that carry no customer data, and why.
NOT_CUSTOMER_DATA = {
    "/banks/<bank_id>/v1/webhooks": "the client's own subscriptions (client-credentials token)",
}
#: The family of the items a path variable names.
VARIABLES = {"account_id": "accounts", "transaction_id": "transactions",
             "receipt_id": "receipts", "shipment_id": "shipments"}
DATA_SCOPES = " ".join(dict.fromkeys(resource.scope for resource in RESOURCES))
RESOURCE_IDS = [resource.rule.removeprefix("/banks/<bank_id>/v1") for resource in RESOURCES]


@dataclass(frozen=True)
class Item:
    """What decides whether a consent covers an item: its account (None: any consent) and
    the day of the transaction behind it (None: any window)."""

    account: str | None
    day: date | None


@dataclass(frozen=True)
class World:
    """The customer's items by family and id; one id per family of another customer."""

    items: dict[str, dict[str, Item]]
    foreign: dict[str, str]
    savings: str
    first_purchase: date


@dataclass(frozen=True)
class Coverage:
    """What a consent covers: its accounts (None: all) and its transaction window."""

    accounts: frozenset[str] | None = None
    start: date | None = None
    end: date | None = None

    def covers(self, item: Item | None) -> bool:
        """Whether the consent shows ``item`` (None: another customer's, or no item)."""
        if item is None:
            return False
        if self.accounts is not None and item.account is not None and (
                item.account not in self.accounts):
            return False
        return item.day is None or ((self.start is None or self.start <= item.day)
                                    and (self.end is None or item.day <= self.end))

    def ids(self, world: World, family: str) -> set[str]:
        """The ids of ``family`` the consent shows."""
        return {key for key, item in world.items[family].items() if self.covers(item)}


#: The consents of the matrix: (a) one account selected, (c) windows that exclude rows; each
#: holds every data scope, and the mint options are drawn from the customer's world.
CONSENTS = {
    "savings only": lambda world: {"account_ids": [world.savings]},
    "window closing before the first purchase": lambda world: {
        "transaction_to": world.first_purchase - timedelta(days=1)},
    "one month's window": lambda world: {"transaction_from": TEST_AS_OF - timedelta(days=59),
                                         "transaction_to": TEST_AS_OF - timedelta(days=30)},
}


def items_of(customer: dict) -> dict[str, dict[str, Item]]:
    """Every item of an exported customer, by family: a receipt and its parcels belong to
    the account and day of their purchase."""
    families: dict[str, dict[str, Item]] = {
        "accounts": {}, "transactions": {}, "receipts": {}, "shipments": {},
        "identity": {customer["id"]: Item(None, None)}}
    for account in customer["accounts"]:
        families["accounts"][account["id"]] = Item(account["id"], None)
        for row in account["transactions"]:
            item = Item(account["id"], date.fromisoformat(row["authorized_at"][:10]))
            families["transactions"][row["id"]] = item
            if row["receipt"]:
                families["receipts"][row["receipt"]["id"]] = item
                for parcel in row["receipt"]["shipments"]:
                    families["shipments"][parcel["id"]] = item
    return families


@pytest.fixture(scope="module")
def admin(live_server) -> SandboxAdmin:
    """The live server's control plane."""
    return SandboxAdmin(http_transport(live_server))


@pytest.fixture(scope="module")
def world(admin) -> World:
    """The truth, from the export: the customer's items, and a stranger's."""
    customers = {customer["username"]: customer
                 for customer in admin.export(BANK)["banks"][0]["customers"]}
    own, stranger = items_of(customers[USERNAME]), items_of(customers[STRANGER])
    purchases = [item.day for item in own["receipts"].values()]
    return World(items=own, foreign={family: next(iter(ids)) for family, ids in stranger.items()},
                 savings=next(account["id"] for account in customers[USERNAME]["accounts"]
                              if account["type"] == "savings"),
                 first_purchase=min(purchases))


def mint(admin: SandboxAdmin, world: World, consent: str, **more) -> tuple[MintedToken, Coverage]:
    """A token of ``CONSENTS[consent]`` with every data scope (``more``: other mint options),
    and what its consent covers."""
    options = CONSENTS[consent](world)
    token = admin.token(BANK, USERNAME, DATA_SCOPES, **more, **{
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in options.items()})
    accounts = options.get("account_ids")
    return token, Coverage(frozenset(accounts) if accounts else None,
                           options.get("transaction_from"), options.get("transaction_to"))


@pytest.fixture(scope="module")
def granted(admin, world):
    """``granted(consent)``: ``mint`` once per consent of the module."""
    minted: dict[str, tuple[MintedToken, Coverage]] = {}

    def grant(consent: str) -> tuple[MintedToken, Coverage]:
        if consent not in minted:
            minted[consent] = mint(admin, world, consent)
        return minted[consent]

    return grant


def url(base: str, rule: str, value: str | None = None) -> str:
    """The URL of ``rule`` at the bank, its path variable (if any) set to ``value``."""
    return base + re.sub(r"<\w+>", value or "", rule.replace("<bank_id>", BANK))


def variable(rule: str) -> str | None:
    """The path variable of ``rule`` besides the bank, or None."""
    names = [name for name in re.findall(r"<(\w+)>", rule) if name != "bank_id"]
    return names[0] if names else None


def pages(page_url: str, headers: dict) -> list[list[str]]:
    """The ids on every page of a list, following ``next_cursor`` to the end."""
    found, cursor = [], None
    while True:
        answer = requests.get(page_url, headers=headers, timeout=30,
                              params={"limit": PAGE, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        found.append([row["id"] for row in answer.json()["data"]])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return found


def listed(page_url: str, headers: dict) -> list[str]:
    """Every id of a list, sorted."""
    return sorted(key for page in pages(page_url, headers) for key in page)


def test_the_table_covers_every_data_api_route(app):
    routes = {rule.rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/banks/<bank_id>/v1/") and "GET" in rule.methods}
    assert routes == {resource.rule for resource in RESOURCES} | set(NOT_CUSTOMER_DATA)


@pytest.mark.parametrize("consent", CONSENTS)
@pytest.mark.parametrize("resource", RESOURCES, ids=RESOURCE_IDS)
def test_a_resource_shows_only_what_the_consent_covers(live_server, admin, world, granted,
                                                       resource, consent):
    token, coverage = granted(consent)
    logged_before = len(admin.access_log(consent_id=token.consent_id))
    name = variable(resource.rule)
    family = VARIABLES.get(name, resource.family)
    values = [None] if name is None else [*world.items[family], world.foreign[family], UNKNOWN]
    unknown = requests.get(url(live_server, resource.rule, UNKNOWN), headers=token.headers,
                           timeout=30) if name else None
    reads = 0
    for value in values:
        target = url(live_server, resource.rule, value)
        if name and not coverage.covers(world.items[family].get(value)):
            answer = requests.get(target, headers=token.headers, timeout=30)
            assert answer.status_code == 404, (value, answer.text)
            assert answer.json() == unknown.json()
            assert "ETag" not in answer.headers
        elif resource.lists:
            found = pages(target, token.headers)
            reads += len(found)
            assert sorted(key for page in found for key in page) == sorted(
                key for key in coverage.ids(world, resource.family)
                if name is None or world.items[resource.family][key].account == value), value
        else:
            answer = requests.get(target, headers=token.headers, timeout=30)
            reads += 1
            assert answer.status_code == 200, (value, answer.text)
            assert answer.json().get("id", value) == (value or next(iter(world.items[family])))

    logged = admin.access_log(consent_id=token.consent_id)
    assert len(logged) - logged_before == reads
    shown = {None} | {key for kind in world.items for key in coverage.ids(world, kind)}
    assert {entry["resource_id"] for entry in logged[:reads]} <= shown


@pytest.mark.parametrize("resource", RESOURCES, ids=RESOURCE_IDS)
def test_a_consent_without_the_resources_scope_is_a_403_naming_it(live_server, admin, world,
                                                                  resource):
    others = " ".join(scope for scope in DATA_SCOPES.split() if scope != resource.scope)
    token = admin.token(BANK, USERNAME, others)
    name = variable(resource.rule)
    for value in ([None] if name is None else [next(iter(world.items[VARIABLES[name]])),
                                               UNKNOWN]):
        answer = requests.get(url(live_server, resource.rule, value), headers=token.headers,
                              timeout=30)
        assert answer.status_code == 403, answer.text
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert f"`{resource.scope}`" in answer.json()["detail"]
        assert f'scope="{resource.scope}"' in answer.headers["WWW-Authenticate"]
    assert admin.access_log(consent_id=token.consent_id) == []


def test_the_original_attack_finds_no_parcels(live_server, world, granted):
    """The review's attack: a consent that selected only savings listed and read all of the
    customer's parcels, and so did a window that excluded every purchase."""
    parcels = world.items["shipments"]
    assert len(parcels) >= 10
    for consent in ("savings only", "window closing before the first purchase"):
        token, _ = granted(consent)
        for family in ("receipts", "shipments"):
            assert listed(f"{live_server}/banks/{BANK}/v1/{family}", token.headers) == [], (
                consent, family)
        for shipment_id in parcels:
            read = requests.get(f"{live_server}/banks/{BANK}/v1/shipments/{shipment_id}",
                                headers=token.headers, timeout=30)
            assert read.status_code == 404, (consent, shipment_id)
    token, coverage = granted("one month's window")
    shown = listed(f"{live_server}/banks/{BANK}/v1/shipments", token.headers)
    assert shown == sorted(coverage.ids(world, "shipments"))
    assert 0 < len(shown) < len(parcels)


def registered_client(base: str) -> tuple[str, str]:
    """A new confidential client (RFC 7591) and a client-credentials token of it."""
    registered = requests.post(f"{base}/banks/{BANK}/register", timeout=30, json={
        "client_name": "Consent matrix", "redirect_uris": ["https://app.example/cb"],
        "grant_types": ["authorization_code", "client_credentials"],
        "response_types": ["code"], "scope": f"openid {DATA_SCOPES}"}).json()
    credentials = (registered["client_id"], registered["client_secret"])
    token = requests.post(f"{base}/banks/{BANK}/token", auth=credentials, timeout=30,
                          data={"grant_type": "client_credentials"}).json()["access_token"]
    return registered["client_id"], token


def subscribe(base: str, token: str) -> None:
    """Subscribe to transaction and shipment events at a loopback port nobody answers: the
    delivery log keeps each payload exactly as it is POSTed."""
    answer = requests.post(f"{base}/banks/{BANK}/v1/webhooks", timeout=30,
                           headers={"Authorization": f"Bearer {token}"},
                           json={"url": f"http://127.0.0.1:{free_port()}/hooks",
                                 "events": ["transaction.created", "shipment.updated"]})
    assert answer.status_code == 201, answer.text


def fire(admin: SandboxAdmin, client_id: str, event_type: str, subject_id: str) -> int:
    """Raise ``event_type`` about ``subject_id`` for the client's consent; the status."""
    try:
        admin.request("POST", "/sandbox/webhooks/fire", {
            "type": event_type, "bank_id": BANK, "client_id": client_id, "username": USERNAME,
            "subject_id": subject_id})
    except ControlPlaneError as error:
        return error.status
    return 202


def sampled_transactions(world: World) -> list[str]:
    """Transactions on the accounts and days of purchases, and each account's first and
    last."""
    transactions = world.items["transactions"]
    sample = {key for key, item in transactions.items()
              if item in world.items["receipts"].values()}
    for account in world.items["accounts"]:
        days = sorted((item.day, key) for key, item in transactions.items()
                      if item.account == account)
        sample |= {days[0][1], days[-1][1]} if days else set()
    return sorted(sample)


@pytest.mark.parametrize("consent", CONSENTS)
def test_webhook_payloads_carry_only_what_the_consent_covers(live_server, admin, world,
                                                             consent):
    client_id, client_token = registered_client(live_server)
    subscribe(live_server, client_token)
    token, coverage = mint(admin, world, consent, client_id=client_id)
    subjects = [("shipment.updated", "shipment_id", key) for key in world.items["shipments"]]
    subjects += [("transaction.created", "transaction_id", key)
                 for key in sampled_transactions(world)]
    expected = set()
    for event_type, field, subject_id in subjects:
        family = field.removesuffix("_id") + "s"
        covered = coverage.covers(world.items[family][subject_id])
        assert fire(admin, client_id, event_type, subject_id) == (202 if covered else 409), (
            event_type, subject_id)
        if covered:
            expected.add((field, subject_id))
    assert expected

    deliveries = admin.request("GET", f"/sandbox/webhooks/deliveries?client_id={client_id}"
                                      f"&limit=200")
    assert deliveries["next_cursor"] is None
    delivered = set()
    for delivery in deliveries["data"]:
        payload = delivery["payload"]
        assert payload["consent_id"] == token.consent_id
        field = "shipment_id" if "shipment_id" in payload["data"] else "transaction_id"
        family = field.removesuffix("_id") + "s"
        assert coverage.covers(world.items[family].get(payload["data"][field])), payload
        assert payload["data"][field.removesuffix("_id")]["id"] == payload["data"][field]
        delivered.add((field, payload["data"][field]))
    assert delivered >= expected


def test_an_event_needs_the_scope_of_its_data(live_server, admin, world):
    client_id, client_token = registered_client(live_server)
    subscribe(live_server, client_token)
    admin.token(BANK, USERNAME, "accounts balances receipts identity", client_id=client_id)
    assert fire(admin, client_id, "shipment.updated", next(iter(world.items["shipments"]))) == 409
    assert fire(admin, client_id, "transaction.created",
                next(iter(world.items["transactions"]))) == 409
    assert admin.request("GET", f"/sandbox/webhooks/deliveries?client_id={client_id}")[
        "data"] == []
