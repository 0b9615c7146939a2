"""Browsers navigating to a page get HTML error pages; API clients keep problem+json."""
import pytest

from sandbox.errors import PROBLEM_JSON
from tests.test_errors import BROWSER, error_page


def test_an_unknown_path_is_a_404_page_for_a_browser(client):
    page = error_page(client, "/no/such/page", 404)

    assert "<h1 id=\"error-title\">Not Found</h1>" in page
    assert "The requested URL was not found on the server." in page
    assert "default-src 'none'" in client.get("/no/such/page", headers=BROWSER).headers[
        "Content-Security-Policy"]


@pytest.mark.parametrize(("case", "headers"), [
    ("no Accept", {}),
    ("JSON", {"Accept": "application/json"}),
    ("problem+json", {"Accept": PROBLEM_JSON}),
    ("anything", {"Accept": "*/*"}),
    ("JSON before HTML", {"Accept": "application/json, text/html;q=0.5"}),
])
def test_an_unknown_path_stays_problem_json_for_an_api_client(client, case, headers):
    response = client.get("/no/such/page", headers=headers)

    assert response.status_code == 404
    assert response.mimetype == PROBLEM_JSON
    assert response.get_json()["title"] == "Not Found"


def test_a_wrong_method_on_a_page_is_a_405_page_with_allow(client):
    response = client.post("/", headers=BROWSER)

    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "Method Not Allowed" in response.text
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("path", [
    "/banks/nope",
    "/banks/harborline/logo.svg/x",
    "/banks/harborline/v1/accounts",
    "/banks/harborline/v1/nothing",
    "/banks/harborline/token",
    "/banks/harborline/consents/nope",
    "/sandbox/clock",
    "/.well-known/oauth-authorization-server/banks/nope",
])
def test_machine_interfaces_keep_problem_json_even_for_a_browser(client, path):
    response = client.get(path, headers=BROWSER)

    assert response.status_code in (401, 404, 405)
    assert response.mimetype == PROBLEM_JSON


@pytest.mark.parametrize(("path",), [
    ("/banks/harborline/open-banking/v4.0/aisp/accounts",),
    ("/banks/harborline/cds-au/v1/banking/accounts",),
])
def test_standards_dialects_answer_a_browser_in_their_own_json(client, path):
    response = client.get(path, headers=BROWSER)

    assert response.status_code in (400, 401)  # CDR asks for its x-v header first
    assert response.mimetype == "application/json"


def test_an_unknown_bank_at_its_sign_in_is_a_page(client):
    page = error_page(client, "/banks/nope/authorize?client_id=demo-public", 404)

    assert "There is no bank &#39;nope&#39;." in page


def test_what_the_page_repeats_from_the_request_is_escaped(client):
    page = error_page(client, "/banks/<img src=x onerror=alert(1)>/authorize", 404)

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
