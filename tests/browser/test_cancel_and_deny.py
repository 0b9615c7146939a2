"""Saying no at the bank, in a real browser: "Cancel" on the sign-in page and on the
one-time-code page, and "Deny" on the consent page, each take the person back to the app
(here Sandbank Chat) with ``access_denied``, and nothing is shared."""
import pytest

from tests.browser.conftest import assert_accessible

NOTHING_SHARED = "You cancelled linking at the bank: nothing was shared."


def start_linking(page, base: str, bank: str) -> None:
    page.goto(f"{base}/demo/chat")
    page.click('[data-action="link"]')
    page.locator(f'[data-bank="{bank}"]').last.click()
    page.locator("#username").wait_for()


def sign_in(page, username: str) -> None:
    page.fill("#username", username)
    page.fill("#password", "pass_good")
    page.get_by_role("button", name="Sign in").click()


def back_in_the_chat_with_nothing_shared(page, base: str) -> None:
    page.wait_for_url(f"{base}/demo/chat*")
    page.locator('[data-from="bot"]', has_text=NOTHING_SHARED).last.wait_for()
    assert page.locator('[data-kind="linked"]').count() == 0


def test_cancel_on_the_sign_in_page(page, live_server):
    start_linking(page, live_server, "harborline")
    assert_accessible(page)

    page.get_by_role("button", name="Cancel").click()

    back_in_the_chat_with_nothing_shared(page, live_server)


def test_cancel_on_the_one_time_code_page(page, live_server):
    start_linking(page, live_server, "harborline")
    sign_in(page, "user_mfa")
    page.locator("#otp").wait_for()

    page.get_by_role("button", name="Cancel").click()

    back_in_the_chat_with_nothing_shared(page, live_server)


@pytest.mark.parametrize(("bank",), [("harborline",), ("copperleaf",)])
def test_deny_on_the_consent_page(page, live_server, bank):
    start_linking(page, live_server, bank)
    sign_in(page, "user_good")
    deny = page.locator('button[value="deny"]')
    deny.wait_for()
    assert_accessible(page)

    deny.click()

    back_in_the_chat_with_nothing_shared(page, live_server)
