"""What each gunicorn worker does once its app is built."""
from __future__ import annotations

import gc
from types import SimpleNamespace

from sandbox.serving import tell_worker


def test_a_started_worker_keeps_its_app_out_of_full_collections(app):
    socket = SimpleNamespace(cfg_addr=("127.0.0.1", 8000))
    worker = SimpleNamespace(wsgi=app, sockets=[socket], cfg=SimpleNamespace(threads=8))
    try:
        tell_worker(worker)
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()

    assert frozen > 10_000

