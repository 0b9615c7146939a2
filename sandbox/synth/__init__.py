"""Deterministic synthetic data: people, accounts, activity, receipts and parcels.

The world is a pure function of (fixtures, seed, clock date). Every generator is keyed by what
it generates (``(seed, bank, customer)``, ``(seed, bank, customer, week)``), never one shared
stream, so adding a customer or a day changes nothing else.
"""
