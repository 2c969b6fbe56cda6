"""Bad inventories stop `deploy.yml` in its validation plays, before any host is contacted.

Both modes go through the real playbook: KRaft, and ZooKeeper mode (the ensemble described by the
zookeeper role's member facts, checked by the kafka role). Every host here points at a closed
port: had the playbook gone past validation, it would have failed as unreachable instead of with
the reason asserted below.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def combined(count=3):
    hosts = {
        f"kafka-{i}": {"kafka_node_id": i, "kafka_broker_rack": f"zone-{i}", "ansible_port": 1}
        for i in range(1, count + 1)
    }
    members = {name: None for name in hosts}
    return {
        "all": {
            "vars": {"ansible_host": "127.0.0.1", "ansible_connection": "ssh"},
            "hosts": hosts,
            "children": {
                "kafka_broker": {"hosts": dict(members)},
                "kafka_controller": {"hosts": dict(members)},
            },
        }
    }


def dedicated(controllers, brokers=3):
    inventory = combined(brokers)
    inventory["all"]["children"]["kafka_controller"]["hosts"] = {}
    for i in range(1, controllers + 1):
        inventory["all"]["hosts"][f"controller-{i}"] = {"kafka_node_id": 1000 + i, "ansible_port": 1}
        inventory["all"]["children"]["kafka_controller"]["hosts"][f"controller-{i}"] = None
    return inventory


def zookeeper_mode(members=3, brokers=3):
    hosts = {
        f"broker-{i}": {"kafka_node_id": i, "kafka_broker_rack": f"zone-{i}", "ansible_port": 1}
        for i in range(1, brokers + 1)
    }
    hosts.update({f"zookeeper-{i}": {"zookeeper_myid": i, "ansible_port": 1} for i in range(1, members + 1)})
    return {
        "all": {
            "vars": {"ansible_host": "127.0.0.1", "ansible_connection": "ssh", "kafka_mode": "zookeeper"},
            "hosts": hosts,
            "children": {
                "kafka_broker": {"hosts": {name: None for name in hosts if name.startswith("broker-")}},
                "kafka_controller": {"hosts": {}},
                "zookeeper": {"hosts": {name: None for name in hosts if name.startswith("zookeeper-")}},
            },
        }
    }


def with_host_var(inventory, host, **variables):
    changed = copy.deepcopy(inventory)
    changed["all"]["hosts"][host].update(variables)
    return changed


def with_group_var(inventory, **variables):
    changed = copy.deepcopy(inventory)
    changed["all"]["vars"].update(variables)
    return changed


def without_host_var(inventory, host, variable):
    changed = copy.deepcopy(inventory)
    del changed["all"]["hosts"][host][variable]
    return changed


def in_group(inventory, group, host, **variables):
    """`host` (added, on the closed port, if it is new) also in `group`, with `variables`."""
    changed = copy.deepcopy(inventory)
    changed["all"]["hosts"].setdefault(host, {"ansible_port": 1}).update(variables)
    changed["all"]["children"][group]["hosts"][host] = None
    return changed


CASES = {
    "even-controllers": (
        dedicated(controllers=2),
        "2 hosts in the group kafka_controller (controller-1, controller-2): "
        "a KRaft quorum needs an odd number",
    ),
    "duplicate-node-ids": (
        with_host_var(combined(), "kafka-3", kafka_node_id=1),
        "kafka_node_id 1 is used by more than one host: kafka-1, kafka-3",
    ),
    "missing-node-id": (
        without_host_var(combined(), "kafka-2", "kafka_node_id"),
        "kafka-2: kafka_node_id is not set",
    ),
    "broker-without-rack": (
        without_host_var(combined(), "kafka-2", "kafka_broker_rack"),
        "kafka-2: kafka_broker_rack is not set; every broker needs a rack",
    ),
    "replication-above-brokers": (
        with_group_var(combined(), kafka_default_replication_factor=5),
        "kafka-1: kafka_default_replication_factor 5 is more than the 3 brokers in the cluster",
    ),
    "min-isr-not-below-replication": (
        with_group_var(combined(), kafka_min_insync_replicas=3),
        "kafka-1: kafka_min_insync_replicas 3 must be below kafka_default_replication_factor 3",
    ),
    "zookeeper-mode-on-kafka-4": (
        with_group_var(combined(), kafka_mode="zookeeper", kafka_version="4.4.0"),
        "kafka-1: kafka_mode zookeeper with kafka_version 4.4.0: Kafka 4.0 removed ZooKeeper",
    ),
    "kraft-too-old": (
        with_group_var(combined(), kafka_version="3.7.2"),
        "kafka-1: kafka_version 3.7.2 is too old for kafka_mode kraft",
    ),
    "listener-ports-clash": (
        with_host_var(
            combined(),
            "kafka-1",
            kafka_listeners_extra=[
                {"name": "HOST", "port": 9093, "protocol": "PLAINTEXT", "advertised_host": "x"}
            ],
        ),
        "kafka-1: port 9093 is used by more than one listener (HOST, CONTROLLER)",
    ),
    "zookeeper-ensemble-on-kafka-4": (
        with_group_var(zookeeper_mode(), kafka_version="4.4.0"),
        "broker-1: kafka_mode zookeeper with kafka_version 4.4.0: Kafka 4.0 removed ZooKeeper. "
        "Stay on 3.9.x for ZooKeeper mode, or migrate the cluster to KRaft (kafka_mode: kraft)",
    ),
    "even-ensemble": (
        zookeeper_mode(members=4),
        "4 hosts in the group zookeeper (zookeeper-1, zookeeper-2, zookeeper-3, zookeeper-4): "
        "a ZooKeeper ensemble needs an odd number (1, 3 or 5)",
    ),
    "no-ensemble": (
        zookeeper_mode(members=0),
        "kafka_mode zookeeper needs an ensemble: put 1, 3 or 5 hosts in the group zookeeper",
    ),
    "duplicate-myid": (
        with_host_var(zookeeper_mode(), "zookeeper-3", zookeeper_myid=1),
        "zookeeper_myid 1 is used by more than one host: zookeeper-1, zookeeper-3",
    ),
    "myid-out-of-range": (
        with_host_var(zookeeper_mode(), "zookeeper-2", zookeeper_myid=256),
        "zookeeper-2: zookeeper_myid 256 must be a whole number from 1 to 255",
    ),
    "zookeeper-and-controller": (
        in_group(zookeeper_mode(), "kafka_controller", "zookeeper-2", kafka_node_id=1002),
        "zookeeper-2 is in both zookeeper and kafka_controller, which makes no sense in ZooKeeper mode",
    ),
    "controller-in-zookeeper-mode": (
        in_group(zookeeper_mode(), "kafka_controller", "controller-1", kafka_node_id=1001),
        "controller-1 is in the group kafka_controller, but kafka_mode is zookeeper",
    ),
    "kraft-with-an-ensemble": (
        in_group(with_group_var(zookeeper_mode(), kafka_mode="kraft"), "kafka_controller", "broker-1"),
        "kafka_mode is kraft, but the group zookeeper has hosts (zookeeper-1, zookeeper-2, zookeeper-3)",
    ),
    "broker-id-above-reserved": (
        with_host_var(zookeeper_mode(), "broker-3", kafka_node_id=1003),
        "broker-3: kafka_node_id 1003 is above 1000: in ZooKeeper mode it is the broker.id",
    ),
    "chroot-not-absolute": (
        with_group_var(zookeeper_mode(), kafka_zookeeper_chroot="kafka"),
        "broker-1: kafka_zookeeper_chroot 'kafka' must be an absolute ZooKeeper path like /kafka",
    ),
    "protocol-newer-than-release": (
        with_group_var(zookeeper_mode(), kafka_inter_broker_protocol_version="4.0"),
        "broker-1: kafka_inter_broker_protocol_version 4.0 is newer than kafka_version 3.9.2",
    ),
}


def deploy(inventory: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    hosts_file = tmp_path / "hosts.yml"
    hosts_file.write_text(yaml.safe_dump(inventory))
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(hosts_file), str(ROOT / "playbooks" / "deploy.yml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"},
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_inventory_stops_before_any_host_is_touched(case, tmp_path):
    inventory, reason = CASES[case]
    result = deploy(inventory, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert reason in " ".join(output.split()), output
    assert "PLAY [Prepare the hosts.]" not in output, "the play went past validation"
    recap = re.findall(r"^\S+\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)", output, re.M)
    assert recap, output
    assert all(changed == "0" and unreachable == "0" for changed, unreachable in recap), output


@pytest.mark.parametrize("inventory", [combined(), zookeeper_mode()], ids=["kraft", "zookeeper"])
def test_a_good_inventory_passes_validation_and_only_then_contacts_hosts(inventory, tmp_path):
    """The control case: the same inventories, well formed, get past validation to the hosts."""
    result = deploy(inventory, tmp_path)
    output = result.stdout + result.stderr
    assert "3 Kafka hosts checked: the cluster can be deployed." in output
    assert "PLAY [Prepare the hosts.]" in output
    assert "UNREACHABLE" in output
