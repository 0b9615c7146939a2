"""Webhooks, one module per job.

- ``events``: event types, the scopes that entitle a consent, ids, the body and its signature;
- ``subscriptions``: who wants which events where;
- ``listeners``: the live subscriptions events are matched against (a plain query);
- ``outbox``: ``emit``, one outbox row per subscription of each entitled client;
- ``notify``: the payload of each event type, raised about a real row;
- ``fire``: the control plane's test event;
- ``sweep``: events the clock causes (consent expiry, revocations, parcels moving);
- ``deliveries``: claim due rows, settle attempts, redeliver, the log;
- ``transport``: the signed POST itself, to vetted addresses only.

Other parts raise events through the names below, in their own unit of work.
"""
from sandbox.services.webhooks.events import EVENT_TYPES, new_id, ordered_id
from sandbox.services.webhooks.notify import (
    announce_consent,
    notify_card,
    notify_transaction,
    notify_transactions,
    refresh_low_balance,
    refresh_low_balances,
    watched_balance,
)
from sandbox.services.webhooks.outbox import emit

__all__ = [
    "EVENT_TYPES", "announce_consent", "emit", "new_id", "notify_card", "notify_transaction",
    "notify_transactions", "ordered_id", "refresh_low_balance", "refresh_low_balances",
    "watched_balance",
]
