"""The HTTP account-lookup connector: the only module that imports `requests` (import-linter holds that).

How it talks to the tool, and why:
- TLS is verified against the site's CA bundle (`ca_bundle`), else the system's; plain http only to a
  loopback address (the demo tool).
- `trust_env = False`: no proxy, `.netrc` or CA bundle from the environment (CVE-2024-47081 and friends).
- (connect, read) timeouts, plus a total deadline enforced while the answer streams in: a read timeout
  only bounds the gap between bytes, so a tool that drips one byte a second would otherwise never end.
- A cap on the answer's size while it streams (and on Content-Length before), identity encoding only (no
  decompression bomb).
- Redirects are followed by hand and only within the same scheme, host and port; one to anywhere else is
  refused without a request, so the credential never reaches another host.
- GET only, retried with back-off on connection failures, timeouts, 429 and 5xx, within the deadline.
- Keys are cleaned (`base.clean_key`) and quoted as one path segment or query value.
- Every failure is a `ConnectorUnavailable` sentence; the transport's exceptions never leave this module,
  and no sentence holds the credential.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import ipaddress
import json
import logging
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
import urllib3

from app.services.connectors import credentials
from app.services.connectors.base import (
    Account,
    ConnectorMisconfigured,
    ConnectorUnavailable,
    KeyKind,
    NotFound,
    clean_key,
)
from app.services.connectors.settings import ConnectorSettings, key_kinds_of
from app.services.platform.bounded_input import LongNumber, whole_number

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 3
MAX_VALUE_LENGTH = 200
DEMO_TOKEN = "switchboard-demo-tool"  # the demo tool's published token: it guards fake accounts on loopback
CHUNK = 64 * 1024


def build(settings: ConnectorSettings) -> HttpConnector:
    """The `http` entry point of the `switchboard.connectors` group."""
    return HttpConnector(settings)


class HttpConnector:
    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        credential: Callable[[], str | None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.name = settings.name
        self.key_kinds: tuple[KeyKind, ...] = key_kinds_of(settings)
        where = f"[connectors.{self.name}]"
        base_url = str(settings.option("base_url", ""))
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConnectorMisconfigured(f"{where} base_url must be an https:// address, not {base_url!r}")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ConnectorMisconfigured(f"{where} base_url must use https (plain http only on this computer)")
        self.base_url = base_url.rstrip("/")
        self.origin = _origin(self.base_url)
        self.paths: dict[str, str] = {str(k): str(v) for k, v in settings.option("paths", {}).items()}
        for kind, path in self.paths.items():
            if path.count("{key}") != 1:
                raise ConnectorMisconfigured(f"{where} paths.{kind} must hold {{key}} once")
        self.auth = str(settings.option("auth", "bearer"))
        if self.auth not in ("bearer", "basic", "none"):
            raise ConnectorMisconfigured(f"{where} auth must be bearer, basic or none")
        self.demo = settings.option("demo", False) is True
        ca_bundle = settings.option("ca_bundle")
        self.verify: str | bool = str(ca_bundle) if ca_bundle else True
        if isinstance(self.verify, str) and not Path(self.verify).is_file():
            raise ConnectorMisconfigured(f"{where} ca_bundle {self.verify} is not a readable file")
        try:
            self.connect_timeout = float(settings.option("connect_timeout", 3.0))
            self.read_timeout = float(settings.option("read_timeout", 5.0))
            self.deadline = float(settings.option("deadline", 10.0))
            self.max_bytes = int(settings.option("max_bytes", 2_000_000))
            self.retries = int(settings.option("retries", 2))
            self.backoff = float(settings.option("backoff", 0.25))
        except (TypeError, ValueError):
            raise ConnectorMisconfigured(f"{where} timeouts, max_bytes, retries and backoff must be numbers") from None
        if min(self.connect_timeout, self.read_timeout, self.deadline) <= 0 or self.max_bytes <= 0 or self.retries < 0:
            raise ConnectorMisconfigured(f"{where} timeouts and max_bytes must be positive, retries not negative")
        self.fields: dict[str, str] = {str(k): str(v) for k, v in settings.option("fields", {}).items()}
        self.attributes: dict[str, str] = {str(k): str(v) for k, v in settings.option("attributes", {}).items()}
        self.account_path = str(settings.option("account_path", ""))
        self.id_field = str(settings.option("id_field", "id"))
        email_field = settings.option("email_field")
        self.email_field = str(email_field) if email_field else None
        link = settings.option("link")
        self.link_template = str(link) if link else None
        if self.link_template and urlsplit(self.link_template).scheme not in ("http", "https"):
            raise ConnectorMisconfigured(f"{where} link must be an http(s) address")
        self._credential = credential or self._recall_credential
        self._sleep = sleep
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = self.verify

    def describe(self) -> str:
        kinds = ", ".join(k.value for k in self.key_kinds)
        return f"http: {self.base_url} (by {kinds}; {self.transport_words()}; auth {self.auth})"

    def transport_words(self) -> str:
        """How the tool is reached, as checked: plain HTTP (allowed only on this computer) has no TLS to check."""
        if self.base_url.startswith("http://"):
            return "plain HTTP on this computer, no TLS"
        return f"TLS checked against {f'CA {self.verify}' if isinstance(self.verify, str) else 'the system CAs'}"

    def close(self) -> None:
        self.session.close()

    # --- the lookup ---------------------------------------------------------------------------------

    def lookup(self, kind: KeyKind, key: str) -> Account | NotFound:
        if kind not in self.key_kinds:
            raise ConnectorMisconfigured(f"The {self.name} connector cannot look accounts up by {kind.value}")
        key = clean_key(kind, key)
        url = self.base_url + self.paths[kind.value].replace("{key}", quote(key, safe=""))
        document = self._get_json(url)
        if document is None or _found_nothing(document, self.account_path):
            return NotFound(kind, key)
        return self._account(kind, key, document)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "Accept-Encoding": "identity", "User-Agent": "switchboard"}
        if self.auth == "none":
            return headers
        secret = self._credential()
        if not secret:
            raise ConnectorUnavailable(
                f"No credential for the {self.name} tool on this computer; set it with "
                f"`switchboard connector credential {self.name}`"
            )
        if self.auth == "bearer":
            headers["Authorization"] = f"Bearer {secret}"
        else:
            headers["Authorization"] = "Basic " + base64.b64encode(secret.encode("utf-8")).decode("ascii")
        return headers

    def _recall_credential(self) -> str | None:
        secret = credentials.recall(self.name)
        if secret is None and self.demo:
            return DEMO_TOKEN
        return secret

    def _get_json(self, url: str) -> Any:
        """The JSON document at `url`; None for a 404. Retries within the deadline."""
        headers = self._headers()  # asked once, before the clock starts
        started = time.monotonic()
        deadline = started + self.deadline
        attempt = 0
        while True:
            try:
                return self._attempt(url, headers, deadline)
            except _Retryable as failure:
                attempt += 1
                wait = min(failure.retry_after or self.backoff * 2 ** (attempt - 1), 5.0)
                if attempt > self.retries or time.monotonic() + wait >= deadline:
                    # "within 5 s" of one try, when three took 10.6 s, was the probe's puzzle: say both
                    tried = f" ({attempt} tries in {time.monotonic() - started:.1f} s)" if attempt > 1 else ""
                    raise ConnectorUnavailable(failure.sentence + tried) from None
                log.info("connector %s: %s; retry %d in %.2fs", self.name, failure.sentence, attempt, wait)
                self._sleep(wait)

    def _attempt(self, url: str, headers: Mapping[str, str], deadline: float) -> Any:
        for _hop in range(MAX_REDIRECTS + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConnectorUnavailable(self._said(f"did not answer within {self.deadline:g} s"))
            try:
                response = self.session.get(
                    url,
                    headers=headers,
                    timeout=(min(self.connect_timeout, remaining), min(self.read_timeout, remaining)),
                    stream=True,
                    allow_redirects=False,
                )
            except requests.exceptions.SSLError as error:
                raise self._tls_failure(error) from None
            except requests.exceptions.ConnectTimeout:
                raise _Retryable(self._said(f"could not be reached within {self.connect_timeout:g} s")) from None
            except requests.exceptions.ReadTimeout:
                raise _Retryable(self._said(f"did not answer within {self.read_timeout:g} s")) from None
            except requests.exceptions.ConnectionError as error:
                raise _Retryable(self._said(_unreachable(error))) from None
            except requests.exceptions.RequestException as error:
                raise ConnectorUnavailable(self._said(f"could not be asked ({type(error).__name__})")) from None
            with response:
                status = response.status_code
                if status in (301, 302, 303, 307, 308):
                    url = self._redirect_target(url, response.headers.get("Location", ""))
                    continue
                if status == 404:
                    return None
                if status in (401, 403):
                    raise ConnectorUnavailable(
                        self._said(
                            f"refused the credential (HTTP {status}); set the right one with "
                            f"`switchboard connector credential {self.name}`"
                        )
                    )
                if status in RETRY_STATUSES:
                    raise _Retryable(self._said(f"answered HTTP {status}"), _retry_after(response))
                if not 200 <= status < 300:
                    raise ConnectorUnavailable(self._said(f"answered HTTP {status}"))
                body = self._read_capped(response, deadline)
                kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            try:
                return json.loads(body, parse_int=whole_number)
            except LongNumber as long:
                raise ConnectorUnavailable(
                    self._said(f"answered a number of {long.digits:,} digits, which no account value is")
                ) from None
            except (ValueError, RecursionError):
                raise ConnectorUnavailable(self._said(_not_json(status, kind, body))) from None
        raise ConnectorUnavailable(self._said(f"redirected more than {MAX_REDIRECTS} times"))

    def _redirect_target(self, url: str, location: str) -> str:
        target = urljoin(url, location)
        if _origin(target) != self.origin:
            scheme, host, port = _origin(target)
            if host != self.origin[1]:
                said = f"redirected to another host ({host or '?'}); not followed, so the credential stays here"
            else:  # http to https, another port: the tool lives elsewhere than configured
                said = (
                    f"redirected to {scheme}://{host}:{port}, not the address configured; not followed, so the"
                    " credential stays here (if the tool lives there, configure that address)"
                )
            raise ConnectorUnavailable(self._said(said))
        return target

    def _read_capped(self, response: requests.Response, deadline: float) -> bytes:
        encoding = response.headers.get("Content-Encoding", "identity").lower()
        if encoding not in ("identity", ""):
            raise ConnectorUnavailable(self._said(f"answered in {encoding} encoding, which is not accepted"))
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise ConnectorUnavailable(self._too_big())
        body = bytearray()
        raw: urllib3.HTTPResponse = response.raw
        try:
            while True:
                if time.monotonic() > deadline:
                    raise ConnectorUnavailable(self._said(f"did not finish its answer within {self.deadline:g} s"))
                chunk = raw.read1(CHUNK)  # returns as soon as some bytes arrive, so the deadline is checked
                if not chunk:
                    break
                body += chunk
                if len(body) > self.max_bytes:
                    raise ConnectorUnavailable(self._too_big())
        except (urllib3.exceptions.HTTPError, OSError):
            raise _Retryable(self._said("stopped in the middle of its answer")) from None
        return bytes(body)

    def _too_big(self) -> str:
        return self._said(f"answered more than {self.max_bytes:,} bytes; refused")

    def _tls_failure(self, error: requests.exceptions.SSLError) -> ConnectorUnavailable | _Retryable:
        """Which TLS failure it was, in words IT can act on: `requests` raises SSLError alike for a
        certificate it does not trust, for a server that speaks plain HTTP on the port, and for a connection
        closed or reset during the handshake (a server going down, a proxy dropping it), which the panel
        called an untrusted certificate and IT went looking for certificates. The last is retried."""
        said = _reasons(error)
        if "CERTIFICATE_VERIFY_FAILED" in said or "certificate verify failed" in said or "hostname" in said:
            ca = f"the CA in {self.verify}" if isinstance(self.verify, str) else "this computer's CAs"
            return ConnectorUnavailable(
                self._said(
                    f"is not trusted over TLS: its certificate is not signed by {ca} or does not name "
                    f"{urlsplit(self.base_url).hostname}"
                )
            )
        if "WRONG_VERSION_NUMBER" in said or "wrong version number" in said:
            return ConnectorUnavailable(self._said("does not speak TLS on that port (is it an http:// address?)"))
        if any(closed in said for closed in ("EOF", "reset", "Connection aborted", "ConnectionResetError")):
            return _Retryable(self._said("closed the connection during the TLS handshake (is it running?)"))
        return ConnectorUnavailable(self._said(f"could not agree on TLS ({said.splitlines()[0][:160]})"))

    def _said(self, what: str) -> str:
        return f"The {self.name} tool at {self.base_url} {what}"

    # --- the answer ---------------------------------------------------------------------------------

    def _account(self, kind: KeyKind, key: str, document: Any) -> Account:
        node = _dig(document, self.account_path) if self.account_path else document
        if not isinstance(node, dict):
            raise ConnectorUnavailable(self._said("answered JSON that is not an account object"))
        malformed = self._malformed(node)
        if malformed:  # a tool's bad day must not replace what a good answer said (tier, priority, SLA)
            raise ConnectorUnavailable(self._said(f"answered an account whose {malformed}"))
        shown = tuple((label, _text(_dig(node, path))) for label, path in self.fields.items())
        attributes = {name: _text(_dig(node, path)) for name, path in self.attributes.items()}
        link = None
        if self.link_template:  # {key}: the key looked up; {id}: the account's id in the answer
            ident = _text(_dig(node, self.id_field)) or key
            link = self.link_template.replace("{key}", quote(key, safe="")).replace("{id}", quote(ident, safe=""))
        emails = _emails(_dig(node, self.email_field)) if self.email_field else ()
        return Account(kind, key, tuple((k, v) for k, v in shown if v), link, attributes, emails)

    def _malformed(self, node: dict[str, Any]) -> str | None:
        """What makes an answer unusable, in words, or None: an id or an attribute that is an object (or a
        list holding one), an address field that is neither a text nor a list (a list's entries that are no
        address are left out, as before). One such attribute fails the whole lookup, panel included: a
        tool answering garbage in one place is not trusted in the others. A probe's tool answered
        `"tier": {"x": null}` and `"email": 12345`, and verification stored the tier as '{"x": null}' over
        the customer's real one."""
        ident = _dig(node, self.id_field)
        if ident is not None and not isinstance(ident, str | int):
            return f"{self.id_field} is not a text or a number"
        for name, path in self.attributes.items():
            value = _dig(node, path)
            if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict | list) for v in value)):
                return f"{name} ({path}) is an object, not a value"
        if self.email_field:
            emails = _dig(node, self.email_field)
            if emails is not None and not isinstance(emails, str | list):
                return f"{self.email_field} is not an address or a list of addresses"
        return None


class _Retryable(Exception):
    def __init__(self, sentence: str, retry_after: float | None = None) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.retry_after = retry_after


def _retry_after(response: requests.Response) -> float | None:
    """The wait a 429 or 503 asks for, in seconds or as an HTTP date (RFC 9110 allows both; a date was
    ignored, and three tries went in 0.8 s against a tool that had asked for a minute), at most 5 s."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return min(float(value), 5.0)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return min(max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0), 5.0)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _not_json(status: int, content_type: str, body: bytes) -> str:
    """What a tool answered instead of JSON, in words an agent can pass on: an empty answer, a web page (a
    sign-in page in front of the tool, most often), or text JSON cannot read (another encoding)."""
    if not body.strip():
        return f"answered nothing (HTTP {status}, an empty body) where an account was expected"
    if content_type in ("text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<":
        return "answered a web page, not JSON (a sign-in page or a proxy in front of the tool?)"
    return "answered something that is not JSON (or not in UTF-8)"


def _found_nothing(document: Any, path: str) -> bool:
    """A search-style answer without a match: an empty list where the account's path goes into one (`[]`,
    `{"data": []}` for `data.0`). It read as "answered JSON that is not an account object", and three such
    customers opened the breaker for the next one, who had an account (a real-world probe)."""
    node = document
    for part in path.split(".") if path else ():
        if isinstance(node, list):
            return not node
        if not isinstance(node, dict):
            return False
        node = node.get(part)
    return isinstance(node, list) and not node


def _dig(node: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _emails(value: Any) -> tuple[str, ...]:
    """The addresses at `email_field`: a text, or a list of texts (at most 20); anything else is none."""
    values = value[:20] if isinstance(value, list) else [value]
    return tuple(v.strip() for v in values if isinstance(v, str) and "@" in v and len(v.strip()) <= 320)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, float) and not math.isfinite(value):
        return ""  # NaN, Infinity, 1e999: no value (a tier of "nan" was stored)
    elif isinstance(value, str | int | float):
        text = str(value)
    elif isinstance(value, list):
        text = ", ".join(_text(v) for v in value[:20])
    else:
        text = json.dumps(value, ensure_ascii=False)
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())  # "vip\0" is "vip", not "vip "
    return text[:MAX_VALUE_LENGTH]


def _unreachable(error: BaseException) -> str:
    """Why a connection failed, in words that point at the cause: every failure said "refused the connection
    (is it running?)", a typo in the host name and a port that answers something else than HTTP included."""
    reasons = _reasons(error)
    if any(sign in reasons for sign in ("NameResolutionError", "Name or service not known", "getaddrinfo failed",
                                        "nodename nor servname", "No address associated")):  # fmt: skip
        return "could not be found: its host name does not resolve (a typo in the address, or the network's DNS?)"
    if "refused" in reasons.lower():
        return "refused the connection (is it running?)"
    if any(sign in reasons for sign in ("RemoteDisconnected", "BadStatusLine", "ProtocolError", "LineTooLong")):
        return "hung up or answered something that is not HTTP (is that the tool's address and port?)"
    return "could not be reached (the network, or the address?)"


def _reasons(error: BaseException) -> str:
    """Every message down an exception's chain and arguments (requests wraps urllib3's, which wraps ssl's)."""
    seen: list[str] = []
    pending: list[object] = [error]
    while pending and len(seen) < 20:
        current = pending.pop()
        if isinstance(current, BaseException):
            seen.append(f"{type(current).__name__}: {current}")
            pending += [*current.args, current.__cause__, current.__context__, getattr(current, "reason", None)]
    return "\n".join(seen)
