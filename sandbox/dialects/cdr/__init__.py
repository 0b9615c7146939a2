"""Australia's Consumer Data Right, Banking 1.36 (``cdr-banking-1.36.0.json`` and
``cdr-common-1.36.0.json``), under ``{iss}/cds-au/v1``.

Its own pieces: CDR's error list (:mod:`.errors`), ``x-v`` negotiation and the interaction id
(:mod:`.negotiation`), numbered pages (:mod:`.paging`), query arguments (:mod:`.arguments`)
and the mapping of Sandbank's resources (:mod:`.mapping`); the views (:mod:`.banking`,
:mod:`.common`) are thin over the v1 services. Authorization (PAR required for CDR scopes,
``cdr_arrangement_id``, ``{iss}/arrangements/revoke``) is the bank's one authorization
server's (``sandbox/oauth``). The published documents are served at
``/openapi/cdr-banking.json`` and ``/openapi/cdr-common.json``.
"""
from importlib.resources import files

from sandbox.dialects import Dialect
from sandbox.dialects.cdr import common  # noqa: F401  (registers the Common operations)
from sandbox.dialects.cdr.banking import PATH, blp
from sandbox.dialects.cdr.errors import failure, handle_sandbox_error
from sandbox.errors import SandboxError

_DOCUMENTS = files(__name__) / "documents"
blp.register_error_handler(SandboxError, handle_sandbox_error)

DIALECT = Dialect(
    id="cdr", standard="Consumer Data Standards (Australia), Banking", version="1.36.0",
    path=PATH, blueprint=blp, failure=failure,
    documents={"cdr-banking.json": ("Consumer Data Right Banking 1.36.0",
                                    _DOCUMENTS / "cdr-banking-1.36.0.json"),
               "cdr-common.json": ("Consumer Data Right Common 1.36.0",
                                   _DOCUMENTS / "cdr-common-1.36.0.json")},
)
