#!/usr/bin/env python3
"""Benchmark a lab cluster with a librdkafka client on the host: the kit's tuning against Kafka's
stock settings on the same nodes, in alternating rounds, beside a limit of the machine measured in
the same run.

  bench/run.py [--rounds N] [--warmup-rounds N] [--seconds S] [--record-size BYTES]
               [--latency-rate N] [--latency-seconds S] [--scaling] [--keep]
  bench/run.py --render    (results.md, results.png and the README's table again from results.json, no run)

1. Brings up its own lab ("bench", ports shifted by 500) with 3 combined nodes, timing the first
   deploy (playbooks/deploy.yml), an idempotent re-run and a second no-op re-run.
2. The limit: the same client against one broker (a topic of replication factor 1 whose
   partitions all lead on one node), and the data disk's raw sequential write rate (dd with
   oflag=direct on the log dir's filesystem inside a broker container).
3. Rounds alternate tuned, stock, tuned, stock, ...: "tuned" is the cluster as the roles configure
   it (deploy.yml), "stock" is deploy.yml with bench/stock.yml (Kafka's stock value for every tuned
   setting), a rolling restart either way, then --warmup-rounds untimed rounds (restarted JVMs
   answer the paced records in seconds until warm). Each round, on a fresh RF=3 topic of 6 partitions with
   min.insync.replicas=2 and acks=all: a paced produce (per-message delivery latency from the
   delivery callback), a full-speed produce for --seconds, and a consume of everything it wrote.
   Every round records the load average at its start and end and the client's CPU time against
   wall time (a client near 1.0 CPU-s per s is the bottleneck, not the cluster).
4. Unless told --scaling is skipped: a fresh lab of 5 nodes, timing its first deploy and re-run.
5. Writes results/bench/results.md (medians, spread, ratios, share of the limit), results.png and
   results.json (every round's raw figures), and the README's table between its bench-table markers.

The client is confluent-kafka (librdkafka) in this process on the host, reaching the brokers'
published listeners with the lab's admin settings (lab/.state/bench/librdkafka.properties); the
brokers and the client still share the machine's cores, which the CPU and load figures show.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The collection's shared parsers (the checkout is the collection kafkakit.kafka, linked from collections/).
sys.path.insert(0, str(ROOT / "collections"))
from ansible_collections.kafkakit.kafka.plugins.module_utils import properties, tool_output  # noqa: E402

BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "results" / "bench"
LAB = "bench"
PORT_OFFSET = 500
MB = 1_000_000  # MB/s here is 10^6 bytes per second, for the client and dd alike
# Settings of the librdkafka properties file that may be written to the results (never a secret).
SHOWN_SETTINGS = ("security.protocol", "sasl.mechanism")
# The options of a run that its results record.
SETTINGS = ("rounds", "warmup_rounds", "seconds", "record_size", "latency_rate", "latency_seconds")


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(argv: list[str], timeout: int, env: dict | None = None) -> str:
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT, env=env
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-3000:]
        raise SystemExit(f"bench: {' '.join(argv[:4])}... failed (exit {result.returncode}):\n{tail}")
    return result.stdout + result.stderr


# --- pure logic (tests/unit/test_bench.py) ------------------------------------------------------------


def parse_bootstrap(output: str) -> str:
    """The servers of the last `bootstrap.servers=...` line `lab.py bootstrap` prints."""
    found = [
        line.partition("=")[2].strip()
        for line in output.splitlines()
        if line.startswith("bootstrap.servers=")
    ]
    if not found or not found[-1]:
        raise ValueError("no bootstrap.servers=... line")
    return found[-1]


_DD = re.compile(r"^(\d+) bytes .* copied, ([\d.]+) s", re.M)


def parse_dd(output: str) -> dict:
    """dd's summary line: bytes and seconds, and the rate in MB/s (10^6 bytes) computed from them
    (dd's own figure switches units with its size)."""
    found = _DD.findall(output)
    if not found:
        raise ValueError(f"no dd summary in: {output[-500:]}")
    size, seconds = int(found[-1][0]), float(found[-1][1])
    return {"bytes": size, "seconds": seconds, "mb_per_sec": round(size / MB / seconds, 1)}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def throughput(records: int, record_size: int, seconds: float) -> dict:
    return {
        "records": records,
        "seconds": round(seconds, 3),
        "records_per_sec": round(records / seconds, 1) if seconds > 0 else 0.0,
        "mb_per_sec": round(records * record_size / MB / seconds, 2) if seconds > 0 else 0.0,
    }


def latency(latencies_ms: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(latencies_ms, 50), 1),
        "p99_ms": round(percentile(latencies_ms, 99), 1),
        "max_ms": round(max(latencies_ms), 1),
    }


def spread(values: list[float]) -> dict:
    """Median and range of one metric over rounds."""
    if not values:
        raise ValueError("no values")
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


# (label, phase, key, higher is better)
METRICS = (
    ("Produce, full speed: records/s", "produce", "records_per_sec", True),
    ("Produce, full speed: MB/s", "produce", "mb_per_sec", True),
    ("Produce, full speed: p50 latency ms", "produce", "p50_ms", False),
    ("Produce, full speed: p99 latency ms", "produce", "p99_ms", False),
    ("Produce, paced: p50 latency ms", "paced", "p50_ms", False),
    ("Produce, paced: p99 latency ms", "paced", "p99_ms", False),
    ("Consume: records/s", "consume", "records_per_sec", True),
    ("Consume: MB/s", "consume", "mb_per_sec", True),
    ("Client CPU, full-speed produce: CPU-s per s", "produce", "cpu_per_wall", False),
    ("Client CPU, consume: CPU-s per s", "consume", "cpu_per_wall", False),
)


def summarize(rounds: list[dict]) -> dict:
    """{config: {"phase.key": spread}} over the rounds of each config."""
    configs = sorted({r["config"] for r in rounds})
    summary = {}
    for config in configs:
        mine = [r for r in rounds if r["config"] == config]
        summary[config] = {
            f"{phase}.{key}": spread([r[phase][key] for r in mine]) for _, phase, key, _ in METRICS
        }
    return summary


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def ratios(summary: dict) -> dict:
    """tuned / stock of the medians, per metric."""
    tuned, stock = summary["tuned"], summary["stock"]
    return {metric: ratio(tuned[metric]["median"], stock[metric]["median"]) for metric in tuned}


def shares(summary: dict, limit: dict) -> dict:
    """Each config's median throughput as a share of the one-node RF=1 figure of the same kind."""
    out = {}
    for config, metrics in summary.items():
        out[config] = {}
        for metric in ("produce.mb_per_sec", "consume.mb_per_sec"):
            phase, key = metric.split(".")
            out[config][metric] = ratio(metrics[metric]["median"], limit["one_node"][phase][key])
    return out


def alternation(configs: list[str], rounds: int) -> list[str]:
    """tuned, stock, tuned, stock, ...: `rounds` of each, interleaved."""
    return [config for _ in range(rounds) for config in configs]


def settings_diff(tuned: dict[str, str], stock: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {
        key: (tuned.get(key, "(default)"), stock.get(key, "(default)"))
        for key in sorted(set(tuned) | set(stock))
        if tuned.get(key) != stock.get(key)
    }


def number(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"


def metric_table(summary: dict, ratio_of: dict, share_of: dict) -> list[str]:
    out = [
        "| Metric | Tuned (kit): median | Tuned: min - max | Stock: median | Stock: min - max "
        "| Tuned / stock | Tuned, share of limit | Stock, share of limit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, phase, key, _ in METRICS:
        metric = f"{phase}.{key}"
        t, s = summary["tuned"][metric], summary["stock"][metric]
        share_t = share_of["tuned"].get(metric)
        share_s = share_of["stock"].get(metric)
        out.append(
            f"| {label} | {number(t['median'])} | {number(t['min'])} - {number(t['max'])} "
            f"| {number(s['median'])} | {number(s['min'])} - {number(s['max'])} | {number(ratio_of[metric])} "
            f"| {percent(share_t)} | {percent(share_s)} |"
        )
    return out


def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f} %"


def rounds_table(rounds: list[dict]) -> list[str]:
    out = [
        "| # | Config | Produce MB/s | Produce p99 ms | Paced p50 / p99 ms | Consume MB/s "
        "| Client CPU/wall (produce, consume) | Load average at start | at end |",
        "|---:|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for n, r in enumerate(rounds, 1):
        out.append(
            f"| {n} | {r['config']} | {number(r['produce']['mb_per_sec'])} "
            f"| {number(r['produce']['p99_ms'])} "
            f"| {number(r['paced']['p50_ms'])} / {number(r['paced']['p99_ms'])} "
            f"| {number(r['consume']['mb_per_sec'])} "
            f"| {r['produce']['cpu_per_wall']:.2f}, {r['consume']['cpu_per_wall']:.2f} "
            f"| {r['load']['start']} | {r['load']['end']} |"
        )
    return out


def markdown(data: dict) -> str:
    opts, facts, nodes, limit = data["settings"], data["host"], data["node"], data["limit"]
    one = limit["one_node"]
    out = [
        "# Benchmark: the kit's tuning against Kafka's stock settings",
        "",
        f"Measured {data['when']} by `make bench` (bench/run.py): {facts['nproc']} cores, "
        f"{facts['memory_gib']} GiB, kernel {facts['kernel']}, Debian {facts['debian']}, Docker "
        f"{facts['docker_engine']}. Kafka {nodes['kafka_version']}, broker heap {nodes['broker_heap']}. "
        f"Client: confluent-kafka {data['client']['confluent_kafka']} (librdkafka "
        f"{data['client']['librdkafka']}) on the host, {data['client']['security']}.",
        f"Load average (1, 5, 15 min) at the start of the run {data['load']['start']}, at its end "
        f"{data['load']['end']}; per round in the table of rounds below.",
        "",
        f"Method: {opts['rounds']} rounds of each configuration, alternating (tuned, stock, tuned, ...), "
        "each a rolling re-deploy of the same 3 combined broker/controller nodes"
        + (
            f", then {opts['warmup_rounds']} untimed rounds of the same workload to warm the restarted JVMs"
            if opts.get("warmup_rounds")
            else ""
        )
        + "; per measured round, on a fresh "
        f"topic (RF=3, 6 partitions, min.insync.replicas=2, acks=all, {opts['record_size']}-byte records): "
        f"{opts['latency_rate'] * opts['latency_seconds']:,} records paced at {opts['latency_rate']}/s "
        "(per-message delivery latency from the delivery callback), "
        f"{opts['seconds']} s at full speed (latency includes the client's queue), then everything "
        "consumed by a new group (timed from the first record). Medians with min - max over the "
        "rounds; the ratio is of the medians. MB/s is 10^6 bytes per second.",
        "",
    ]
    out += metric_table(data["summary"], data["ratios"], data["shares"])
    out += [
        "",
        "Throughput: higher is better; latency and client CPU: lower is better (a latency ratio below "
        "1 favours the kit). Share of limit: the median against the one-node figure below.",
        "",
        "## The limit of this machine, same run",
        "",
        f"- One node, RF=1 (a topic of 6 partitions all on broker {one['broker']}, tuned settings, "
        f"the same client and acks=all): produce {number(one['produce']['mb_per_sec'])} MB/s "
        f"({number(one['produce']['records_per_sec'])} records/s, client CPU/wall "
        f"{one['produce']['cpu_per_wall']:.2f}), consume {number(one['consume']['mb_per_sec'])} MB/s "
        f"(client CPU/wall {one['consume']['cpu_per_wall']:.2f}).",
        f"- The data disk, raw sequential write ({limit['disk']['command']} in {limit['disk']['container']}"
        f" on {limit['disk']['directory']}): {number(limit['disk']['mb_per_sec'])} MB/s, which is no "
        "limit of a disk: the lab's data disks are loop devices over files on the host without direct "
        "I/O, so `oflag=direct` stops at the loop device and the write lands in the host's page cache. "
        "All three brokers share it, and RF=3 writes every record three times: the tuned median "
        f"produce puts {number(limit['disk_share_tuned'] * 100)} % of that rate on it.",
        "",
        "## Rounds",
        "",
    ]
    out += rounds_table(data["rounds"])
    out += [
        "",
        "Client CPU/wall: CPU seconds of this process (Python and librdkafka's threads) per second of "
        "wall time; near 1 means the client, not the cluster, set the pace.",
        "",
        "## What differed between tuned and stock (server.properties of kafka-1)",
        "",
        "| Setting | Tuned (kit) | Stock |",
        "|---|---:|---:|",
    ]
    out += [f"| `{key}` | {a} | {b} |" for key, (a, b) in sorted(data["settings_diff"].items())]
    switches = data["switches"]
    out += [
        "",
        "## Deploy time",
        "",
        "| Nodes | Hosts up, s | First deploy, s | Re-run, s (changed) | Second re-run, s (changed) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for d in data["deploys"]:
        second = d.get("rerun2")
        out.append(
            f"| {d['brokers']} | {d['hosts_up_seconds']} | {d['first']['seconds']} | "
            f"{d['rerun']['seconds']} ({d['rerun']['changed']}) | "
            + (f"{second['seconds']} ({second['changed']}) |" if second else "- |")
        )
    out += [
        "",
        f"Switching configuration between rounds (deploy.yml, a rolling restart behind the health "
        f"gates), {len(switches)} times: "
        + ", ".join(f"to {s['to']} {s['seconds']} s ({s['changed']} changed)" for s in switches)
        + ".",
        "",
        "![rounds of tuned and stock, and the limit](results.png)",
        "",
    ]
    return "\n".join(out)


def public_settings(conf: dict[str, str]) -> str:
    return ", ".join(f"{key}={conf[key]}" for key in SHOWN_SETTINGS if key in conf) or "plaintext"


# --- the lab --------------------------------------------------------------------------------------


def lab(*args: str, timeout: int = 900) -> str:
    return run([str(BIN / "python"), str(ROOT / "lab" / "lab.py"), "--name", LAB, *args], timeout).strip()


def ansible_env() -> dict:
    return {
        **os.environ,
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(ROOT / "roles"),
        "ANSIBLE_NOCOLOR": "1",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
    }


def playbook(name: str, *extra: str) -> dict:
    """Run a playbook on the bench lab; its wall time and the changed count of its recap."""
    inventory = lab("inventory")
    started = time.monotonic()
    output = run(
        [str(BIN / "ansible-playbook"), "-i", inventory, str(ROOT / "playbooks" / name), *extra],
        timeout=3600,
        env=ansible_env(),
    )
    seconds = time.monotonic() - started
    changed = sum(host["changed"] for host in tool_output.play_recap(output).values())
    return {"seconds": round(seconds, 1), "changed": changed}


def bring_up(brokers: int, kafka_version: str, second_rerun: bool = False) -> dict:
    """A blank lab of `brokers` combined nodes: hosts, first deploy, idempotent re-run(s)."""
    lab("down")
    started = time.monotonic()
    lab("up", "--brokers", str(brokers), "--kafka-version", kafka_version, "--port-offset", str(PORT_OFFSET))
    hosts_up = time.monotonic() - started
    log(f"{brokers} hosts up in {hosts_up:.0f} s; deploying")
    first = playbook("deploy.yml")
    log(f"first deploy of {brokers} nodes: {first['seconds']} s, {first['changed']} changed; re-running")
    rerun = playbook("deploy.yml")
    log(f"re-run: {rerun['seconds']} s, {rerun['changed']} changed")
    result = {"brokers": brokers, "hosts_up_seconds": round(hosts_up, 1), "first": first, "rerun": rerun}
    if second_rerun:
        result["rerun2"] = playbook("deploy.yml")
        log(f"second re-run: {result['rerun2']['seconds']} s, {result['rerun2']['changed']} changed")
    return result


def container(host: str = "kafka-1") -> str:
    return f"kafkakit-{LAB}-{host}"


def node(*command: str, host: str = "kafka-1", timeout: int = 900) -> str:
    return run(["docker", "exec", container(host), *command], timeout)


def server_properties() -> dict[str, str]:
    return properties.parse(node("cat", "/etc/kafka/server.properties"))


def client_conf() -> dict[str, str]:
    """bootstrap.servers and the admin's librdkafka settings (with a password: never printed)."""
    servers = parse_bootstrap(lab("bootstrap"))
    path = ROOT / "lab" / ".state" / LAB / "librdkafka.properties"
    return {"bootstrap.servers": servers, **properties.parse(path.read_text())}


# --- the workload -------------------------------------------------------------------------------------


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Clock:
    """Wall and CPU time of this process (Python and librdkafka's threads) over a phase."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.monotonic(), time.process_time()

    def stop(self) -> tuple[float, float]:
        wall = time.monotonic() - self.wall
        return wall, (time.process_time() - self.cpu) / wall if wall else 0.0


def make_topic(conf: dict, name: str, partitions: int = 6, assignment: list[list[int]] | None = None) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic  # noqa: PLC0415

    admin = AdminClient(conf)
    if assignment:
        # this client wants the partition count beside the assignment, and no replication factor
        topic = NewTopic(
            name, len(assignment), replica_assignment=assignment, config={"min.insync.replicas": "1"}
        )
    else:
        topic = NewTopic(name, partitions, 3, config={"min.insync.replicas": "2"})
    admin.create_topics([topic])[name].result(60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # every partition has a leader before the clock starts
        meta = admin.list_topics(name, timeout=10).topics[name]
        if not meta.error and meta.partitions and all(p.leader >= 0 for p in meta.partitions.values()):
            return
        time.sleep(0.5)
    raise SystemExit(f"bench: topic {name} has no leaders after 60 s")


def drop_topic(conf: dict, name: str) -> None:
    from confluent_kafka.admin import AdminClient  # noqa: PLC0415

    try:
        admin = AdminClient(conf)  # kept until the result: a collected client cancels its requests
        admin.delete_topics([name])[name].result(60)
    except Exception as error:  # a topic left behind costs disk, not correctness
        log(f"could not delete {name}: {error}")


def producer(conf: dict, topic: str):
    """A producer whose connections, SASL logins and metadata are ready: one record is written and
    flushed before any clock starts, or the first phase would time the TLS handshakes (seconds on
    two busy cores) as the latency of every record queued behind them."""
    from confluent_kafka import Producer  # noqa: PLC0415

    p = Producer({**conf, "acks": "all", "linger.ms": 5, "queue.buffering.max.kbytes": 262144})
    p.produce(topic, b"warm-up")
    if p.flush(120):
        raise SystemExit(f"bench: the warm-up record to {topic} was not acknowledged in 120 s")
    return p


class Deliveries:
    """Delivery reports of one phase: latency from produce() to acknowledgement, and errors."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def callback(self, sent: float):
        def delivered(error, _msg):
            if error:
                self.errors.append(str(error))
            else:
                self.latencies.append((time.monotonic() - sent) * 1000)

        return delivered

    def result(self, p, clock: Clock, size: int, phase: str) -> dict:
        p.flush(120)
        wall, cpu = clock.stop()
        if self.errors:
            first = self.errors[0]
            raise SystemExit(f"bench: {len(self.errors)} {phase} records not acknowledged, first: {first}")
        return {
            **throughput(len(self.latencies), size, wall),
            **latency(self.latencies),
            "cpu_per_wall": round(cpu, 2),
        }


def produce_full(p, topic: str, seconds: float, size: int) -> dict:
    """As fast as the client goes for `seconds`, then flush; latency from produce() to delivery."""
    payload = os.urandom(size)
    deliveries = Deliveries()
    clock = Clock()
    end = clock.wall + seconds
    sent = 0
    while time.monotonic() < end:
        try:
            p.produce(topic, payload, on_delivery=deliveries.callback(time.monotonic()))
            sent += 1
        except BufferError:
            p.poll(0.005)
            continue
        if sent % 256 == 0:
            p.poll(0)
    return deliveries.result(p, clock, size, "full-speed")


def produce_paced(p, topic: str, rate: int, seconds: int, size: int) -> dict:
    """`rate` records/s for `seconds`: latency of each record without the client's own queue."""
    payload = os.urandom(size)
    deliveries = Deliveries()
    clock = Clock()
    for n in range(rate * seconds):
        due = clock.wall + n / rate
        while (wait := due - time.monotonic()) > 0:
            p.poll(wait)
        p.produce(topic, payload, on_delivery=deliveries.callback(time.monotonic()))
        p.poll(0)
    return deliveries.result(p, clock, size, "paced")


def consume_all(conf: dict, topic: str, expected: int, size: int) -> dict:
    """A new group reads `expected` records; timed from the first record (the join apart)."""
    from confluent_kafka import Consumer  # noqa: PLC0415

    c = Consumer(
        {
            **conf,
            "group.id": f"bench-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "fetch.max.bytes": 52428800,
        }
    )
    c.subscribe([topic])
    joined = time.monotonic()
    count, clock = 0, None
    deadline = joined + 300
    while count < expected and time.monotonic() < deadline:
        for msg in c.consume(num_messages=10000, timeout=1.0):
            if msg.error():
                continue
            if clock is None:
                clock = Clock()
            count += 1
    if clock is None:
        raise SystemExit(f"bench: nothing consumed from {topic}")
    wall, cpu = clock.stop()
    first_record = round(clock.wall - joined, 2)
    c.close()
    if count < expected:
        raise SystemExit(f"bench: consumed {count} of {expected} records from {topic}")
    return {**throughput(count, size, wall), "cpu_per_wall": round(cpu, 2), "join_s": first_record}


def workload(conf: dict, topic: str, opts: argparse.Namespace, paced: bool = True) -> dict:
    size = opts.record_size
    result: dict = {"topic": topic}
    p = producer(conf, topic)
    if paced:
        log(f"{topic}: {opts.latency_rate * opts.latency_seconds} records at {opts.latency_rate}/s")
        result["paced"] = produce_paced(p, topic, opts.latency_rate, opts.latency_seconds, size)
    log(f"{topic}: full speed for {opts.seconds} s")
    result["produce"] = produce_full(p, topic, opts.seconds, size)
    # ... and the warm-up record.
    expected = 1 + result["produce"]["records"] + (result["paced"]["records"] if paced else 0)
    consumed = consume_all(conf, topic, expected, size)
    result["consume"] = consumed
    log(
        f"{topic}: produce {result['produce']['mb_per_sec']} MB/s "
        f"(cpu {result['produce']['cpu_per_wall']}), consume {consumed['mb_per_sec']} MB/s"
    )
    return result


def on_own_topic(conf: dict, topic: str, opts: argparse.Namespace, paced: bool = True, **topic_args) -> dict:
    """One workload on a topic made for it and dropped after, with the load average around it."""
    make_topic(conf, topic, **topic_args)
    start = load_average()
    result = workload(conf, topic, opts, paced)
    result["load"] = {"start": start, "end": load_average()}
    drop_topic(conf, topic)
    return result


def one_round(conf: dict, config: str, n: int, opts: argparse.Namespace) -> dict:
    return on_own_topic(conf, f"bench_{config}_{n}", opts) | {"config": config}


def warm_up(conf: dict, opts: argparse.Namespace, config: str, n: int) -> list[float]:
    """Untimed rounds on a throwaway topic before a measured one; the paced p50 of each, in ms.
    Every measured round follows a rolling restart, and brokers fresh from one acknowledged the
    paced records with a p50 of 7-10 s, tuned and stock alike (JIT compilation on two busy cores).
    On the lab on 2026-12-03, three rounds after a restart: 6.8 s, 2.1 s, 9 ms; in another trial the
    round after two warm-ups still had 1.5 s, hence three. Without this the paced latency measured
    the restart, not the settings."""
    paced_p50 = [
        on_own_topic(conf, f"bench_warmup_{config}_{n}_{i}", opts)["paced"]["p50_ms"]
        for i in range(opts.warmup_rounds)
    ]
    log(f"warm-up before round {n} ({config}): paced p50 {paced_p50} ms")
    return paced_p50


def one_node_limit(conf: dict, opts: argparse.Namespace) -> dict:
    from confluent_kafka.admin import AdminClient  # noqa: PLC0415

    broker = min(AdminClient(conf).list_topics(timeout=10).brokers)
    result = on_own_topic(conf, "bench_limit_rf1", opts, paced=False, assignment=[[broker]] * 6)
    return result | {"broker": broker}


def disk_limit() -> dict:
    directory = server_properties().get("log.dirs", "/var/lib/kafka").split(",")[0]
    target = f"{directory.rstrip('/')}/bench-dd.tmp"
    command = f"dd if=/dev/zero of={target} bs=1M count=512 oflag=direct"
    try:
        output = node("sh", "-c", f"{command} 2>&1; rc=$?; rm -f {target}; exit $rc", timeout=300)
    except SystemExit:  # a filesystem without O_DIRECT: flush at the end instead
        command = f"dd if=/dev/zero of={target} bs=1M count=512 conv=fdatasync"
        output = node("sh", "-c", f"{command} 2>&1; rc=$?; rm -f {target}; exit $rc", timeout=300)
    return {**parse_dd(output), "command": f"`{command}`", "container": container(), "directory": directory}


# --- facts ---------------------------------------------------------------------------------------------


def host_facts() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo)[1])
    debian = Path("/etc/debian_version").read_text().strip() if Path("/etc/debian_version").exists() else "?"
    docker = run(["docker", "version", "--format", "{{.Server.Version}}"], 60).strip()
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "debian": debian,
        "docker_engine": docker,
        "python": platform.python_version(),
    }


def node_facts(kafka_version: str) -> dict:
    processes = node("ps", "-eo", "args")
    broker = next((line for line in processes.splitlines() if "kafka.Kafka" in line), "")
    heap = re.search(r"-Xmx(\S+)", broker)
    version = re.search(r"kafka_\d+\.\d+-(\d+\.\d+\.\d+)", broker) or re.search(
        r"kafka-(\d+\.\d+\.\d+)", broker
    )
    return {
        "kafka_version": version[1] if version else kafka_version,
        "broker_heap": heap[1] if heap else "?",
    }


# --- chart -----------------------------------------------------------------------------------------------


def chart(data: dict, path: Path) -> None:
    import matplotlib  # noqa: PLC0415 (only the report needs it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    panels = [
        ("produce", "mb_per_sec", "Produce, full speed, MB/s", "one_node"),
        ("consume", "mb_per_sec", "Consume, MB/s", "one_node"),
        ("paced", "p50_ms", "Paced produce p50 latency, ms", None),
        ("paced", "p99_ms", "Paced produce p99 latency, ms", None),
    ]
    figure, axes = plt.subplots(1, len(panels), figsize=(16, 4.6))
    colors = {"tuned": "#2b6cb0", "stock": "#a0aec0"}
    for axis, (phase, key, title, limit) in zip(axes, panels, strict=True):
        for x, config in enumerate(("tuned", "stock")):
            values = [r[phase][key] for r in data["rounds"] if r["config"] == config]
            s = data["summary"][config][f"{phase}.{key}"]
            axis.bar(x, s["median"], 0.6, color=colors[config], label=f"{config} median")
            axis.errorbar(
                x,
                s["median"],
                yerr=[[s["median"] - s["min"]], [s["max"] - s["median"]]],
                color="black",
                capsize=8,
            )
            axis.scatter([x] * len(values), values, color="black", s=12, zorder=3)
        if limit:
            axis.axhline(
                data["limit"][limit][phase][key], color="#c53030", linestyle="--", label="one node, RF=1"
            )
        axis.set_xticks([0, 1], ["tuned", "stock"])
        axis.set_title(title, fontsize=10)
        axis.set_ylim(bottom=0)
        axis.legend(fontsize=8)
    figure.suptitle(
        f"Kafka {data['node']['kafka_version']} on {data['host']['nproc']} cores ({data['when']}): "
        f"{data['settings']['rounds']} alternating rounds each, median, min-max and every round"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# --- main ------------------------------------------------------------------------------------------------


# The README's short table: the metrics a reader compares, from the same summary as results.md.
README_METRICS = (
    ("Produce, full speed, MB/s", "produce.mb_per_sec"),
    ("Produce, full speed, p99 ms", "produce.p99_ms"),
    ("Produce, paced {rate}/s, p50 ms", "paced.p50_ms"),
    ("Produce, paced {rate}/s, p99 ms", "paced.p99_ms"),
    ("Consume, MB/s", "consume.mb_per_sec"),
)
README_TABLE = re.compile(r"(<!-- bench-table:begin -->\n\n).*?(<!-- bench-table:end -->)", re.S)


def readme_table(data: dict) -> str:
    """The README's table of a run: medians (min - max) and tuned/stock, as results.md has them."""
    summary = summarize(data["rounds"])
    ratio_of = ratios(summary)
    out = ["| Median (min - max) | Tuned (kit) | Stock | Tuned / stock |", "|---|---:|---:|---:|"]
    for label, metric in README_METRICS:
        cells = [
            f"{number(side['median'])} ({number(side['min'])} - {number(side['max'])})"
            for side in (summary["tuned"][metric], summary["stock"][metric])
        ]
        name = label.format(rate=data["settings"]["latency_rate"])
        out.append(f"| {name} | {cells[0]} | {cells[1]} | {number(ratio_of[metric])} |")
    return "\n".join(out) + "\n"


def readme_with_table(readme: str, data: dict) -> str:
    """README.md with its bench-table block holding this run's table."""
    if not README_TABLE.search(readme):
        raise SystemExit("README.md has no <!-- bench-table:begin --> ... <!-- bench-table:end --> block")
    return README_TABLE.sub(lambda match: match.group(1) + readme_table(data) + "\n" + match.group(2), readme)


def write_report(data: dict) -> None:
    """results.md and results.png from a run's figures, and the README's table: after a run, and
    again with --render."""
    (RESULTS / "results.md").write_text(markdown(data))
    chart(data, RESULTS / "results.png")
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(), data))


def main() -> int:  # noqa: PLR0915 (one run, in order)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each configuration (3)")
    parser.add_argument(
        "--seconds", type=int, default=20, help="seconds of full-speed produce per round (20)"
    )
    parser.add_argument("--record-size", type=int, default=1024, help="bytes per record (1024)")
    parser.add_argument("--latency-rate", type=int, default=1000, help="records/s of the paced run (1000)")
    parser.add_argument("--latency-seconds", type=int, default=10, help="length of the paced run (10)")
    parser.add_argument(
        "--warmup-rounds", type=int, default=3, help="untimed rounds before each measured one (3)"
    )
    parser.add_argument("--kafka-version", default=os.environ.get("KAFKA_VERSION", "4.4.0"))
    parser.add_argument("--scaling", action="store_true", help="also time the deploy of 5 nodes")
    parser.add_argument("--keep", action="store_true", help="leave the bench lab running at the end")
    parser.add_argument(
        "--render",
        action="store_true",
        help="only write results.md, results.png and the README's table again from results.json",
    )
    opts = parser.parse_args()
    if opts.render:
        results = RESULTS / "results.json"
        if not results.exists():
            log(f"--render needs a run: {results.relative_to(ROOT)} is missing (make bench writes it)")
            return 2
        write_report(json.loads(results.read_text()))
        return 0
    import confluent_kafka  # noqa: PLC0415

    data: dict = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "settings": {key: getattr(opts, key) for key in SETTINGS},
        "host": host_facts(),
        "load": {"start": load_average()},
        "rounds": [],
        "switches": [],
        "warmups": [],
        "deploys": [],
    }
    try:
        data["deploys"].append(bring_up(3, opts.kafka_version, second_rerun=True))
        conf = client_conf()
        data["client"] = {
            "confluent_kafka": confluent_kafka.version()[0],
            "librdkafka": confluent_kafka.libversion()[0],
            "security": public_settings(conf),
        }
        data["node"] = node_facts(opts.kafka_version)
        properties = {"tuned": server_properties()}
        log("limit: the disk, then one node with RF=1")
        data["limit"] = {"disk": disk_limit(), "one_node": one_node_limit(conf, opts)}
        current = "tuned"
        for n, config in enumerate(alternation(["tuned", "stock"], opts.rounds), 1):
            if config != current:
                log(f"switching to {config} settings (rolling restart)")
                extra = ["--extra-vars", f"@{ROOT / 'bench' / 'stock.yml'}"] if config == "stock" else []
                data["switches"].append({"to": config, **playbook("deploy.yml", *extra)})
                now = server_properties()
                if config in properties and now != properties[config]:
                    log(f"warning: {config} settings differ from the first {config} round")
                properties.setdefault(config, now)
                current = config
            paced_p50 = warm_up(conf, opts, config, n)
            data["warmups"].append({"round": n, "config": config, "paced_p50_ms": paced_p50})
            log(f"round {n}: {config}")
            data["rounds"].append(one_round(conf, config, n, opts))
        data["settings_diff"] = settings_diff(properties["tuned"], properties["stock"])
        if not data["settings_diff"]:
            raise SystemExit("bench: the stock deploy changed no setting; nothing to compare")
        if opts.scaling:
            data["deploys"].append(bring_up(5, opts.kafka_version))
    finally:
        data["load"]["end"] = load_average()
        if not opts.keep:
            lab("down")
        if data["rounds"]:  # whatever was measured, even if the run broke off
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / "partial.json").write_text(json.dumps(data, indent=2) + "\n")

    data["summary"] = summarize(data["rounds"])
    data["ratios"] = ratios(data["summary"])
    data["shares"] = shares(data["summary"], data["limit"])
    produced = data["summary"]["tuned"]["produce.mb_per_sec"]["median"]
    data["limit"]["disk_share_tuned"] = round(3 * produced / data["limit"]["disk"]["mb_per_sec"], 3)
    (RESULTS / "partial.json").unlink(missing_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    write_report(data)
    print((RESULTS / "results.md").read_text())
    log(f"results in {RESULTS.relative_to(ROOT)}/: results.md, results.png, results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
