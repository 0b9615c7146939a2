"""Finding 8 of issue 9: the sign-in cookie replays. A cookie saved during one authorization
must sign nobody in afterwards, and the signed-in state expires within minutes."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from sandbox.extensions import db
from sandbox.models import SignInSession
from tests.conftest import TEST_MONTHS
from sandbox.testing.server import sandbox_serve
from tests.oauth.browser import Pkce, authorize_url, client_browser, live_browser, query

SIGN_IN = {"username": "user_good", "password": "pass_good"}


def is_sign_in_page(page) -> bool:
    return page.status == 200 and "password" in page.form.names


def browser_with(base: str, cookies=None):
    """A person's browser, optionally holding ``cookies`` saved from another one."""
    session = requests.Session()
    if cookies is not None:
        session.cookies.update(cookies)
    return session, live_browser(session, base)


def signed_in(base: str, username: str = "user_good"):
    """A browser signed in at the consent page of a fresh authorization request."""
    session, browser = browser_with(base)
    url = authorize_url(pkce=Pkce())
    page = browser.submit(browser.open(url), {"username": username, "password": "pass_good"})
    if "otp" in page.form.names:
        page = browser.submit(page, {"otp": "123456"})
    assert "decision" in page.form.names, page.text[:500]
    return session, browser, url, page


def test_a_saved_cookie_gets_no_second_code(live_server):
    session, browser, url, consent = signed_in(live_server)
    saved = session.cookies.copy()
    answer = browser.submit(consent, button=("decision", "approve"))
    assert "code" in query(answer.location)

    _, thief = browser_with(live_server, saved)
    assert is_sign_in_page(thief.open(url))
    assert is_sign_in_page(thief.open(authorize_url(pkce=Pkce())))
    resent = thief.submit(consent, button=("decision", "approve"))
    assert resent.status != 302 and "code" not in query(resent.location or "")
    assert is_sign_in_page(resent)


def test_a_denied_request_leaves_no_signed_in_cookie(live_server):
    session, browser, url, consent = signed_in(live_server)
    saved = session.cookies.copy()
    answer = browser.submit(consent, button=("decision", "deny"))
    assert query(answer.location)["error"] == "access_denied"
    _, thief = browser_with(live_server, saved)
    assert is_sign_in_page(thief.open(url))


def test_the_cookie_is_rotated_at_the_one_time_code(live_server):
    session, browser = browser_with(live_server)
    url = authorize_url(pkce=Pkce())
    code_page = browser.submit(browser.open(url), {"username": "user_mfa",
                                                    "password": "pass_good"})
    assert "otp" in code_page.form.names
    before_code = session.cookies.copy()
    consent = browser.submit(code_page, {"otp": "123456"})
    assert "decision" in consent.form.names

    _, thief = browser_with(live_server, before_code)
    assert is_sign_in_page(thief.open(url))


def test_one_consent_form_answers_once_under_concurrency(live_server):
    session, _, _, consent = signed_in(live_server)
    saved = session.cookies.copy()

    def approve(_):
        _, twin = browser_with(live_server, saved)
        return twin.submit(consent, button=("decision", "approve"))

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(approve, range(4)))
    codes = [answer for answer in answers if "code" in query(answer.location or "")]
    assert len(codes) == 1


def test_the_cookie_lives_minutes_not_a_month(live_server):
    session = requests.Session()
    session.get(live_server + authorize_url(pkce=Pkce()), timeout=10)
    cookie = next(cookie for cookie in session.cookies if cookie.name == "session")
    assert cookie.expires is not None
    assert 0 < cookie.expires - time.time() <= 600 + 5


def test_a_signed_in_state_older_than_its_lifetime_is_refused(app, client):
    browser = client_browser(client)
    url = authorize_url(pkce=Pkce())
    assert "decision" in browser.submit(browser.open(url), SIGN_IN).form.names
    with app.app_context():
        db.session.execute(sa.update(SignInSession).values(
            started_at=SignInSession.started_at - 601))
        db.session.commit()
    assert is_sign_in_page(browser.open(url))


@pytest.fixture(scope="module")
def short_lived(app, tmp_path_factory):
    """A server whose sign-ins live 2 seconds."""
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("short"),
                       env={"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS),
                            "SANDBOX_SIGN_IN_SECONDS": "2"}) as base:
        yield base


def test_a_cookie_older_than_the_lifetime_is_refused(short_lived):
    _, browser, url, consent = signed_in(short_lived)
    time.sleep(3)
    assert is_sign_in_page(browser.open(url))
    answer = browser.submit(consent, button=("decision", "approve"))
    assert answer.status != 302
