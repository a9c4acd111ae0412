"""The HTTP connector against real HTTP(S) servers on loopback (issue 16): answers, failures, hostile
keys, TLS, redirects, the size cap, the deadline and the circuit breaker. No database."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import trustme
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from app.services.connectors.base import Account, ConnectorUnavailable, KeyKind, NotFound
from app.services.connectors.breaker import CircuitBreaker
from app.services.connectors.discovery import ConnectorRegistry, Guarded, available_kinds, build
from app.services.connectors.http import HttpConnector
from app.services.errors import InvalidInput
from tests.support.tool import ACCOUNT, connector_settings, start

pytestmark = pytest.mark.slow  # real servers, real timeouts
TOKEN = "s3cret-token-for-tests"


def http(server: HTTPServer, **options: Any) -> HttpConnector:
    return HttpConnector(connector_settings(server.url_for("/").rstrip("/"), **options), credential=lambda: TOKEN)


def test_an_account_comes_back_with_the_mapped_fields_link_and_attributes(tool: HTTPServer) -> None:
    tool.expect_request(
        "/api/accounts/12345", method="GET", headers={"Authorization": f"Bearer {TOKEN}"}
    ).respond_with_json(ACCOUNT)
    account = http(tool).lookup(KeyKind.ACCOUNT_ID, "12345")
    assert account == Account(
        KeyKind.ACCOUNT_ID,
        "12345",
        (("Status", "active"), ("Plan", "Gold"), ("Region", "EU")),
        "https://tool.example.test/players/12345",
        {"tier": "vip"},
    )


def test_the_email_field_brings_the_accounts_addresses_text_or_list(tool: HTTPServer) -> None:
    tool.expect_request("/api/accounts/1").respond_with_json({**ACCOUNT, "contact": {"email": " Jo@Tool.test "}})
    tool.expect_request("/api/accounts/2").respond_with_json({**ACCOUNT, "emails": ["a@tool.test", 7, "no-address"]})
    assert http(tool, email_field="contact.email").lookup(KeyKind.ACCOUNT_ID, "1").emails == ("Jo@Tool.test",)  # type: ignore[union-attr]
    assert http(tool, email_field="emails").lookup(KeyKind.ACCOUNT_ID, "2").emails == ("a@tool.test",)  # type: ignore[union-attr]
    tool.expect_request("/api/accounts/3").respond_with_json({**ACCOUNT, "email": "x@tool.test"})
    assert http(tool).lookup(KeyKind.ACCOUNT_ID, "3").emails == ()  # type: ignore[union-attr]  # not mapped: none


def test_by_email_the_address_is_quoted_into_the_query(tool: HTTPServer) -> None:
    tool.expect_request("/api/accounts", query_string="email=jane%2Bx%40customer.test").respond_with_json(ACCOUNT)
    assert isinstance(http(tool).lookup(KeyKind.EMAIL, "jane+x@customer.test"), Account)


def test_404_is_not_found_and_500_is_unavailable_after_the_retries(tool: HTTPServer) -> None:
    tool.expect_request("/api/accounts/404").respond_with_data("no", status=404)
    calls: list[Request] = []

    def broken(request: Request) -> Response:
        calls.append(request)
        return Response("<html>Internal Server Error</html>", status=500)

    tool.expect_request("/api/accounts/500").respond_with_handler(broken)
    connector = http(tool, retries=2)
    assert connector.lookup(KeyKind.ACCOUNT_ID, "404") == NotFound(KeyKind.ACCOUNT_ID, "404")
    with pytest.raises(ConnectorUnavailable, match=r"answered HTTP 500.* \(3 tries in \d+\.\d s\)$"):
        connector.lookup(KeyKind.ACCOUNT_ID, "500")  # the tries and their time: not one try's timeout alone
    assert len(calls) == 3  # the first try and two retries, GET each time
    assert {request.method for request in calls} == {"GET"}


def test_a_retry_after_a_503_gets_the_answer(tool: HTTPServer) -> None:
    answers = iter([Response("busy", status=503), Response(json.dumps(ACCOUNT), content_type="application/json")])
    tool.expect_request("/api/accounts/1").respond_with_handler(lambda _request: next(answers))
    assert isinstance(http(tool).lookup(KeyKind.ACCOUNT_ID, "1"), Account)


def test_a_retry_after_given_as_a_date_is_waited_for(tool: HTTPServer) -> None:
    """RFC 9110 allows an HTTP date: it was ignored, and three tries went in 0.8 s against a tool that asked
    for a pause (a real-world probe)."""
    from email.utils import format_datetime

    later = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3), usegmt=True)
    answers = iter(
        [
            Response("slow down", status=429, headers={"Retry-After": later}),
            Response(json.dumps(ACCOUNT), content_type="application/json"),
        ]
    )
    tool.expect_request("/api/accounts/1").respond_with_handler(lambda _request: next(answers))
    connector, waited = http(tool), list[float]()
    connector._sleep = waited.append
    assert isinstance(connector.lookup(KeyKind.ACCOUNT_ID, "1"), Account)
    assert len(waited) == 1 and 1.0 <= waited[0] <= 3.0


@pytest.mark.parametrize(("path", "answer"), [("", []), ("data.0", {"data": []}), ("data", {"data": []})])
def test_a_search_style_tool_that_found_nothing_is_not_found_not_broken(
    tool: HTTPServer, path: str, answer: object
) -> None:
    """A tool answering `?email=` with an empty list read as "answered JSON that is not an account object":
    three such customers opened the breaker for the next, who had an account (a real-world probe)."""
    tool.expect_request("/api/accounts", query_string="email=nobody%40customer.test").respond_with_json(answer)
    found = {"data": [ACCOUNT]} if path.startswith("data") else [ACCOUNT]
    tool.expect_request("/api/accounts", query_string="email=jane%40customer.test").respond_with_json(found)
    connector = http(tool, account_path=path or "0")
    assert connector.lookup(KeyKind.EMAIL, "nobody@customer.test") == NotFound(KeyKind.EMAIL, "nobody@customer.test")
    if path != "data":
        assert isinstance(connector.lookup(KeyKind.EMAIL, "jane@customer.test"), Account)


@pytest.mark.parametrize(
    ("status", "body", "content_type", "said"),
    [
        (204, b"", "application/json", "answered nothing (HTTP 204, an empty body)"),
        (200, b"<!DOCTYPE html><title>Sign in</title>", "text/html", "a web page, not JSON (a sign-in page"),
        (200, '{"name": "J\u00f6rg"}'.encode("latin-1"), "application/json", "not JSON (or not in UTF-8)"),
    ],
)
def test_what_a_tool_answered_instead_of_json_is_said_in_words(
    tool: HTTPServer, status: int, body: bytes, content_type: str, said: str
) -> None:
    """An empty 204, a sign-in page and latin-1 JSON all read "answered something that is not JSON"."""
    tool.expect_request("/api/accounts/1").respond_with_data(body, status=status, content_type=content_type)
    with pytest.raises(ConnectorUnavailable, match=re.escape(said)):
        http(tool).lookup(KeyKind.ACCOUNT_ID, "1")


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[" * 100_000, b'"just a string"'])
def test_an_answer_that_is_not_an_account_object_is_a_clear_failure(tool: HTTPServer, body: bytes) -> None:
    tool.expect_request("/api/accounts/1").respond_with_data(body, content_type="application/json")
    with pytest.raises(ConnectorUnavailable, match=r"not JSON|not an account"):
        http(tool).lookup(KeyKind.ACCOUNT_ID, "1")


@pytest.mark.parametrize(
    ("garbage", "said"),
    [
        ({"id": {"nested": [1, 2]}}, "id is not a text or a number"),
        ({"tier": {"x": None}}, "is an object, not a value"),
        ({"tier": [["vip"]]}, "is an object, not a value"),
        ({"email": 12345}, "email is not an address"),
    ],
)
def test_an_account_with_garbage_where_values_belong_is_a_failure_not_an_answer(
    tool: HTTPServer, garbage: dict[str, Any], said: str
) -> None:
    """A tool's bad day: verification stored the tier as '{"x": null}' over the customer's real one, and the
    priority and SLA rules read it. A failure keeps the last good answer."""
    tool.expect_request("/api/accounts/1").respond_with_json({**ACCOUNT, **garbage})
    with pytest.raises(ConnectorUnavailable, match=f"answered an account whose .*{re.escape(said)}"):
        http(tool, email_field="email").lookup(KeyKind.ACCOUNT_ID, "1")


def test_a_401_says_to_set_the_credential_and_is_not_retried(tool: HTTPServer) -> None:
    calls: list[Request] = []

    def refuse(request: Request) -> Response:
        calls.append(request)
        return Response("no", status=401)

    tool.expect_request("/api/accounts/1").respond_with_handler(refuse)
    with pytest.raises(ConnectorUnavailable, match=r"refused the credential.*connector credential accounts"):
        http(tool).lookup(KeyKind.ACCOUNT_ID, "1")
    assert len(calls) == 1


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # a hanging handler ends with its test


def test_a_hang_past_the_read_timeout_gives_up_before_the_tool_answers(
    tool: HTTPServer, release: threading.Event
) -> None:
    """The tool answers after ten times the client's deadline: the client must have given up first."""
    answered = threading.Event()

    def hang(_request: Request) -> Response:
        release.wait(10)
        answered.set()
        return Response("late")

    tool.expect_request("/api/accounts/1").respond_with_handler(hang)
    with pytest.raises(ConnectorUnavailable, match="did not answer within"):
        http(tool, read_timeout=0.3, deadline=1.0).lookup(KeyKind.ACCOUNT_ID, "1")
    assert not answered.is_set(), "ended by the deadline, not by the tool"


def test_a_slow_drip_is_cut_at_the_total_deadline(tool: HTTPServer, release: threading.Event) -> None:
    finished = threading.Event()

    def drip(_request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b'{"status": "'
            for _ in range(100):  # ten times the deadline, each drop within the read timeout
                if release.wait(0.1):
                    break
                yield b"a"
            finished.set()
            yield b'"}'

        return Response(body(), content_type="application/json")

    tool.expect_request("/api/accounts/1").respond_with_handler(drip)
    with pytest.raises(ConnectorUnavailable, match="did not finish its answer within 1 s"):
        http(tool, read_timeout=0.5, deadline=1.0).lookup(KeyKind.ACCOUNT_ID, "1")
    assert not finished.is_set(), "cut by the deadline, not by the tool"


@pytest.mark.parametrize("declared", [True, False])
def test_a_100_mb_answer_is_refused_at_the_cap(tool: HTTPServer, declared: bool) -> None:
    megabyte = b" " * 1_000_000
    sent: list[int] = []

    def huge(_request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(100):
                sent.append(1)
                yield megabyte

        headers = {"Content-Length": str(100 * len(megabyte))} if declared else {}
        return Response(body(), content_type="application/json", headers=headers)

    tool.expect_request("/api/accounts/1").respond_with_handler(huge)
    with pytest.raises(ConnectorUnavailable, match="more than 2,000,000 bytes; refused"):
        http(tool, max_bytes=2_000_000, retries=0).lookup(KeyKind.ACCOUNT_ID, "1")
    assert len(sent) < 100  # the client hung up long before the end


def test_a_redirect_to_another_host_is_not_followed_and_the_credential_stays(tool: HTTPServer) -> None:
    other = start()
    try:
        elsewhere = other.url_for("/steal").replace("127.0.0.1", "localhost")
        other.expect_request("/steal").respond_with_json(ACCOUNT)
        tool.expect_request("/api/accounts/1").respond_with_data("", status=302, headers={"Location": elsewhere})
        with pytest.raises(ConnectorUnavailable, match=r"redirected to another host \(localhost\); not followed"):
            http(tool).lookup(KeyKind.ACCOUNT_ID, "1")
        assert other.log == []  # nothing was sent there, the credential least of all
    finally:
        other.stop()


def test_a_redirect_on_the_same_host_is_followed_with_the_credential(tool: HTTPServer) -> None:
    tool.expect_request("/api/accounts/1").respond_with_data("", status=301, headers={"Location": "/v2/accounts/1"})
    tool.expect_request("/v2/accounts/1", headers={"Authorization": f"Bearer {TOKEN}"}).respond_with_json(ACCOUNT)
    assert isinstance(http(tool).lookup(KeyKind.ACCOUNT_ID, "1"), Account)


@pytest.mark.parametrize(
    ("key", "raw_path"),
    [
        ("../admin", "/api/accounts/..%2Fadmin"),
        ("../../etc/passwd", "/api/accounts/..%2F..%2Fetc%2Fpasswd"),
        ("a/b?c=d#e", "/api/accounts/a%2Fb%3Fc%3Dd%23e"),
        ("spieler-ü名", "/api/accounts/spieler-%C3%BC%E5%90%8D"),
        ("%2e%2e", "/api/accounts/%252e%252e"),
    ],
)
def test_hostile_keys_are_quoted_into_one_path_segment(tool: HTTPServer, key: str, raw_path: str) -> None:
    seen: list[str] = []

    def record(request: Request) -> Response:
        seen.append(str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")))
        return Response("{}", status=404)

    tool.expect_request(re.compile(".*")).respond_with_handler(record)
    assert isinstance(http(tool).lookup(KeyKind.ACCOUNT_ID, key), NotFound)
    assert seen == [raw_path]


@pytest.mark.parametrize("key", ["a\r\nX-Evil: 1", "line\nbreak", "tab\there", "..", ".", "", "x" * 201, "nul\x00"])
def test_keys_with_line_breaks_controls_or_only_dots_are_refused_before_any_request(tool: HTTPServer, key: str) -> None:
    with pytest.raises(InvalidInput):
        http(tool).lookup(KeyKind.ACCOUNT_ID, key)
    assert tool.log == []


def test_tls_against_the_sites_ca_works_and_a_wrong_ca_is_a_clear_line(
    tls_tool: HTTPServer, tool_ca: trustme.CA, tmp_path: object
) -> None:
    from pathlib import Path

    directory = Path(str(tmp_path))
    right, wrong = directory / "right.pem", directory / "wrong.pem"
    tool_ca.cert_pem.write_to_path(str(right))
    trustme.CA().cert_pem.write_to_path(str(wrong))
    tls_tool.expect_request("/api/accounts/1").respond_with_json(ACCOUNT)
    assert isinstance(http(tls_tool, ca_bundle=str(right)).lookup(KeyKind.ACCOUNT_ID, "1"), Account)
    with pytest.raises(ConnectorUnavailable, match=f"not trusted over TLS.*signed by the CA in {wrong}"):
        http(tls_tool, ca_bundle=str(wrong)).lookup(KeyKind.ACCOUNT_ID, "1")
    with pytest.raises(ConnectorUnavailable, match=r"not trusted over TLS.*this computer's CAs"):
        http(tls_tool).lookup(KeyKind.ACCOUNT_ID, "1")  # the system's CAs do not know a test CA


def test_the_environment_is_not_trusted_for_proxies(tool: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # a proxy that would refuse everything
    monkeypatch.setenv("NO_PROXY", "")
    tool.expect_request("/api/accounts/1").respond_with_json(ACCOUNT)
    assert isinstance(http(tool).lookup(KeyKind.ACCOUNT_ID, "1"), Account)


def test_a_stopped_tool_is_a_clear_line() -> None:
    server = start()
    url = server.url_for("/").rstrip("/")
    server.stop()
    connector = HttpConnector(connector_settings(url, retries=1), credential=lambda: TOKEN)
    with pytest.raises(ConnectorUnavailable, match="refused the connection"):
        connector.lookup(KeyKind.ACCOUNT_ID, "1")


def raw_server(scheme: str, handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback server that is not an HTTP tool: each connection is handed to `handle`, then closed."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # a closed listener does not wake a thread waiting in accept(): it looks again
    stopped = threading.Event()

    def serve() -> None:
        while not stopped.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                handle(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"{scheme}://127.0.0.1:{listener.getsockname()[1]}"
    stopped.set()
    thread.join(5)
    listener.close()


@pytest.fixture
def hangs_up() -> Iterator[str]:
    """An https:// address whose server accepts each connection and closes it at once, as a tool going
    down does (or a proxy dropping it): a TLS handshake that ends in EOF."""
    yield from raw_server("https", lambda _connection: None)


def test_a_connection_closed_in_the_handshake_is_not_called_a_certificate_problem(hangs_up: str) -> None:
    """The panel said "not trusted over TLS: its certificate is not signed by …" of a tool that hung up, and
    IT would have gone looking for certificates (usability probe, 2026-12-07). Retried, as a refusal is."""
    connector = HttpConnector(connector_settings(hangs_up, retries=2, backoff=0.01), credential=lambda: TOKEN)
    with pytest.raises(ConnectorUnavailable, match=r"closed the connection during the TLS handshake.*3 tries") as said:
        connector.lookup(KeyKind.ACCOUNT_ID, "1")
    assert "certificate" not in str(said.value)


def test_plain_http_on_an_https_address_says_so(tool: HTTPServer) -> None:
    url = tool.url_for("/").rstrip("/").replace("http://", "https://")
    connector = HttpConnector(connector_settings(url, retries=0), credential=lambda: TOKEN)
    with pytest.raises(ConnectorUnavailable, match=r"does not speak TLS on that port \(is it an http:// address\?\)"):
        connector.lookup(KeyKind.ACCOUNT_ID, "1")


def test_the_breaker_opens_after_failures_in_a_row_says_so_and_closes_after_a_good_trial(tool: HTTPServer) -> None:
    now = [dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)]
    calls: list[str] = []
    healthy = threading.Event()

    def answer(request: Request) -> Response:
        calls.append(request.path)
        return (
            Response(json.dumps(ACCOUNT), content_type="application/json")
            if healthy.is_set()
            else Response("down", status=502)
        )

    tool.expect_request("/api/accounts/1").respond_with_handler(answer)
    breaker = CircuitBreaker("accounts", fail_max=3, reset_seconds=30, clock=lambda: now[0])
    settings = connector_settings(tool.url_for("/").rstrip("/"), retries=0)
    guarded = Guarded(HttpConnector(settings, credential=lambda: TOKEN), settings, breaker)
    for _ in range(3):
        with pytest.raises(ConnectorUnavailable, match="HTTP 502"):
            guarded.lookup(KeyKind.ACCOUNT_ID, "1")
    assert breaker.state == "open"
    with pytest.raises(ConnectorUnavailable, match=r"not asked again until .*; it failed 3 times in a row"):
        guarded.lookup(KeyKind.ACCOUNT_ID, "1")
    assert len(calls) == 3  # the open breaker did not call the tool
    now[0] += dt.timedelta(seconds=31)
    assert breaker.state == "half-open"
    with pytest.raises(ConnectorUnavailable, match="HTTP 502"):
        guarded.lookup(KeyKind.ACCOUNT_ID, "1")  # the trial fails: open again at once
    assert breaker.state == "open" and len(calls) == 4
    now[0] += dt.timedelta(seconds=31)
    healthy.set()
    assert isinstance(guarded.lookup(KeyKind.ACCOUNT_ID, "1"), Account)
    assert breaker.state == "closed" and breaker.failures == 0


def test_the_http_kind_is_found_through_its_entry_point(tool: HTTPServer) -> None:
    settings = connector_settings(tool.url_for("/").rstrip("/"))
    found = available_kinds()["http"]  # the entry point pyproject.toml registers, not the built-in fallback
    assert (found.group, found.value) == ("switchboard.connectors", "app.services.connectors.http:build")
    registry = ConnectorRegistry({"accounts": settings})
    assert isinstance(registry.get("accounts").inner, HttpConnector)
    assert isinstance(build(settings).inner, HttpConnector)


@pytest.fixture
def not_http() -> Iterator[str]:
    """An http:// address whose server answers a line that is not HTTP and hangs up (another service on the
    port, a mail server, say)."""

    def greet(connection: socket.socket) -> None:
        connection.recv(1024)
        connection.sendall(b"220 mail.example.test ESMTP ready\r\n")

    yield from raw_server("http", greet)


def test_each_way_a_tool_cannot_be_reached_is_said_for_what_it_is(not_http: str) -> None:
    """Every connection failure said "refused the connection (is it running?)": a host name that does not
    resolve and a port where something else answers sent IT looking at a tool that was running."""
    for url, said in [
        (not_http, "hung up or answered something that is not HTTP"),
        ("https://no-such-tool.invalid", "its host name does not resolve"),
    ]:
        connector = HttpConnector(connector_settings(url, retries=0), credential=lambda: TOKEN)
        with pytest.raises(ConnectorUnavailable, match=re.escape(said)):
            connector.lookup(KeyKind.ACCOUNT_ID, "1")


def test_a_redirect_to_https_on_the_same_host_says_where_the_tool_lives(tool: HTTPServer) -> None:
    secure = tool.url_for("/api/accounts/1").replace("http://", "https://")
    tool.expect_request("/api/accounts/1").respond_with_data("", status=301, headers={"Location": secure})
    with pytest.raises(
        ConnectorUnavailable, match=r"redirected to https://127\.0\.0\.1:\d+, not the address configured"
    ):
        http(tool, retries=0).lookup(KeyKind.ACCOUNT_ID, "1")


def test_values_that_are_no_values_are_none_and_a_number_too_long_is_refused(tool: HTTPServer) -> None:
    """NaN stored the tier "nan"; a NUL left "vip " (the VIP rule then matched nothing); a number of 5,000
    digits was called "not JSON"."""
    tool.expect_request("/api/accounts/1").respond_with_data(
        b'{"id": "1", "status": "active", "plan": {"name": "Gold"}, "region": NaN, "tier": "vip\\u0000"}',
        content_type="application/json",
    )
    account = http(tool).lookup(KeyKind.ACCOUNT_ID, "1")
    assert isinstance(account, Account) and account.attributes == {"tier": "vip"}
    assert ("Region", "") not in account.fields and all(value != "nan" for _name, value in account.fields)
    tool.expect_request("/api/accounts/2").respond_with_data(
        b'{"id": "2", "tier": ' + b"9" * 5000 + b"}", content_type="application/json"
    )
    with pytest.raises(ConnectorUnavailable, match="a number of 5,000 digits"):
        http(tool, retries=0).lookup(KeyKind.ACCOUNT_ID, "2")
