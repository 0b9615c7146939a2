"""PostgreSQL's COPY text, as the bulk path writes it: values arrive intact whatever they hold."""
import pytest

from sandbox.synth.store import copy_line, copy_money


@pytest.mark.parametrize(("values", "line"), [
    (["txn_1", None, "Corner Café"], "txn_1\t\\N\tCorner Café\n"),
    (["a\tb", "c\\d"], "a\\tb\tc\\\\d\n"),
    (["line one\nline two\r", None], "line one\\nline two\\r\t\\N\n"),
    (["\\N", None], "\\\\N\t\\N\n"),
])
def test_copy_lines_escape_what_copy_would_misread(values, line):
    assert copy_line(values) == line


@pytest.mark.parametrize(("cents", "text"), [
    (0, "0.00"), (5, "0.05"), (-5, "-0.05"), (-146000, "-1460.00"), (123456789012, "1234567890.12"),
])
def test_money_is_exact_decimal_text(cents, text):
    assert copy_money(cents) == text
