"""One real cluster per mode on the local lab, shared by every end-to-end test of the session.

Each cluster runs in a lab of its own, so the tests never touch the lab a developer works with:
KRaft in "e2e" (ports shifted by 200), 3 combined nodes; ZooKeeper mode in "e2e-zk" (ports
shifted by 250), a 3-member ensemble and 3 Kafka 3.9 brokers. Each is deployed exactly as
`make lab` deploys, from a blank state, and removed when its tests are done (set
KAFKAKIT_KEEP_LAB=1 to keep it for a look).

The KRaft cluster starts on Kafka 4.3.1 so that the day-2 tests can upgrade it to 4.4.0 (the
role's default, which Molecule's kafka scenario deploys from nothing). Tests run mode by mode,
each mode's day-2 tests last: they upgrade the cluster and grow it to 4 brokers, and every
other test relies on it as `make lab` left it. Tests that disturb a cluster (restarts,
re-deploys) must leave it healthy: the next test relies on it. A module that applies to one
mode only says so with `pytest.mark.parametrize("lab_cluster", [mode], indirect=True)`.
`-k kraft` or `-k zookeeper` picks one mode.
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
# The KRaft cluster's first version, and the one the day-2 upgrade test rolls it to.
KRAFT_FROM_VERSION, KRAFT_TO_VERSION = "4.3.1", "4.4.0"
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
    port_offset: int = 0
    kafka_version: str = ""  # what the brokers run (read from the first broker by refresh())

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
        """Re-read the lab's hosts (after it grew), its bootstrap servers and the Kafka release the
        first broker runs (after an upgrade)."""
        self.hosts = json.loads((ROOT / "lab" / ".state" / self.name / "lab.json").read_text())["hosts"]
        self.bootstrap_servers = lab_command("bootstrap", lab=self.name).split("=", 1)[1]
        exec_start = self.exec(self.brokers[0], "systemctl", "show", "--property", "ExecStart", "kafka")
        self.kafka_version = re.search(r"kafka_[\d.]+-([\d.]+)/libs", exec_start).group(1)

    def down(self) -> None:
        """Remove the lab, unless KAFKAKIT_KEEP_LAB=1 asks to keep it for a look."""
        if os.environ.get("KAFKAKIT_KEEP_LAB") != "1":
            lab_command("down", lab=self.name)

    def internal_bootstrap(self) -> str:
        return ",".join(f"{broker}:9092" for broker in self.brokers)


def make_lab(lab: str, port_offset: int, mode: str, kafka_version: str) -> LabCluster:
    """Deploy a lab from a blank state with `make lab`, exactly as a user would."""
    lab_command("down", lab=lab)  # no hosts, disks or inventory left from an earlier run
    env = {
        **os.environ,
        "LAB": lab,
        "LAB_PORT_OFFSET": str(port_offset),
        "MODE": mode,
        "KAFKA_VERSION": kafka_version,
    }
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
        port_offset=port_offset,
    )
    cluster.refresh()
    return cluster


@pytest.fixture(scope="session", params=MODES, ids=MODES)
def lab_cluster(request) -> LabCluster:
    """A cluster deployed from nothing by `make lab`, in each mode: KRaft, 3 combined nodes in 3
    racks on 4.3.1; ZooKeeper, a 3-member ensemble and 3 brokers on the newest 3.9 in 3 racks,
    each on its own host."""
    lab, port_offset = LABS[request.param]
    # ZooKeeper mode deploys the role's default for the mode, which a test checks is the newest 3.9.
    cluster = make_lab(
        lab, port_offset, request.param, KRAFT_FROM_VERSION if request.param == "kraft" else ""
    )
    yield cluster
    cluster.down()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests mode by mode (one cluster up at a time), each mode's day-2 tests last."""

    def order(item: pytest.Item) -> tuple[int, bool]:
        mode = getattr(item, "callspec", None) and item.callspec.params.get("lab_cluster")
        return (MODES.index(mode) + 1 if mode in MODES else 0, item.get_closest_marker("day2") is not None)

    items.sort(key=order)  # stable: file order within each group


def under_traffic(cluster, label: str, *command: str) -> dict:
    """Run `command` under verifiable traffic, with the tools of the release the cluster runs;
    return the zero-loss report."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    report_file = RESULTS / (re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") + ".json")
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "scripts" / "zero_loss.py"), "--bootstrap-servers",
         cluster.bootstrap_servers, "--kafka-version", cluster.kafka_version, "--label", label,
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
