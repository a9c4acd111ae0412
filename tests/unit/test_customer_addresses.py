"""A customer's address as typed or pasted: one mailbox, its display name kept for the customer's name, and
everything else refused in words (each of these became a customer before)."""

from __future__ import annotations

import pytest

from app.services.errors import InvalidInput
from app.services.people.addresses import Mailbox, comparable_address, parse_mailbox


@pytest.mark.parametrize(
    ("typed", "mailbox"),
    [
        ("jane@example.com", Mailbox("", "jane@example.com")),
        ("  jane@example.com ", Mailbox("", "jane@example.com")),
        ("Jane Doe <jane.doe@example.com>", Mailbox("Jane Doe", "jane.doe@example.com")),
        ('"Doe, Jane" <jane@example.com>', Mailbox("Doe, Jane", "jane@example.com")),
        ("<jane@example.com>", Mailbox("", "jane@example.com")),
        ("müller@bücher.de", Mailbox("", "müller@bücher.de")),
        ("jane+billing@mail.example.co.uk", Mailbox("", "jane+billing@mail.example.co.uk")),
        ("Doe, Jane <jane@example.com>", Mailbox("Doe, Jane", "jane@example.com")),  # Outlook's, unquoted
        ("مهر\u200cنوش <m@example.ir>", Mailbox("مهر\u200cنوش", "m@example.ir")),  # a zero-width non-joiner
        ("Jane 👩\u200d💻 <j@x.com>", Mailbox("Jane 👩\u200d💻", "j@x.com")),  # an emoji's joiner
        ("=?utf-8?q?J=C3=B6rg?= <j@x.de>", Mailbox("Jörg", "j@x.de")),  # an encoded word, decoded
        ("jane@example.com\n", Mailbox("", "jane@example.com")),  # a paste's line end
        ("jane@example.com <jane@example.com>", Mailbox("", "jane@example.com")),
        ("o'brien@example.ie", Mailbox("", "o'brien@example.ie")),
        ("jane@example.com (Jane Doe)", Mailbox("Jane Doe", "jane@example.com")),  # the older comment form
        # An encoded word that is not base64 after all: the name as written (it was an internal error).
        ("=?utf-8?B?!!notbase64!!?= <foo@example.com>", Mailbox("=?utf-8?B?!!notbase64!!?=", "foo@example.com")),
    ],
)
def test_one_mailbox_is_taken_as_typed_or_pasted(typed: str, mailbox: Mailbox) -> None:
    assert parse_mailbox(typed) == mailbox


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("a@@b", "is not an email address"),
        ("a@b", "is not an email address"),
        ("@example.com", "is not an email address"),
        ("jane@exa mple.com", "a space or an invisible control character"),
        ("x@1.2.3.4", "is not an email address"),
        ("a b@example.com", "a space or an invisible control character"),
        ("a@b.example,c@d.example", "is not one email address"),
        ("jane@example.com; joe@example.com", "is not one email address"),
        ("evil@x.example\nBcc: y@z.example", "holds a line break"),
        ("\u202eevil@x.example", "invisible control character in its address"),
        ("jane@example.com\u200b", "invisible control character in its address"),
        ("'jane@example.com'", "is not an email address"),
        ("jane@-example.com", "is not an email address"),
        ("a@b.com, C <d@e.com>", "is not one email address"),
        ("x" * 65 + "@example.com", "longer than an email address may be"),
        ("jane@" + "d" * 250 + ".example", "longer than an email address may be"),
        # An address in an encoded name: decoded, it posed as ceo@example.com (the plain form was refused).
        ("=?utf-8?Q?ceo=40example.com?= <attacker@evil.example>", "is not one email address"),
        ("Jane Doe", "holds no email address"),
    ],
)
def test_anything_else_is_refused_in_words(typed: str, said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        parse_mailbox(typed)


@pytest.mark.parametrize(
    "typed",
    ["joerg@bücher.de", "joerg@xn--bcher-kva.de", "joerg@XN--BCHER-KVA.DE", "joerg@bu\u0308cher.de", "joerg@BÜCHER.de"],
)
def test_one_mailbox_has_one_spelling(typed: str) -> None:
    """Punycode and Unicode, composed and decomposed (as macOS pastes it), each made a customer of its own for
    one mailbox (a real-world probe, 2026-12-07)."""
    assert parse_mailbox(typed).address == "joerg@bücher.de"
    assert comparable_address(typed) == "joerg@bücher.de"


def test_the_local_part_keeps_its_case_and_a_broken_punycode_label_stays_as_written() -> None:
    assert parse_mailbox("Jane.Doe@Example.COM").address == "Jane.Doe@example.com"
    assert parse_mailbox("j@xn--zz.test").address == "j@xn--zz.test"
