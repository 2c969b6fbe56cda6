"""The make targets the README offers run the commands they say, as `make -n` prints them."""

import shlex
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*args: str) -> list[str]:
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return shlex.split(result.stdout.replace("\\\n", " "))


def test_zero_loss_reaches_a_secure_lab_with_its_admin_settings_and_inventory():
    lab = "unit-zero-loss"
    state = ROOT / "lab" / ".state" / lab
    # A state directory left by an interrupted run must not fail the next one.
    state.mkdir(parents=True, exist_ok=True)
    try:
        for name in ("client.properties", "librdkafka.properties"):
            (state / name).write_text("security.protocol=SASL_SSL\n")
        command = dry_run("zero-loss", f"LAB={lab}")
    finally:
        shutil.rmtree(state)
    assert command[command.index("--client-config") + 1] == f"lab/.state/{lab}/client.properties"
    assert command[command.index("--librdkafka-config") + 1] == f"lab/.state/{lab}/librdkafka.properties"
    operation = command[command.index("--") + 1 :]
    assert operation[-1] == "playbooks/rolling_restart.yml"
    assert operation[operation.index("-i") + 1] == "inventories/lab/hosts.yml"


def test_zero_loss_without_a_lab_passes_no_client_settings():
    command = dry_run("zero-loss", "LAB=no-such-lab", "OP=true")
    assert "--client-config" not in command and "--librdkafka-config" not in command
    assert command[-2:] == ["--", "true"]
