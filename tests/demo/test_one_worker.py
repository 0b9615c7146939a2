"""Issue 13: the chat works under one gunicorn worker, which then serves the chat's own calls
to the banks (and the page's polls) from its other threads without waiting on itself."""
import pytest

from sandbox.testing.server import sandbox_serve
from tests.conftest import TEST_MONTHS
from tests.demo.person import ChatPerson


@pytest.fixture(scope="module")
def one_worker(app, tmp_path_factory):
    with sandbox_serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory.mktemp("serve"),
                       workers=1, env={"SANDBOX_HISTORY_MONTHS": str(TEST_MONTHS)}) as base:
        yield base


def test_one_worker_links_answers_and_unlinks(one_worker):
    person = ChatPerson(one_worker)
    person.link("harborline")
    assert "Harborline Bank balances" in person.ask("What's my balance?")[0]
    assert "the bank has revoked" in person.ask("Unlink")[0]
