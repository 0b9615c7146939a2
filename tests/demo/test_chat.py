"""Sandbank Chat against a live server: linking through a bank's real pages, the built-in
bot's answers (and its plain words for a scope not granted, a bank fault, access removed),
the banks' signed webhooks as proactive messages, unlinking, and the checks that keep the
callback, the forms and the receiver honest."""
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa

from sandbox.demo import linking
from sandbox.demo.models import Link, PendingLink, Subscription
from sandbox.extensions import db
from tests.demo.conftest import client_token, wait_for
from tests.demo.person import ChatPerson
from tests.oauth.browser import live_browser


def link_row(app, consent_id: str | None = None) -> Link:
    with app.app_context():
        query = sa.select(Link).order_by(Link.id.desc())
        if consent_id:
            query = query.where(Link.consent_id == consent_id)
        row = db.session.scalars(query).first()
        db.session.expunge_all()
        return row


def test_linking_confirms_the_accounts_and_the_bot_answers_every_question(live_server):
    person = ChatPerson(live_server)
    person.link("harborline")
    assert any(kind == "linked" and text.startswith("Linked: ") and "••" in text
               and "Harborline Bank" in text for _, kind, text in person.messages())
    balance, = person.ask("What's my balance?")
    assert "Harborline Bank balances" in balance and "available" in balance and "$" in balance
    receipt, = person.ask("Show my last receipt")
    assert "Subtotal" in receipt and "Tax" in receipt and "Total" in receipt
    parcel, = person.ask("When does my parcel arrive?")
    assert "parcel" in parcel and "Status" in parcel and "Tracking" in parcel
    dining, = person.ask("What did I spend on dining this month?")
    assert "on dining in" in dining and "Harborline Bank: you spent $" in dining
    recent, = person.ask("Recent transactions")
    assert "recent transactions" in recent


def test_the_consent_page_shows_the_chats_purpose(live_server):
    person = ChatPerson(live_server)
    browser = live_browser(person.http, live_server)
    page = browser.open(person.start_link("harborline"))
    page = browser.submit(page, {"username": "user_good", "password": "pass_good"})
    assert "Sandbank Chat" in page.text
    assert "Sandbank Chat answers your questions in the chat" in page.text


def test_a_scope_not_granted_is_said_plainly(live_server):
    person = ChatPerson(live_server)
    person.link("cobaltpeak", scopes=("balances",))
    answer, = person.ask("Show my last receipt")
    assert "you did not share your receipts" in answer
    assert "available" in person.ask("What's my balance?")[0]


def test_a_bank_fault_is_said_plainly(live_server, admin):
    person = ChatPerson(live_server)
    person.link("copperleaf")
    admin.set_faults([{"bank_id": "copperleaf", "path": "*/v1/*", "fault": "status=503"}])
    try:
        answer, = person.ask("What's my balance?")
    finally:
        admin.clear_faults()
    assert "Copperleaf Savings is unavailable right now (HTTP 503)" in answer
    assert "available" in person.ask("What's my balance?")[0]


def test_a_purchase_appears_in_the_open_chat(live_server, admin, app):
    person = ChatPerson(live_server)
    person.link("harborline")
    link = link_row(app)
    accounts = requests.get(f"{link.issuer}/v1/accounts", timeout=10,
                            headers={"Authorization": f"Bearer {link.access_token}"}).json()
    checking = next(a for a in accounts["data"] if a["type"] == "checking")
    seen = len(person.messages())
    admin.add_transactions("harborline", checking["id"], [
        {"amount": "-42.17", "description": "CORNER CAFE", "channel": "in_store"}])
    news = wait_for(lambda: [text for _, kind, text in person.messages()[seen:]
                             if kind == "notice" and "CORNER CAFE" in text])
    assert news and "new purchase at CORNER CAFE, $42.17" in news[0]


def test_access_removed_at_the_bank_is_announced_and_the_next_answer_says_so(live_server, app):
    person = ChatPerson(live_server)
    person.link("juniper")
    link = link_row(app)
    seen = len(person.messages())
    removed = requests.delete(f"{link.issuer}/consents/{link.consent_id}", timeout=10, headers={
        "Authorization": f"Bearer {client_token(live_server, 'juniper')}"})
    assert removed.status_code == 204
    assert wait_for(lambda: [text for _, kind, text in person.messages()[seen:]
                             if kind == "notice" and "was removed" in text])
    answer = person.ask("What's my balance?")[0]
    assert "Access was removed at Juniper Federal Credit Union" in answer


def test_a_revoked_token_is_noticed_even_without_the_webhook(live_server, app):
    person = ChatPerson(live_server)
    person.link("cobaltpeak")
    link = link_row(app)
    with app.app_context():  # the chat missed the event: it learns from the bank's 401
        db.session.execute(sa.delete(Subscription))
        db.session.commit()
    requests.delete(f"{link.issuer}/consents/{link.consent_id}", timeout=10, headers={
        "Authorization": f"Bearer {client_token(live_server, 'cobaltpeak')}"})
    answer = person.ask("What's my balance?")[0]
    assert "Cobalt Peak Bank: access was removed" in answer


def test_an_expired_access_token_is_refreshed_and_both_tokens_rotate(live_server, admin, app):
    person = ChatPerson(live_server)
    person.link("harborline")
    before = link_row(app)
    admin.advance("PT2H")  # Harborline's access tokens last an hour
    assert "Harborline Bank balances" in person.ask("What's my balance?")[0]
    after = link_row(app, before.consent_id)
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    stale = requests.post(f"{before.issuer}/token", auth=("sandbank-chat", "chat-secret"),
                          data={"grant_type": "refresh_token",
                                "refresh_token": before.refresh_token}, timeout=10)
    assert stale.json()["error"] == "invalid_grant"


def test_unlink_revokes_the_tokens_at_the_bank(live_server, app):
    person = ChatPerson(live_server)
    person.link("harborline")
    link = link_row(app)
    assert "the bank has revoked" in person.ask("Unlink")[0]
    refused = requests.get(f"{link.issuer}/v1/accounts", timeout=10,
                           headers={"Authorization": f"Bearer {link.access_token}"})
    assert refused.status_code == 401
    refreshed = requests.post(f"{link.issuer}/token", auth=("sandbank-chat", "chat-secret"),
                              data={"grant_type": "refresh_token",
                                    "refresh_token": link.refresh_token}, timeout=10)
    assert refreshed.json()["error"] == "invalid_grant"


def test_the_authorize_request_uses_pkce_s256_state_and_nonce(live_server, app):
    person = ChatPerson(live_server)
    query = {key: values[0] for key, values in
             parse_qs(urlsplit(person.start_link("harborline")).query).items()}
    with app.app_context():
        pending = db.session.get(PendingLink, query["state"])
        assert query["code_challenge"] == linking._challenge(pending.code_verifier)
        assert query["nonce"] == pending.nonce
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == f"{live_server}/demo/chat/callback"


def test_the_callback_refuses_a_state_of_another_browser_and_a_replay(live_server):
    owner, attacker = ChatPerson(live_server), ChatPerson(live_server)
    back = live_browser(owner.http, live_server).authorize(owner.start_link("harborline"))
    stolen = attacker.http.get(back.location, timeout=30, allow_redirects=False)
    assert stolen.status_code == 400
    assert stolen.json()["errors"][0]["path"] == "state"
    assert owner.http.get(back.location, timeout=30).status_code == 200
    replay = owner.http.get(back.location, timeout=30, allow_redirects=False)
    assert replay.status_code == 400
    forged = owner.http.get(f"{live_server}/demo/chat/callback?state=forged&code=x", timeout=30)
    assert forged.status_code == 400


def test_forms_without_the_csrf_token_change_nothing(live_server):
    person = ChatPerson(live_server)
    before = person.messages()
    for path, data in (("/demo/chat/messages", {"message": "hi"}),
                       ("/demo/chat/link", {"bank": "harborline"}),
                       ("/demo/chat/bot", {"bot_url": "http://127.0.0.1:9/"})):
        answer = person.http.post(f"{live_server}{path}", data=data, timeout=10,
                                  allow_redirects=False)
        assert answer.status_code == 403
        assert answer.json()["errors"][0]["path"] == "csrf_token"
    assert person.messages() == before


def test_the_receiver_refuses_a_bad_signature_and_takes_a_good_one(live_server, app):
    person = ChatPerson(live_server)
    person.link("copperleaf")
    link = link_row(app)
    with app.app_context():
        secret = db.session.get(Subscription, "copperleaf").secret
    body = json.dumps({"id": "evt_test_1", "type": "balance.low", "bank_id": "copperleaf",
                       "consent_id": link.consent_id, "created_at": "2026-03-01T00:00:00Z",
                       "data": {"account_id": "acc_x"}}).encode()
    stamp = str(int(time.time()))
    good = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    seen = len(person.messages())
    url = f"{live_server}/demo/chat/webhooks/copperleaf"
    for header in (f"t={stamp},v1={'0' * 64}", f"t={int(stamp) - 3600},v1={good}", ""):
        refused = requests.post(url, data=body, headers={"Sandbank-Signature": header},
                                timeout=10)
        assert refused.status_code == 401
    assert person.messages()[seen:] == []
    for _ in range(2):  # delivered twice (at least once): told once
        taken = requests.post(url, data=body, timeout=10,
                              headers={"Sandbank-Signature": f"t={stamp},v1={good}"})
        assert taken.status_code == 204
    news = [text for _, kind, text in person.messages()[seen:] if kind == "notice"]
    assert len(news) == 1 and "Copperleaf Savings: low balance" in news[0]


def test_a_signed_body_that_is_not_an_event_is_refused(live_server, app):
    ChatPerson(live_server).link("copperleaf")
    with app.app_context():
        secret = db.session.get(Subscription, "copperleaf").secret
    stamp = str(int(time.time()))
    for body in (b"not json", b"[]", b'{"id": "evt_x"}'):
        signature = hmac.new(secret.encode(), f"{stamp}.".encode() + body,
                             hashlib.sha256).hexdigest()
        refused = requests.post(f"{live_server}/demo/chat/webhooks/copperleaf", data=body,
                                headers={"Sandbank-Signature": f"t={stamp},v1={signature}"},
                                timeout=10)
        assert refused.status_code == 400


def test_a_reset_empties_the_chat_and_linking_again_subscribes_again(live_server, admin, app):
    person = ChatPerson(live_server)
    person.link("harborline")
    admin.reset()
    answer = person.http.get(f"{live_server}/demo/chat", timeout=30)  # a gone conversation
    assert answer.status_code == 200 and "Linked:" not in answer.text
    again = ChatPerson(live_server)
    again.link("harborline")
    link = link_row(app)
    seen = len(again.messages())
    accounts = requests.get(f"{link.issuer}/v1/accounts", timeout=10,
                            headers={"Authorization": f"Bearer {link.access_token}"}).json()
    admin.add_transactions("harborline", accounts["data"][0]["id"], [
        {"amount": "-7.50", "description": "AFTER RESET CAFE", "channel": "in_store"}])
    assert wait_for(lambda: [text for _, kind, text in again.messages()[seen:]
                             if "AFTER RESET CAFE" in text])
