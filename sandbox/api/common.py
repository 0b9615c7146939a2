"""Pieces every data-API resource shares: field kinds, paging arguments, response headers,
and the JSON answers (lists and conditional single resources)."""
from __future__ import annotations

import hashlib
import inspect

import marshmallow as ma
from flask import current_app, request
from flask_smorest import Blueprint

from sandbox.errors import PROBLEM_JSON, ProblemSchema
from sandbox.fastpath import QueryParser, write_with_commit
from sandbox.services import access_log
from sandbox.services.representation import dumps
from sandbox.services.tokens import Grant

URL_PREFIX = "/banks/<bank_id>/v1"
NO_STORE = "no-store"
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50

#: The bank_id path parameter every data-API operation has.
BANK_PARAMETER = {
    "in": "path", "name": "bank_id", "required": True,
    "description": "The bank: its id from `GET /banks`, e.g. `harborline`.",
    "schema": {"type": "string", "example": "harborline"},
}


def path_parameter(name: str, description: str, example: str) -> dict:
    """Documentation of a path parameter."""
    return {"in": "path", "name": name, "required": True, "description": description,
            "schema": {"type": "string", "example": example}}


ACCOUNT_ID = path_parameter("account_id", "An account of the consent (`GET {iss}/v1/accounts`).",
                            "acc_3292a6d48e31aed0")

#: Headers of every successful data answer.
LIST_HEADERS = {
    "Cache-Control": {"description": "Always `no-store`: the answer carries personal data.",
                      "schema": {"type": "string", "enum": [NO_STORE]}, "required": True},
}
#: Headers of every successful single-resource answer.
ITEM_HEADERS = {
    **LIST_HEADERS,
    "ETag": {"description": "Entity tag of this representation; send it back in "
                            "`If-None-Match` to get `304 Not Modified` while it is unchanged.",
             "schema": {"type": "string"}, "required": True},
}
IF_NONE_MATCH = {
    "in": "header", "name": "If-None-Match", "required": False,
    "description": "An `ETag` from an earlier answer: the server answers `304 Not Modified` "
                   "without a body while the resource still has that tag.",
    "schema": {"type": "string"},
}


#: One parser for every data blueprint, so its memory is shared.
QUERY_PARSER = QueryParser()


def data_blueprint(name: str, description: str) -> Blueprint:
    """A blueprint of the data API under ``{iss}/v1``, its query strings parsed through the
    fast path's :class:`~sandbox.fastpath.QueryParser`."""
    blueprint = Blueprint(name, __name__, url_prefix=URL_PREFIX, description=description)
    blueprint.ARGUMENTS_PARSER = QUERY_PARSER
    return blueprint


class Schema(ma.Schema):
    """Base of the data API's schemas: a subclass's docstring becomes its OpenAPI
    description."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.Meta = type("Meta", (cls.Meta,), {"description": inspect.cleandoc(cls.__doc__ or "")})


def money(description: str, **kwargs) -> ma.fields.String:
    """A money amount: a signed decimal string with two places."""
    return ma.fields.String(metadata={"description": description, "example": "-42.17",
                                      "pattern": r"^-?\d+\.\d{2}$"}, **kwargs)


def instant(description: str, **kwargs) -> ma.fields.String:
    """An ISO 8601 UTC instant, e.g. ``2026-03-01T14:03:00Z``."""
    return ma.fields.String(metadata={"description": description, "format": "date-time",
                                      "example": "2026-03-01T14:03:00Z"}, **kwargs)


def day(description: str, **kwargs) -> ma.fields.String:
    """A calendar date ``YYYY-MM-DD``."""
    return ma.fields.String(metadata={"description": description, "format": "date",
                                      "example": "2026-03-01"}, **kwargs)


def text(description: str, example: str | None = None, **kwargs) -> ma.fields.String:
    """A plain string field."""
    metadata = {"description": description}
    if example is not None:
        metadata["example"] = example
    return ma.fields.String(metadata=metadata, **kwargs)


def one_of(description: str, choices: tuple[str, ...], **kwargs) -> ma.fields.String:
    """A string from a closed set (documented as an enum)."""
    return ma.fields.String(validate=ma.validate.OneOf(choices),
                            metadata={"description": description}, **kwargs)


class PageArgs(Schema):
    """Paging arguments of every list."""

    limit = ma.fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=ma.validate.Range(1, MAX_PAGE_SIZE),
        metadata={"description": "Rows per page, from 1 to the bank's maximum (each bank sets "
                                 "its own between 50 and 500, see `page_size_max` in "
                                 "`GET /banks/{bank_id}`); default 50.", "example": 50})
    cursor = ma.fields.String(
        validate=ma.validate.Length(1, 200),
        metadata={"description": "Opaque position: the `next_cursor` of the previous page. "
                                 "Omit it for the first page."})


def log_read(grant: Grant, resource: str, resource_id: str | None) -> None:
    """Log that ``grant`` read ``resource`` (``resource_id`` names the account or item) at
    this request's path and query string: an access-log entry, written once the view has
    returned and before the answer leaves (:func:`sandbox.fastpath.write_with_commit`)."""
    query = request.query_string.decode("latin-1")
    path = f"{request.path}?{query}" if query else request.path
    write_with_commit(access_log.INSERT, access_log.entry(grant, resource, resource_id, path))


def render(schema: ma.Schema, data) -> str:
    """``data`` dumped with ``schema``, as compact JSON text."""
    return dumps(schema.dump(data))


def json_answer(body: str):
    """A 200 ``application/json`` answer from ready JSON text."""
    return current_app.response_class(body, mimetype="application/json")


def conditional_answer(body: str):
    """A single resource: JSON with a strong ``ETag``, or ``304`` when ``If-None-Match``
    names it."""
    response = json_answer(body)
    response.set_etag(hashlib.sha1(response.get_data()).hexdigest())
    return response.make_conditional(request)


def not_found(blp, description: str):
    """Document a 404 problem answer on an operation of ``blp``."""
    return blp.alt_response(404, description=description, schema=ProblemSchema,
                            content_type=PROBLEM_JSON)


def conditional(blp, *parameters: dict):
    """Document a conditional GET on an operation of ``blp``: its ``parameters`` (path ones
    too, so a path shared with other operations keeps their descriptions), ``If-None-Match``
    and the 304 answer."""
    document = blp.doc(parameters=[*parameters, IF_NONE_MATCH])
    not_modified = blp.alt_response(304, description="Not Modified: the resource still has "
                                                     "the tag sent in `If-None-Match`.",
                                    headers=ITEM_HEADERS)
    return lambda view: document(not_modified(view))
