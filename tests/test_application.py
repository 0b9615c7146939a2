"""The application class: pages keep their cookie sessions, data API calls carry none; what
it remembers about functions holds no request's objects."""
from __future__ import annotations

import gc
import weakref

from sandbox import clock, unit_of_work
from sandbox.oauth.minting import mint_token


def test_pages_have_sessions_and_data_api_calls_do_not(app, client):
    with app.app_context(), unit_of_work.transaction() as session:
        token = mint_token(session, "harborline", "demo-app", "user_good", "accounts",
                           now=clock.now())
    page = client.get("/banks/harborline/authorize", query_string={
        "response_type": "code", "client_id": "demo-app",
        "redirect_uri": "http://127.0.0.1/callback", "scope": "accounts", "state": "s",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256"})
    data = client.get("/banks/harborline/v1/accounts",
                      headers={"Authorization": f"Bearer {token['access_token']}"})

    assert page.status_code == 200 and "session=" in page.headers.get("Set-Cookie", "")
    assert data.status_code == 200 and "Set-Cookie" not in data.headers



def test_ensure_sync_remembers_functions_but_keeps_no_view_instance_alive(app):
    class View:
        def dispatch(self):
            return "ok"

    def hook():
        return None

    view = View()
    alive = weakref.ref(view)
    assert app.ensure_sync(hook) is app.ensure_sync(hook)
    assert app.ensure_sync(view.dispatch)() == "ok"
    del view
    gc.collect()
    assert alive() is None
