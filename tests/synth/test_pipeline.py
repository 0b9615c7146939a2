"""Generator processes hand the writer exactly the rows inline generation makes, in order."""
from __future__ import annotations

from datetime import date

import pytest

from sandbox import catalog, clock
from sandbox.services.seeding import _jobs
from sandbox.synth import pipeline
from sandbox.synth.context import history_start, make_world
from sandbox.synth.store import COPY, PORTABLE, SQLITE


@pytest.mark.parametrize(("path",), [(SQLITE,), (COPY,), (PORTABLE,)])
def test_forked_generators_yield_the_inline_rows_in_job_order(monkeypatch, path):
    now = clock.as_of_instant(date(2026, 3, 1))
    start = history_start(now.date(), 1)
    jobs = [job for bank in catalog.banks()[:2]
            for job in _jobs(make_world(7, 1, start, bank), catalog.personas(), 3)]
    assert len(jobs) > pipeline.PARALLEL_FROM and len(jobs) > 2 * pipeline.BLOCK_CUSTOMERS

    with pipeline.prepared_customers(jobs, now, path) as stream:
        forked = list(stream)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", len(jobs) + 1)
    with pipeline.prepared_customers(jobs, now, path) as stream:
        inline = list(stream)

    assert [rows.customer for rows in forked] == [rows.customer for rows in inline]
    assert forked == inline
