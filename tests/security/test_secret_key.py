"""Finding 1: a session cookie signed with the old documented default key signs nobody in.

With ``SANDBOX_SECRET_KEY`` unset the server makes a random key on first start and keeps it in
the instance folder, shared by every worker and kept across restarts."""
from __future__ import annotations

import hashlib
import json
import os
import stat
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from sandbox import create_app, secret_key
from sandbox.models import Customer
from tests.oauth.browser import BANK, Pkce, authorize_url

OLD_DEFAULT_KEY = "sandbank-development-secret"


def _forged_cookie(key: str, url: str, customer_id: str) -> str:
    """A session saying ``customer_id`` signed in and passed the one-time code for ``url``."""
    args = sorted(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    flow_key = hashlib.sha256(json.dumps([BANK, args]).encode()).hexdigest()
    signer = Flask("forger")
    signer.config["SECRET_KEY"] = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    return serializer.dumps({"oauth_flow": {"key": flow_key, "customer_id": customer_id,
                                            "auth_time": 1, "amr": ["pwd", "otp"],
                                            "otp_done": True}})


@pytest.fixture(scope="module")
def locked_customer_id(app) -> str:
    with app.app_context():
        return Customer.query.filter_by(bank_id=BANK, username="user_locked").one().id


def _open_with_cookie(live_server: str, key: str, customer_id: str) -> requests.Response:
    url = authorize_url(pkce=Pkce(), scope="openid accounts")
    return requests.get(live_server + url, allow_redirects=False, timeout=10,
                        cookies={"session": _forged_cookie(key, url, customer_id)})


def test_cookie_signed_with_the_old_default_key_gets_the_sign_in_page(
        live_server, locked_customer_id):
    answer = _open_with_cookie(live_server, OLD_DEFAULT_KEY, locked_customer_id)

    assert answer.status_code == 200
    assert 'name="password"' in answer.text
    assert 'name="decision"' not in answer.text
    assert "Location" not in answer.headers


def test_the_same_cookie_signed_with_the_servers_key_would_reach_consent(
        live_server, app, locked_customer_id):
    """The forgery above is well formed: only the key stops it."""
    key = secret_key.load_or_create(app.instance_path)

    answer = _open_with_cookie(live_server, key, locked_customer_id)

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
