"""Claiming an ``Idempotency-Key`` in the request's own unit of work: a duplicate waits for
the first request's transaction, then replays its answer, does the work itself if the first
was rolled back, or is told to retry when the first takes too long."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import IdempotencyRecord
from sandbox.services import idempotency

ANSWER = idempotency.Answer(201, '{"id": "trf_1"}', {"Content-Type": "application/json"})


@pytest.fixture
def sessions(app, monkeypatch):
    """Two sessions of their own (two requests on two workers), and a short wait."""
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 1)
    with app.app_context():
        now = clock.read(db.session)[0]
        first, second = Session(db.engine), Session(db.engine)
        yield first, second, now
        first.close()
        second.close()
        db.session.execute(sa.delete(IdempotencyRecord).where(
            IdempotencyRecord.key.like("claim-%")))
        db.session.commit()


def claim(session, key, now, digest="same"):
    return idempotency.claim(session, "harborline", "demo-app", "", key, digest, now=now)


def test_a_duplicate_replays_the_answer_committed_with_the_work(sessions):
    first, second, now = sessions
    record_id, replay = claim(first, "claim-replay", now)
    assert record_id is not None and replay is None
    with pytest.raises(idempotency.KeyInFlight) as raised:
        claim(second, "claim-replay", now)
    assert (raised.value.status, raised.value.headers) == (409, {"Retry-After": "1"})
    second.rollback()
    idempotency.complete(first, record_id, ANSWER)
    first.commit()
    assert claim(second, "claim-replay", now) == (None, ANSWER)
    with pytest.raises(idempotency.KeyReused):
        claim(second, "claim-replay", now, digest="other")


def test_a_rolled_back_claim_leaves_the_key_free(sessions):
    first, second, now = sessions
    claim(first, "claim-refused", now)
    first.rollback()  # the view raised: its claim goes with the rest of its work
    record_id, replay = claim(second, "claim-refused", now)
    assert record_id is not None and replay is None


def test_an_expired_key_is_claimed_afresh(sessions):
    first, second, now = sessions
    record_id, _ = claim(first, "claim-expired", now)
    idempotency.complete(first, record_id, ANSWER)
    first.commit()
    later = now + idempotency.LIFETIME + timedelta(seconds=1)
    fresh_id, replay = claim(second, "claim-expired", later, digest="other")
    assert replay is None
    fresh = second.get(IdempotencyRecord, fresh_id)
    assert (fresh.fingerprint, fresh.status, fresh.expires_at) == \
        ("other", "in_progress", later + idempotency.LIFETIME)
    second.commit()
    assert idempotency.prune(second, now=later + idempotency.LIFETIME) >= 1
    assert second.scalar(sa.select(IdempotencyRecord).where(
        IdempotencyRecord.key == "claim-expired")) is None
