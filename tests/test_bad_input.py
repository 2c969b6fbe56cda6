"""Bad inventories stop every playbook in its validation play, before any host is contacted.

One case of each kind of mistake goes through the real playbooks (tests/unit/test_contract.py holds
every case, in-process): KRaft and ZooKeeper mode, deploy and the day-2 playbooks, with and without
--limit. Every host points at a closed port: had a playbook gone past validation, it would have
failed as unreachable instead of with the reason asserted below.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "tests" / "unit"))

from contract_harness import (  # noqa: E402
    combined,
    dedicated,
    in_group,
    with_group_var,
    with_host_var,
    without_host_var,
    zookeeper_mode,
)

# (playbook, inventory, what the message says): one of each kind of mistake.
CASES = {
    "even-controllers": ("deploy.yml", dedicated(controllers=2), "2 hosts in the group kafka_controller"),
    "misspelt-group-variable": (
        "deploy.yml",
        with_group_var(combined(), kafka_broker_group="kafka_brokers"),
        "no brokers: the group kafka_brokers (kafka_broker_group) has no hosts",
    ),
    "duplicate-node-ids": (
        "deploy.yml",
        with_host_var(combined(), "kafka-3", kafka_node_id=1),
        "kafka_node_id 1 is used by more than one host: kafka-1, kafka-3",
    ),
    "broker-without-rack": (
        "rolling_restart.yml",
        without_host_var(combined(), "kafka-2", "kafka_broker_rack"),
        "kafka-2: kafka_broker_rack is not set",
    ),
    "min-isr-through-overrides": (
        "deploy.yml",
        with_group_var(combined(), kafka_server_properties={"min.insync.replicas": 3}),
        "kafka_server_properties sets min.insync.replicas",
    ),
    "replication-as-a-word": (
        "upgrade.yml",
        with_group_var(combined(), kafka_default_replication_factor="three"),
        "kafka_default_replication_factor 'three' must be a whole number",
    ),
    "advertised-host-with-port": (
        "deploy.yml",
        with_host_var(combined(), "kafka-3", kafka_advertised_host="kafka-3:9092"),
        "advertised_host 'kafka-3:9092' carries a port",
    ),
    "data-dir-off-the-disk": (
        "deploy.yml",
        with_group_var(combined(), host_prep_data_device="/dev/xvdb", kafka_data_dirs=["/var/kafka"]),
        "kafka_data_dirs[0] '/var/kafka' is not on the data disk",
    ),
    "heap-without-unit": (
        "deploy.yml",
        with_group_var(combined(), kafka_heap_size=4096),
        "kafka_heap_size '4096' must be auto or a size with a unit",
    ),
    "misspelt-variable": (
        "deploy.yml",
        with_group_var(combined(), kafka_min_insync_replica=2),
        "did you mean kafka_min_insync_replicas?",
    ),
    "topic-config-value": (
        "topics.yml",
        with_group_var(combined(), kafka_topics_list=[{"name": "orders", "config": {"retention.ms": "7d"}}]),
        "retention.ms '7d' must be a whole number",
    ),
    "cluster-id-on-one-host": (
        "rebalance.yml",
        with_host_var(combined(), "kafka-2", kafka_cluster_id="x1yZ2"),
        "kafka_cluster_id must be the same on every host",
    ),
    "release-that-does-not-exist": (
        "deploy.yml",
        with_group_var(combined(), kafka_version="3.9.9"),
        "kafka 3.9.9 (Scala 2.13): no such release on Maven",
    ),
    "zookeeper-mode-on-kafka-4": (
        "deploy.yml",
        with_group_var(zookeeper_mode(), kafka_version="4.4.0"),
        "Kafka 4.0 removed ZooKeeper. Stay on 3.9.x",
    ),
    "even-ensemble": ("deploy.yml", zookeeper_mode(members=4), "a ZooKeeper ensemble needs an odd number"),
    # A dedicated controller in ZooKeeper mode is staged for the migration (docs/migration.md); a broker
    # that is also a controller has no place there.
    "combined-node-in-zookeeper-mode": (
        "finalize_upgrade.yml",
        in_group(zookeeper_mode(), "kafka_controller", "broker-1"),
        "but kafka_mode is zookeeper: there are no KRaft controllers in ZooKeeper mode",
    ),
}


def run(playbook: str, inventory: dict, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    hosts_file = tmp_path / "hosts.yml"
    hosts_file.write_text(yaml.safe_dump(inventory))
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(hosts_file), str(ROOT / "playbooks" / playbook), *extra],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"},
    )


def assert_stopped_before_any_host(result: subprocess.CompletedProcess, reason: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert reason in " ".join(output.split()), output[-3000:]
    assert "no host was contacted" in output or "cannot be installed" in output, output[-3000:]
    plays = re.findall(r"^PLAY \[(.+?)\]", output, re.M)
    assert plays == ["Refuse an inventory without hosts.", "Check the inventory before touching any host."], (
        plays
    )
    recap = re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)", output, re.M)
    assert recap, output[-3000:]
    assert all(changed == "0" and unreachable == "0" for _, changed, unreachable in recap), output[-3000:]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_inventory_stops_before_any_host_is_touched(case, tmp_path):
    playbook, inventory, reason = CASES[case]
    assert_stopped_before_any_host(run(playbook, inventory, tmp_path), reason)


@pytest.mark.parametrize("playbook", ["deploy.yml", "rolling_restart.yml", "upgrade.yml", "rebalance.yml"])
def test_with_limit_the_whole_inventory_is_still_checked(playbook, tmp_path):
    """The mistake is on kafka-3; the run is limited to kafka-1: it stops all the same."""
    inventory = with_host_var(combined(), "kafka-3", kafka_node_id=1)
    result = run(playbook, inventory, tmp_path, "--limit", "kafka-1")
    assert_stopped_before_any_host(result, "kafka_node_id 1 is used by more than one host: kafka-1, kafka-3")


@pytest.mark.parametrize(
    "inventory", [combined(), zookeeper_mode(), dedicated()], ids=["kraft", "zookeeper", "dedicated"]
)
def test_a_good_inventory_passes_validation_and_only_then_contacts_hosts(inventory, tmp_path):
    """The control case: well formed, the same inventories get past validation to the hosts, which
    are unreachable (closed ports)."""
    result = run("deploy.yml", inventory, tmp_path)
    output = " ".join((result.stdout + result.stderr).split())
    assert "the cluster can be deployed" in output, output[-3000:]
    assert "PLAY [Prepare the Kafka hosts.]" in output
    assert "UNREACHABLE" in output


def test_a_good_inventory_with_limit_contacts_only_the_limited_host(tmp_path):
    result = run("rolling_restart.yml", combined(), tmp_path, "--limit", "kafka-2")
    output = result.stdout + result.stderr
    assert "3 Kafka hosts and 0 ZooKeeper hosts checked" in " ".join(output.split()), output[-3000:]
    unreachable = set(re.findall(r"^(?:fatal|UNREACHABLE!?)[^\[]*\[([\w-]+)", output, re.M))
    assert unreachable == {"kafka-2"}, output[-3000:]


def test_an_empty_inventory_fails_and_says_why(tmp_path):
    result = run("deploy.yml", {"all": {"hosts": {}}}, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "The inventory has no hosts" in output, output[-2000:]


def test_validation_of_a_50_host_inventory_is_quick(tmp_path):
    """Not a timed test (times are for the benchmark); it records how long it took."""
    started = time.monotonic()
    result = run("validate.yml", combined(50), tmp_path)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:]
    assert "50 Kafka hosts and 0 ZooKeeper hosts checked" in " ".join(result.stdout.split())
    print(f"validate.yml on 50 hosts: {elapsed:.1f}s", file=sys.stderr)
