#!/usr/bin/env python3
"""Prove that an operation on a live cluster loses no acknowledged message.

Runs Kafka's own VerifiableProducer (acks=all, idempotence on) and VerifiableConsumer against the
cluster, runs the operation (any command) while they work, then stops the producer, lets the
consumer drain, and compares: every value the producer saw acknowledged must have been consumed.
This is how Kafka's own system tests judge a bounce.

  zero_loss.py --bootstrap-servers 127.0.0.1:19092 -- ansible-playbook playbooks/rolling_restart.yml

Prints one JSON report line (acked, consumed, lost, duplicates, duration); exits 1 when a message
was lost or the operation failed. The tools run on this machine from the controller's artifact
cache (deploy fills it), so it needs a JRE here and a route to the brokers' listeners.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

from confluent_kafka.admin import AdminClient, NewTopic

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "collections"))
from ansible_collections.kafkakit.kafka.plugins.module_utils import constants

CACHE = Path(os.environ.get("KAFKA_KIT_CACHE", Path.home() / ".cache" / "kafka-kit"))
PRODUCER_CONFIG = "enable.idempotence=true\nacks=all\ndelivery.timeout.ms=300000\nretries=2147483647\n"
TOOLS_LOG4J = """<Configuration status="WARN"><Appenders><Console name="e" target="SYSTEM_ERR">
<PatternLayout pattern="%p %m%n"/></Console></Appenders>
<Loggers><Root level="WARN"><AppenderRef ref="e"/></Root></Loggers></Configuration>
"""


def kafka_libs(version: str, scala: str = "2.13") -> Path:
    """The libs/ of a cached distribution, unpacked once next to the cache."""
    name = f"kafka_{scala}-{version}"
    libs = CACHE / "tools" / name / "libs"
    if not libs.is_dir():
        archive = CACHE / "artifacts" / f"{name}.tgz"
        if not archive.exists():
            sys.exit(f"zero_loss: {archive} is not cached; run the deploy playbook once to fill the cache")
        with tarfile.open(archive) as tar:
            tar.extractall(CACHE / "tools", filter="data")
    return libs


def consumer_config_option(version: str) -> str:
    """The consumer's config-file option, renamed like the producer's (KIP-1147)."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return "--command-config" if (major, minor) >= (4, 1) else "--consumer.config"


def producer_config_option(version: str) -> str:
    """Kafka 4.1 renamed the tools' config-file option (KIP-1147); 3.9 knows only the old name."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return "--command-config" if (major, minor) >= (4, 1) else "--producer.config"


def events(path: Path) -> list[dict]:
    found = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by the stop signal
    return found


def ack_times(produced: list[dict], start_ms: float, end_ms: float) -> list[float]:
    """When the acknowledgements that arrived between `start_ms` and `end_ms` did."""
    return sorted(
        float(e["timestamp"])
        for e in produced
        if e.get("name") == "producer_send_success" and start_ms <= float(e.get("timestamp", 0)) <= end_ms
    )


def longest_gap(times: list[float]) -> float:
    """The longest interval between consecutive times (ms)."""
    ordered = sorted(times)
    return max((later - earlier for earlier, later in itertools.pairwise(ordered)), default=0.0)


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f}s")
        time.sleep(0.5)


def stop(process: subprocess.Popen, timeout: float = 60) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_properties(path: Path | None) -> dict[str, str]:
    """The key=value entries of a client configuration file (comments skipped)."""
    if path is None:
        return {}
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "!")):
            key, _, value = line.partition("=")
            entries[key.strip()] = value.strip()
    return entries


def ensure_topic(args) -> None:
    client = AdminClient(
        {"bootstrap.servers": args.bootstrap_servers, **read_properties(args.librdkafka_config)}
    )
    if args.topic in client.list_topics(timeout=30).topics:
        return
    topic = NewTopic(
        args.topic,
        num_partitions=args.partitions,
        replication_factor=args.replication_factor,
        config={"min.insync.replicas": str(args.min_insync_replicas)},
    )
    client.create_topics([topic])[args.topic].result(timeout=60)


def parse_args() -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", default=f"zero-loss-{uuid.uuid4().hex[:8]}")
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--replication-factor", type=int, default=3)
    parser.add_argument("--min-insync-replicas", type=int, default=2)
    parser.add_argument("--throughput", type=int, default=200, help="messages per second")
    parser.add_argument(
        "--kafka-version",
        default=constants.default_kafka_version("kraft"),
        help="cached distribution whose tools run",
    )
    parser.add_argument("--settle", type=float, default=5, help="seconds of traffic after the operation")
    parser.add_argument("--drain-timeout", type=float, default=180)
    parser.add_argument("--label", default="", help="name of the operation in the report")
    parser.add_argument("--report", type=Path, help="also write the report here (JSON)")
    parser.add_argument(
        "--client-config", type=Path, help="security settings of the Java tools (client.properties)"
    )
    parser.add_argument(
        "--librdkafka-config", type=Path, help="the same for librdkafka (librdkafka.properties)"
    )
    parser.add_argument("operation", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args()
    operation = args.operation[1:] if args.operation[:1] == ["--"] else args.operation
    if not operation:
        parser.error("give the operation after --")
    return args, operation


def run_with_traffic(args: argparse.Namespace, operation: list[str], work: Path) -> dict:
    """Start consumer then producer, run the operation, stop the producer, drain the consumer."""
    libs = kafka_libs(args.kafka_version)
    security = args.client_config.read_text() if args.client_config else ""
    (work / "producer.properties").write_text(PRODUCER_CONFIG + security)
    (work / "consumer.properties").write_text(security)
    (work / "log4j2.xml").write_text(TOOLS_LOG4J)
    java = ["java", "-Xmx256m", f"-Dlog4j2.configurationFile={work / 'log4j2.xml'}", "-cp", f"{libs}/*"]
    common = ["--bootstrap-server", args.bootstrap_servers, "--topic", args.topic]
    consumer_out, producer_out = work / "consumer.jsonl", work / "producer.jsonl"

    def consumed_values() -> list[str]:
        return [e["value"] for e in events(consumer_out) if e.get("name") == "record_data"]

    # The tools' own complaints (a bad option, an unreachable cluster) go to <work>/*.log.
    with consumer_out.open("w") as out, (work / "consumer.log").open("w") as log:
        consumer = subprocess.Popen(
            [*java, "org.apache.kafka.tools.VerifiableConsumer", *common, "--verbose",
             "--group-id", f"zero-loss-{uuid.uuid4().hex[:8]}", "--reset-policy", "earliest",
             consumer_config_option(args.kafka_version), str(work / "consumer.properties")],
            stdout=out, stderr=log,
        )  # fmt: skip
    producer = None
    try:
        wait_for(lambda: any(e.get("name") == "partitions_assigned" for e in events(consumer_out)), 60,
                 f"the consumer's partition assignment (see {work}/consumer.log)")  # fmt: skip
        with producer_out.open("w") as out, (work / "producer.log").open("w") as log:
            producer = subprocess.Popen(
                [*java, "org.apache.kafka.tools.VerifiableProducer", *common, "--throughput",
                 str(args.throughput), "--acks", "-1", producer_config_option(args.kafka_version),
                 str(work / "producer.properties")],
                stdout=out, stderr=log,
            )  # fmt: skip
        wait_for(lambda: any(e.get("name") == "producer_send_success" for e in events(producer_out)), 60,
                 f"the first acknowledged message (see {work}/producer.log)")  # fmt: skip

        started, started_ms = time.monotonic(), time.time() * 1000
        result = subprocess.run(operation, capture_output=True, text=True, check=False)
        duration, ended_ms = time.monotonic() - started, time.time() * 1000
        (work / "operation.log").write_text(result.stdout + result.stderr)
        time.sleep(args.settle)
        stop(producer)

        produced = events(producer_out)
        acked = {e["value"] for e in produced if e.get("name") == "producer_send_success"}
        with contextlib.suppress(TimeoutError):  # the report says what is missing
            wait_for(
                lambda: acked <= set(consumed_values()), args.drain_timeout, "consuming every acked message"
            )
    finally:
        if producer is not None:
            stop(producer)
        stop(consumer)
    consumed = consumed_values()
    lost = sorted(acked - set(consumed), key=int)
    during = ack_times(produced, started_ms, ended_ms)
    return {
        "operation_rc": result.returncode,
        "duration_s": round(duration, 1),
        "acked": len(acked),
        # Writes kept being acknowledged while the operation ran, and the longest stretch without one.
        "acked_during": len(during),
        "longest_ack_gap_s": round(longest_gap([started_ms, *during, ended_ms]) / 1000, 1),
        "consumed": len(set(consumed) & acked),
        "lost": len(lost),
        "duplicates": len(consumed) - len(set(consumed)),
        "send_errors": sum(1 for e in produced if e.get("name") == "producer_send_error"),
        "lost_sample": lost[:10],
    }


def main() -> int:
    # A stopped check (CI timeout, Ctrl-C in another terminal) must not leave the producer and
    # consumer running: turn SIGTERM into an exit, so the `finally` that stops them runs.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    args, operation = parse_args()
    ensure_topic(args)
    work = Path(tempfile.mkdtemp(prefix="zero-loss-"))
    report = {
        "operation": args.label or " ".join(operation),
        **run_with_traffic(args, operation, work),
        "topic": args.topic,
        "logs": str(work),
    }
    print(json.dumps(report))
    if args.report:
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    if report["operation_rc"] != 0:
        print(f"zero_loss: the operation failed; its output is in {work}/operation.log", file=sys.stderr)
    return 0 if report["operation_rc"] == 0 and not report["lost"] and report["acked"] else 1


if __name__ == "__main__":
    sys.exit(main())
