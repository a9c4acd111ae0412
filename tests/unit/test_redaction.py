from __future__ import annotations

import logging

import pytest

from app.services.redaction import RedactingFilter, redact, register_secret


@pytest.mark.parametrize(
    "text",
    [
        "connect postgresql://alice:Canary-Secret-1@db.lan/x failed",
        "options password=Canary-Secret-1 host=db",
        "ALTER ROLE alice PASSWORD 'SCRAM-SHA-256$4096:abc$def:ghi'",
    ],
)
def test_secret_shapes_are_masked(text: str) -> None:
    cleaned = redact(text)
    assert "Canary-Secret-1" not in cleaned and "4096:abc" not in cleaned and "***" in cleaned


def test_a_registered_password_is_masked_anywhere(caplog: pytest.LogCaptureFixture) -> None:
    register_secret("plain-words-no-shape-77")
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "it was %s", ("plain-words-no-shape-77",), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == "it was ***"


def test_tracebacks_are_masked_too() -> None:
    register_secret("Traceback-Canary-55")
    try:
        raise RuntimeError("login with Traceback-Canary-55 failed")
    except RuntimeError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    RedactingFilter().filter(record)
    assert "Traceback-Canary-55" not in (record.exc_text or "") and "login with *** failed" in (record.exc_text or "")
