"""The demo's account-lookup tool: a small HTTPS service on loopback that knows an account for every demo
customer (`ACC-NNNNNN`, the ids `switchboard demo` gives them, or their email), so the account panel is
filled from the first start. `switchboard demo` runs it in its own process; `switchboard connector
serve-demo` runs it alone.

It is a real tool as far as the connector can tell: TLS with a certificate from a CA made for this data
directory (`demo-tool/ca.pem`, which the demo's connector settings name), a bearer token (the published
`DEMO_TOKEN`: it guards made-up accounts on 127.0.0.1, nothing else), 401 for a wrong token, 404 for an
unknown account. Accounts are derived from the key, so the same key gives the same account everywhere.

Like a real tool it knows its players' email addresses (`email` in the answer, the demo connector's
`email_field`): the one asked by, or for an account id the address its directory holds
(`demo-tool/directory.json`, {account id: address}, which `switchboard demo` fills with its customers'). That
is what corroborates that an account is a customer's, so the demo's VIP customers are raised while a
stranger who names a VIP's id in a subject is not (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import ssl
import threading
import time
import tomllib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from app.services.connectors.http import DEMO_TOKEN
from app.services.connectors.settings import DEMO_FILE
from app.services.platform import paths

DEFAULT_PORT = 8765
DIRECTORY = "directory.json"
ACCOUNT_KEY = re.compile(r"^ACC-(\d{6})$")
PLANS = ["Free", "Silver", "Gold", "Platinum"]
REGIONS = ["EU", "North America", "APAC", "LATAM"]
PRODUCTS = ["Annual plan", "Seat add-on", "Storage pack", "Priority support", "Training day"]


def account_for(key: str, email: str | None = None) -> dict[str, Any] | None:
    """The made-up account behind a key (None: no such account; ids ending in 000 are unknown), with the
    player's `email` when the tool knows it."""
    match = ACCOUNT_KEY.match(key)
    if match is None or match.group(1).endswith("000"):
        return None
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    plan = PLANS[seed % 4]
    since = dt.date(2019, 1, 1) + dt.timedelta(days=seed % 2000)
    orders = [
        {"product": PRODUCTS[(seed >> (8 * i)) % len(PRODUCTS)], "amount": 20 + (seed >> (4 * i)) % 480}
        for i in range(3)
    ]
    return {
        "id": key,
        "status": "suspended" if seed % 11 == 0 else "active",
        "plan": {"name": plan, "renews": _renewal(since).isoformat()},
        "tier": "vip" if plan == "Platinum" else "standard",
        "region": REGIONS[(seed >> 3) % 4],
        "balance": f"{((seed >> 5) % 200_000) / 100:.2f} EUR",
        "customer_since": since.isoformat(),
        "last_orders": [f"{o['product']} ({o['amount']} EUR)" for o in orders],
        **({"email": email} if email else {}),
    }


def _renewal(since: dt.date) -> dt.date:
    """The anniversary in 2027 (an account opened on 29 February renews on the 28th: 2027 has no 29th, and
    `replace` raised, so the tool answered such an account with a 500)."""
    return since.replace(year=2027, day=min(since.day, 28) if since.month == 2 else since.day)


def key_for_email(address: str) -> str:
    return f"ACC-{int(hashlib.sha256(address.lower().encode()).hexdigest(), 16) % 900_000 + 100_000:06d}"


class _Handler(BaseHTTPRequestHandler):
    server: DemoToolServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return  # the demo's terminal stays quiet

    def do_GET(self) -> None:
        tool = self.server.tool
        tool.requests += 1
        if tool.delay:
            time.sleep(tool.delay)
        parts = urlsplit(self.path)
        if parts.path.startswith("/players/"):
            key = unquote(parts.path.removeprefix("/players/"))
            self._send(200, f"<h1>Account {html.escape(key)}</h1><p>The demo tool's page.</p>", "text/html")
            return
        if self.headers.get("Authorization") != f"Bearer {tool.token}":
            self._send(401, json.dumps({"error": "unauthorized"}))
            return
        account: dict[str, Any] | None = None
        if parts.path.startswith("/api/accounts/"):
            key = unquote(parts.path.removeprefix("/api/accounts/"))
            account = account_for(key, tool.emails().get(key))
        elif parts.path == "/api/accounts":
            email = parse_qs(parts.query).get("email", [""])[0]
            account = account_for(key_for_email(email), email) if "@" in email else None
        if account is None:
            self._send(404, json.dumps({"error": "no such account"}))
        else:
            self._send(200, json.dumps(account))

    def _send(self, status: int, body: str, content_type: str = "application/json") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")  # no keep-alive: a stopped tool answers nothing more
        self.close_connection = True
        self.end_headers()
        self.wfile.write(data)


class DemoToolServer(ThreadingHTTPServer):
    daemon_threads = True
    tool: DemoTool


@dataclass
class DemoTool:
    """A running demo tool. Attributes: port, ca_file, requests (answered so far), delay (seconds each
    answer waits, for benchmarks), token."""

    server: DemoToolServer
    thread: threading.Thread
    ca_file: Path
    delay: float = 0.0
    requests: int = 0
    token: str = DEMO_TOKEN
    _emails: tuple[float, dict[str, str]] = (-1.0, {})

    def emails(self) -> dict[str, str]:
        """The directory beside the CA ({account id: address}), read again when the file changed."""
        path = self.ca_file.parent / DIRECTORY
        try:
            changed = path.stat().st_mtime
        except OSError:
            return {}
        if changed != self._emails[0]:
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            self._emails = (changed, {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {})
        return self._emails[1]

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def tool_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or paths.data_dir()) / "demo-tool"


def ensure_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate for 127.0.0.1/localhost signed by it, made once per data directory."""
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "tool.pem", directory / "tool.key"
    if ca_file.is_file() and cert_file.is_file() and key_file.is_file():
        return ca_file, cert_file, key_file
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Switchboard demo tool CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key_bytes = leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_bytes)
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return ca_file, cert_file, key_file


def add_to_directory(emails: dict[str, str], data_dir: Path | None = None) -> Path:
    """The tool's directory, with these account ids' addresses added (what `switchboard demo` writes for its
    customers; a test adds a player of its own)."""
    directory = tool_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / DIRECTORY
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    known = {**(known if isinstance(known, dict) else {}), **emails}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")
    temporary.replace(path)
    return path


def start_demo_tool(port: int = DEFAULT_PORT, *, data_dir: Path | None = None, delay: float = 0.0) -> DemoTool:
    """Serve on 127.0.0.1:`port` (0: any free port) in a daemon thread; OSError when the port is taken."""
    ca_file, cert_file, key_file = ensure_certificates(tool_dir(data_dir))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    server = DemoToolServer(("127.0.0.1", port), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-account-tool", daemon=True)
    tool = DemoTool(server, thread, ca_file, delay)
    server.tool = tool
    thread.start()
    return tool


def demo_settings_text(port: int, ca_file: Path) -> str:
    """The `[connectors.accounts]` table the demo writes to the data directory's connectors.toml."""
    base = f"https://127.0.0.1:{port}"
    return f"""# Written by `switchboard demo`: the connector to the demo's account-lookup tool on this computer.
# A site configures its own tool in settings.toml the same way (see README, "The customer's account").
[connectors.accounts]
kind = "http"
demo = true  # the credential is the demo tool's published token, not a secret
base_url = "{base}"
ca_bundle = {json.dumps(str(ca_file))}
auth = "bearer"
paths = {{ account_id = "/api/accounts/{{key}}", email = "/api/accounts?email={{key}}" }}
link = "{base}/players/{{id}}"
email_field = "email"  # corroborates that an account named for a customer is theirs (docs/security.md)
ttl_seconds = 300
connect_timeout = 2.0
read_timeout = 3.0
deadline = 6.0

[connectors.accounts.fields]
Status = "status"
Plan = "plan.name"
Tier = "tier"
Region = "region"
Balance = "balance"
"Customer since" = "customer_since"
"Last orders" = "last_orders"

[connectors.accounts.attributes]
tier = "tier"
region = "region"
plan = "plan.name"

[connectors.accounts.find]
custom_field = "account_id"
patterns = ['account(?: id)?:?\\s*#?(ACC-\\d{{6}})']
"""


def cached_answers(keys: list[str], port: int) -> list[dict[str, Any]]:
    """The demo tool's answers for these account ids as the demo's connector would cache them (its field
    and attribute mapping, its link), for `switchboard demo` to warm the team's cache before the first
    start: the SLA sweep and intake read account attributes only from the cache, never from the tool."""
    from app.services.connectors.http import _dig, _text  # the connector's own reading of an answer

    table = tomllib.loads(demo_settings_text(port, Path("ca.pem")))["connectors"]["accounts"]
    answers = []
    for key in keys:
        account = account_for(key)
        if account is None:
            answers.append({"key": key, "found": False, "fields": [], "attributes": {}, "link": None})
            continue
        fields = [[label, _text(_dig(account, path))] for label, path in table["fields"].items()]
        answers.append(
            {
                "key": key,
                "found": True,
                "fields": [pair for pair in fields if pair[1]],
                "attributes": {name: _text(_dig(account, path)) for name, path in table["attributes"].items()},
                "link": str(table["link"]).replace("{id}", key),
                "ttl_seconds": int(table["ttl_seconds"]),
            }
        )
    return answers


def configured_port(data_dir: Path | None = None) -> int:
    """The port the data directory's demo connector settings name (else the default)."""
    path = (data_dir or paths.data_dir()) / DEMO_FILE
    try:
        match = re.search(r'base_url = "https://127\.0\.0\.1:(\d+)"', path.read_text(encoding="utf-8"))
    except OSError:
        return DEFAULT_PORT
    return int(match.group(1)) if match else DEFAULT_PORT


def write_demo_settings(port: int, data_dir: Path | None = None) -> Path:
    """The data directory's connectors.toml, naming the demo tool on `port` and its CA."""
    ca_file, _cert, _key = ensure_certificates(tool_dir(data_dir))
    path = (data_dir or paths.data_dir()) / DEMO_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(demo_settings_text(port, ca_file), encoding="utf-8")
    return path


def start_for_demo(data_dir: Path | None = None) -> DemoTool:
    """The demo's tool on the port its settings name, or on a free one when that is taken (the settings
    then name the new port)."""
    try:
        tool = start_demo_tool(configured_port(data_dir), data_dir=data_dir)
    except OSError:
        tool = start_demo_tool(0, data_dir=data_dir)
    write_demo_settings(tool.port, data_dir)
    return tool
