"""One real cluster on the local lab, shared by every end-to-end test of the session.

The cluster runs in its own lab ("e2e", ports shifted by 200), so the tests never touch the lab
a developer works with. It is deployed exactly as `make lab` deploys, from a blank state, and
removed at the end (set KAFKAKIT_KEEP_LAB=1 to keep it for a look). Tests that disturb the
cluster (restarts, re-deploys) must leave it healthy: the next test relies on it.

The fixture is parametrized by kafka_mode: every test runs against a KRaft cluster, then against
a ZooKeeper-mode one (3 ZooKeeper members and 3 Kafka 3.9 brokers, in the lab "e2e-zk", ports
shifted by 250). pytest groups the tests by mode, so only one of the two clusters runs at a time.
`cluster.mode` tells a test which one it has; `-k kraft` or `-k zookeeper` picks one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
LAB = os.environ.get("KAFKAKIT_E2E_LAB", "e2e")
PORT_OFFSET = int(os.environ.get("KAFKAKIT_E2E_PORT_OFFSET", "200"))
MODES = ("kraft", "zookeeper")
# Each mode has its own lab, so that one kept for a look (KAFKAKIT_KEEP_LAB) never blocks the other.
LABS = {
    "kraft": (LAB, PORT_OFFSET),
    "zookeeper": (
        f"{LAB}-zk",
        int(os.environ.get("KAFKAKIT_E2E_ZOOKEEPER_PORT_OFFSET", str(PORT_OFFSET + 50))),
    ),
}
RESULTS = ROOT / "results" / "day2"
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def lab_command(*args: str, lab: str = LAB) -> str:
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "lab" / "lab.py"), "--name", lab, *args],
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
    mode: str = "kraft"  # kafka_mode: kraft or zookeeper

    @property
    def brokers(self) -> list[str]:
        return [h["name"] for h in self.hosts if "kafka_broker" in h["groups"]]

    @property
    def zookeepers(self) -> list[str]:
        """The ZooKeeper ensemble's hosts (none in KRaft mode)."""
        return [h["name"] for h in self.hosts if "zookeeper" in h["groups"]]

    def zookeeper_connect(self, chroot: str = "/kafka") -> str:
        """zookeeper.connect of the cluster, as the brokers have it (ZooKeeper mode)."""
        return ",".join(f"{member}:2181" for member in self.zookeepers) + chroot

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

    def kafka_pids(self) -> dict[str, str]:
        """The main PID of each broker's Kafka service: a restart changes it."""
        return {
            host: self.exec(host, "systemctl", "show", "--property", "MainPID", "--value", "kafka").strip()
            for host in self.brokers
        }

    def refresh(self) -> None:
        """Re-read the lab's hosts (after it grew) and its bootstrap servers."""
        self.hosts = json.loads((ROOT / "lab" / ".state" / self.name / "lab.json").read_text())["hosts"]
        self.bootstrap_servers = lab_command("bootstrap", lab=self.name).split("=", 1)[1]

    def down(self) -> None:
        """Remove the lab, unless KAFKAKIT_KEEP_LAB=1 asks to keep it for a look."""
        if os.environ.get("KAFKAKIT_KEEP_LAB") != "1":
            lab_command("down", lab=self.name)

    def internal_bootstrap(self) -> str:
        return ",".join(f"{broker}:9092" for broker in self.brokers)


def make_lab(lab: str, port_offset: int, mode: str, **make_vars: str) -> LabCluster:
    """Deploy a lab from a blank state with `make lab`, exactly as a user would."""
    lab_command("down", lab=lab)  # no hosts, disks or inventory left from an earlier run
    env = {**os.environ, "LAB": lab, "LAB_PORT_OFFSET": str(port_offset), "MODE": mode, **make_vars}
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
    cluster = LabCluster(
        name=lab,
        inventory=Path(lab_command("inventory", lab=lab)),
        bootstrap_servers=last_line.split("=", 1)[1],
        hosts=[],
        first_deploy=Deploy(result.returncode, output, parse_recap(output)),
        mode=mode,
    )
    cluster.refresh()
    return cluster


@pytest.fixture(scope="session", params=MODES, ids=MODES)
def lab_cluster(request) -> LabCluster:
    """A cluster deployed from nothing by `make lab`, in each mode: KRaft, 3 combined nodes in 3
    racks; ZooKeeper, a 3-member ensemble and 3 Kafka 3.9 brokers in 3 racks, each on its own host."""
    lab, port_offset = LABS[request.param]
    cluster = make_lab(lab, port_offset, request.param)
    yield cluster
    cluster.down()


def under_traffic(cluster, label: str, *command: str, kafka_version: str = "4.4.0") -> dict:
    """Run `command` under verifiable traffic; return the zero-loss report."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    report_file = RESULTS / (re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") + ".json")
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "scripts" / "zero_loss.py"), "--bootstrap-servers",
         cluster.bootstrap_servers, "--kafka-version", kafka_version, "--label", label,
         "--report", str(report_file), "--", *command],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=1800,
    )  # fmt: skip
    assert result.stdout.strip(), result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["mode"] = cluster.mode
    report_file.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report), file=sys.stderr)
    assert report["operation_rc"] == 0, f"{label} failed; see {report['logs']}/operation.log"
    assert report["acked"] > 0
    assert report["lost"] == 0, (
        f"{label} lost {report['lost']} acknowledged messages: {report['lost_sample']}"
    )
    return report
