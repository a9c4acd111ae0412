"""A PostgreSQL that speaks TLS on loopback, for the doctor's TLS checks: the embedded server listens on
a Unix socket only (and pgserver's build has no TLS), and the system server here has TLS off. It runs
the system's PostgreSQL programs (Debian's /usr/lib/postgresql/N/bin) with a throwaway certificate
authority made with `cryptography`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import pwd
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SERVICE_USER = "postgres"  # PostgreSQL refuses to run as root; Debian's package made this user


def system_postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@dataclass(frozen=True)
class TlsServer:
    port: int
    ca_file: Path
    wrong_ca_file: Path


def _authority(name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _server_certificate(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def _pem(path: Path, data: bytes, owner: pwd.struct_passwd | None, mode: int = 0o644) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    if owner is not None:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def tls_server(directory: Path, *, settings: str = "") -> Iterator[TlsServer]:
    """`settings`: more `-c name=value` options for the server (e.g. autovacuum off, for the doctor)."""
    binaries = system_postgres_bin()
    if binaries is None:
        raise RuntimeError("no system PostgreSQL programs in /usr/lib/postgresql")
    owner = pwd.getpwnam(SERVICE_USER) if os.geteuid() == 0 else None
    user = SERVICE_USER if owner is not None else None
    directory.mkdir(parents=True, exist_ok=True)
    if owner is not None:  # the service user must reach its data directory through the test's tmp folders
        for folder in directory.parents:
            folder.chmod(folder.stat().st_mode | 0o055)
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    data = directory / "pgdata"
    subprocess.run(
        [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
        check=True,
        capture_output=True,
        user=user,
    )
    ca_key, ca = _authority("Switchboard test CA")
    _other_key, other_ca = _authority("Some other CA")
    key, cert = _server_certificate(ca_key, ca)
    _pem(data / "server.crt", cert.public_bytes(serialization.Encoding.PEM), owner)
    _pem(
        data / "server.key",
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        owner,
        0o600,
    )
    ca_file = _pem(directory / "ca.pem", ca.public_bytes(serialization.Encoding.PEM), None)
    wrong = _pem(directory / "wrong-ca.pem", other_ca.public_bytes(serialization.Encoding.PEM), None)
    port = _free_port()
    options = f"-c ssl=on -c listen_addresses=127.0.0.1 -p {port} -k {data} {settings}".strip()
    subprocess.run(
        [str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(data / "log"), "-w", "start"],
        check=True,
        capture_output=True,
        user=user,
        timeout=60,
    )
    try:
        yield TlsServer(port, ca_file, wrong)
    finally:
        subprocess.run(
            [str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            user=user,
            timeout=60,
        )
