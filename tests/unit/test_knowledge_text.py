"""Pure parts of the knowledge base: customer data out of a solved ticket's text, an article's text from
its HTML."""

from __future__ import annotations

import pytest

from app.services.knowledge.redaction import describe, redact
from app.services.knowledge.text import images_dropped, prepare_body
from app.services.platform.html_text import html_to_text

NAMES = ["Jane Doe", "Northwind Traders"]


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Call me on +49 30 1234 5678 today", "Call me on [phone] today"),
        ("or (030) 123-4567, or 0044 20 7946 0958.", "or [phone], or [phone]."),
        ("Write to jane.doe+billing@northwind.example please", "Write to [email] please"),
        ("Jane Doe from Northwind Traders asked; Jane agreed.", "[customer] from [customer] asked; [customer] agreed."),
        ("JANE wrote in capitals", "[customer] wrote in capitals"),
        # What is not customer data stays: invoice and order numbers, versions, dates, amounts, error codes.
        ("Invoice INV-2026-0412, order 10234, version 2.4.1", "Invoice INV-2026-0412, order 10234, version 2.4.1"),
        (
            "On 2026-03-01 we refunded 1,299.00 EUR (error PAY-DECLINED-05)",
            "On 2026-03-01 we refunded 1,299.00 EUR (error PAY-DECLINED-05)",
        ),
        ("Janet is another person", "Janet is another person"),
    ],
)
def test_customer_data_in_a_line(line: str, kept: str) -> None:
    assert redact(line, names=NAMES, emails=["jane.doe+billing@northwind.example"]).text == kept


@pytest.mark.parametrize(
    "address",
    [
        "12 Baker Street\nLondon NW1 6XE",
        "Hauptstraße 5\n10115 Berlin",
        "Flat 3\n221B Baker St.\nLondon",
        "4 rue de Rivoli\n75004 Paris, France",
        "350 Fifth Avenue\nNY 10118",
    ],
)
def test_address_lines_go(address: str) -> None:
    result = redact(f"The parcel should go to\n{address}\nby Friday.", names=[])
    assert result.text.splitlines()[0] == "The parcel should go to"
    assert result.text.splitlines()[-1] == "by Friday."
    assert all(part not in result.text for part in address.splitlines() if part != "London")
    assert result.removed["address"] >= 1


def test_greeting_sign_off_and_quoted_mail_go_and_are_counted() -> None:
    text = (
        "Dear Jane,\n\nThe refund is on its way.\n\nKind regards,\nAlice Example\nSupport\n\n"
        "On Mon, 2 Mar 2026 at 10:00, Jane Doe <jane@x.example> wrote:\n> I was charged twice"
    )
    result = redact(text, names=NAMES)
    assert result.text == "The refund is on its way."
    assert describe(result.removed) == ("1 greeting", "1 quoted earlier message", "1 sign-off")


def test_describe_says_what_not_which() -> None:
    result = redact("Mail a@b.example or c@d.example, call +1 212 555 0100", names=[])
    assert describe(result.removed) == ("2 email addresses", "1 phone number")
    assert "a@b.example" not in " ".join(describe(result.removed))


def test_html_becomes_readable_text() -> None:
    html = "<h2>Refunds</h2><p>Within <b>30 days</b>.</p><ul><li>Open Billing</li><li>Choose &amp; confirm</li></ul>"
    assert html_to_text(html) == "Refunds\n\nWithin 30 days.\n\n- Open Billing\n- Choose & confirm"


def test_a_body_is_plain_text_or_sanitised_html_with_its_text() -> None:
    assert prepare_body("  Plain\x07 text \r\n", None) == ("Plain text", None)
    text, safe = prepare_body("ignored", '<p onclick="x()">Hi<script>alert(1)</script></p>')
    assert safe == "<p>Hi</p>" and text == "Hi"


def test_markup_that_would_make_the_sanitiser_crawl_is_refused_first() -> None:
    with pytest.raises(ValueError, match="tags"):
        prepare_body("", "<div>" * 50_000)
    text, safe = prepare_body("", "<div>" * 2_000 + "deep")
    assert text == "deep" and safe is not None


@pytest.mark.parametrize(
    "hostile",
    [" " * 20_000 + "x", "x." * 20_000, "1" * 20_000, "a@" * 20_000, "12 " + "a " * 20_000, "(" * 20_000],
    ids=["spaces", "dots", "digits", "at-signs", "street-like", "brackets"],
)
def test_a_hostile_message_is_read_in_one_pass(hostile: str) -> None:
    """Before every quantifier was bounded, 16,000 spaces kept the address pattern busy for 55 s; these
    would take minutes again if a pattern could backtrack over the whole line."""
    result = redact(f"Hello,\n{hostile}\nmail me at jane@x.example", names=["Jane Doe"])
    assert result.text.endswith("mail me at [email]")


def test_html_reads_as_a_browser_shows_it_without_indentation_or_its_title() -> None:
    """A newsletter's 18,000 characters of indentation filled the text bound; its <title> became the first line."""
    html = (
        "<html><head><title>Nuovo 6</title></head><body>\n    <table>\n      <tr><td>\n        Hello   there,\n"
        "        friend</td></tr>\n    </table>\n<p>Bye</p></body></html>"
    )
    assert html_to_text(html) == "Hello there, friend\n\nBye"
    assert html_to_text("<pre>  a\n    b</pre>") == "a\n    b"


def test_images_the_sanitiser_would_leave_without_a_picture_are_found_by_their_scheme() -> None:
    html = (
        '<p>See below</p><img src="data:image/png;base64,iVBORw0KGgo=" alt="shot">'
        '<IMG SRC=" DATA:image/gif;base64,R0lGOD=="><img src="file:///C:/shot.png">'
        '<img src="https://intranet.example/shot.png"><img src="cid:part1"><img alt="no source">'
    )
    assert images_dropped(html) == {"data": 2, "file": 1}
    assert not images_dropped('<p>text</p><img src="/relative.png">')
