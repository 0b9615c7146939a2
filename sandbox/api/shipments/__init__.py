"""Shipments of the customer's online orders."""
