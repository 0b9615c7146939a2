"""Itemised receipts of purchases on the consent's accounts."""
