"""The documentation's screenshot script (``docs/screenshots.py``) still takes every picture."""
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "screenshots.py"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def screenshots():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_screenshot_is_taken_at_both_widths(browser, screenshots, live_server, tmp_path):
    written = screenshots.take(browser, live_server, [], folder=tmp_path)

    assert sorted(path.name for path in written) == sorted(
        f"{name}-{width}.png" for name in screenshots.SHOTS for width in ("phone", "desktop"))
    for path in written:
        assert path.read_bytes().startswith(PNG)
