"""Transactions of the consent's accounts."""
