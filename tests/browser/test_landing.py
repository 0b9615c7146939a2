"""The landing page in a real browser."""


def test_the_landing_page_names_every_bank(page, live_server):
    page.goto(live_server + "/")
    for name in ("Harborline", "Cobalt Peak", "Copperleaf"):
        assert page.get_by_text(name, exact=False).first.is_visible()
