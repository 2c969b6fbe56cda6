#!/usr/bin/env python3
"""Benchmark a lab cluster with Kafka's own tools: the kit's tuning against Kafka's stock settings
on the same nodes, and how deploy time grows with the node count.

  bench/run.py [--records N] [--record-size BYTES] [--latency-rate N] [--latency-seconds S]
               [--e2e-records N] [--no-scaling] [--keep]

1. Brings up its own lab ("bench", ports shifted by 500) with 3 combined nodes, timing the first
   deploy (playbooks/deploy.yml) and an idempotent re-run.
2. "tuned": the cluster as the roles configure it. ProducerPerformance at full speed (records/s,
   MB/s), ProducerPerformance at a fixed rate (latency percentiles without client queueing),
   ConsumerPerformance, EndToEndLatency; acks=all on RF=3 topics made by the kafka_topics role.
3. "stock": deploy.yml again with bench/stock.yml (Kafka's stock value for every tuned setting),
   which restarts the nodes one at a time; the same workload again.
4. Unless --no-scaling: a fresh lab of 5 nodes, timing its first deploy and a re-run.
5. Writes results/bench/results.md (tables, machine, settings), results.png and results.json.

The tools run on the first node (inside the lab network); every node, tool and this script share
the one machine, so the numbers compare settings on that machine, not Kafka's ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "results" / "bench"
LAB = "bench"
PORT_OFFSET = 500
TOOL_ENV = {"KAFKA_TOOL_JVM_OPTS": "-XX:+UseG1GC", "KAFKA_TOOL_HEAP_OPTS": "-Xmx512m"}
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


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
    changed = sum(int(match[2]) for match in RECAP.findall(output))
    return {"seconds": round(seconds, 1), "changed": changed}


def bring_up(brokers: int, kafka_version: str) -> dict:
    """A blank lab of `brokers` combined nodes: hosts, first deploy, idempotent re-run."""
    lab("down")
    started = time.monotonic()
    lab("up", "--brokers", str(brokers), "--kafka-version", kafka_version, "--port-offset", str(PORT_OFFSET))
    hosts_up = time.monotonic() - started
    log(f"{brokers} hosts up in {hosts_up:.0f} s; deploying")
    first = playbook("deploy.yml")
    log(f"first deploy of {brokers} nodes: {first['seconds']} s, {first['changed']} changed; re-running")
    rerun = playbook("deploy.yml")
    log(f"re-run: {rerun['seconds']} s, {rerun['changed']} changed")
    return {"brokers": brokers, "hosts_up_seconds": round(hosts_up, 1), "first": first, "rerun": rerun}


# --- Kafka's tools on the first node -----------------------------------------------------------------


def container(host: str = "kafka-1") -> str:
    return f"kafkakit-{LAB}-{host}"


def node(*command: str, timeout: int = 900) -> str:
    env_args = [arg for key, value in TOOL_ENV.items() for arg in ("--env", f"{key}={value}")]
    return run(["docker", "exec", *env_args, container(), *command], timeout)


def tool(main_class: str, *args: str, timeout: int = 900) -> str:
    return node("kafka-run-class", f"org.apache.kafka.tools.{main_class}", *args, timeout=timeout)


def bootstrap(brokers: int = 3) -> str:
    return ",".join(f"kafka-{n}:9092" for n in range(1, brokers + 1))


_PRODUCER = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, "
    r"([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th"
)


def parse_producer(output: str) -> dict:
    found = _PRODUCER.findall(output)
    if not found:
        raise SystemExit(f"bench: no ProducerPerformance summary in:\n{output[-2000:]}")
    records, rate, mb, avg, peak, p50, p95, p99, p999 = found[-1]
    return {
        "records": int(records),
        "records_per_sec": float(rate),
        "mb_per_sec": float(mb),
        "avg_ms": float(avg),
        "max_ms": float(peak),
        "p50_ms": int(p50),
        "p95_ms": int(p95),
        "p99_ms": int(p99),
        "p999_ms": int(p999),
    }


def parse_consumer(output: str) -> dict:
    lines = output.splitlines()
    for index, line in enumerate(lines[:-1]):
        if line.startswith("start.time"):
            fields = dict(zip(line.split(", "), lines[index + 1].split(", "), strict=False))
            return {
                "records": int(fields["data.consumed.in.nMsg"]),
                "mb_per_sec": float(fields["fetch.MB.sec"]),
                "records_per_sec": float(fields["fetch.nMsg.sec"]),
                "mb_per_sec_with_join": float(fields["MB.sec"]),
                "group_join_ms": int(fields["rebalance.time.ms"]),
            }
    raise SystemExit(f"bench: no ConsumerPerformance summary in:\n{output[-2000:]}")


def parse_end_to_end(output: str) -> dict:
    avg = re.search(r"Avg latency: ([\d.]+) ms", output)
    pct = re.search(r"Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)", output)
    if not (avg and pct):
        raise SystemExit(f"bench: no EndToEndLatency summary in:\n{output[-2000:]}")
    return {"avg_ms": float(avg[1]), "p50_ms": int(pct[1]), "p99_ms": int(pct[2]), "p999_ms": int(pct[3])}


def measure(label: str, topic: str, opts: argparse.Namespace) -> dict:
    """The workload, once. Latency first, on an idle cluster (a run after a saturating one would
    measure its backlog), then full-speed produce, then consume what it wrote."""
    servers = bootstrap()
    size = str(opts.record_size)
    props = ["--producer-props", f"bootstrap.servers={servers}", "acks=all"]
    produce = ["ProducerPerformance", "--topic", topic, "--record-size", size, *props]
    load = {"start": load_average()}

    log(f"{label}: end-to-end latency, {opts.e2e_records} round trips")
    round_trips = str(opts.e2e_records)
    end_to_end = parse_end_to_end(tool("EndToEndLatency", servers, "bench_latency", round_trips, "all", size))

    paced_records = opts.latency_rate * opts.latency_seconds
    log(f"{label}: producing {paced_records} records at {opts.latency_rate}/s for latency")
    paced = parse_producer(
        tool(*produce, "--num-records", str(paced_records), "--throughput", str(opts.latency_rate))
    )

    log(f"{label}: producing {opts.records} records of {size} bytes at full speed")
    full = parse_producer(tool(*produce, "--num-records", str(opts.records), "--throughput", "-1"))
    log(f"{label}: {full['records_per_sec']:.0f} records/s, {full['mb_per_sec']} MB/s")

    log(f"{label}: consuming {opts.records} records")
    group = f"bench-{label}-{int(time.time())}"
    consume = ["ConsumerPerformance", "--bootstrap-server", servers, "--topic", topic, "--group", group]
    consumed = parse_consumer(tool(*consume, "--messages", str(opts.records), "--timeout", "60000"))
    log(f"{label}: {consumed['records_per_sec']:.0f} records/s consumed")
    load["end"] = load_average()
    return {
        "produce": full,
        "produce_paced": paced,
        "consume": consumed,
        "end_to_end": end_to_end,
        "load": load,
    }


def server_properties() -> dict[str, str]:
    text = node("cat", "/etc/kafka/server.properties")
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


# --- facts -------------------------------------------------------------------------------------------


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


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def node_facts() -> dict:
    processes = node("ps", "-eo", "args")
    broker = next((line for line in processes.splitlines() if "kafka.Kafka" in line), "")
    heap = re.search(r"-Xmx(\S+)", broker)
    gc = [flag for flag in broker.split() if flag.startswith("-XX:")]
    return {
        "kafka_version": tool("TopicCommand", "--version").strip().split()[0],
        "jvm": node("java", "-version").strip().splitlines()[0],
        "broker_heap": heap[1] if heap else "?",
        "broker_jvm_flags": " ".join(gc),
        "tool_jvm": f"{TOOL_ENV['KAFKA_TOOL_JVM_OPTS']} {TOOL_ENV['KAFKA_TOOL_HEAP_OPTS']}",
    }


# --- results -------------------------------------------------------------------------------------------


def ratio(tuned: float, stock: float) -> str:
    return f"{tuned / stock:.2f}" if stock else "n/a"


ROWS = (
    ("Produce, full speed: records/s", "produce", "records_per_sec"),
    ("Produce, full speed: MB/s", "produce", "mb_per_sec"),
    ("Produce, full speed: p50 latency ms", "produce", "p50_ms"),
    ("Produce, full speed: p99 latency ms", "produce", "p99_ms"),
    ("Produce, paced: p50 latency ms", "produce_paced", "p50_ms"),
    ("Produce, paced: p95 latency ms", "produce_paced", "p95_ms"),
    ("Produce, paced: p99 latency ms", "produce_paced", "p99_ms"),
    ("Produce, paced: p99.9 latency ms", "produce_paced", "p999_ms"),
    ("Consume: records/s", "consume", "records_per_sec"),
    ("Consume: MB/s", "consume", "mb_per_sec"),
    ("End-to-end: p50 latency ms", "end_to_end", "p50_ms"),
    ("End-to-end: p99 latency ms", "end_to_end", "p99_ms"),
    ("End-to-end: p99.9 latency ms", "end_to_end", "p999_ms"),
)


def rows(tuned: dict, stock: dict) -> list[tuple[str, float, float]]:
    return [(name, tuned[test][key], stock[test][key]) for name, test, key in ROWS]


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:g}"


def markdown(data: dict) -> str:
    opts, facts, nodes = data["settings"], data["host"], data["node"]
    tuned, stock = data["phases"]["tuned"], data["phases"]["stock"]
    out = [
        "# Benchmark: the kit's tuning against Kafka's stock settings",
        "",
        f"Measured {data['when']} by `make bench` (bench/run.py): {facts['nproc']} cores, "
        f"{facts['memory_gib']} GiB, kernel {facts['kernel']}, Debian {facts['debian']}, Docker "
        f"{facts['docker_engine']}. Kafka {nodes['kafka_version']}, {nodes['jvm']}, broker heap "
        f"{nodes['broker_heap']} ({nodes['broker_jvm_flags']}); tools on kafka-1 with {nodes['tool_jvm']}.",
        f"Load average (1, 5, 15 min) at start {data['load']['start']}, at end {data['load']['end']}; "
        f"during the tuned run {tuned['load']['start']} to {tuned['load']['end']}, during the stock run "
        f"{stock['load']['start']} to {stock['load']['end']}. Other work on the machine shares its cores "
        "with the brokers: read small ratios as noise.",
        "",
        f"Workload: acks=all, RF=3 topics of 6 partitions with min.insync.replicas=2 (EndToEndLatency: 1 "
        f"partition), in this order: {opts['e2e_records']:,} end-to-end round trips; "
        f"{opts['latency_rate'] * opts['latency_seconds']:,} records at {opts['latency_rate']} records/s "
        '("paced": latency without the client\'s own queue); '
        f"{opts['records']:,} records of {opts['record_size']} bytes at full speed, then the same consumed. "
        "Three brokers, each a combined broker and controller node in a container.",
        "",
        "| Metric | Tuned (kit) | Stock | Tuned / stock |",
        "|---|---:|---:|---:|",
    ]
    out += [f"| {name} | {number(a)} | {number(b)} | {ratio(a, b)} |" for name, a, b in rows(tuned, stock)]
    out += [
        "",
        "Throughput: higher is better; latency: lower is better (a ratio below 1 favours the kit).",
        "",
        "What differed between the two runs (server.properties of kafka-1):",
        "",
        "| Setting | Tuned (kit) | Stock |",
        "|---|---:|---:|",
    ]
    out += [f"| `{key}` | {a} | {b} |" for key, (a, b) in sorted(data["settings_diff"].items())]
    out += [
        "",
        "## Deploy time by node count",
        "",
        "| Nodes | Hosts up, s | First deploy, s | Re-run, s | Re-run changed |",
        "|---:|---:|---:|---:|---:|",
    ]
    for run_ in data["deploys"]:
        out.append(
            f"| {run_['brokers']} | {run_['hosts_up_seconds']} | {run_['first']['seconds']} | "
            f"{run_['rerun']['seconds']} | {run_['rerun']['changed']} |"
        )
    switch = data["switch_to_stock"]
    out += [
        "",
        f"Switching the 3 nodes to stock settings (deploy.yml with bench/stock.yml, a rolling restart "
        f"behind the health gates): {switch['seconds']} s, {switch['changed']} changed.",
        "",
        "![tuned against stock, and deploy time](results.png)",
        "",
    ]
    return "\n".join(out)


def chart(data: dict, path: Path) -> None:
    import matplotlib  # noqa: PLC0415 (only the report needs it)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    tuned, stock = data["phases"]["tuned"], data["phases"]["stock"]
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.6))
    width = 0.38

    def bars(axis, labels, series, title, unit):
        a, b = series
        xs = range(len(labels))
        axis.bar([x - width / 2 for x in xs], a, width, label="tuned (kit)", color="#2b6cb0")
        axis.bar([x + width / 2 for x in xs], b, width, label="stock", color="#a0aec0")
        axis.set_xticks(list(xs), labels)
        axis.set_title(title)
        axis.set_ylabel(unit)
        axis.legend()

    bars(
        left,
        ["produce", "consume"],
        (
            [tuned["produce"]["mb_per_sec"], tuned["consume"]["mb_per_sec"]],
            [stock["produce"]["mb_per_sec"], stock["consume"]["mb_per_sec"]],
        ),
        "Throughput (higher is better)",
        "MB/s",
    )
    keys = [("produce_paced", "p50_ms"), ("produce_paced", "p99_ms")]
    keys += [("end_to_end", "p50_ms"), ("end_to_end", "p99_ms")]
    bars(
        middle,
        ["produce p50", "produce p99", "e2e p50", "e2e p99"],
        ([tuned[a][b] for a, b in keys], [stock[a][b] for a, b in keys]),
        "Latency, acks=all (lower is better)",
        "ms",
    )
    nodes = [d["brokers"] for d in data["deploys"]]
    right.plot(nodes, [d["first"]["seconds"] for d in data["deploys"]], "o-", label="first deploy")
    right.plot(nodes, [d["rerun"]["seconds"] for d in data["deploys"]], "s--", label="idempotent re-run")
    right.set_xticks(nodes)
    right.set_xlabel("nodes")
    right.set_ylabel("seconds")
    right.set_ylim(bottom=0)
    right.set_title("Deploy time by node count")
    right.legend()
    figure.suptitle(
        f"Kafka {data['node']['kafka_version']} on {data['host']['nproc']} cores, "
        f"{data['host']['memory_gib']} GiB ({data['when']})"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


# --- main ------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000, help="records at full speed (default 50000)")
    parser.add_argument("--record-size", type=int, default=1024, help="bytes per record (default 1024)")
    parser.add_argument("--latency-rate", type=int, default=500, help="records/s of the paced run (500)")
    parser.add_argument("--latency-seconds", type=int, default=10, help="length of the paced run (10)")
    parser.add_argument("--e2e-records", type=int, default=1000, help="EndToEndLatency round trips (1000)")
    parser.add_argument("--kafka-version", default=os.environ.get("KAFKA_VERSION", "4.4.0"))
    parser.add_argument("--no-scaling", action="store_true", help="skip the 5-node deploy")
    parser.add_argument("--keep", action="store_true", help="leave the bench lab running at the end")
    opts = parser.parse_args()

    data: dict = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "settings": {
            key: getattr(opts, key)
            for key in ("records", "record_size", "latency_rate", "latency_seconds", "e2e_records")
        },
        "host": host_facts(),
        "load": {"start": load_average()},
        "phases": {},
        "deploys": [],
    }
    try:
        data["deploys"].append(bring_up(3, opts.kafka_version))
        topics = playbook("topics.yml", "--extra-vars", f"@{ROOT / 'bench' / 'topics.yml'}")
        log(f"benchmark topics in place ({topics['changed']} changed)")
        data["node"] = node_facts()
        tuned_properties = server_properties()
        data["phases"]["tuned"] = measure("tuned", "bench_tuned", opts)

        log("deploying Kafka's stock settings to the same nodes (rolling restart)")
        data["switch_to_stock"] = playbook("deploy.yml", "--extra-vars", f"@{ROOT / 'bench' / 'stock.yml'}")
        stock_properties = server_properties()
        data["settings_diff"] = {
            key: (tuned_properties.get(key, "(default)"), stock_properties.get(key, "(default)"))
            for key in sorted(set(tuned_properties) | set(stock_properties))
            if tuned_properties.get(key) != stock_properties.get(key)
        }
        if not data["settings_diff"]:
            raise SystemExit("bench: the stock deploy changed no setting; nothing to compare")
        data["phases"]["stock"] = measure("stock", "bench_stock", opts)

        if not opts.no_scaling:
            data["deploys"].append(bring_up(5, opts.kafka_version))
    finally:
        data["load"]["end"] = load_average()
        if not opts.keep:
            lab("down")

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    (RESULTS / "results.md").write_text(markdown(data))
    chart(data, RESULTS / "results.png")
    print((RESULTS / "results.md").read_text())
    log(f"results in {RESULTS.relative_to(ROOT)}/: results.md, results.png, results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
