"""Connected apps through the pages, as a person uses them (the form-filling browser)."""
from __future__ import annotations

import re

from sandbox.extensions import db
from sandbox.models import Consent
from tests.people.conftest import connections_url, forms, post_form, read_balances, sign_in

BANK = "harborline"
OTHER_BANK = "juniper"
LIST = connections_url(BANK)


def remove_url(consent_id: str) -> str:
    return f"{LIST}/{consent_id}/remove"


def test_the_list_shows_each_app_what_it_may_see_and_what_it_read(client, browser, grant):
    granted = grant()
    assert read_balances(client, granted, times=3) == 200

    page = sign_in(browser)

    assert page.status == 200
    assert "Connected apps" in page.text and "Demo App" in page.text
    assert "Show your balance in chat" in page.text
    assert "See the balances of those accounts" in page.text
    assert re.search(r"Read your balances 3 times today, last at \d\d:\d\d", page.text)
    assert "Read your account details once today" in page.text
    assert re.search(r"••\d{4}", page.text)
    assert "Granted on" in page.text and "Expires on" in page.text
    assert remove_url(granted.consent_id) in forms(page)


def test_a_bank_that_asks_for_the_code_gets_it_before_the_list(client, browser, grant):
    page = sign_in(browser, username="user_mfa", code=None)
    assert "one-time-code" in page.text and "Connected apps" not in page.text

    wrong = browser.submit(page, {"otp": "000000"})
    assert wrong.status == 400
    assert 'aria-invalid="true"' in wrong.text and 'aria-describedby="otp-error' in wrong.text

    listed = browser.submit(wrong, {"otp": "123456"})
    assert listed.status == 200 and "Connected apps" in listed.text


def test_a_wrong_password_is_tied_to_the_fields(browser):
    page = sign_in(browser, password="nope")
    assert page.status == 400
    assert 'aria-describedby="signin-error"' in page.text
    assert 'autocomplete="current-password"' in page.text


def test_failures_here_count_with_the_consent_flows_throttle(client, browser):
    for _ in range(5):
        page = sign_in(browser, username="user_new", password="wrong")
    assert page.status == 429 and "Retry-After" in page.headers

    from tests.oauth.browser import authorize_url
    flow_page = browser.open(authorize_url())
    refused = browser.submit(flow_page, {"username": "user_new", "password": "pass_good"})
    assert refused.status == 429


def test_remove_access_asks_first_then_revokes_as_the_customer(app, client, browser, grant):
    granted = grant()
    page = sign_in(browser)

    confirm = post_form(browser, page, remove_url(granted.consent_id))
    assert confirm.status == 200 and "Remove Demo App" in confirm.text
    assert read_balances(client, granted) == 200, "nothing is revoked before the confirmation"

    done = post_form(browser, confirm, remove_url(granted.consent_id))

    assert done.status == 200
    assert "You removed Demo App's access" in done.text
    assert re.search(r'data-status="revoked"', done.text) and "by you" in done.text
    assert read_balances(client, granted) == 401
    with app.app_context():
        consent = db.session.get(Consent, granted.consent_id)
        assert (consent.status, consent.revoked_by) == ("revoked", "customer")


def test_another_customers_consent_is_a_404_page_and_stays(app, client, browser, grant):
    theirs = grant(username="user_overdrawn")
    elsewhere = grant(bank=OTHER_BANK)
    page = sign_in(browser)
    token = forms(page)[f"{LIST}/sign-out"].fields[0][1]

    for consent_id in (theirs.consent_id, elsewhere.consent_id, "cns_unknown"):
        for confirm in ("", "yes"):
            answer = browser.send("POST", remove_url(consent_id),
                                  [("csrf_token", token), ("confirm", confirm)])
            assert answer.status == 404, answer.text
            assert answer.headers["Content-Type"].startswith("text/html")
            assert "no connected app with this id" in answer.text
    assert read_balances(client, theirs) == 200
    assert read_balances(client, elsewhere, bank=OTHER_BANK) == 200


def test_a_post_without_the_csrf_token_changes_nothing(client, browser, grant):
    granted = grant()
    sign_in(browser)

    answer = browser.send("POST", remove_url(granted.consent_id), [("confirm", "yes")])

    assert answer.status == 400 and "CSRF" in answer.text
    assert read_balances(client, granted) == 200


def test_sign_out_ends_the_sign_in_even_for_a_saved_cookie(client, browser):
    page = sign_in(browser)
    saved = client.get_cookie("session").value

    out = post_form(browser, page, f"{LIST}/sign-out")

    assert out.status == 200 and "You are signed out" in out.text
    assert "password" in browser.open(LIST).form.names
    client.set_cookie("session", saved)
    assert "password" in browser.open(LIST).form.names


def test_expired_and_rejected_consents_are_history(app, client, browser, grant):
    granted = grant()
    with app.app_context():
        consent = db.session.get(Consent, granted.consent_id)
        consent.expires_at = consent.created_at
        db.session.commit()

    page = sign_in(browser)

    assert f'data-consent="{granted.consent_id}" data-status="expired"' in page.text
    assert remove_url(granted.consent_id) not in forms(page)
