"""Database failures become sentences a person can act on; anything else stays ours to log."""

from __future__ import annotations

import errno

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError

from app.services.errors import DatabaseBusy, DatabaseUnavailable, DiskFull, InvalidInput, NotPermitted, SignInFailed
from app.services.platform.database.engine import explain_connection_error
from app.services.platform.database.failures import explain_database_error, explain_disk_full, unreachable_words


@pytest.mark.parametrize(
    ("orig", "kind", "words"),
    [
        (psycopg.errors.LockNotAvailable("lock timeout"), DatabaseBusy, "changing the same record"),
        (psycopg.errors.DeadlockDetected("deadlock"), DatabaseBusy, "deadlock"),
        (psycopg.errors.QueryCanceled("statement timeout"), DatabaseBusy, "too long"),
        (psycopg.errors.AdminShutdown("terminating"), DatabaseUnavailable, "connection failed: terminating"),
        (psycopg.OperationalError("server closed the connection unexpectedly"), DatabaseUnavailable, "closed"),
    ],
)
def test_operational_failures_are_explained(orig: Exception, kind: type[Exception], words: str) -> None:
    explained = explain_database_error(OperationalError("UPDATE ticket …", {}, orig))
    assert isinstance(explained, kind) and words in str(explained)
    assert "nothing was saved" in str(explained) or kind is DatabaseUnavailable


def test_a_broken_query_is_ours_not_the_users() -> None:
    error = ProgrammingError("SELECT nope", {}, psycopg.errors.UndefinedColumn("column nope does not exist"))
    assert explain_database_error(error) is None


@pytest.mark.parametrize(
    ("orig", "words"),
    [
        (psycopg.errors.StringDataRightTruncation("value too long for type character varying(200)"), "longer"),
        (psycopg.errors.NumericValueOutOfRange("bigint out of range"), "out of range"),
        (psycopg.errors.CharacterNotInRepertoire('invalid byte sequence for encoding "UTF8": 0x00'), "bytes"),
        (psycopg.errors.UntranslatableCharacter("character with byte sequence 0xe2 has no equivalent"), "character"),
        (psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"), "NUL"),
    ],
)
def test_values_the_database_cannot_store_are_bad_input(orig: Exception, words: str) -> None:
    explained = explain_database_error(DataError("INSERT INTO ticket …", {}, orig))
    assert isinstance(explained, InvalidInput) and explained.exit_code == 2
    assert words in str(explained) and "nothing was saved" in str(explained)


def test_a_client_side_nul_refusal_is_not_an_unreachable_database() -> None:
    orig = psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    assert not isinstance(explain_database_error(DataError("INSERT …", {}, orig)), DatabaseUnavailable)


@pytest.mark.parametrize(
    "orig",
    [
        psycopg.errors.DiskFull('could not extend file "base/16384/2619": No space left on device'),
        psycopg.errors.IoError('could not write to file "pg_wal/xlogtemp.1": No space left on device'),
    ],
)
def test_a_full_disk_on_the_server_says_so(orig: Exception) -> None:
    explained = explain_database_error(OperationalError("INSERT …", {}, orig))
    assert isinstance(explained, DiskFull) and "disk is full" in str(explained)


def test_a_full_disk_anywhere_in_the_causes_is_one_sentence() -> None:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device", "/data/drafts/x.json")
        except OSError as error:
            raise DatabaseUnavailable("Cannot create the data directory") from error
    except DatabaseUnavailable as outer:
        explained = explain_disk_full(outer)
    assert explained is not None and "The disk is full: cannot write /data/drafts/x.json" in str(explained)
    assert explain_disk_full(OSError(errno.EACCES, "Permission denied")) is None


@pytest.mark.parametrize(
    ("driver_said", "words"),
    [
        ('connection to server at "10.0.0.9", port 5499 failed: Connection refused', "Is the server running?"),
        ('connection to server at "db.lan" failed: timeout expired', "no answer within 5 seconds"),
        ('could not translate host name "db.lna" to address: Name or service not known', "host name is unknown"),
        ('connection to server failed: FATAL:  database "helpdesk" does not exist', "no database named 'helpdesk'"),
        (  # a web server on the database's port: not a TLS problem to fix with a CA file
            'connection to server at "db.lan", port 5499 failed: received invalid response to SSL negotiation: H',
            "it is not PostgreSQL",
        ),
        ("connection to server failed: something new", "something new"),  # the driver's words, if nothing fits
    ],
)
def test_a_server_out_of_reach_is_said_as_a_person_acts_on_it(driver_said: str, words: str) -> None:
    url = make_url("postgresql+psycopg://ann@db.lan:5499/helpdesk")
    explained = explain_connection_error(url, OperationalError("SELECT 1", {}, psycopg.OperationalError(driver_said)))
    assert isinstance(explained, DatabaseUnavailable)
    assert str(explained).startswith("Cannot reach the database at postgresql+psycopg://ann@db.lan:5499/helpdesk: ")
    assert words in str(explained) and ("failed:" not in str(explained) or words == "something new")


def test_a_refused_sign_in_never_says_which_logins_exist() -> None:
    url = make_url("postgresql+psycopg://mallory@db.lan/helpdesk")
    said = 'connection to server failed: FATAL:  role "mallory" does not exist'
    explained = explain_connection_error(url, OperationalError("SELECT 1", {}, psycopg.OperationalError(said)))
    assert isinstance(explained, SignInFailed) and "does not exist" not in str(explained)


def test_a_row_level_security_refusal_is_said_as_a_role_not_as_a_policy() -> None:
    said = 'new row violates row-level security policy for table "ticket"'
    explained = explain_database_error(ProgrammingError("INSERT", {}, psycopg.errors.InsufficientPrivilege(said)))
    assert isinstance(explained, NotPermitted)
    assert "row-level security" not in str(explained) and "a queue you do not work" in str(explained)


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        (
            'connection is bad: connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory',
            "No connection to the database server: it is not running here (No such file or directory).",
        ),
        (
            'connection to server at "10.0.0.5", port 5432 failed: Connection refused',
            "No connection to the database server: it is not running or does not listen there (Connection refused).",
        ),
    ],
)
def test_a_lost_server_is_said_in_words_a_person_acts_on(reason: str, said: str) -> None:
    """The supervisor view showed the driver's sentence with the socket's path (a usability probe)."""
    assert unreachable_words(reason) == (
        f"{said} What was being saved may not have been (look before doing it again); Switchboard reconnects by itself."
    )
