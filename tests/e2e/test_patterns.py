"""Kafka's two messaging patterns and its replayable log, shown on the lab with real clients.

- Publish-subscribe: every consumer group of quote_accepted gets every message.
- Queue: the members of one group share trip_intent's six partitions; each message is processed
  once, by one member, and every member gets work.
- Going back in time: a consumer rewinds to the offsets of a timestamp and reads again from there;
  a retention setting removes old segments and the log start offset moves past them.

Three client implementations take part: confluent-kafka (librdkafka, from Python), kcat (the
Debian package, its own program on librdkafka) and Kafka's own Java client (ConsoleConsumer on a
node). Each test marks its messages with a run id, so messages of earlier runs on a kept lab are
ignored rather than counted; groups and scratch topics are named after the run.
"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from conftest import ROOT

# Client-side patterns and broker-side topics: the same on any controller layout, so the shapes
# with a different metadata store (KRaft, ZooKeeper) carry them, not the dedicated-controller one.
pytestmark = [pytest.mark.lab, pytest.mark.parametrize("lab_cluster", ["kraft", "zookeeper"], indirect=True)]

RUN = uuid.uuid4().hex[:8]
CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer"
WAIT_SECONDS = 60


# --- helpers ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ride_topics(lab_cluster):
    """The lab's ride-hailing topics, made by the kafka_topics role (a no-op when they exist)."""
    deploy = lab_cluster.run_playbook("topics.yml", timeout=300)
    assert deploy.returncode == 0, deploy.output[-4000:]
    return lab_cluster


@pytest.fixture(scope="module")
def admin(lab_cluster):
    return AdminClient(lab_cluster.rdkafka())


@pytest.fixture(scope="module")
def scratch_topics(admin):
    """Topics of this module's own, removed at the end so the shared cluster stays tidy."""
    created: list[str] = []

    def make(name: str, partitions: int, config: dict[str, str] | None = None) -> str:
        futures = admin.create_topics(
            [NewTopic(name, partitions, 3, config=config or {})], request_timeout=30
        )
        futures[name].result(timeout=30)
        created.append(name)
        wait_for_leaders(admin, name, partitions)
        return name

    yield make
    if created:
        for future in admin.delete_topics(created, request_timeout=30).values():
            future.result(timeout=30)


def wait_for_leaders(admin: AdminClient, topic: str, partitions: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        metadata = admin.list_topics(topic, timeout=10).topics.get(topic)
        if (
            metadata
            and len(metadata.partitions) == partitions
            and all(p.leader >= 0 for p in metadata.partitions.values())
        ):
            return
        time.sleep(0.5)
    raise AssertionError(f"{topic}: partitions without a leader after 30 s")


def produce(client: dict, topic: str, keys: list[str], timestamp_ms: int | None = None) -> dict[str, int]:
    """Send one message per key with acks=all; return {key: partition} from the delivery reports."""
    producer = Producer({**client, "acks": "all", "enable.idempotence": True})
    delivered: dict[str, int] = {}
    errors: list[str] = []

    def report(error, message):
        if error is not None:
            errors.append(str(error))
        else:
            delivered[message.key().decode()] = message.partition()

    for key in keys:
        extra = {"timestamp": timestamp_ms} if timestamp_ms is not None else {}
        producer.produce(
            topic, key=key, value=f"{RUN}:{key}", headers=[("run", RUN.encode())], on_delivery=report, **extra
        )
        producer.poll(0)
        while len(producer) > 10_000:
            producer.poll(0.1)
    assert producer.flush(30) == 0, "messages still unsent after 30 s"
    assert errors == [], errors
    assert len(delivered) == len(keys)
    return delivered


def ours(message) -> bool:
    return dict(message.headers() or []).get("run") == RUN.encode()


def consume_group(client: dict, topic: str, group: str, expected: int) -> list[str]:
    """Keys of this run's messages that one confluent-kafka consumer of `group` receives."""
    consumer = Consumer({**client, "group.id": group, "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    keys: list[str] = []
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        while len(keys) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            if ours(message):
                keys.append(message.key().decode())
    finally:
        consumer.close()
    return keys


def total_messages(client: dict, topic: str, partitions: int) -> int:
    """Every message the topic holds now (what a group reading from the start will see)."""
    probe = Consumer({**client, "group.id": f"probe-{RUN}"})
    try:
        return sum(
            high - low
            for low, high in (
                probe.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in range(partitions)
            )
        )
    finally:
        probe.close()


def kcat(lab, *args: str, timeout: int = WAIT_SECONDS) -> list[str]:
    """kcat as the lab's admin (lab/kcat: Debian's kcat on a librdkafka that speaks SCRAM to 4.x)."""
    command = [
        str(ROOT / "lab" / "kcat"),
        "-F",
        str(lab.librdkafka_properties),
        "-b",
        lab.bootstrap_servers,
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


# --- publish-subscribe --------------------------------------------------------------------------------


def test_publish_subscribe_every_group_gets_every_message(ride_topics):
    """analytics (confluent-kafka), dispatch (Kafka's Java console consumer) and billing (kcat) each
    subscribe to quote_accepted with a group of their own, and each gets all 300 messages."""
    lab, topic = ride_topics, "quote_accepted"
    keys = [f"accepted-{RUN}-{i}" for i in range(300)]
    produce(lab.rdkafka(), topic, keys)
    in_topic = total_messages(lab.rdkafka(), topic, 3)

    # The two command-line consumers run alongside the Python one.
    results: dict[str, list[str]] = {}

    def java_dispatch():
        output = lab.kafka_tool(
            lab.brokers[0], CONSOLE_CONSUMER,
            "--bootstrap-server", lab.internal_bootstrap(), "--consumer.config", lab.admin_config,
            "--topic", topic,
            "--group", f"dispatch-{RUN}", "--from-beginning",
            "--max-messages", str(in_topic), "--timeout-ms", str(WAIT_SECONDS * 1000),
            "--property", "print.key=true", "--property", "print.value=false",
        )  # fmt: skip
        results["dispatch"] = [key for key in output.split() if key.startswith(f"accepted-{RUN}-")]

    def kcat_billing():
        received = kcat(
            lab, "-G", f"billing-{RUN}", "-X", "auto.offset.reset=earliest",
            "-e", "-q", "-f", "%k\n", topic,
        )  # fmt: skip
        results["billing"] = [key for key in received if key.startswith(f"accepted-{RUN}-")]

    workers = [threading.Thread(target=java_dispatch), threading.Thread(target=kcat_billing)]
    for worker in workers:
        worker.start()
    results["analytics"] = consume_group(lab.rdkafka(), topic, f"analytics-{RUN}", len(keys))
    for worker in workers:
        worker.join(timeout=WAIT_SECONDS + 30)

    for group in ("analytics", "dispatch", "billing"):
        received = results.get(group, [])
        assert sorted(set(received)) == sorted(keys), f"{group}: {len(set(received))} of {len(keys)} messages"
        assert len(received) == len(keys), f"{group}: duplicates {Counter(received).most_common(3)}"


# --- queue --------------------------------------------------------------------------------------------


class Member(threading.Thread):
    """One member of a consumer group, polling in its own thread and logging what it processes."""

    def __init__(self, client: dict, topic: str, group: str, name: str, stop: threading.Event):
        super().__init__(name=name, daemon=True)
        self.stop, self.topic = stop, topic
        self.assigned: set[int] = set()
        self.processed: list[tuple[str, int]] = []
        self.errors: list[str] = []
        self.consumer = Consumer(
            {
                **client,
                "group.id": group,
                "client.id": name,
                "auto.offset.reset": "earliest",
                "partition.assignment.strategy": "range",
            }
        )

    def _on_assign(self, _consumer, partitions):
        self.assigned = {p.partition for p in partitions}

    def _on_revoke(self, _consumer, _partitions):
        self.assigned = set()

    def run(self):
        self.consumer.subscribe([self.topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
        try:
            while not self.stop.is_set():
                message = self.consumer.poll(0.2)
                if message is None:
                    continue
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        self.errors.append(str(message.error()))
                    continue
                if ours(message):
                    self.processed.append((message.key().decode(), message.partition()))
        finally:
            self.consumer.close()


def test_queue_each_message_is_processed_once_and_work_is_spread(ride_topics):
    """Three members of one group on trip_intent (6 partitions): 600 messages, each processed by
    exactly one member, every member gets some, and no partition is served by two members."""
    lab, topic = ride_topics, "trip_intent"
    stop = threading.Event()
    members = [Member(lab.rdkafka(), topic, f"dispatchers-{RUN}", f"dispatcher-{n}", stop) for n in (1, 2, 3)]
    for member in members:
        member.start()
    try:
        # Produce only once the group is settled: three members holding two partitions each.
        deadline, settled_since = time.monotonic() + WAIT_SECONDS, None
        while time.monotonic() < deadline:
            shares = [m.assigned for m in members]
            settled = all(shares) and set().union(*shares) == set(range(6)) and sum(map(len, shares)) == 6
            settled_since = (settled_since or time.monotonic()) if settled else None
            if settled_since and time.monotonic() - settled_since > 2:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the group did not settle: assignments {[sorted(m.assigned) for m in members]}")

        keys = [f"trip-{RUN}-{i}" for i in range(600)]
        partition_of = produce(lab.rdkafka(), topic, keys)
        deadline = time.monotonic() + WAIT_SECONDS
        while sum(len(m.processed) for m in members) < len(keys) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        for member in members:
            member.join(timeout=30)

    assert [m.errors for m in members] == [[], [], []]
    processed = [key for m in members for key, _ in m.processed]
    assert sorted(set(processed)) == sorted(keys), f"{len(set(processed))} of {len(keys)} processed"
    duplicates = [key for key, count in Counter(processed).items() if count > 1]
    assert duplicates == [], f"processed more than once: {duplicates[:5]}"
    counts = {m.name: len(m.processed) for m in members}
    assert all(counts.values()), f"a member got no work: {counts}"
    served = [{p for _, p in m.processed} for m in members]
    assert all(a.isdisjoint(b) for i, a in enumerate(served) for b in served[i + 1 :]), served
    assert set(partition_of.values()) == set(range(6)), "the keys did not reach every partition"
    print(f"queue spread over members: {counts}")


# --- going back in time -------------------------------------------------------------------------------


def test_a_consumer_rewinds_to_a_timestamp_and_reads_again(lab_cluster, scratch_topics):
    """200 messages stamped two minutes ago, 200 stamped one minute ago; after reading everything,
    a consumer seeks to the offsets for 90 seconds ago and gets exactly the second 200 again.
    kcat, asked for the same timestamp (-o s@...), agrees."""
    client = lab_cluster.rdkafka()
    topic = scratch_topics(f"patterns_replay_{RUN}", 3)
    now = int(time.time() * 1000)
    before = [f"before-{i}" for i in range(200)]
    after = [f"after-{i}" for i in range(200)]
    produce(client, topic, before, timestamp_ms=now - 120_000)
    produce(client, topic, after, timestamp_ms=now - 60_000)
    cut = now - 90_000

    consumer = Consumer({**client, "group.id": f"replay-{RUN}", "enable.auto.commit": False})
    partitions = [TopicPartition(topic, p) for p in range(3)]
    ends = {p.partition: consumer.get_watermark_offsets(p, timeout=10)[1] for p in partitions}
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(3)])
        first_pass = read_to_end(consumer, topic, ends)
        assert sorted(first_pass) == sorted(before + after)

        targets = consumer.offsets_for_times([TopicPartition(topic, p, cut) for p in range(3)], timeout=10)
        for target in targets:
            consumer.seek(target)
        replayed = read_to_end(consumer, topic, ends)
    finally:
        consumer.close()
    assert sorted(replayed) == sorted(after)

    by_kcat = kcat(lab_cluster, "-C", "-t", topic, "-o", f"s@{cut}", "-e", "-q", "-f", "%k\n")
    assert sorted(by_kcat) == sorted(after)


def read_to_end(consumer: Consumer, topic: str, ends: dict[int, int]) -> list[str]:
    """Keys read until every partition's position reaches the end offset taken before."""
    keys: list[str] = []
    partitions = [TopicPartition(topic, p) for p in ends]
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        positions = {tp.partition: tp.offset for tp in consumer.position(partitions)}
        if all(positions.get(p, -1) >= end for p, end in ends.items()):
            return keys
        message = consumer.poll(0.5)
        if message is not None and not message.error():
            keys.append(message.key().decode())
    raise AssertionError(f"{topic}: did not reach the end offsets {ends} within {WAIT_SECONDS} s")


def test_retention_removes_old_segments_and_the_log_start_moves(lab_cluster, scratch_topics):
    """A topic keeping 2 minutes of data: 100 messages stamped 10 minutes ago fill the first
    segment, the next 100 (stamped now) roll a new one; the old segment is deleted, the log start
    offset moves to 100, and a consumer from the beginning sees only the recent messages.

    The topic is compact,delete: Kafka enforces retention.ms of delete-only topics in the broker's
    retention check (log.retention.check.interval.ms, 5 minutes by default), but of compact,delete
    topics also in the log cleaner, every log.cleaner.backoff.ms (15 s), so the test sees it soon.
    """
    client = lab_cluster.rdkafka()
    topic = scratch_topics(
        f"patterns_retention_{RUN}",
        1,
        {"cleanup.policy": "compact,delete", "retention.ms": "120000", "segment.ms": "60000"},
    )
    old = [f"old-{i}" for i in range(100)]
    recent = [f"recent-{i}" for i in range(100)]
    produce(client, topic, old, timestamp_ms=int(time.time() * 1000) - 600_000)
    produce(client, topic, recent)

    probe = Consumer({**client, "group.id": f"retention-{RUN}"})
    partition = TopicPartition(topic, 0)
    try:
        deadline, low, high = time.monotonic() + 90, 0, 0
        while time.monotonic() < deadline:
            low, high = probe.get_watermark_offsets(partition, timeout=10, cached=False)
            if low > 0:
                break
            time.sleep(2)
        assert (low, high) == (100, 200), f"log start {low}, end {high}: the old segment was not removed"
        probe.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])  # the log start, wherever it is now
        remaining = read_to_end(probe, topic, {0: high})
    finally:
        probe.close()
    assert remaining == recent
