"""A client of the ``/sandbox`` control plane, over HTTP or in process, for test suites."""
from __future__ import annotations

import json
import urllib.error
import warnings
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sandbox.config import DEFAULT_ADMIN_KEY

ADMIN_HEADER = "X-Sandbox-Admin-Key"

#: ``send(method, path, body, headers) -> (status, body bytes)``
Transport = Callable[[str, str, bytes | None, dict], tuple[int, bytes]]


class ControlPlaneError(RuntimeError):
    """The control plane refused a request; ``problem`` is its problem+json body.

    Its former name, ``SandboxError``, stays importable from this module as a deprecated
    alias (with a ``DeprecationWarning``) for existing suites; it was renamed so as not to
    be taken for :class:`sandbox.errors.SandboxError`, the server's own error hierarchy."""

    def __init__(self, method: str, path: str, status: int, problem: dict):
        detail = problem.get("detail") or problem
        super().__init__(f"{method} {path} answered {status}: {detail}")
        self.status = status
        self.problem = problem


def http_transport(base_url: str, timeout: float = 300) -> Transport:
    """Send requests to a sandbox at ``base_url`` (proxies ignored: it is on loopback)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def send(method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        request = urllib.request.Request(base_url.rstrip("/") + path, data=body, method=method,
                                         headers=headers)
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    return send


def app_transport(app) -> Transport:
    """Send requests to a Flask app in this process (its test client)."""
    client = app.test_client()

    def send(method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        response = client.open(path, method=method, data=body, headers=headers)
        return response.status_code, response.get_data()

    return send


@dataclass(frozen=True)
class MintedToken:
    """A token minted through the control plane."""

    bank_id: str
    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str
    consent_id: str
    token_type: str = "Bearer"

    @property
    def headers(self) -> dict:
        """``{"Authorization": "Bearer ..."}`` for the data API."""
        return {"Authorization": f"Bearer {self.access_token}"}


class SandboxAdmin:
    """The control plane of one sandbox: reset, clock, tokens, scenarios, faults, logs."""

    def __init__(self, transport: Transport, admin_key: str = DEFAULT_ADMIN_KEY):
        self._send = transport
        self._key = admin_key

    def request(self, method: str, path: str, payload=None, *, raw: bytes | None = None,
                content_type: str = "application/json"):
        """Call ``/sandbox...``; answers the decoded JSON (None when empty), raises
        :class:`ControlPlaneError` on an error status."""
        headers = {ADMIN_HEADER: self._key, "Accept": "application/json"}
        body = raw
        if payload is not None:
            body = json.dumps(payload).encode()
        if body is not None:
            headers["Content-Type"] = content_type
        status, data = self._send(method, path, body, headers)
        decoded = json.loads(data) if data else None
        if status >= 400:
            raise ControlPlaneError(method, path, status,
                                    decoded if isinstance(decoded, dict) else {})
        return decoded

    def reset(self, **params) -> dict:
        """Back to a freshly seeded world (``seed``, ``customers``, ``months``, ``as_of``)."""
        return self.request("POST", "/sandbox/reset", params)

    def clock(self) -> dict:
        """``{"now", "frozen"}``."""
        return self.request("GET", "/sandbox/clock")

    def advance(self, duration: str) -> dict:
        """Move the clock forward by an ISO 8601 duration (``P3D``, ``PT2H``)."""
        return self.request("POST", "/sandbox/clock", {"advance": duration})

    def set_clock(self, instant: str, *, freeze: bool | None = None) -> dict:
        """Move the clock forward to ``instant``."""
        payload = {"set": instant}
        if freeze is not None:
            payload["freeze"] = freeze
        return self.request("POST", "/sandbox/clock", payload)

    def token(self, bank_id: str, username: str, scope: str | list[str] | None = None,
              **options) -> MintedToken:
        """An authorized consent and its token, without the consent screen."""
        payload = {"username": username, **options}
        if scope is not None:
            payload["scope"] = scope if isinstance(scope, str) else " ".join(scope)
        answer = self.request("POST", f"/sandbox/banks/{bank_id}/tokens", payload)
        return MintedToken(bank_id=bank_id, **answer)

    def load_scenario(self, scenario: str | Path | dict) -> dict:
        """Load a scenario: a dict, or a YAML/JSON file."""
        if isinstance(scenario, dict):
            return self.request("POST", "/sandbox/fixtures", scenario)
        path = Path(scenario)
        content_type = "application/json" if path.suffix == ".json" else "application/yaml"
        return self.request("POST", "/sandbox/fixtures", raw=path.read_bytes(),
                            content_type=content_type)

    def create_customer(self, bank_id: str, **spec) -> dict:
        """A custom customer from a partial spec; answers its credentials and ids."""
        return self.request("POST", f"/sandbox/banks/{bank_id}/customers", spec)

    def add_transactions(self, bank_id: str, account_id: str, transactions: list[dict]) -> dict:
        """Inject transactions (pending or posted) into an account."""
        return self.request("POST", f"/sandbox/banks/{bank_id}/accounts/{account_id}/transactions",
                            {"transactions": transactions})

    def set_faults(self, rules: list[dict] | None = None,
                   maintenance: list[dict] | None = None) -> dict:
        """Replace the persistent fault rules and maintenance windows."""
        return self.request("PUT", "/sandbox/faults",
                            {"rules": rules or [], "maintenance": maintenance or []})

    def faults(self) -> dict:
        """The fault rules (with counters) and maintenance windows."""
        return self.request("GET", "/sandbox/faults")

    def clear_faults(self) -> None:
        """Remove every fault rule and maintenance window."""
        self.request("DELETE", "/sandbox/faults")

    def clear_sign_in_throttle(self, bank_id: str, username: str | None = None) -> int:
        """Lift the cool-downs of failed sign-ins and one-time codes at ``bank_id`` (every
        username, or ``username``); answers how many counters went."""
        query = "?" + urllib.parse.urlencode({"username": username}) if username else ""
        return self.request("DELETE", f"/sandbox/banks/{bank_id}/sign-in-throttle{query}"
                            )["cleared"]

    def revoke_consent(self, bank_id: str, consent_id: str) -> dict:
        """Revoke a consent as the bank's operator (``consent.revoked``, reason
        ``operator``); answers the consent. Its tokens stop working at once."""
        return self.request("POST", f"/sandbox/banks/{bank_id}/consents/"
                                    f"{urllib.parse.quote(consent_id, safe='')}/revoke")

    def access_log(self, **filters) -> list[dict]:
        """Every access-log entry matching ``filters``, newest first (all pages)."""
        entries: list[dict] = []
        cursor = None
        while True:
            query = {**filters, "limit": 500, **({"cursor": cursor} if cursor else {})}
            page = self.request("GET", "/sandbox/access-log?" + urllib.parse.urlencode(query))
            entries.extend(page["data"])
            cursor = page["next_cursor"]
            if not cursor:
                return entries

    def export(self, bank_id: str | None = None) -> dict:
        """The world in the export format."""
        suffix = "?" + urllib.parse.urlencode({"bank_id": bank_id}) if bank_id else ""
        return self.request("GET", "/sandbox/export" + suffix)


def __getattr__(name: str):
    """``SandboxError``: the deprecated name of :class:`ControlPlaneError`."""
    if name == "SandboxError":
        warnings.warn("sandbox.testing.admin.SandboxError is deprecated: use "
                      "ControlPlaneError", DeprecationWarning, stacklevel=2)
        return ControlPlaneError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
