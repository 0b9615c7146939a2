"""HTTP to the banks, as any client of theirs would: the bank list, the OAuth endpoints and
the data API, over the network, never in process.

The server may be calling itself (one gunicorn worker, its threads): every call is bounded by
:data:`TIMEOUT`, so a busy or held server makes the chat say "unavailable", never hang.
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

#: The chat's registration at every bank (``fixtures/clients.yaml``; public sandbox values).
CLIENT_ID = "sandbank-chat"
CLIENT_SECRET = "chat-secret"
#: Seconds any one call to a bank may take.
TIMEOUT = 8.0
USER_AGENT = "Sandbank-Chat/1.0"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class BankError(Exception):
    """A bank answered something other than success, or did not answer. ``kind`` is what the
    chat tells the person: ``scope`` (not granted), ``removed`` (access removed: 401
    invalid_token, a refresh refused), ``unavailable`` (503, 429, 5xx, no answer) or ``error``."""

    def __init__(self, kind: str, status: int | None, detail: str = ""):
        super().__init__(f"{kind} ({status}): {detail}")
        self.kind = kind
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    #: The ``WWW-Authenticate`` header (RFC 6750 ``error=...``), empty when none.
    challenge: str = ""


def call(method: str, url: str, *, bearer: str | None = None, client_auth: bool = False,
         form: dict | None = None, json_body: dict | None = None) -> Answer:
    """One request; answers the status and the parsed JSON body (``{}`` when none).
    Raises :class:`BankError` (``unavailable``) when the bank does not answer in time."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    data = None
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    if client_auth:
        pair = f"{CLIENT_ID}:{CLIENT_SECRET}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return Answer(response.status, _json(response.read()))
    except urllib.error.HTTPError as error:
        return Answer(error.code, _json(error.read()),
                      error.headers.get("WWW-Authenticate", ""))
    except (urllib.error.URLError, OSError) as error:
        raise BankError("unavailable", None, str(error)) from None


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"value": value}


def classify(answer: Answer) -> BankError:
    """What a failed data API answer means to the person."""
    if answer.status == 401:
        return BankError("removed", 401, answer.body.get("detail", ""))
    if answer.status == 403 and ("insufficient_scope" in answer.challenge
                                 or "scope" in json.dumps(answer.body).lower()):
        return BankError("scope", 403, answer.body.get("detail", ""))
    if answer.status == 429 or answer.status >= 500:
        return BankError("unavailable", answer.status, answer.body.get("detail", ""))
    return BankError("error", answer.status, answer.body.get("detail", ""))


def banks(base_url: str) -> list[dict]:
    """Every bank of the server (``GET /banks``): ``id``, ``name``, ``issuer``."""
    answer = call("GET", f"{base_url}/banks")
    if answer.status != 200:
        raise classify(answer)
    return [{"id": bank["id"], "name": bank["name"], "issuer": bank["issuer"]}
            for bank in answer.body.get("banks", [])]


def token(issuer: str, form: dict) -> dict:
    """A token endpoint answer for ``form`` (the chat authenticates with HTTP Basic).
    ``invalid_grant`` means the grant is gone: raised as ``removed``."""
    answer = call("POST", f"{issuer}/token", client_auth=True, form=form)
    if answer.status == 200:
        return answer.body
    if answer.body.get("error") == "invalid_grant":
        raise BankError("removed", answer.status, answer.body.get("error_description", ""))
    raise classify(answer)


def client_token(issuer: str) -> str:
    """A client-credentials access token (consents, webhook subscriptions)."""
    return token(issuer, {"grant_type": "client_credentials"})["access_token"]


def revoke(issuer: str, token_value: str, hint: str) -> None:
    """RFC 7009 revocation; the bank answers 200 whatever the token was."""
    answer = call("POST", f"{issuer}/revoke", client_auth=True,
                  form={"token": token_value, "token_type_hint": hint})
    if answer.status != 200:
        raise classify(answer)


def get(url: str, bearer: str, params: dict | None = None) -> dict:
    """A data API read; raises :class:`BankError` unless 200."""
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    answer = call("GET", url + query, bearer=bearer)
    if answer.status != 200:
        raise classify(answer)
    return answer.body
