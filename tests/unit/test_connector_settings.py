"""Connector settings and keys, without network or database: secrets are refused wherever they sit, the
README's example is a working configuration, patterns must capture the key, keys are cleaned."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from app.services.connectors.base import Account, ConnectorMisconfigured, KeyKind, NotFound, age_in_words, clean_key
from app.services.connectors.finding import AccountKey
from app.services.connectors.http import HttpConnector
from app.services.connectors.settings import configured_connectors, nests_repeats, parse
from app.services.connectors.verify import corroboration
from app.services.errors import InvalidInput

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_table() -> dict[str, object]:
    block = next(
        b for b in re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S) if "connectors" in b
    )
    document = tomllib.loads(block)
    return dict(document["connectors"]["accounts"])


def test_the_readme_example_is_a_working_configuration(tmp_path: Path) -> None:
    table = readme_table()
    ca = tmp_path / "ca.pem"
    ca.write_text("a CA")
    table["ca_bundle"] = str(ca)
    connector = HttpConnector(parse("accounts", table, source="README"), credential=lambda: "t")
    assert connector.key_kinds == (KeyKind.ACCOUNT_ID, KeyKind.EMAIL)
    assert connector.settings.find.custom_field == "player_id"
    assert connector.settings.find.patterns[0].search("Hi, my player id: #12345 here").group(1) == "12345"  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["token", "api_key", "password", "Authorization", "client_secret", "credential"])
def test_a_secret_anywhere_in_a_connector_table_is_refused_without_showing_it(key: str, tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'[connectors.crm]\nbase_url = "https://crm.example"\n[connectors.crm.headers]\n{key} = "s3cr3t"\n'
    )
    with pytest.raises(ConnectorMisconfigured, match="holds a secret") as refused:
        configured_connectors([settings])
    assert "s3cr3t" not in str(refused.value)


@pytest.mark.parametrize(
    ("key", "address"),
    [
        ("base_url", "http://svcuser:Hunter2Secret@127.0.0.1:18777"),
        ("base_url", "https://svcuser@crm.example"),
        ("link", "HTTPS://a:Hunter2Secret@crm.example/players/{id}"),
    ],
)
def test_an_address_with_a_user_or_password_is_refused_without_showing_it(
    key: str, address: str, tmp_path: Path
) -> None:
    """requests sent it as Basic authentication whatever `auth` said, and the tool's error line showed it to
    every agent (a real-world probe, 2026-12-07)."""
    settings = tmp_path / "settings.toml"
    other = "link" if key == "base_url" else "base_url"
    settings.write_text(f'[connectors.crm]\n{key} = "{address}"\n{other} = "https://crm.example/x@y"\n')
    with pytest.raises(ConnectorMisconfigured, match=f"{key} holds a user name or password") as refused:
        configured_connectors([settings])
    assert "Hunter2" not in str(refused.value) and "svcuser" not in str(refused.value)


def test_an_at_sign_after_the_host_is_no_user(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('[connectors.crm]\nbase_url = "https://crm.example"\nlink = "https://crm.example/u/x@y.test"\n')
    assert "crm" in configured_connectors([settings])


def test_the_first_file_naming_a_connector_wins(tmp_path: Path) -> None:
    user, site = tmp_path / "user.toml", tmp_path / "site.toml"
    user.write_text('[connectors.accounts]\nbase_url = "https://mine.example"\n')
    site.write_text('[connectors.accounts]\nbase_url = "https://site.example"\n[connectors.crm]\nkind = "crm"\n')
    found = configured_connectors([user, site, tmp_path / "missing.toml"])
    assert found["accounts"].option("base_url") == "https://mine.example" and found["crm"].kind == "crm"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"find": {"patterns": ["player (\\d+) (\\d+)"]}}, "capture the key in one group"),
        ({"find": {"patterns": ["(unclosed"]}}, "not a regular expression"),
        ({"find": {"patterns": ["(a+)+$"]}}, "repeats a repetition"),  # exponential on 'aaaa…!'
        ({"find": {"patterns": ["id: ((?:\\w+\\s?)*)"]}}, "repeats a repetition"),
        ({"base_url": "http://accounts.example.lan"}, "must use https"),
        ({"base_url": "ftp://x"}, "must be an https:// address"),
        ({"paths": {"phone": "/p/{key}"}}, "paths names"),
        ({"paths": {"account_id": "/p/{key}/{key}"}}, "must hold {key} once"),
        ({"link": "javascript:alert(1)"}, "link must be an http"),
        ({"auth": "digest"}, "auth must be"),
        ({"read_timeout": "soon"}, "must be numbers"),
        ({"deadline": 0}, "must be positive"),
    ],
)
def test_settings_that_make_no_sense_are_refused_with_a_sentence(options: dict[str, object], message: str) -> None:
    table: dict[str, object] = {
        "base_url": "https://accounts.example.lan",
        "paths": {"account_id": "/api/accounts/{key}"},
        **options,
    }
    with pytest.raises(ConnectorMisconfigured, match=re.escape(message)):
        HttpConnector(parse("accounts", table, source="a test"), credential=lambda: "t")


def test_plain_http_is_allowed_on_this_computer_only() -> None:
    table = {"base_url": "http://127.0.0.1:8080", "paths": {"account_id": "/a/{key}"}}
    assert HttpConnector(parse("accounts", table, source="a test")).base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize("key", ["a\r\nb", "x\u2028y", "\u202eevil", "..", "", " ", "x" * 201])
def test_hostile_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidInput):
        clean_key(KeyKind.ACCOUNT_ID, key)


def test_keys_are_normalised_and_emails_must_be_addresses() -> None:
    assert clean_key(KeyKind.ACCOUNT_ID, " Cafe\u0301 ") == "Café"
    with pytest.raises(InvalidInput):
        clean_key(KeyKind.EMAIL, "not-an-address")


@pytest.mark.parametrize(("seconds", "words"), [(5, "just now"), (240, "4 min"), (7300, "2 h"), (3 * 86400, "3 days")])
def test_ages_in_words(seconds: int, words: str) -> None:
    import datetime as dt

    assert age_in_words(dt.timedelta(seconds=seconds)) == words


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({"account.tier": "vip"}, True),
        ({"account.tier": "VIP"}, True),
        ({"account.tier": "standard"}, False),
        ({"account.region": ["EU", "UK"], "account.tier": "vip"}, True),
        ({"account.region": ["NA"]}, False),
        ({"account.plan": "Gold"}, False),  # an attribute the tool did not give never matches
        ({"priority": "high", "queue": "Billing"}, True),  # not account conditions: someone else's
        ({}, True),
    ],
)
def test_account_conditions_match_cached_attributes(conditions: dict[str, object], matches: bool) -> None:
    from app.services.connectors.attributes import account_matches

    assert account_matches({"tier": "vip", "region": "EU"}, conditions) is matches


def test_every_public_method_of_the_account_area_speaks_domain_errors() -> None:
    from app.services.connectors.area import Accounts

    public = [name for name in vars(Accounts) if not name.startswith("_") and callable(vars(Accounts)[name])]
    assert {"panel", "refresh", "link", "configured"} <= set(public)
    assert all(hasattr(vars(Accounts)[name], "__wrapped__") for name in [*public, "__init__"])


def test_trusting_named_accounts_is_off_unless_a_site_says_true() -> None:
    base = {"base_url": "https://tool.example", "paths": {"account_id": "/a/{key}"}}
    assert parse("accounts", base, source="t").trust_named_accounts is False
    assert parse("accounts", {**base, "trust_named_accounts": True}, source="t").trust_named_accounts is True
    with pytest.raises(ConnectorMisconfigured, match="trust_named_accounts must be true or false"):
        parse("accounts", {**base, "trust_named_accounts": "yes"}, source="t")


def test_an_account_is_the_customers_by_their_own_address_or_the_tools_answer_never_by_being_named() -> None:
    mine = frozenset({"vic@customer.test"})
    named = AccountKey(KeyKind.ACCOUNT_ID, "4242", "the subject")
    theirs = Account(KeyKind.ACCOUNT_ID, "4242", (), emails=("someone@else.test",))
    said = Account(KeyKind.ACCOUNT_ID, "4242", (), emails=("Vic@Customer.Test",))
    assert corroboration(named, theirs, mine, trust_named=False) is None
    assert corroboration(named, said, mine, trust_named=False) == "tool_email"
    assert corroboration(named, theirs, mine, trust_named=True) == "site_trust"
    by_address = AccountKey(KeyKind.EMAIL, "Vic@customer.test", "the customer's email")
    assert corroboration(by_address, Account(KeyKind.EMAIL, "Vic@customer.test", ()), mine, trust_named=False) == (
        "customer_email"
    )
    assert corroboration(named, NotFound(KeyKind.ACCOUNT_ID, "4242"), mine, trust_named=True) is None
    umlaut = frozenset({"joerg@bücher.de"})  # a tool storing the punycode spelling corroborates the same mailbox
    punycode = Account(KeyKind.ACCOUNT_ID, "4242", (), emails=("Joerg@XN--BCHER-KVA.DE",))
    assert corroboration(named, punycode, umlaut, trust_named=False) == "tool_email"
    assert corroboration(None, None, mine, trust_named=True) is None


@pytest.mark.parametrize(
    "pattern",
    [
        r"(\d{3}(?:-\d{3})*)",  # a phone number's groups
        r"#(\d{4}(?:-\d{4}){3})",
        r"([A-Z]{2}\d{2}(?: ?\d{4}){4})",  # an IBAN
        r"(\w+(?:\.\w+)*)",
        r"([\w.+-]+@[\w-]+(?:\.[\w-]+)+)",  # an address
        r"(\d+)(?:\s*,\s*\d+)*",
        r"player id:?\s*#?(\d{3,12})",
    ],
)
def test_patterns_admins_really_use_are_taken(pattern: str) -> None:
    """Repeats that hold fixed counts or must match a punctuation mark each round do not backtrack."""
    assert not nests_repeats(pattern)
