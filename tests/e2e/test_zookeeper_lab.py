"""End to end on the lab, ZooKeeper mode only: the ensemble, the brokers registered in their chroot,
the cluster id kept in ZooKeeper, the guard against a log dir of another cluster, and a rolling
restart of a ZooKeeper member (through deploy.yml's serial play) under a running cluster.

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

    rc, ensemble = lab_cluster.gate(lab_cluster.zookeepers[0], "zookeeper_ensemble",
                                    servers=ensemble_servers(lab_cluster).split(","))  # fmt: skip
    assert rc == 0 and ensemble.startswith("ensemble healthy: leader"), ensemble
    assert ensemble.count("zookeeper-") == 3, ensemble
    rc, registered = lab_cluster.gate(
        lab_cluster.brokers[0], "zookeeper_brokers", zookeeper=lab_cluster.zookeeper_connect(),
        brokers=len(lab_cluster.brokers),
    )  # fmt: skip
    assert rc == 0, registered
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
    assert set(lab_cluster.data_hosts) <= set(refused.recap), refused.output[-2000:]
    assert refused.changed == 0, {host: r["changed"] for host, r in refused.recap.items()}
    pid_after = lab_cluster.exec(broker, "systemctl", "show", "--property", "MainPID", "--value", "kafka")
    assert pid_after == pid_before
    assert lab_cluster.exec(broker, "cat", path) == original


def pid_of(cluster, host: str, service: str) -> str:
    return cluster.exec(host, "systemctl", "show", "--property", "MainPID", "--value", service).strip()


def test_a_member_waiting_for_a_restart_is_restarted_behind_its_gate_and_the_brokers_stay(lab_cluster):
    """A member whose configuration changed in a run that failed before its restart (its marker
    left): the next deploy restarts it, alone, behind the ensemble's gate."""
    member = lab_cluster.zookeepers[1]
    before = {host: pid_of(lab_cluster, host, "zookeeper") for host in lab_cluster.zookeepers}
    lab_cluster.exec(member, "sh", "-c", "echo /etc/zookeeper/zoo.cfg > /etc/zookeeper/.restart-pending")
    deploy = lab_cluster.run_playbook("deploy.yml")
    assert deploy.returncode == 0, deploy.output[-4000:]
    after = {host: pid_of(lab_cluster, host, "zookeeper") for host in lab_cluster.zookeepers}
    assert after[member] != before[member]
    assert {h: p for h, p in after.items() if h != member} == {h: p for h, p in before.items() if h != member}
    assert lab_cluster.exec(member, "ls", "-A", "/etc/zookeeper").split().count(".restart-pending") == 0
    assert {host for host, r in deploy.recap.items() if r["changed"]} == {member}
    rc, registered = lab_cluster.gate(
        lab_cluster.brokers[0], "zookeeper_brokers", zookeeper=lab_cluster.zookeeper_connect(),
        brokers=len(lab_cluster.brokers), timeout=60,
    )  # fmt: skip
    assert rc == 0 and registered.startswith("brokers healthy: 3 registered in ZooKeeper"), registered
    lab_cluster.assert_partitions_healthy()
