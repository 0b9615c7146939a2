"""The published OpenAPI document of the dialect, vendored unmodified beside this module
(``uk-ob-account-info-4.0.0.json``: Open Banking Limited, Account and Transaction API
Specification 4.0.0, from OpenBankingUK/read-write-api-specs
``dist/openapi/account-info-openapi.json``, under the Open Banking open licence,
https://www.openbanking.org.uk/open-licence), served at ``/openapi/ukob.json`` with
``servers`` pointing at every bank so that ``/docs`` can try its operations."""
from __future__ import annotations

import copy
import functools
import json
from importlib.resources import files

FILE = "uk-ob-account-info-4.0.0.json"


@functools.cache
def published() -> dict:
    """The vendored document, parsed once per process (do not change it)."""
    return json.loads((files(__package__) / FILE).read_text(encoding="utf-8"))


def served(base_url: str, path: str, bank_ids: list[str]) -> dict:
    """The document as ``/openapi/ukob.json`` serves it: the published one with one server,
    ``{base}/banks/{bank_id}`` + ``path``, its ``bank_id`` one of ``bank_ids``."""
    document = copy.copy(published())
    document["servers"] = [{
        "url": f"{base_url}/banks/{{bank_id}}{path}",
        "description": "A Sandbank bank's UK Open Banking (AISP) base URL.",
        "variables": {"bank_id": {"default": bank_ids[0] if bank_ids else "harborline",
                                  "enum": bank_ids or ["harborline"],
                                  "description": "The bank, from `GET /banks`."}},
    }]
    return document
