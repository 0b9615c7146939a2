"""Accounts and balances of the consent."""
