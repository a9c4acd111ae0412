from __future__ import annotations

import logging

import pytest

from app.services.platform.redaction import RedactingFilter, redact, register_secret, register_verifier


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


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://alice:Canary-Secret-1@db.lan/x",
        "postgresql://:Canary-Secret-1@db.lan/x",
        "postgresql://alice:p@Canary-Secret-1@db.lan/x",  # an unencoded '@' in the password
        "postgresql://alice@db.lan/x?sslmode=require&password=Canary-Secret-1",
        "postgresql://alice@db.lan/x?sslpassword=Canary-Secret-1",
        "PGPASSWORD=Canary-Secret-1 psql",
        "Password: Canary-Secret-1",
        "ALTER ROLE alice PASSWORD 'md5" + "c" * 32 + "' /* Canary-Secret-1 */",
    ],
)
def test_more_secret_shapes_are_masked(text: str) -> None:
    cleaned = redact(text.replace("/* Canary-Secret-1 */", ""))
    assert "Canary-Secret-1" not in cleaned and "c" * 32 not in cleaned and "***" in cleaned


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://alice:Canary-Secret-2@db.lan:5432/x?sslmode=verify-full",
        "postgresql+psycopg://alice@db.lan:5432/x?sslmode=verify-full&password=Canary-Secret-2",
        "postgresql+psycopg://alice@db.lan:5432/x?sslmode=verify-full&Sslpassword=Canary-Secret-2",
        "not a url but password=Canary-Secret-2",
    ],
)
def test_display_url_is_the_one_way_a_url_is_shown(url: str) -> None:
    from sqlalchemy.engine import make_url

    from app.services.platform.database.dsn import display_url

    shown_forms = [display_url(url)] + ([display_url(make_url(url))] if "://" in url else [])
    for shown in shown_forms:
        assert "Canary-Secret-2" not in shown
        if "://" in url:
            assert "db.lan:5432" in shown and "sslmode=verify-full" in shown


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True),
        ("Password", True),
        ("PGPASSWORD", True),
        ("sslpassword", True),
        ("pass_word", True),
        ("passfile", True),
        ("passwd", True),
        ("host", False),
        ("user", False),
        ("sslrootcert", False),
        ("sslmode", False),
    ],
)
def test_secret_keys_in_any_spelling(key: str, secret: bool) -> None:
    from app.services.platform.redaction import is_secret_key

    assert is_secret_key(key) is secret


def test_every_piece_of_a_verifier_is_masked() -> None:
    from app.services.platform.redaction import register_verifier

    verifier = "SCRAM-SHA-256$4096:U2FsdFNhbHRTYWx0$U3RvcmVkS2V5U3RvcmVkS2V5:U2VydmVyS2V5U2VydmVyS2V5"
    register_verifier(verifier)
    # What SQLAlchemy said when text() read the verifier's ':' as a bind parameter: a piece of it.
    message = redact("A value is required for bind parameter 'U2VydmVyS2V5U2VydmVyS2V5'")
    assert "U2VydmVyS2V5U2VydmVyS2V5" not in message
    assert "U2FsdFNhbHRTYWx0" not in redact("salt U2FsdFNhbHRTYWx0 leaked")


def test_a_registered_verifier_masks_its_secret_parts_but_not_the_public_ones() -> None:
    """Registering `SCRAM-SHA-256$4096:salt$stored:server` must not turn every later 'SCRAM-SHA-256' or
    '4096' into a mask (which also broke the shape patterns for any other verifier)."""
    register_verifier("SCRAM-SHA-256$4096:c2FsdHNhbHQ=$c3RvcmVka2V5c3RvcmVk:c2VydmVya2V5c2VydmVy")
    assert redact("4096 rows") == "4096 rows"
    other = redact("ALTER ROLE bob PASSWORD 'SCRAM-SHA-256$4096:xyz$uvw:rst'")
    assert "xyz" not in other and "uvw" not in other and "rst" not in other
    assert redact("salt c2FsdHNhbHQ= leaked") == "salt *** leaked"
