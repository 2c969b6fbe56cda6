"""End to end on the lab: `make lab` from nothing, real clients, an idempotent re-run.

The tests run in file order on one shared cluster (see conftest.py) and build on each other:
the messages written first must survive the re-run. Restarts are day-2 tests (test_day2.py).
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from conftest import ROOT, parse_recap

pytestmark = pytest.mark.lab

TOPIC = "e2e-orders"
MESSAGES = 1000


def admin(cluster) -> AdminClient:
    return AdminClient(cluster.rdkafka())


def consume_all(cluster, expected: int, timeout: float = 90) -> list[str]:
    """Read the topic from the beginning with a new consumer group until `expected` messages."""
    consumer = Consumer(
        {
            **cluster.rdkafka(),
            "group.id": f"e2e-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([TOPIC])
    values, deadline = [], time.monotonic() + timeout
    try:
        while len(values) < expected and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                values.append(message.value().decode())
    finally:
        consumer.close()
    return values


def cluster_ids(cluster) -> dict[str, str]:
    ids = {}
    for host in cluster.brokers:
        meta = cluster.exec(host, "cat", "/data/kafka/meta.properties")
        ids[host] = next(
            line.split("=", 1)[1] for line in meta.splitlines() if line.startswith("cluster.id=")
        )
    return ids


def filesystem_ids(cluster) -> dict[str, str]:
    command = ("blkid", "--probe", "--match-tag", "UUID", "--output", "value", "/dev/xvdb")
    return {host: cluster.exec(host, *command).strip() for host in cluster.data_hosts}


def test_make_lab_deploys_a_healthy_cluster_from_nothing(lab_cluster):
    deploy = lab_cluster.first_deploy
    assert deploy.recap, deploy.output[-3000:]
    assert all(host["failed"] == 0 and host["unreachable"] == 0 for host in deploy.recap.values())
    if lab_cluster.mode == "zookeeper":
        assert "ensemble healthy: leader" in deploy.output
        assert f"brokers healthy: {len(lab_cluster.brokers)} registered in ZooKeeper" in deploy.output
    else:
        assert "quorum healthy" in deploy.output
        assert f"brokers healthy: {len(lab_cluster.brokers)} registered and unfenced" in deploy.output
    # The blank loop devices were formatted XFS and mounted with noatime, as an EBS volume would be.
    for host in lab_cluster.data_hosts:
        mount = lab_cluster.exec(host, "findmnt", "--noheadings", "--output", "FSTYPE,OPTIONS", "/data")
        assert mount.split()[0] == "xfs", mount
        assert "noatime" in mount, mount
    servers = lab_cluster.bootstrap_servers.split(",")
    assert len(servers) == len(lab_cluster.brokers)
    assert all(server.startswith("127.0.0.1:") for server in servers)


def test_a_real_client_writes_with_acks_all_and_reads_everything_back(lab_cluster):
    client = admin(lab_cluster)  # keep a reference: the futures die with their client
    futures = client.create_topics(
        [NewTopic(TOPIC, num_partitions=6, replication_factor=3, config={"min.insync.replicas": "2"})]
    )
    futures[TOPIC].result(timeout=60)
    producer = Producer({**lab_cluster.rdkafka(), "acks": "all", "enable.idempotence": True})
    acked = []
    for number in range(MESSAGES):
        producer.produce(
            TOPIC,
            key=str(number % 17),
            value=f"order-{number}",
            on_delivery=lambda err, msg: acked.append(msg.value().decode()) if err is None else None,
        )
    assert producer.flush(60) == 0
    assert len(acked) == MESSAGES

    values = consume_all(lab_cluster, MESSAGES)
    assert sorted(values) == sorted(f"order-{n}" for n in range(MESSAGES))


# On dedicated controllers, make test's no-op re-run is the one that closes the certificate
# rotation (test_day2.py), a stronger case: 195 s a run on 7 hosts is too much to pay twice.
@pytest.mark.slow_on("dedicated")
def test_a_rerun_changes_nothing_and_keeps_cluster_id_disks_and_messages(lab_cluster):
    ids_before, disks_before = cluster_ids(lab_cluster), filesystem_ids(lab_cluster)
    assert len(set(ids_before.values())) == 1

    lab_cluster.run_playbook("deploy.yml").assert_changed_nothing(lab_cluster.host_names)

    assert cluster_ids(lab_cluster) == ids_before
    assert filesystem_ids(lab_cluster) == disks_before
    assert len(set(consume_all(lab_cluster, MESSAGES))) == MESSAGES


GROW_TASK = "Grow the filesystem to the size of its device."


def data_size(cluster, host: str) -> int:
    return int(cluster.exec(host, "findmnt", "--bytes", "--noheadings", "--output", "SIZE", "/data"))


def kafka_pid(cluster, host: str) -> str:
    return cluster.exec(host, "systemctl", "show", "--property", "MainPID", "--value", "kafka").strip()


def changed_tasks(output: str) -> list[str]:
    """The names of the tasks that reported a change, from the play log."""
    tasks, current = [], ""
    for line in output.splitlines():
        if line.startswith("TASK ["):
            current = line[len("TASK [") : line.rindex("]")]
        elif line.startswith("changed: ["):
            tasks.append(current)
    return tasks


# Validation, --limit and growing a filesystem do not depend on the controller layout.
@pytest.mark.slow_on("dedicated")
def test_a_limited_run_checks_the_whole_inventory_acts_on_one_host_and_grows_its_disk(lab_cluster):
    """--limit: validation still sees every host (a node's settings are checked against the
    others'), while only the limited host is contacted. Its data disk grew first (a larger loop
    file, as ModifyVolume grows an EBS volume): the run grows the filesystem online, under the
    running broker, and changes nothing else."""
    one = lab_cluster.brokers[-1]
    disk = lab_cluster.state / "disks" / f"{one}.img"
    loop = subprocess.run(["losetup", "--associated", str(disk), "--output", "NAME", "--noheadings"],
                          capture_output=True, text=True, check=True).stdout.split()[0]  # fmt: skip
    size_before = int(
        lab_cluster.exec(one, "findmnt", "--bytes", "--noheadings", "--output", "SIZE", "/data")
    )
    pid_before = lab_cluster.exec(one, "systemctl", "show", "--property", "MainPID", "--value", "kafka")
    subprocess.run(["truncate", "--size", "+2G", str(disk)], check=True)
    subprocess.run(["losetup", "--set-capacity", loop], check=True)

    limited = lab_cluster.run_playbook("deploy.yml", "--limit", one)

    assert limited.returncode == 0, limited.output[-4000:]
    assert set(limited.recap) <= {one, "localhost"}, sorted(limited.recap)
    assert changed_tasks(limited.output) == [
        "kafkakit.kafka.host_prep : Grow the filesystem to the size of its device."
    ]
    kafka_hosts = len(set(lab_cluster.brokers) | set(lab_cluster.controllers))
    assert (
        f"{kafka_hosts} Kafka hosts and {len(lab_cluster.zookeepers)} ZooKeeper hosts checked"
        in limited.output
    )
    size_after = int(lab_cluster.exec(one, "findmnt", "--bytes", "--noheadings", "--output", "SIZE", "/data"))
    assert size_after - size_before > 1.8 * 2**30, (size_before, size_after)
    assert (
        lab_cluster.exec(one, "systemctl", "show", "--property", "MainPID", "--value", "kafka") == pid_before
    )
    assert len(set(consume_all(lab_cluster, MESSAGES))) == MESSAGES


@pytest.mark.slow
def test_make_lab_with_the_mitogen_strategy_changes_nothing_on_the_running_lab(lab_cluster):
    """STRATEGY=mitogen (README): the same converged lab, re-run under Mitogen's strategy."""
    env = {**os.environ, "LAB": lab_cluster.name, "LAB_PORT_OFFSET": str(lab_cluster.port_offset),
           "MODE": lab_cluster.mode, "BROKERS": str(len(lab_cluster.brokers)), "STRATEGY": "mitogen",
           "KAFKA_VERSION": lab_cluster.kafka_version}  # fmt: skip
    if lab_cluster.shape == "dedicated":
        env["CONTROLLERS"] = str(len(lab_cluster.controllers))
    result = subprocess.run(["make", "--no-print-directory", "lab"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "mitogen does not load" not in output
    assert (
        "mitogen_linear"
        in subprocess.run(
            ["make", "-p", "-n", "lab", "STRATEGY=mitogen"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    )
    changed = {host: r["changed"] for host, r in parse_recap(output).items() if r["changed"]}
    assert set(lab_cluster.host_names) <= set(parse_recap(output)) and changed == {}
