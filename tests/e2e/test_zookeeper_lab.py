"""End to end on the lab, ZooKeeper mode only: the ensemble, the brokers registered in their chroot,
the cluster id kept in ZooKeeper, the guard against a log dir of another cluster, and a rolling
restart of a ZooKeeper member under a running cluster.

These run after test_lab.py on the same cluster (see conftest.py), and leave it as they found it.
"""

from __future__ import annotations

import json
import shlex

import pytest

pytestmark = [pytest.mark.lab, pytest.mark.parametrize("lab_cluster", ["zookeeper"], indirect=True)]


def ensemble_servers(cluster) -> str:
    return ",".join(f"{member}:2181" for member in cluster.zookeepers)


def stored_cluster_id(cluster) -> str:
    answer = cluster.exec(cluster.zookeepers[0], "zookeeper-shell", "get", "/kafka/cluster/id")
    return json.loads(next(line for line in answer.splitlines() if line.startswith("{")))["id"]


def meta_properties(cluster, broker: str) -> dict[str, str]:
    text = cluster.exec(broker, "cat", "/data/kafka/meta.properties")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))


def test_the_ensemble_elects_a_leader_and_every_broker_registers_in_the_chroot(lab_cluster):
    assert len(lab_cluster.zookeepers) == 3
    output = " ".join(lab_cluster.first_deploy.output.split())
    assert "ensemble healthy: leader" in output
    assert f"brokers healthy: {len(lab_cluster.brokers)} registered in ZooKeeper" in output

    ensemble = lab_cluster.exec(lab_cluster.zookeepers[0], "zookeeper-health", "ensemble", "--servers",
                                ensemble_servers(lab_cluster))  # fmt: skip
    assert ensemble.startswith("ensemble healthy: leader"), ensemble
    assert ensemble.count("zookeeper-") == 3, ensemble
    registered = lab_cluster.exec(
        lab_cluster.brokers[0], "kafka-health", "zookeeper-brokers", "--zookeeper",
        lab_cluster.zookeeper_connect(), "--brokers", str(len(lab_cluster.brokers)),
    )  # fmt: skip
    assert registered.startswith("brokers healthy: 3 registered in ZooKeeper [1, 2, 3], controller "), (
        registered
    )


def test_brokers_run_the_newest_3_9_with_their_ids_chroot_and_pinned_protocol(lab_cluster):
    for number, broker in enumerate(lab_cluster.brokers, start=1):
        properties = lab_cluster.exec(broker, "cat", "/etc/kafka/server.properties")
        assert f"broker.id={number}\n" in properties
        assert "broker.id.generation.enable=false\n" in properties
        assert f"zookeeper.connect={lab_cluster.zookeeper_connect()}\n" in properties
        assert "inter.broker.protocol.version=3.9\n" in properties
        assert "min.insync.replicas=2\n" in properties
        assert "unclean.leader.election.enable=false\n" in properties
        assert "process.roles" not in properties
        unit = lab_cluster.exec(broker, "systemctl", "cat", "kafka.service")
        assert "/opt/kafka/kafka_2.13-3.9.2/libs/*" in unit
        assert "-Dlog4j.configuration=file:/etc/kafka/log4j.properties" in unit
    # Kafka 3.9 logs through reload4j: the broker writes server.log with the configuration rendered.
    server_log = lab_cluster.exec(lab_cluster.brokers[0], "cat", "/var/log/kafka/server.log")
    assert "started (kafka.server.KafkaServer)" in server_log


def test_every_log_dir_carries_the_cluster_id_kept_in_zookeeper(lab_cluster):
    cluster_id = stored_cluster_id(lab_cluster)
    for number, broker in enumerate(lab_cluster.brokers, start=1):
        meta = meta_properties(lab_cluster, broker)
        assert meta["cluster.id"] == cluster_id
        assert meta["broker.id"] == str(number)


def test_a_log_dir_of_another_cluster_stops_the_deploy_before_any_broker_is_touched(lab_cluster):
    broker, path = lab_cluster.brokers[-1], "/data/kafka/meta.properties"
    original = lab_cluster.exec(broker, "cat", path)
    stranger = "pWXcFG2nRDWyrmRgMwLsXA"
    forged = "".join(
        f"cluster.id={stranger}\n" if line.startswith("cluster.id=") else line + "\n"
        for line in original.splitlines()
    )
    pid_before = lab_cluster.exec(broker, "systemctl", "show", "--property", "MainPID", "--value", "kafka")
    # Rewrite in place (same owner and mode), as a disk moved over from another cluster would look.
    lab_cluster.exec(broker, "sh", "-c", f"printf %s {shlex.quote(forged)} > {path}")
    try:
        refused = lab_cluster.run_playbook("deploy.yml")
    finally:
        lab_cluster.exec(broker, "sh", "-c", f"printf %s {shlex.quote(original)} > {path}")
    output = " ".join(refused.output.split())
    assert refused.returncode != 0, refused.output[-3000:]
    assert "Refusing to start Kafka" in output
    assert (
        f"{broker}:/data/kafka carries cluster id {stranger}, but ZooKeeper (/kafka/cluster/id) holds"
        in output
    )
    assert refused.changed == 0, {host: r["changed"] for host, r in refused.recap.items()}
    pid_after = lab_cluster.exec(broker, "systemctl", "show", "--property", "MainPID", "--value", "kafka")
    assert pid_after == pid_before
    assert lab_cluster.exec(broker, "cat", path) == original


def test_a_zookeeper_member_restarts_behind_its_gate_and_the_brokers_stay(lab_cluster):
    member = lab_cluster.zookeepers[1]
    pid_before = lab_cluster.exec(
        member, "systemctl", "show", "--property", "MainPID", "--value", "zookeeper"
    )
    # zookeeper-restart returns only once every member serves again, one leader and the rest following.
    restarted = lab_cluster.exec(member, "/usr/local/sbin/zookeeper-restart", timeout=300)
    assert restarted.startswith("ensemble healthy: leader"), restarted
    pid_after = lab_cluster.exec(member, "systemctl", "show", "--property", "MainPID", "--value", "zookeeper")
    assert pid_after != pid_before
    registered = lab_cluster.exec(
        lab_cluster.brokers[0], "kafka-health", "--timeout", "60", "zookeeper-brokers", "--zookeeper",
        lab_cluster.zookeeper_connect(), "--brokers", str(len(lab_cluster.brokers)),
    )  # fmt: skip
    assert registered.startswith("brokers healthy: 3 registered in ZooKeeper"), registered
    partitions = lab_cluster.exec(
        lab_cluster.brokers[0],
        "kafka-health",
        "partitions",
        "--bootstrap-server",
        lab_cluster.internal_bootstrap(),
    )
    assert "partitions healthy" in partitions
