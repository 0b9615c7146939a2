"""Persistent fault rules and maintenance windows: replace, list, clear, and match a request.

A rule's draw for its n-th matching request is a pure function of ``(seed, n)`` and the
counter ``n`` is a column, so a test run repeats exactly whichever worker serves it.
These functions change the session they are given and never commit: the caller's unit of
work does (the fault hook commits the counters at once, so they survive the request's
outcome).
"""
from __future__ import annotations

import fnmatch
import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sandbox.faults.spec import Fault, parse
from sandbox.models.banking import Bank
from sandbox.models.faults import FaultRule, MaintenanceWindow


def draw(seed: int, n: int) -> float:
    """A uniform number in [0, 1) for the n-th matching request of a rule seeded ``seed``."""
    digest = hashlib.sha256(f"{seed}:{n}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def unknown_banks(session: Session, config: dict) -> dict:
    """Errors for rules and windows naming banks that do not exist, keyed like marshmallow's
    (``{"rules": {1: {"bank_id": [...]}}}``); empty when every bank exists."""
    known = set(session.scalars(sa.select(Bank.id)))
    errors: dict = {}
    for key in ("rules", "maintenance"):
        for index, item in enumerate(config[key]):
            if item.get("bank_id") is not None and item["bank_id"] not in known:
                errors.setdefault(key, {})[index] = {
                    "bank_id": [f"Unknown bank {item['bank_id']!r}."]}
    return errors


def replace(session: Session, rules: list[dict], windows: list[dict]) -> None:
    """Replace the whole rule set and every maintenance window (counters restart at 0)."""
    session.execute(sa.delete(FaultRule))
    session.execute(sa.delete(MaintenanceWindow))
    for position, rule in enumerate(rules):
        session.add(FaultRule(position=position, bank_id=rule.get("bank_id"),
                                 client_id=rule.get("client_id"), path=rule.get("path", "*"),
                                 fault=rule["fault"], probability=rule.get("probability", 1.0),
                                 seed=rule.get("seed", 0), matched=0, injected=0))
    for window in windows:
        session.add(MaintenanceWindow(bank_id=window["bank_id"], starts_at=window["starts_at"],
                                      ends_at=window["ends_at"]))


def clear(session: Session) -> None:
    """Remove every rule and maintenance window."""
    replace(session, [], [])


def listing(session: Session) -> dict:
    """The rule set and maintenance windows, with each rule's counters."""
    rules = session.scalars(sa.select(FaultRule).order_by(FaultRule.position)).all()
    windows = session.scalars(
        sa.select(MaintenanceWindow).order_by(MaintenanceWindow.starts_at, MaintenanceWindow.id)
    ).all()
    return {
        "rules": [{"bank_id": r.bank_id, "client_id": r.client_id, "path": r.path,
                   "fault": r.fault, "probability": r.probability, "seed": r.seed,
                   "matched": r.matched, "injected": r.injected} for r in rules],
        "maintenance": [{"bank_id": w.bank_id, "starts_at": w.starts_at, "ends_at": w.ends_at}
                        for w in windows],
    }


def maintenance_until(session: Session, bank_id: str, *, now: datetime) -> datetime | None:
    """The end of the maintenance window of ``bank_id`` open at ``now``, or None."""
    return session.scalar(sa.select(sa.func.max(MaintenanceWindow.ends_at)).where(
        MaintenanceWindow.bank_id == bank_id, MaintenanceWindow.starts_at <= now,
        MaintenanceWindow.ends_at > now))


def apply_rules(session: Session, bank_id: str, client_id: str | None, path: str, *,
                timeout_cap: float) -> Fault | None:
    """Count this request against every matching rule and return the faults drawn, if any."""
    rules = session.scalars(sa.select(FaultRule).where(
        sa.or_(FaultRule.bank_id.is_(None), FaultRule.bank_id == bank_id)
    ).order_by(FaultRule.position)).all()
    drawn: Fault | None = None
    for rule in rules:
        if rule.client_id is not None and rule.client_id != client_id:
            continue
        if not fnmatch.fnmatchcase(path, rule.path):
            continue
        n = session.execute(
            sa.update(FaultRule).where(FaultRule.id == rule.id)
            .values(matched=FaultRule.matched + 1).returning(FaultRule.matched)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        if draw(rule.seed, n) >= rule.probability:
            continue
        session.execute(
            sa.update(FaultRule).where(FaultRule.id == rule.id)
            .values(injected=FaultRule.injected + 1)
            .execution_options(synchronize_session=False))
        fault = parse(rule.fault, timeout_cap=timeout_cap)
        drawn = fault if drawn is None else drawn.merge(fault)
    return drawn
