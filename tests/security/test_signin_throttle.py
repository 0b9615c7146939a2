"""Finding 11 of issue 9: sign-in brute force and username enumeration. Failed passwords
and one-time codes are throttled per (bank, username); the control plane, the CLI and a reset
lift the cool-down; an unknown username costs the same password check as a known one."""
from __future__ import annotations


import pytest
import requests
import sqlalchemy as sa

from sandbox import create_app
from sandbox.cli import main
from sandbox.extensions import db
from sandbox.models import SignInThrottle
from sandbox.services import customers, throttle
from tests.conftest import (TEST_AS_OF, TEST_CUSTOMERS, TEST_MONTHS, TEST_SEED,
                            fresh_database)
from tests.oauth.browser import BANK, Pkce, authorize_url, live_browser

ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}


def sign_in_page(base: str):
    browser = live_browser(requests.Session(), base)
    return browser, browser.open(authorize_url(pkce=Pkce()))


def attempt(browser, page, username: str, password: str):
    return browser.submit(page, {"username": username, "password": password})


def fail_five_times(browser, page, username: str):
    """Four refusals, then the fifth failure starts the cool-down."""
    for _ in range(4):
        assert attempt(browser, page, username, "wrong-password").status == 400
    paused = attempt(browser, page, username, "wrong-password")
    assert paused.status == 429
    return paused


def assert_paused(answer) -> None:
    assert answer.status == 429
    assert 1 <= int(answer.headers["Retry-After"]) <= throttle.COOL_DOWN_SECONDS
    assert "Too many failed attempts" in answer.text
    assert 'name="decision"' not in answer.text


def clear(base: str, **query) -> int:
    answer = requests.delete(f"{base}/sandbox/banks/{BANK}/sign-in-throttle", params=query,
                             headers=ADMIN, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    return answer.json()["cleared"]


def test_five_wrong_passwords_pause_even_the_right_one(live_server):
    browser, page = sign_in_page(live_server)
    assert_paused(fail_five_times(browser, page, "user_good"))
    assert_paused(attempt(browser, page, "user_good", "pass_good"))
    assert "decision" in attempt(*sign_in_page(live_server), "user_new", "pass_good").form.names

    assert clear(live_server, username="user_good") == 1
    assert "decision" in attempt(browser, page, "user_good", "pass_good").form.names


def test_five_wrong_codes_pause_even_the_right_code(live_server):
    browser, page = sign_in_page(live_server)
    code_page = attempt(browser, page, "user_mfa", "pass_good")
    for _ in range(4):
        assert browser.submit(code_page, {"otp": "000000"}).status == 400
    assert_paused(browser.submit(code_page, {"otp": "000000"}))
    assert_paused(browser.submit(code_page, {"otp": "123456"}))

    assert clear(live_server) >= 1
    assert "decision" in browser.submit(code_page, {"otp": "123456"}).form.names


def test_an_unknown_username_is_paused_alike(live_server):
    browser, page = sign_in_page(live_server)
    assert_paused(fail_five_times(browser, page, "nobody_at_all"))


def test_success_clears_the_count(live_server):
    browser, page = sign_in_page(live_server)
    for _ in range(4):
        assert attempt(browser, page, "user_business", "wrong-password").status == 400
    assert "decision" in attempt(browser, page, "user_business", "pass_good").form.names
    browser, page = sign_in_page(live_server)
    for _ in range(4):
        assert attempt(browser, page, "user_business", "wrong-password").status == 400


def test_the_control_plane_needs_the_admin_key(live_server):
    answer = requests.delete(f"{live_server}/sandbox/banks/{BANK}/sign-in-throttle", timeout=10)
    assert answer.status_code == 401
    unknown = requests.delete(f"{live_server}/sandbox/banks/atlantis/sign-in-throttle",
                              headers=ADMIN, timeout=10)
    assert unknown.status_code == 404


def test_the_cli_lifts_a_cool_down(live_server, app, runner):
    browser, page = sign_in_page(live_server)
    fail_five_times(browser, page, "user_overdrawn")
    result = runner.invoke(main, ["clear-throttle", BANK, "--username", "user_overdrawn",
                                  "--database", app.config["SQLALCHEMY_DATABASE_URI"]])
    assert result.exit_code == 0, result.output
    assert "Cleared 1 sign-in counter" in result.output
    assert "decision" in attempt(browser, page, "user_overdrawn", "pass_good").form.names


def test_both_usernames_pay_for_a_password_check(app, monkeypatch):
    checked = []
    real = customers.check_password_hash

    def spy(stored, password):
        checked.append(stored.split("$")[0])
        return real(stored, password)

    monkeypatch.setattr(customers, "check_password_hash", spy)
    with app.app_context():
        for username in ("user_good", "no_such_user"):
            with pytest.raises(customers.LoginRefused):
                customers.authenticate(db.session, BANK, username, "wrong-password")
    assert len(checked) == 2 and checked[0] == checked[1]


def test_sandbox_reset_clears_the_counters(world_template, tmp_path, runner):
    with fresh_database(tmp_path, world_template) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            db.session.add(SignInThrottle(bank_id=BANK, username="user_good",
                                          factor="password", failures=5, blocked_until=4e9))
            db.session.commit()
            db.engine.dispose()
        result = runner.invoke(main, ["reset", "--database", url, "--customers", "1",
                                      "--as-of", "2026-03-01"],
                               env={"SANDBOX_HISTORY_MONTHS": "1"})
        assert result.exit_code == 0, result.output
        with app.app_context():
            remaining = db.session.scalar(sa.select(sa.func.count()).select_from(SignInThrottle))
            db.engine.dispose()
    assert remaining == 0


def test_the_reset_endpoint_lifts_every_cool_down(live_server):
    """Last of the module: the reset replaces the live server's world."""
    browser, page = sign_in_page(live_server)
    fail_five_times(browser, page, "user_locked")
    fail_five_times(browser, page, "user_good")
    reset = requests.post(f"{live_server}/sandbox/reset", json={
        "seed": TEST_SEED, "customers": TEST_CUSTOMERS, "months": TEST_MONTHS,
        "as_of": TEST_AS_OF.isoformat()},
                          headers=ADMIN, timeout=300)
    assert reset.status_code == 200, reset.text
    browser, page = sign_in_page(live_server)
    assert "decision" in attempt(browser, page, "user_good", "pass_good").form.names
