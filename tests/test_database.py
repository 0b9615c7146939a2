"""SQLite is tuned for several gunicorn workers: WAL, a busy timeout, and never ``:memory:``."""
import pytest

from sandbox import create_app, database
from sandbox.extensions import db

pytestmark = pytest.mark.sqlite_only(reason="SQLite's own tuning: WAL, busy timeout, no :memory:")


@pytest.fixture(scope="module")
def file_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("database") / "tuned.db"
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("busy_timeout", database.SQLITE_BUSY_TIMEOUT_MS),
        ("foreign_keys", 1),
    ],
)
def test_every_sqlite_connection_is_tuned(file_app, pragma, expected):
    with file_app.app_context():
        assert db.session.execute(db.text(f"PRAGMA {pragma}")).scalar() == expected


def test_wal_lets_a_reader_proceed_while_a_writer_holds_its_transaction(file_app):
    with file_app.app_context():
        database.create_schema(db.engine)
        writer = db.engine.connect()
        reader = db.engine.connect()
        try:
            writer.execute(db.text("BEGIN IMMEDIATE"))
            writer.execute(db.text("INSERT INTO merchants (id, name, category, mcc) "
                                   "VALUES ('m1', 'Corner Shop', 'groceries', '5411')"))
            assert reader.execute(db.text("SELECT count(*) FROM merchants")).scalar() == 0
            writer.commit()
            assert reader.execute(db.text("SELECT count(*) FROM merchants")).scalar() == 1
        finally:
            writer.close()
            reader.close()


def test_schema_can_be_dropped_and_created_again(file_app):
    with file_app.app_context():
        database.create_schema(db.engine)
        database.drop_schema(db.engine)
        assert "banks" not in db.inspect(db.engine).get_table_names()
        database.create_schema(db.engine)
        assert "banks" in db.inspect(db.engine).get_table_names()


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://"])
def test_in_memory_sqlite_is_refused(url):
    with pytest.raises(ValueError, match="in-memory"):
        create_app({"SQLALCHEMY_DATABASE_URI": url})

