"""Finding 1: a session cookie signed with the old documented default key signs nobody in.

With ``SANDBOX_SECRET_KEY`` unset the server makes a random key on first start and keeps it in
the instance folder, shared by every worker and kept across restarts."""
from __future__ import annotations

import os
import stat

import pytest
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from sandbox import create_app, secret_key
from tests.oauth.browser import Pkce, authorize_url, live_browser

OLD_DEFAULT_KEY = "sandbank-development-secret"


def _serializer(key: str):
    signer = Flask("forger")
    signer.config["SECRET_KEY"] = key
    return SecureCookieSessionInterface().get_signing_serializer(signer)


@pytest.fixture(scope="module")
def signed_in(live_server, app):
    """An authorization URL, and the session a real sign-in of ``user_good`` left for it at
    the consent page, as the server signed it."""
    url = authorize_url(pkce=Pkce(), scope="openid accounts")
    person = requests.Session()
    browser = live_browser(person, live_server)
    page = browser.submit(browser.open(url), {"username": "user_good", "password": "pass_good"})
    assert 'name="decision"' in page.text
    payload = _serializer(secret_key.load_or_create(app.instance_path)).loads(
        person.cookies["session"])
    return url, payload


def _open_with(live_server: str, url: str, cookie: str) -> requests.Response:
    return requests.get(live_server + url, allow_redirects=False, timeout=10,
                        cookies={"session": cookie})


def test_cookie_signed_with_the_old_default_key_gets_the_sign_in_page(live_server, signed_in):
    url, payload = signed_in

    answer = _open_with(live_server, url, _serializer(OLD_DEFAULT_KEY).dumps(payload))

    assert answer.status_code == 200
    assert 'name="password"' in answer.text
    assert 'name="decision"' not in answer.text
    assert "Location" not in answer.headers


def test_the_same_session_signed_with_the_servers_key_reaches_consent(
        live_server, app, signed_in):
    """The forgery above is well formed: only the key stops it."""
    url, payload = signed_in
    key = secret_key.load_or_create(app.instance_path)

    answer = _open_with(live_server, url, _serializer(key).dumps(payload))

    assert answer.status_code == 200
    assert 'name="decision"' in answer.text


def test_key_file_is_private_to_its_owner(live_server, app):
    path = os.path.join(app.instance_path, secret_key.FILE_NAME)

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert app.config["SECRET_KEY"] == secret_key.load_or_create(app.instance_path)
    assert app.config["SECRET_KEY"] != OLD_DEFAULT_KEY


def test_explicit_secret_key_wins(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                      "SECRET_KEY": "chosen"})

    assert app.config["SECRET_KEY"] == "chosen"


def test_two_apps_on_one_instance_folder_share_one_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SANDBOX_SECRET_KEY", raising=False)
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}

    first, second = create_app(config), create_app(config)

    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64


def test_a_new_key_only_after_the_file_is_deleted(tmp_path):
    kept = secret_key.load_or_create(str(tmp_path))
    assert secret_key.load_or_create(str(tmp_path)) == kept

    os.unlink(tmp_path / secret_key.FILE_NAME)

    assert secret_key.load_or_create(str(tmp_path)) != kept
    assert os.listdir(tmp_path) == [secret_key.FILE_NAME]
