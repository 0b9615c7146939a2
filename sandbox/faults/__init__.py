"""Fault injection: the ``X-Sandbox-Fault`` header, persistent rules, maintenance windows and
error users, applied to a bank's endpoints before their views run."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Install the fault hook in front of every view."""
    from sandbox.faults.hook import before_request

    app.before_request(before_request)
