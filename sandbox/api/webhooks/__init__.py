"""Webhook subscriptions of a client: ``POST|GET {iss}/v1/webhooks``, ``DELETE …/{id}``."""
