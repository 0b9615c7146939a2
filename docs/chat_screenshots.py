"""The screenshots of docs/chat.md, taken from a live server with Playwright and Debian's
Chromium: the chat just linked, a receipt card, a proactive message.

    sandbox serve &            # or any running Sandbank (default admin key on loopback)
    python docs/chat_screenshots.py http://127.0.0.1:8000
"""
import sys
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
OUT = Path(__file__).resolve().parent / "img"
ADMIN = {"X-Sandbox-Admin-Key": "sandbox-admin"}
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def ask(page, words: str) -> None:
    count = page.locator('[data-from="bot"]').count()
    page.fill('[name="message"]', words)
    page.keyboard.press("Enter")
    page.locator('[data-from="bot"]').nth(count).wait_for()


def shoot(page, name: str) -> None:
    page.locator("#thread").evaluate("thread => { thread.scrollTop = thread.scrollHeight; }")
    page.screenshot(path=str(OUT / name))
    print(OUT / name)


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{BASE}/demo/chat")
        page.click('[data-action="link"]')
        page.locator('[data-bank="harborline"]').last.click()
        page.fill("#username", "user_good")
        page.fill("#password", "pass_good")
        page.click("button[type=submit]")
        page.click('button[value="approve"]')
        page.locator('[data-kind="linked"]').last.wait_for()
        ask(page, "What's my balance?")
        shoot(page, "chat-linked.png")
        ask(page, "Show my last receipt")
        shoot(page, "chat-receipt.png")
        accounts = requests.get(f"{BASE}/banks/harborline/v1/accounts", headers={
            "Authorization": "Bearer " + requests.post(
                f"{BASE}/sandbox/banks/harborline/tokens", headers=ADMIN, timeout=30,
                json={"username": "user_good", "scope": "accounts"}).json()["access_token"]},
            timeout=30).json()["data"]
        card = next(account for account in accounts if account["type"] == "credit_card")
        notices = page.locator('[data-kind="notice"]').count()
        requests.post(f"{BASE}/sandbox/banks/harborline/accounts/{card['id']}/transactions",
                      headers=ADMIN, timeout=30, json={"transactions": [
                          {"amount": "-18.40", "description": "HARBOR NOODLE BAR",
                           "channel": "in_store"}]}).raise_for_status()
        page.locator('[data-kind="notice"]').nth(notices).wait_for(timeout=30_000)
        shoot(page, "chat-proactive.png")
        browser.close()


if __name__ == "__main__":
    main()
