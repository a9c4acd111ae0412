"""Where the database is: flags, environment, user and site files, and what is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.services.errors import ConfigurationError
from app.services.platform import config, paths


@pytest.fixture
def settings_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    user, site = tmp_path / "user.toml", tmp_path / "site.toml"
    monkeypatch.setattr(paths, "user_settings_path", lambda: user)
    monkeypatch.setattr(paths, "site_settings_path", lambda: site)
    monkeypatch.delenv(config.DATABASE_URL_VARIABLE, raising=False)
    return user, site


def test_nothing_configured_means_the_embedded_database(settings_files: tuple[Path, Path]) -> None:
    target = config.resolve_database()
    assert target.is_embedded and target.source == "default"


def test_the_site_file_names_the_team_server(settings_files: tuple[Path, Path]) -> None:
    _user, site = settings_files
    site.write_text(
        '[database]\nhost = "db.team.lan"\nport = 5433\nsslmode = "verify-full"\nsslrootcert = "/etc/ssl/team-ca.pem"\n'
    )
    target = config.resolve_database()
    assert target.url is not None
    assert (target.url.host, target.url.port, target.url.database) == ("db.team.lan", 5433, "switchboard")
    assert target.url.query == {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/team-ca.pem"}


def test_the_user_file_overrides_the_site_file(settings_files: tuple[Path, Path]) -> None:
    user, site = settings_files
    site.write_text('[database]\nhost = "site.lan"\n')
    user.write_text('[database]\nurl = "postgresql://me@mine.lan/helpdesk"\n')
    target = config.resolve_database()
    assert target.url is not None and target.url.host == "mine.lan" and target.url.database == "helpdesk"


def test_environment_beats_files_and_the_flag_beats_both(
    settings_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, _site = settings_files
    user.write_text('[database]\nhost = "file.lan"\n')
    monkeypatch.setenv(config.DATABASE_URL_VARIABLE, "postgresql://env.lan/db")
    from_env = config.resolve_database()
    from_flag = config.resolve_database("postgresql://flag.lan/db")
    assert from_env.url is not None and from_env.url.host == "env.lan"
    assert from_flag.url is not None and from_flag.url.host == "flag.lan"


@pytest.mark.parametrize(
    "content",
    ['[database]\npassword = "hunter22"\n', '[database]\nurl = "postgresql://me:hunter22@db.lan/x"\n'],
)
def test_a_settings_file_with_a_password_is_refused(settings_files: tuple[Path, Path], content: str) -> None:
    user, _site = settings_files
    user.write_text(content)
    with pytest.raises(ConfigurationError, match="holds a password") as refused:
        config.resolve_database()
    assert "hunter22" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [("not a url at all", "malformed"), ("mysql://db.lan/x", "needs PostgreSQL"), ("sqlite:///x.db", "PostgreSQL")],
)
def test_bad_urls_get_a_sentence(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        config.parse_database_url(url, source="--database")


def test_broken_toml_names_the_file(settings_files: tuple[Path, Path]) -> None:
    user, _site = settings_files
    user.write_text("[database\nhost=")
    with pytest.raises(ConfigurationError, match=str(user)):
        config.resolve_database()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('[databse]\nhost = "team.lan"\n', "section [databse] is unknown"),  # was: the embedded database
        ('[database]\nhostt = "team.lan"\n', "[database] key 'hostt' is unknown"),
    ],
)
def test_a_misspelt_section_or_key_is_named_not_ignored(
    settings_files: tuple[Path, Path], content: str, words: str
) -> None:
    user, _site = settings_files
    user.write_text(content)
    with pytest.raises(ConfigurationError, match=re.escape(words)):
        config.resolve_database()


def test_a_plain_postgresql_url_uses_psycopg() -> None:
    assert config.parse_database_url("postgresql://h/d", source="x").drivername == "postgresql+psycopg"


def test_libpq_spelling_and_bad_ports() -> None:
    assert config.parse_database_url("postgres://me@db.lan/x", source="x").drivername == "postgresql+psycopg"
    with pytest.raises(ConfigurationError, match="malformed"):
        config.parse_database_url("postgresql://me@db.lan:fivefour/x", source="x")


SECRET = "Hunter-Canary-22"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://me:{SECRET}@db.lan/x",
        f"postgresql://:{SECRET}@db.lan/x",
        f"postgresql://me@db.lan/x?password={SECRET}",
        f"postgresql://me@db.lan/x?sslmode=require&Password={SECRET}",
        f"postgresql://me@db.lan/x?PASSWORD={SECRET}",
        f"postgresql://me@db.lan/x?pass%77ord={SECRET}",
        f"postgresql://me@db.lan/x?sslpassword={SECRET}",
        f"postgresql://me@db.lan/x?passfile=/home/me/{SECRET}",
        f"postgres://me@db.lan/x?pgpassword={SECRET}",
    ],
)
def test_a_password_in_any_form_is_refused_from_every_source(
    settings_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    user, _site = settings_files
    with pytest.raises(ConfigurationError, match="holds a password") as from_flag:
        config.resolve_database(url)
    assert "`ps`" in str(from_flag.value) and "--password-stdin" in str(from_flag.value)
    monkeypatch.setenv(config.DATABASE_URL_VARIABLE, url)
    with pytest.raises(ConfigurationError, match=f"{config.DATABASE_URL_VARIABLE} holds a password") as from_env:
        config.resolve_database()
    monkeypatch.delenv(config.DATABASE_URL_VARIABLE)
    user.write_text(f'[database]\nurl = "{url}"\n')
    with pytest.raises(ConfigurationError, match="holds a password") as from_file:
        config.resolve_database()
    for refused in (from_flag, from_env, from_file):
        assert SECRET not in str(refused.value)


@pytest.mark.parametrize(
    "content",
    [
        f'[database]\nPassword = "{SECRET}"\n',
        f'[database]\nhost = "db.lan"\nsslpassword = "{SECRET}"\n',
        f'[database]\nhost = "db.lan"\npassfile = "/home/me/{SECRET}"\n',
        f'[database]\nhost = "db.lan"\n[database.extra]\npass_word = "{SECRET}"\n',
        f'password = "{SECRET}"\n[database]\nhost = "db.lan"\n',
        f'[database]\nhost = "db.lan"\nPGPASSWORD = "{SECRET}"\n',
    ],
)
def test_a_password_key_in_any_spelling_anywhere_in_a_file_is_refused(
    settings_files: tuple[Path, Path], content: str
) -> None:
    _user, site = settings_files
    site.write_text(content)
    with pytest.raises(ConfigurationError, match="holds a password") as refused:
        config.resolve_database()
    assert SECRET not in str(refused.value) and str(site) in str(refused.value)


def test_an_empty_password_is_no_secret_and_passes() -> None:
    """The embedded server's own URL reads `postgres:@/…`; there is nothing to hide in it."""
    url = config.parse_database_url("postgresql://postgres:@/postgres?host=/tmp/sock", source="--database")
    assert url.username == "postgres"


def test_undecodable_or_nul_urls_are_malformed_not_a_crash() -> None:
    for text in ("postgresql://me@db.lan/\udcff", "postgresql://me@db.lan/x\x00"):
        with pytest.raises(ConfigurationError, match="malformed"):
            config.parse_database_url(text, source=config.DATABASE_URL_VARIABLE)


def test_describe_never_shows_a_secret_parameter(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(f"postgresql+psycopg://me:{SECRET}@db.lan/x?sslpassword={SECRET}&sslmode=require")
    shown = config.DatabaseTarget(url, "test", tmp_path).describe()
    assert SECRET not in shown and "sslmode=require" in shown and "db.lan" in shown


def test_a_tls_mode_typo_is_a_settings_error_not_a_failed_handshake(settings_files: tuple[Path, Path]) -> None:
    _user, site = settings_files
    site.write_text('[database]\nhost = "db.team.lan"\nsslmode = "sometimes"\n')
    with pytest.raises(ConfigurationError, match="sslmode 'sometimes' is not one of disable, allow, prefer"):
        config.resolve_database()
