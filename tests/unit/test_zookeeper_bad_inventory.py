"""Bad ZooKeeper-mode inventories stop `deploy.yml` in its validation plays, before any host is
contacted: each new rule, through the real playbook (the ensemble described by the zookeeper
role's member facts, checked by the kafka role).

Every host points at a closed port: had the playbook gone past validation, it would have failed
as unreachable instead of with the reason asserted below.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


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


def changed(inventory, host=None, group=None, **variables):
    result = copy.deepcopy(inventory)
    if host:
        result["all"]["hosts"].setdefault(host, {"ansible_port": 1}).update(variables)
    else:
        result["all"]["vars"].update(variables)
    if group:
        result["all"]["children"][group]["hosts"][host] = None
    return result


CASES = {
    "kafka-4": (
        changed(zookeeper_mode(), kafka_version="4.4.0"),
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
        changed(zookeeper_mode(), "zookeeper-3", zookeeper_myid=1),
        "zookeeper_myid 1 is used by more than one host: zookeeper-1, zookeeper-3",
    ),
    "myid-out-of-range": (
        changed(zookeeper_mode(), "zookeeper-2", zookeeper_myid=256),
        "zookeeper-2: zookeeper_myid 256 must be a whole number from 1 to 255",
    ),
    "zookeeper-and-controller": (
        changed(zookeeper_mode(), "zookeeper-2", group="kafka_controller", kafka_node_id=1002),
        "zookeeper-2 is in both zookeeper and kafka_controller, which makes no sense in ZooKeeper mode",
    ),
    "controller-in-zookeeper-mode": (
        changed(zookeeper_mode(), "controller-1", group="kafka_controller", kafka_node_id=1001),
        "controller-1 is in the group kafka_controller, but kafka_mode is zookeeper",
    ),
    "kraft-with-an-ensemble": (
        changed(changed(zookeeper_mode(), kafka_mode="kraft"), "broker-1", group="kafka_controller"),
        "kafka_mode is kraft, but the group zookeeper has hosts (zookeeper-1, zookeeper-2, zookeeper-3)",
    ),
    "broker-id-above-reserved": (
        changed(zookeeper_mode(), "broker-3", kafka_node_id=1003),
        "broker-3: kafka_node_id 1003 is above 1000: in ZooKeeper mode it is the broker.id",
    ),
    "chroot-not-absolute": (
        changed(zookeeper_mode(), kafka_zookeeper_chroot="kafka"),
        "broker-1: kafka_zookeeper_chroot 'kafka' must be an absolute ZooKeeper path like /kafka",
    ),
    "protocol-newer-than-release": (
        changed(zookeeper_mode(), kafka_inter_broker_protocol_version="4.0"),
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
def test_bad_zookeeper_mode_inventory_stops_before_any_host_is_touched(case, tmp_path):
    inventory, reason = CASES[case]
    result = deploy(inventory, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert reason in " ".join(output.split()), output
    assert "PLAY [Prepare the hosts.]" not in output, "the play went past validation"
    recap = re.findall(r"^\S+\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)", output, re.M)
    assert recap, output
    assert all(changed == "0" and unreachable == "0" for changed, unreachable in recap), output


def test_a_good_zookeeper_mode_inventory_passes_validation_and_only_then_contacts_hosts(tmp_path):
    result = deploy(zookeeper_mode(), tmp_path)
    output = result.stdout + result.stderr
    assert "3 Kafka hosts checked: the cluster can be deployed." in output
    assert "PLAY [Prepare the hosts.]" in output
    assert "UNREACHABLE" in output
