"""Where the database is: flags, environment, user and site files, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import config
from app.services.errors import ConfigurationError


@pytest.fixture
def settings_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    user, site = tmp_path / "user.toml", tmp_path / "site.toml"
    monkeypatch.setattr(config, "user_settings_path", lambda: user)
    monkeypatch.setattr(config, "site_settings_path", lambda: site)
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


def test_a_plain_postgresql_url_uses_psycopg() -> None:
    assert config.parse_database_url("postgresql://h/d", source="x").drivername == "postgresql+psycopg"


def test_libpq_spelling_and_bad_ports() -> None:
    assert config.parse_database_url("postgres://me@db.lan/x", source="x").drivername == "postgresql+psycopg"
    with pytest.raises(ConfigurationError, match="malformed"):
        config.parse_database_url("postgresql://me@db.lan:fivefour/x", source="x")
