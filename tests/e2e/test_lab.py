"""End to end on the lab: `make lab` from nothing, real clients, an idempotent re-run.

The tests run in file order on one shared cluster (see conftest.py) and build on each other:
the messages written first must survive the re-run. Restarts are day-2 tests (test_day2.py).
"""

from __future__ import annotations

import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

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


def test_a_rerun_changes_nothing_and_keeps_cluster_id_disks_and_messages(lab_cluster):
    ids_before, disks_before = cluster_ids(lab_cluster), filesystem_ids(lab_cluster)
    assert len(set(ids_before.values())) == 1

    lab_cluster.run_playbook("deploy.yml").assert_changed_nothing(lab_cluster.host_names)

    assert cluster_ids(lab_cluster) == ids_before
    assert filesystem_ids(lab_cluster) == disks_before
    assert len(set(consume_all(lab_cluster, MESSAGES))) == MESSAGES


def test_a_limited_run_checks_the_whole_inventory_and_acts_on_one_host(lab_cluster):
    """--limit: validation still sees every host (a node's settings are checked against the
    others'), while only the limited host is contacted."""
    one = lab_cluster.brokers[-1]
    limited = lab_cluster.run_playbook("deploy.yml", "--limit", one)
    limited.assert_changed_nothing([one])
    assert set(limited.recap) <= {one, "localhost"}, sorted(limited.recap)
    kafka_hosts = len(set(lab_cluster.brokers) | set(lab_cluster.controllers))
    assert (
        f"{kafka_hosts} Kafka hosts and {len(lab_cluster.zookeepers)} ZooKeeper hosts checked"
        in limited.output
    )
