"""Sandbank Chat in a real browser (Debian's Chromium), the whole story at two banks: link
through the bank's own pages, ask each question, a proactive message after the clock moves,
access removed at the bank (by the person on Connected apps at one bank, by QA through the
control plane at the other), and the bot's next answer says so. Accessible and fitting at both
widths."""
import re

import pytest
import sqlalchemy as sa

from sandbox.demo.models import Link
from sandbox.extensions import db
from sandbox.testing.admin import SandboxAdmin, http_transport
from tests.browser.conftest import assert_accessible, assert_fits

QUESTIONS = (("What's my balance?", "balances"), ("Show my last receipt", "Total"),
             ("When does my parcel arrive?", "Tracking"),
             ("What did I spend on dining this month?", "on dining in"),
             ("Recent transactions", "recent transactions"))


def bot_messages(page):
    return page.locator('[data-from="bot"]')


def ask(page, words: str, expected: str) -> None:
    """Type ``words`` in the message box, send, wait for the bot's answer."""
    count = bot_messages(page).count()
    page.fill('[name="message"]', words)
    page.keyboard.press("Enter")
    page.locator('[data-from="person"]', has_text=words).last.wait_for()
    answer = bot_messages(page).nth(count)
    answer.wait_for()
    assert expected in bot_messages(page).last.inner_text() or expected in answer.inner_text()


def link(page, base: str, bank: str) -> None:
    page.click('[data-action="link"]')
    page.locator(f'[data-bank="{bank}"]').last.click()
    page.fill("#username", "user_good")
    page.fill("#password", "pass_good")
    page.click("button[type=submit]")
    if page.locator("#otp").count():
        page.fill("#otp", "123456")
        page.click("button[type=submit]")
    assert "Sandbank Chat answers your questions" in page.content()
    page.click('button[value="approve"]')
    page.wait_for_url(f"{base}/demo/chat*")
    assert page.locator('[data-kind="linked"]', has_text=re.compile(r"Linked: .*••\d{4}")).last.is_visible()


def latest_consent(app, bank: str) -> str:
    with app.app_context():
        return db.session.scalars(sa.select(Link.consent_id).where(Link.bank_id == bank)
                                  .order_by(Link.id.desc())).first()


def test_the_chat_story_at_two_banks(page, live_server, app):
    if page.viewport_size["width"] > 400:
        pytest.skip("the story runs once, on the phone; both widths are checked below")
    admin = SandboxAdmin(http_transport(live_server))
    page.goto(f"{live_server}/demo/chat")
    for bank in ("harborline", "cobaltpeak"):
        link(page, live_server, bank)
        for words, expected in QUESTIONS:
            ask(page, words, expected)
    notices = page.locator('[data-kind="notice"]').count()
    admin.advance("P2D")
    page.locator('[data-kind="notice"]').nth(notices).wait_for(timeout=30_000)
    remove_at_the_bank(page.context.new_page(), live_server, "cobaltpeak",
                       latest_consent(app, "cobaltpeak"))
    page.locator('[data-kind="notice"]', has_text="You removed Sandbank Chat's access at "
                 "Cobalt Peak Bank").wait_for(timeout=30_000)
    ask(page, "What's my balance?", "Harborline Bank balances")
    assert "access was removed" in page.content().lower()

    admin.revoke_consent("harborline", latest_consent(app, "harborline"))
    page.locator('[data-kind="notice"]', has_text="Harborline Bank removed Sandbank Chat's "
                 "access").wait_for(timeout=30_000)
    answers = bot_messages(page).count()
    page.fill('[name="message"]', "What's my balance?")
    page.keyboard.press("Enter")
    bot_messages(page).nth(answers).wait_for()
    assert "Access was removed at Harborline Bank" in bot_messages(page).nth(answers).inner_text()


def remove_at_the_bank(bank_page, base: str, bank: str, consent_id: str) -> None:
    """The person removes the chat's access on the bank's Connected apps page."""
    bank_page.goto(f"{base}/banks/{bank}/connections")
    bank_page.fill("#username", "user_good")
    bank_page.fill("#password", "pass_good")
    bank_page.get_by_role("button", name="Sign in").click()
    if bank_page.locator("#otp").count():
        bank_page.fill("#otp", "123456")
        bank_page.get_by_role("button", name="Verify").click()
    chat = bank_page.locator(f'[data-consent="{consent_id}"]')
    assert "Sandbank Chat" in chat.inner_text()
    chat.get_by_role("button", name="Remove access").click()
    bank_page.get_by_role("button", name="Remove access").click()
    assert bank_page.locator("[data-removed]").is_visible()
    bank_page.close()


def test_the_chat_is_accessible_and_fits(page, live_server):
    page.goto(f"{live_server}/demo/chat")
    page.click('[data-action="link"]')
    page.locator("[data-bank]").first.wait_for()
    assert_accessible(page)
    assert_fits(page)
