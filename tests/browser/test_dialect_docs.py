"""The published documents of the standards dialects in Swagger UI, offline, in a real
browser."""
from playwright.sync_api import expect


def test_the_cdr_banking_document_shows_its_operations(page, live_server):
    page.goto(live_server + "/docs/cdr-banking")

    expect(page.get_by_text("/banking/accounts/{accountId}/transactions", exact=True)
           .first).to_be_visible()
