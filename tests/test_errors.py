"""Every HTTP error is RFC 9457 problem+json, validation errors pointing at the bad field."""
from types import SimpleNamespace

import marshmallow as ma
import pytest
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from sandbox import create_app
from sandbox.errors import PROBLEM_JSON, NotFound, flatten_errors
from sandbox.extensions import api, db

PROBLEM_KEYS = {"type", "title", "status", "detail"}

probe = Blueprint("error_probe", __name__, description="Endpoints that fail on purpose.")


class LimitArgs(ma.Schema):
    limit = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 50),
                              metadata={"description": "Page size."})


class LineSchema(ma.Schema):
    quantity = ma.fields.Integer(required=True, metadata={"description": "How many."})


class OrderSchema(ma.Schema):
    lines = ma.fields.List(ma.fields.Nested(LineSchema), required=True,
                           metadata={"description": "Order lines."})


@probe.route("/probe/items")
class Items(MethodView):
    @probe.arguments(LimitArgs, location="query")
    @probe.response(200)
    def get(self, args):
        """Echo the page size."""
        return args

    @probe.arguments(OrderSchema)
    @probe.response(201)
    def post(self, order):
        """Accept an order."""
        return order


@probe.route("/probe/conflict")
class Conflict(MethodView):
    @probe.response(200)
    def get(self):
        """Always refuse, with a header."""
        abort(409, message="The card is already locked.", headers={"Retry-After": "5"})


@probe.route("/probe/crash")
class Crash(MethodView):
    @probe.response(200)
    def get(self):
        """Fail unexpectedly."""
        raise RuntimeError("database password is hunter2")


@probe.route("/probe/bank-page")
class BankPage(MethodView):
    @probe.response(200)
    def get(self):
        """Refuse on a bank's page."""
        g.bank = SimpleNamespace(id="harborline", name="Harborline Bank", settings={
            "brand": {"primary_color": "#0B4F6C", "accent_color": "#20BF9F"}})
        raise NotFound("This app is not connected to your accounts.")


@pytest.fixture(scope="module")
def probe_client(tmp_path_factory):
    path = tmp_path_factory.mktemp("errors") / "errors.db"
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    api.register_blueprint(probe)
    yield application.test_client()
    with application.app_context():
        db.engine.dispose()


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == PROBLEM_JSON
    body = response.get_json()
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status
    assert body["type"] == "about:blank"
    return body


def test_unknown_path_is_a_404_problem(probe_client):
    body = assert_problem(probe_client.get("/no/such/page"), 404)

    assert body["title"] == "Not Found"


def test_wrong_method_is_a_405_problem_with_allow(probe_client):
    response = probe_client.delete("/healthz")

    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_invalid_query_argument_is_a_422_naming_the_parameter(probe_client):
    body = assert_problem(probe_client.get("/probe/items?limit=0"), 422)

    assert [(e["path"], e["location"]) for e in body["errors"]] == [("limit", "query")]
    assert "limit" in body["detail"]


def test_missing_query_argument_is_a_422(probe_client):
    body = assert_problem(probe_client.get("/probe/items"), 422)

    assert body["errors"][0]["path"] == "limit"
    assert body["errors"][0]["message"] == "Missing data for required field."


def test_nested_body_error_path_points_into_the_list(probe_client):
    response = probe_client.post("/probe/items",
                                 json={"lines": [{"quantity": 1}, {"quantity": "many"}]})

    body = assert_problem(response, 422)
    assert [(e["path"], e["location"]) for e in body["errors"]] == [("lines[1].quantity", "json")]


def test_abort_message_and_headers_reach_the_client(probe_client):
    response = probe_client.get("/probe/conflict")

    body = assert_problem(response, 409)
    assert body["detail"] == "The card is already locked."
    assert response.headers["Retry-After"] == "5"
    assert "errors" not in body


def test_crash_is_a_500_problem_that_leaks_nothing(probe_client):
    response = probe_client.get("/probe/crash")

    body = assert_problem(response, 500)
    assert "hunter2" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ({"json": {"customers": {2: {"accounts": {0: {"amount": ["Not a valid number."]}}}}}},
         [{"path": "customers[2].accounts[0].amount", "location": "json",
           "message": "Not a valid number."}]),
        ({"view_args": {"bank_id": ["Unknown bank."]}},
         [{"path": "bank_id", "location": "path", "message": "Unknown bank."}]),
        ({"json": {"_schema": ["Invalid input type."]}},
         [{"path": "(body)", "location": "json", "message": "Invalid input type."}]),
        ({"from": ["Not a valid date.", "Too early."]},
         [{"path": "from", "message": "Not a valid date."},
          {"path": "from", "message": "Too early."}]),
    ],
)
def test_flatten_errors_paths(messages, expected):
    assert flatten_errors(messages) == expected


def test_documented_error_responses_are_problem_json(probe_client):
    spec = probe_client.get("/openapi.json").get_json()

    operation = spec["paths"]["/probe/items"]["get"]["responses"]
    responses = spec["components"]["responses"]
    for status in ("422", "default"):
        name = operation[status]["$ref"].rsplit("/", 1)[-1]
        assert set(responses[name]["content"]) == {PROBLEM_JSON}


#: What Chromium sends when it navigates to a page.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                     "image/avif,image/webp,*/*;q=0.8"}


def error_page(client, path: str, status: int) -> str:
    """The HTML error page a browser navigating to ``path`` gets, with ``status``."""
    response = client.get(path, headers=BROWSER)
    assert (response.status_code, response.mimetype) == (status, "text/html")
    return response.text


def test_a_browser_gets_a_validation_error_as_a_page_naming_the_field(probe_client):
    assert "<code>limit</code> (query)" in error_page(probe_client, "/probe/items?limit=0", 422)


def test_a_browser_gets_a_crash_as_a_page_that_leaks_nothing(probe_client):
    page = error_page(probe_client, "/probe/crash", 500)

    assert "Internal Server Error" in page
    assert "hunter2" not in page


def test_headers_of_the_error_reach_the_browser_too(probe_client):
    response = probe_client.get("/probe/conflict", headers=BROWSER)

    assert response.status_code == 409
    assert "The card is already locked." in response.text
    assert response.headers["Retry-After"] == "5"


def test_an_error_on_a_bank_page_is_in_the_bank_colours(probe_client):
    page = error_page(probe_client, "/probe/bank-page", 404)

    assert "--brand: #0B4F6C" in page
    assert "Not Found · Harborline Bank" in page
    assert "This app is not connected to your accounts." in page
