"""One real cluster on the local lab, shared by every end-to-end test of the session.

The cluster runs in its own lab ("e2e", ports shifted by 200), so the tests never touch the lab
a developer works with. It is deployed exactly as `make lab` deploys, from a blank state, and
removed at the end (set KAFKAKIT_KEEP_LAB=1 to keep it for a look). Tests that disturb the
cluster (restarts, re-deploys) must leave it healthy: the next test relies on it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
LAB = os.environ.get("KAFKAKIT_E2E_LAB", "e2e")
PORT_OFFSET = int(os.environ.get("KAFKAKIT_E2E_PORT_OFFSET", "200"))
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def lab_command(*args: str) -> str:
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "lab" / "lab.py"), "--name", LAB, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@dataclass
class Deploy:
    """The outcome of one ansible-playbook run."""

    returncode: int
    output: str
    recap: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(host["changed"] for host in self.recap.values())


def parse_recap(output: str) -> dict[str, dict[str, int]]:
    return {
        host: {"ok": int(ok), "changed": int(changed), "unreachable": int(unreach), "failed": int(failed)}
        for host, ok, changed, unreach, failed in RECAP.findall(output)
    }


@dataclass
class LabCluster:
    name: str
    inventory: Path
    bootstrap_servers: str
    hosts: list[dict]
    first_deploy: Deploy

    @property
    def brokers(self) -> list[str]:
        return [h["name"] for h in self.hosts if "kafka_broker" in h["groups"]]

    def container(self, host: str) -> str:
        return f"kafkakit-{self.name}-{host}"

    def run_playbook(self, playbook: str, *extra: str, timeout: int = 900) -> Deploy:
        result = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "-i",
                str(self.inventory),
                str(ROOT / "playbooks" / playbook),
                *extra,
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            timeout=timeout,
            env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"},
        )
        output = result.stdout + result.stderr
        return Deploy(result.returncode, output, parse_recap(output))

    def exec(self, host: str, *command: str, check: bool = True, timeout: int = 300) -> str:
        result = subprocess.run(
            ["docker", "exec", self.container(host), *command],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{host}: {' '.join(command)} failed: {result.stderr or result.stdout}")
        return result.stdout

    def kafka_tool(self, host: str, main_class: str, *args: str, check: bool = True) -> str:
        """Run one of Kafka's own tools on a node, with that node's installation."""
        return self.exec(host, "kafka-run-class", main_class, *args, check=check)

    def internal_bootstrap(self) -> str:
        return ",".join(f"{broker}:9092" for broker in self.brokers)


@pytest.fixture(scope="session")
def lab_cluster() -> LabCluster:
    """A 3-node KRaft cluster (combined nodes, 3 racks) deployed from nothing by `make lab`."""
    lab_command("down")  # a blank start: no hosts, disks or inventory left from an earlier run
    env = {**os.environ, "LAB": LAB, "LAB_PORT_OFFSET": str(PORT_OFFSET)}
    result = subprocess.run(
        ["make", "--no-print-directory", "lab"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"make lab failed:\n{output[-6000:]}")
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line.startswith("bootstrap.servers=127.0.0.1:"), last_line
    state = json.loads((ROOT / "lab" / ".state" / LAB / "lab.json").read_text())
    cluster = LabCluster(
        name=LAB,
        inventory=Path(lab_command("inventory")),
        bootstrap_servers=last_line.split("=", 1)[1],
        hosts=state["hosts"],
        first_deploy=Deploy(result.returncode, output, parse_recap(output)),
    )
    yield cluster
    if os.environ.get("KAFKAKIT_KEEP_LAB") != "1":
        lab_command("down")
