"""The connector issue's "done when", as real processes: after `switchboard demo --no-open`, `switchboard
connector serve-demo` in one process and `switchboard connector test accounts` in another passes; the
test fails with one clear line for a wrong CA, a bad credential and a stopped service; `connector list`
names the connector and `doctor` includes its test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.embedded_cli import demo_data_dir

pytestmark = pytest.mark.slow


def _env(data_dir: Path, config: Path, keyring_file: Path) -> dict[str, str]:
    env = {**os.environ, "SWITCHBOARD_DATA_DIR": str(data_dir), "XDG_CONFIG_HOME": str(config)}
    env.pop("SWITCHBOARD_DATABASE_URL", None)
    env["PYTHON_KEYRING_BACKEND"] = "tests.support.file_keyring.FileKeyring"
    env["SWITCHBOARD_TEST_KEYRING"] = str(keyring_file)
    return env


class Machine:
    def __init__(self, data_dir: Path, root: Path) -> None:
        self.data_dir = data_dir
        self.config = root / "config"
        self.config.mkdir()
        self.env = _env(data_dir, self.config, root / "keyring.json")

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=self.env,
            input=stdin,
            check=False,
        )


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> Machine:
    data_dir = demo_data_dir(tmp_path_factory.mktemp("connector-demo"), tickets=5)
    return Machine(data_dir, tmp_path_factory.mktemp("connector-machine"))


@pytest.fixture
def served(machine: Machine) -> Iterator[subprocess.Popen[str]]:
    tool = subprocess.Popen(
        [sys.executable, "-m", "app", "connector", "serve-demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=machine.env,
    )
    assert tool.stdout is not None
    first = tool.stdout.readline()  # printed once the tool listens
    assert "The demo account tool answers on https://127.0.0.1:" in first, tool.stderr.read() if tool.stderr else ""
    yield tool
    if tool.poll() is None:
        tool.terminate()
    tool.communicate(timeout=10)  # waits, and closes its pipes


def test_the_demo_tool_passes_the_connector_test_and_each_failure_is_one_clear_line(
    machine: Machine, served: subprocess.Popen[str], tmp_path: Path
) -> None:
    assert (machine.data_dir / "connectors.toml").is_file()  # written by `demo --no-open`
    passed = machine.run("connector", "test", "accounts")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "ok  connector accounts lookup: TLS, credential and a lookup by account_id" in passed.stdout

    listed = machine.run("connector", "list")
    assert listed.returncode == 0 and "accounts: http: https://127.0.0.1:" in listed.stdout
    assert "the demo tool's published token" in listed.stdout

    # A wrong CA: the user's settings file names the connector with another CA (the first file wins).
    demo_settings = (machine.data_dir / "connectors.toml").read_text()
    wrong_ca = tmp_path / "wrong-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(wrong_ca))
    user_settings = machine.config / "switchboard" / "settings.toml"
    user_settings.parent.mkdir(exist_ok=True)
    original_ca = next(line for line in demo_settings.splitlines() if line.startswith("ca_bundle"))
    user_settings.write_text(demo_settings.replace(original_ca, f'ca_bundle = "{wrong_ca}"'))
    try:
        refused = machine.run("connector", "test", "accounts")
    finally:
        user_settings.unlink()
    assert refused.returncode == 1
    assert f"is not trusted over TLS: its certificate is not signed by the CA in {wrong_ca}" in refused.stdout
    assert "→ check ca_bundle" in refused.stdout

    # A bad credential, kept in the keyring with `connector credential`.
    kept = machine.run("connector", "credential", "accounts", "--stdin", stdin="not-the-token\n")
    assert kept.returncode == 0, kept.stderr
    try:
        refused = machine.run("connector", "test", "accounts")
    finally:
        assert machine.run("connector", "credential", "accounts", "--forget").returncode == 0
    assert refused.returncode == 1
    assert "refused the credential (HTTP 401)" in refused.stdout
    assert "not-the-token" not in refused.stdout + refused.stderr

    # The doctor includes the connector's test.
    doctor = machine.run("doctor")
    assert "connector accounts lookup: TLS, credential and a lookup" in doctor.stdout

    # A stopped service.
    served.terminate()
    served.communicate(timeout=10)
    stopped = machine.run("connector", "test", "accounts")
    assert stopped.returncode == 1
    assert "refused the connection (is it running?)" in stopped.stdout
    assert "switchboard connector serve-demo" in stopped.stdout
    # ... which the doctor names as a warning: the desk is healthy, tickets work without the panel.
    doctor = machine.run("doctor")
    assert "warning  connector accounts lookup" in doctor.stdout
    assert "(tickets work without it)" in doctor.stdout


def test_connector_verify_raises_no_vip_ticket_for_an_address_typed_on_the_command_line(
    machine: Machine, served: subprocess.Popen[str]
) -> None:
    """`ticket create --customer` as the local admin (the embedded default's login) types the address: staff's
    (migration 0034), so even the tool's answer carrying it vouches for nothing. The raise for an address
    intake took (the worker's own login) is in tests/integration/test_account_verified.py."""
    from app.services.connectors.demo_tool import account_for, add_to_directory

    vip = next(key for key in (f"ACC-{n:06d}" for n in range(1, 1000)) if (account_for(key) or {}).get("tier") == "vip")
    add_to_directory({vip: "new.vip@example.test"}, machine.data_dir)  # the tool's player behind the account
    numbers = []
    for customer in ("new.vip@example.test", "stranger@example.test"):  # both name the VIP account
        created = machine.run(
            "ticket", "create", "--subject", f"account id: {vip}", "--customer", customer,
            "--queue", "Billing", "--body", "Please call me back.", "--json",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        numbers.append(str(json.loads(created.stdout)["ticket"]["number"]))
    typed, stranger = numbers

    verified = machine.run("connector", "verify", "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    result = json.loads(verified.stdout)
    assert result["connector"] == "accounts" and result["failed"] == 0 and result["problem"] is None, result
    # Both looked up and found, neither believed: the tool's answer carries an address staff typed, or none
    # of the customer's.
    assert result["looked_up"] >= 2 and result["named_only"] >= 2 and result["raised"] == 0, result
    assert "priority normal" in machine.run("ticket", "show", typed).stdout
    assert "priority normal" in machine.run("ticket", "show", stranger).stdout
    said = machine.run("connector", "verify")
    assert said.returncode == 0 and said.stdout.startswith("accounts: looked up 0 of 0 due"), said.stdout


def test_a_secret_in_the_connector_settings_is_refused(machine: Machine) -> None:
    user_settings = machine.config / "switchboard" / "settings.toml"
    user_settings.parent.mkdir(exist_ok=True)
    user_settings.write_text('[connectors.crm]\nbase_url = "https://crm.example"\ntoken = "abc123"\n')
    try:
        listed = machine.run("connector", "list")
    finally:
        user_settings.unlink()
    assert listed.returncode != 0
    assert "holds a secret ('token')" in listed.stderr + listed.stdout
    assert "abc123" not in listed.stderr + listed.stdout
