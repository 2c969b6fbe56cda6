"""Day-2 operations on a live cluster lose no acknowledged message.

Every operation runs under scripts/zero_loss.py: Kafka's VerifiableProducer (acks=all, idempotent)
and VerifiableConsumer work against an RF=3, min.insync.replicas=2 topic while it runs; afterwards
every acknowledged message must have been consumed and the cluster must be healthy. The tests run
in file order, after every other test of their mode (conftest.py): the rolling restart on both
modes' clusters, then the rest on the KRaft cluster, which starts on Kafka 4.3.1, is upgraded to
4.4.0 and grows from 3 to 4 brokers. Each report is written to results/day2/.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml
from conftest import BIN, KRAFT_FROM_VERSION, KRAFT_TO_VERSION, ROOT, under_traffic

pytestmark = [pytest.mark.lab, pytest.mark.day2]
# After the rolling restart (both modes), the operations run on the KRaft cluster only.
kraft_only = pytest.mark.parametrize("lab_cluster", ["kraft"], indirect=True)


def playbook(cluster, name: str, *extra: str) -> list[str]:
    return [
        str(BIN / "ansible-playbook"),
        "-i",
        str(cluster.inventory),
        str(ROOT / "playbooks" / name),
        *extra,
    ]


def assert_healthy(cluster) -> None:
    out = cluster.exec(cluster.brokers[0], "kafka-health", "--timeout", "120", "partitions",
                       "--bootstrap-server", cluster.internal_bootstrap())  # fmt: skip
    assert "partitions healthy" in out


def admin_tool(cluster, main_class: str, *args: str) -> str:
    """A Kafka admin tool run on the first broker against the internal listeners."""
    return cluster.kafka_tool(
        cluster.brokers[0], main_class, "--bootstrap-server", cluster.internal_bootstrap(), *args
    )


def finalized_metadata_version(cluster) -> str:
    features = admin_tool(cluster, "org.apache.kafka.tools.FeatureCommand", "describe")
    line = next(line for line in features.splitlines() if "metadata.version" in line)
    return re.search(r"FinalizedVersionLevel:\s*(\S+)", line).group(1)


def test_a_rolling_restart_restarts_every_node_and_loses_nothing(lab_cluster):
    before = lab_cluster.kafka_pids()
    report = under_traffic(
        lab_cluster, f"rolling restart ({lab_cluster.mode})", *playbook(lab_cluster, "rolling_restart.yml")
    )
    assert report["consumed"] == report["acked"]
    after = lab_cluster.kafka_pids()
    assert all(after[host] != before[host] for host in before), (before, after)
    assert_healthy(lab_cluster)


@kraft_only
def test_a_config_change_restarts_one_node_at_a_time_and_loses_nothing(lab_cluster):
    before = lab_cluster.kafka_pids()
    change = json.dumps({"kafka_server_properties": {"log.cleaner.threads": 2}})
    under_traffic(
        lab_cluster, "config change (deploy.yml)", *playbook(lab_cluster, "deploy.yml", "-e", change)
    )
    after = lab_cluster.kafka_pids()
    assert all(after[host] != before[host] for host in before), (before, after)
    for host in lab_cluster.brokers:
        assert "log.cleaner.threads=2" in lab_cluster.exec(host, "cat", "/etc/kafka/server.properties")
    assert_healthy(lab_cluster)
    rerun = lab_cluster.run_playbook("deploy.yml", "-e", change)
    assert rerun.returncode == 0 and rerun.changed == 0, rerun.output[-3000:]
    assert lab_cluster.kafka_pids() == after


@kraft_only
def test_kill_9_of_a_broker_loses_nothing(lab_cluster):
    victim = lab_cluster.container(lab_cluster.brokers[1])
    script = (
        f"docker exec {victim} pkill -9 -f kafka.Kafka && sleep 15 && "
        f"docker exec {victim} kafka-health --timeout 240 brokers --bootstrap-server "
        f"{lab_cluster.brokers[1]}:9092 --brokers {len(lab_cluster.brokers)} && "
        f"docker exec {victim} kafka-health --timeout 240 partitions "
        f"--bootstrap-server {lab_cluster.brokers[1]}:9092"
    )
    under_traffic(lab_cluster, "kill -9 of one broker", "sh", "-c", script)
    assert_healthy(lab_cluster)


@kraft_only
def test_the_restart_gate_refuses_when_another_broker_is_down(lab_cluster):
    down, asked = lab_cluster.brokers[2], lab_cluster.brokers[1]
    asked_id = next(h["node_id"] for h in lab_cluster.hosts if h["name"] == asked)
    lab_cluster.exec(down, "systemctl", "stop", "kafka")
    try:
        pid_before = lab_cluster.kafka_pids()[asked]
        safe = subprocess.run(
            ["docker", "exec", lab_cluster.container(asked), "kafka-health", "safe-to-stop",
             "--bootstrap-server", f"{asked}:9092", "--broker", str(asked_id), "--default-min-isr", "2"],
            capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert safe.returncode != 0
        assert "would take partitions below min ISR" in safe.stderr, safe.stderr
        # The node is a controller too, so its quorum gate may refuse first: either way, no stop.
        gate = subprocess.run(
            ["docker", "exec", lab_cluster.container(asked), "/usr/local/sbin/kafka-restart"],
            capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert gate.returncode != 0
        assert any(
            reason in gate.stderr
            for reason in ("would take partitions below min ISR", "voters not caught up")
        ), gate.stderr
        assert lab_cluster.kafka_pids()[asked] == pid_before, "the gate let the broker stop"
    finally:
        lab_cluster.exec(down, "systemctl", "start", "kafka")
    assert_healthy(lab_cluster)


@kraft_only
def test_a_patch_upgrade_is_rolled_without_loss_and_finalized_separately(lab_cluster):
    inventory = yaml.safe_load(lab_cluster.inventory.read_text())
    inventory["all"]["vars"]["kafka_version"] = KRAFT_TO_VERSION
    lab_cluster.inventory.write_text(yaml.safe_dump(inventory, sort_keys=True))

    under_traffic(
        lab_cluster,
        f"upgrade {KRAFT_FROM_VERSION} to {KRAFT_TO_VERSION}",
        *playbook(lab_cluster, "upgrade.yml"),
    )
    for host in lab_cluster.brokers:
        command_line = lab_cluster.exec(host, "systemctl", "show", "--property", "ExecStart", "kafka")
        assert f"kafka_2.13-{KRAFT_TO_VERSION}/libs" in command_line
    assert finalized_metadata_version(lab_cluster).startswith("4.3-"), (
        "the upgrade must not finalize by itself"
    )

    lab_cluster.refresh()
    assert lab_cluster.kafka_version == KRAFT_TO_VERSION
    finalize = lab_cluster.run_playbook("finalize_upgrade.yml")
    assert finalize.returncode == 0, finalize.output[-3000:]
    assert finalized_metadata_version(lab_cluster).startswith("4.4-")
    assert_healthy(lab_cluster)


@kraft_only
def test_scale_out_from_3_to_4_brokers_with_a_rebalance_loses_nothing(lab_cluster):
    grow = (
        f"{BIN / 'python'} {ROOT / 'lab' / 'lab.py'} --name {lab_cluster.name} up --brokers 4 "
        f"--controllers 0 --kafka-version {KRAFT_TO_VERSION} --port-offset {lab_cluster.port_offset} && "
        + " ".join(playbook(lab_cluster, "deploy.yml"))
        + " && "
        + " ".join(playbook(lab_cluster, "rebalance.yml"))
    )
    under_traffic(lab_cluster, "scale-out 3 to 4 brokers with rebalance", "sh", "-c", grow)
    lab_cluster.refresh()
    assert len(lab_cluster.brokers) == 4
    describe = admin_tool(lab_cluster, "org.apache.kafka.tools.TopicCommand", "--describe")
    on_new_broker = [line for line in describe.splitlines() if re.search(r"Replicas: [\d,]*\b4\b", line)]
    assert on_new_broker, "the rebalance left the new broker empty"
    rebalance_again = lab_cluster.run_playbook("rebalance.yml")
    assert rebalance_again.returncode == 0 and rebalance_again.changed == 0, rebalance_again.output[-3000:]
    assert_healthy(lab_cluster)
