"""The published documents of the standards dialects in Swagger UI at ``/docs``, offline, in
a real browser: each is one choice of its document list."""
from urllib.parse import quote

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize(("title", "operation"), [
    ("Consumer Data Right Banking 1.36.0", "/banking/accounts/{accountId}/transactions"),
    ("UK Open Banking Account and Transaction API 4.0.0", "/accounts/{AccountId}/balances"),
])
def test_each_published_document_shows_its_operations(page, live_server, title, operation):
    page.goto(f"{live_server}/docs?urls.primaryName={quote(title)}")

    expect(page.get_by_text(operation, exact=True).first).to_be_visible()
