"""``/healthz`` answers while the process is up; ``/readyz`` only once the world is seeded."""
import pytest

from sandbox import create_app, database
from sandbox.errors import PROBLEM_JSON
from sandbox.extensions import db


@pytest.fixture
def empty_app(tmp_path):
    """An app over a database file that has nothing in it yet."""
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"})
    yield application
    with application.app_context():
        db.engine.dispose()


def test_healthz_answers_even_without_a_database_schema(empty_app):
    response = empty_app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_503_without_a_schema(empty_app):
    response = empty_app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.mimetype == PROBLEM_JSON
    assert "schema" in response.get_json()["detail"]


def test_readyz_is_503_until_the_world_is_seeded(empty_app):
    with empty_app.app_context():
        database.create_schema(db.engine)

    response = empty_app.test_client().get("/readyz")

    assert response.status_code == 503
    assert "sandbox seed" in response.get_json()["detail"]


def test_readyz_is_200_once_seeded(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
