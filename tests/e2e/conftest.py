"""One real cluster per shape the kit offers, on the local lab, shared by every end-to-end test.

Each cluster runs in a lab of its own, so the tests never touch the lab a developer works with:
KRaft combined nodes in "e2e" (ports shifted by 200), 3 nodes; ZooKeeper mode in "e2e-zk" (ports
shifted by 250), a 3-member ensemble and 3 Kafka 3.9 brokers; KRaft with dedicated controllers in
"e2e-dc" (ports shifted by 300), 3 controllers and 3 brokers. Each is deployed exactly as
`make lab` deploys, from a blank state, and removed when its tests are done (set
KAFKAKIT_KEEP_LAB=1 to keep it for a look).

The KRaft cluster starts on Kafka 4.3.1 so that the day-2 tests can upgrade it to 4.4.0 (the
role's default, which Molecule's kafka scenario deploys from nothing). Tests run shape by shape,
each shape's day-2 tests last: they upgrade the cluster and grow it to 4 brokers, and every
other test relies on it as `make lab` left it. Tests that disturb a cluster (restarts,
re-deploys) must leave it healthy: the next test relies on it. A module that applies to some
shapes only says so with `pytest.mark.parametrize("lab_cluster", [shape], indirect=True)`.
`-k kraft`, `-k zookeeper` or `-k dedicated` picks one shape.
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
from ansible_collections.kafkakit.kafka.plugins.module_utils import properties, tool_output

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
LAB = os.environ.get("KAFKAKIT_E2E_LAB", "e2e")
PORT_OFFSET = int(os.environ.get("KAFKAKIT_E2E_PORT_OFFSET", "200"))
# The shapes the kit offers (the fixture's parameters): KRaft combined nodes, ZooKeeper mode, and
# KRaft with dedicated controllers. Each is (lab name, port offset, make lab variables).
MODES = ("kraft", "zookeeper", "dedicated")
# Shapes whose every test is left to make e2e-slow: make test must fit 45 minutes on 2 cores.
SLOW_SHAPES = ("zookeeper",)
# The KRaft cluster's first version, and the one the day-2 upgrade test rolls it to.
KRAFT_FROM_VERSION, KRAFT_TO_VERSION = "4.3.1", "4.4.0"
# Each mode has its own lab, so that one kept for a look (KAFKAKIT_KEEP_LAB) never blocks the other.
LABS = {
    "kraft": (LAB, PORT_OFFSET, {"MODE": "kraft", "KAFKA_VERSION": KRAFT_FROM_VERSION}),
    "zookeeper": (f"{LAB}-zk", PORT_OFFSET + 50, {"MODE": "zookeeper", "KAFKA_VERSION": ""}),
    "dedicated": (f"{LAB}-dc", PORT_OFFSET + 100, {"MODE": "kraft", "BROKERS": "3", "CONTROLLERS": "3"}),
    # Not a shape every test runs on: the start of the move from plaintext (test_security_migration).
    "plaintext": (f"{LAB}-pt", PORT_OFFSET + 150, {"MODE": "kraft", "SECURITY": "plaintext"}),
    # Only test_migration_to_kraft.py: ZooKeeper mode with 3 controllers staged for the migration,
    # one lab for the way to KRaft and one for the way back, so that each test fits a CI run.
    "migration": (
        f"{LAB}-mig",
        PORT_OFFSET + 200,
        {"MODE": "zookeeper", "CONTROLLERS": "3", "KAFKA_VERSION": ""},
    ),
    "rollback": (
        f"{LAB}-rb",
        PORT_OFFSET + 250,
        {"MODE": "zookeeper", "CONTROLLERS": "3", "KAFKA_VERSION": ""},
    ),
}
RESULTS = ROOT / "results" / "day2"


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

    def assert_changed_nothing(self, hosts: list[str]) -> None:
        """The run passed, changed nothing, and the recap has a line for every host: a recap the
        regex did not find cannot pass for a run that changed nothing."""
        assert self.returncode == 0, self.output[-4000:]
        assert set(hosts) <= set(self.recap), (sorted(self.recap), self.output[-2000:])
        assert self.changed == 0, {host: r["changed"] for host, r in self.recap.items() if r["changed"]}


def parse_recap(output: str) -> dict[str, dict[str, int]]:
    return tool_output.play_recap(output)


@dataclass
class LabCluster:
    name: str
    inventory: Path
    bootstrap_servers: str
    hosts: list[dict]
    first_deploy: Deploy
    mode: str = "kraft"  # kafka_mode: kraft or zookeeper
    shape: str = "kraft"  # which of MODES
    port_offset: int = 0
    kafka_version: str = ""  # what the brokers run (read from the first broker by refresh())

    @property
    def brokers(self) -> list[str]:
        return [h["name"] for h in self.hosts if "kafka_broker" in h["groups"]]

    @property
    def controllers(self) -> list[str]:
        return [h["name"] for h in self.hosts if "kafka_controller" in h["groups"]]

    @property
    def data_hosts(self) -> list[str]:
        """Hosts with a data disk: Kafka nodes and ZooKeeper members, not the monitoring host."""
        return [
            h["name"]
            for h in self.hosts
            if {"kafka_broker", "kafka_controller", "zookeeper"} & set(h["groups"])
        ]

    @property
    def kafka_hosts(self) -> list[str]:
        """Hosts that run Kafka: brokers and controllers."""
        return [h["name"] for h in self.hosts if {"kafka_broker", "kafka_controller"} & set(h["groups"])]

    @property
    def monitoring_host(self) -> str:
        return next(h["name"] for h in self.hosts if "monitoring" in h["groups"])

    @property
    def host_names(self) -> list[str]:
        return [h["name"] for h in self.hosts]

    @property
    def zookeepers(self) -> list[str]:
        """The ZooKeeper ensemble's hosts (none in KRaft mode)."""
        return [h["name"] for h in self.hosts if "zookeeper" in h["groups"]]

    def zookeeper_connect(self, chroot: str = "/kafka") -> str:
        """zookeeper.connect of the cluster, as the brokers have it (ZooKeeper mode)."""
        return ",".join(f"{member}:2181" for member in self.zookeepers) + chroot

    def container(self, host: str) -> str:
        return f"kafkakit-{self.name}-{host}"

    @property
    def state(self) -> Path:
        return ROOT / "lab" / ".state" / self.name

    @property
    def client_properties(self) -> Path:
        """The admin's settings for Kafka's Java clients and tools (make lab writes them)."""
        return self.state / "client.properties"

    @property
    def librdkafka_properties(self) -> Path:
        """The admin's settings for librdkafka clients (kcat -F, confluent-kafka)."""
        return self.state / "librdkafka.properties"

    # The node's own admin client settings, which every tool the kit runs there uses.
    admin_config = "/etc/kafka/admin.properties"
    # A controller's admin tools reach the controller listener with the node's certificate (mTLS).
    controller_admin_config = "/etc/kafka/controller-admin.properties"

    def rdkafka(self, **settings) -> dict:
        """confluent-kafka settings for the published listeners, as the lab's admin."""
        conf = properties.parse(self.librdkafka_properties.read_text())
        return {"bootstrap.servers": self.bootstrap_servers, **conf, **settings}

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

    def gate(self, host: str, check: str, **params) -> tuple[int, str]:
        """Run the kit's own gate module (kafkakit.kafka.kafka_gate) on `host`, as the node's admin:
        (rc, its message)."""
        params.setdefault("command_config", self.admin_config)
        result = subprocess.run(
            [str(BIN / "ansible"), host, "-i", str(self.inventory), "--become",
             "-m", "kafkakit.kafka.kafka_gate", "-a", json.dumps({"check": check, **params})],
            capture_output=True, text=True, check=False, cwd=ROOT, timeout=600,
            env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
                 "ANSIBLE_STDOUT_CALLBACK": "json", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"},
        )  # fmt: skip
        try:
            outcome = json.loads(result.stdout)["plays"][0]["tasks"][0]["hosts"][host]
        except (ValueError, KeyError, IndexError):
            return result.returncode or 1, result.stdout[-2000:] + result.stderr[-2000:]
        return (1 if outcome.get("failed") else 0), outcome.get("msg", "")

    def assert_partitions_healthy(self, timeout: int = 120) -> str:
        rc, message = self.gate(
            self.brokers[0], "partitions", bootstrap_server=self.internal_bootstrap(), default_min_isr=2,
            timeout=timeout,
        )  # fmt: skip
        assert rc == 0, message
        return message

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
        """Run one of Kafka's own tools on a node, with that node's installation (admin tools need
        --command-config self.admin_config in the secure profile)."""
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
        self.bootstrap_servers = lab_command("bootstrap", lab=self.name).splitlines()[-1].split("=", 1)[1]
        exec_start = self.exec(self.brokers[0], "systemctl", "show", "--property", "ExecStart", "kafka")
        self.kafka_version = re.search(r"kafka_[\d.]+-([\d.]+)/libs", exec_start).group(1)

    def down(self) -> None:
        """Remove the lab, unless KAFKAKIT_KEEP_LAB=1 asks to keep it for a look."""
        if os.environ.get("KAFKAKIT_KEEP_LAB") != "1":
            lab_command("down", lab=self.name)

    def internal_bootstrap(self) -> str:
        return ",".join(f"{broker}:9092" for broker in self.brokers)

    @property
    def prometheus_url(self) -> str:
        """The lab's Prometheus, as `lab.py bootstrap` prints it (prometheus=http://127.0.0.1:PORT)."""
        lines = lab_command("bootstrap", lab=self.name).splitlines()
        return next(line.split("=", 1)[1] for line in lines if line.startswith("prometheus="))


def make_lab(lab: str, port_offset: int, shape: str, variables: dict[str, str]) -> LabCluster:
    """Deploy a lab from a blank state with `make lab`, exactly as a user would."""
    lab_command("down", lab=lab)  # no hosts, disks or inventory left from an earlier run
    env = {**os.environ, "LAB": lab, "LAB_PORT_OFFSET": str(port_offset), **variables}
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
        mode=variables["MODE"],
        shape=shape,
        port_offset=port_offset,
    )
    cluster.refresh()
    return cluster


@pytest.fixture(scope="session", params=MODES, ids=MODES)
def lab_cluster(request) -> LabCluster:
    """A cluster deployed from nothing by `make lab`, in each shape: KRaft, 3 combined nodes in 3
    racks on 4.3.1; ZooKeeper, a 3-member ensemble and 3 brokers on the newest 3.9 (the role's
    default for the mode) in 3 racks, each on its own host; KRaft on 4.4.0 with 3 dedicated
    controllers and 3 brokers."""
    lab, port_offset, variables = LABS[request.param]
    cluster = make_lab(lab, port_offset, request.param, variables)
    yield cluster
    cluster.down()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests shape by shape (one cluster up at a time), each shape's day-2 tests last."""

    def order(item: pytest.Item) -> tuple[int, bool]:
        mode = getattr(item, "callspec", None) and item.callspec.params.get("lab_cluster")
        return (MODES.index(mode) + 1 if mode in MODES else 0, item.get_closest_marker("day2") is not None)

    items.sort(key=order)  # stable: file order within each group


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark the slow shapes' tests, and each test's own slow_on shapes, before -m selects."""
    shape = getattr(item, "callspec", None) and item.callspec.params.get("lab_cluster")
    slow_on = {name for mark in item.iter_markers("slow_on") for name in mark.args}
    if shape in SLOW_SHAPES or shape in slow_on:
        item.add_marker(pytest.mark.slow)


def under_traffic(cluster, label: str, *command: str) -> dict:
    """Run `command` under verifiable traffic, with the tools of the release the cluster runs;
    return the zero-loss report."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    report_file = RESULTS / (re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") + ".json")
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "scripts" / "zero_loss.py"), "--bootstrap-servers",
         cluster.bootstrap_servers, "--kafka-version", cluster.kafka_version, "--label", label,
         "--client-config", str(cluster.client_properties),
         "--librdkafka-config", str(cluster.librdkafka_properties),
         "--report", str(report_file), "--", *command],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=1800,
    )  # fmt: skip
    assert result.stdout.strip(), result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["mode"], report["shape"] = cluster.mode, cluster.shape
    report_file.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report), file=sys.stderr)
    assert report["operation_rc"] == 0, f"{label} failed; see {report['logs']}/operation.log"
    assert report["acked"] > 0
    # Writes went on being acknowledged while the operation ran, not only before and after it.
    assert report["acked_during"] > 0, report
    # The producer retries forever (idempotent, acks=all): a send error means a write was refused.
    assert report["send_errors"] == 0, report
    assert report["lost"] == 0, (
        f"{label} lost {report['lost']} acknowledged messages: {report['lost_sample']}"
    )
    return report
