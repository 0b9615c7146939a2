"""``/docs`` in a real browser: the standards dialects' documents are offered in Swagger UI's
list, and choosing one shows its operations."""


def test_docs_lists_and_shows_the_uk_open_banking_document(page, live_server):
    page.goto(live_server + "/docs")
    chooser = page.locator("select#select")
    chooser.wait_for()
    chooser.select_option(label="UK Open Banking Account and Transaction API 4.0.0")
    page.get_by_text("Create Account Access Consents").first.wait_for()
    assert page.get_by_text("/account-access-consents").first.is_visible()
