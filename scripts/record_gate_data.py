#!/usr/bin/env python3
"""Record a lab cluster both ways at the same moment: what the gates' tools print and what every
node's JMX exporter serves, for the unit tests that hold each metric gate against its tool
counterpart (tests/unit/test_metric_gates.py).

  record_gate_data.py --lab mon --output tests/data/gates/kafka-4.4.0-kraft-combined [--stop kafka-2]

States, each into a directory of its own under --output:
  healthy       the cluster as it is (it must be healthy);
  broker-down   --stop's Kafka stopped (systemctl stop: a controlled shutdown) and --settle seconds
                later, past the tools' 10 s staleness bound;
  broker-back   the first moment --stop's exporter answers again after `systemctl start`, while the
                broker rejoins (only with --starting).
The node is started again at the end. In each state the tools run on the first Kafka node, all at
once; every exporter is scraped, all at once, while they run (after the JVMs' start) and again
when they are done. A state whose two scrapes disagree on whether any gate passes is not written:
the cluster moved while it was recorded; run again. Files per state: <tool>.txt (stdout),
<tool>.stderr.txt (when it printed any), metrics/<host>.txt (the scrape taken during the tools'
run, unedited) or metrics/<host>.error.txt (why the exporter did not answer), and state.json (the
cluster's shape, the commands, the times).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "collections"))
from ansible_collections.kafkakit.kafka.plugins.module_utils import constants, gates  # noqa: E402

# Scrape every exporter at once from inside the lab's network (run by the node's python3).
SCRAPER = r"""
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
def get(address):
    try:
        with opener.open(f"http://{address}/metrics", timeout=5) as answer:
            return {"text": answer.read().decode()}
    except Exception as error:
        return {"error": str(getattr(error, "reason", None) or error)}
addresses = sys.argv[1:]
with ThreadPoolExecutor(len(addresses)) as pool:
    print(json.dumps(dict(zip(addresses, pool.map(get, addresses)))))
"""


class Lab:
    def __init__(self, name: str, exporter_port: int) -> None:
        self.name = name
        state = json.loads((ROOT / "lab" / ".state" / name / "lab.json").read_text())
        self.hosts = [h for h in state["hosts"] if {"kafka_broker", "kafka_controller"} & set(h["groups"])]
        self.brokers = [h["name"] for h in self.hosts if "kafka_broker" in h["groups"]]
        self.controllers = [h["name"] for h in self.hosts if "kafka_controller" in h["groups"]]
        self.mode = state.get("mode", "kraft")
        self.exporters = {h["name"]: f"{h['name']}:{exporter_port}" for h in self.hosts}
        self.asker = self.hosts[0]["name"]
        self.version = self.exec(self.asker, "kafka-run-class", "--kafka-version").stdout.strip()

    def exec(self, host: str, *command: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker", "exec", "-i", f"kafkakit-{self.name}-{host}", *command],
            input=stdin, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip

    def tool_commands(self) -> dict[str, list[str]]:
        def tool(name: str) -> str:
            return constants.tool_class(name, self.version)

        bootstrap = ",".join(f"{b}:9092" for b in self.brokers)
        commands = {
            "broker-api-versions": [tool("BrokerApiVersionsCommand"), "--bootstrap-server", bootstrap],
            "topics-describe": [tool("TopicCommand"), "--bootstrap-server", bootstrap, "--describe"],
        }
        if self.mode == "kraft":
            controllers = ",".join(f"{c}:9093" for c in self.controllers)
            quorum = tool("MetadataQuorumCommand")
            commands["quorum-replication"] = [
                quorum,
                "--bootstrap-controller",
                controllers,
                "describe",
                "--replication",
            ]
        return commands

    def scrape(self) -> dict[str, dict]:
        answer = self.exec(self.asker, "python3", "-", *self.exporters.values(), stdin=SCRAPER)
        return json.loads(answer.stdout)


def parsed(scrapes: dict[str, dict]) -> dict:
    from ansible_collections.kafkakit.kafka.plugins.module_utils import tool_output  # noqa: PLC0415

    return {
        a: tool_output.prometheus_metrics(s["text"]) if "text" in s else s["error"]
        for a, s in scrapes.items()
    }


def verdicts(lab: Lab, scrapes: dict[str, dict]) -> dict[str, str]:
    """Each metric gate's verdict on one set of scrapes (to check that two sets agree)."""
    every = parsed(scrapes)
    brokers = {lab.exporters[b]: every[lab.exporters[b]] for b in lab.brokers}
    controllers = {lab.exporters[c]: every[lab.exporters[c]] for c in lab.controllers} or brokers
    checks = {
        "partitions": lambda: gates.metrics_partitions_verdict(brokers, controllers),
        "brokers": lambda: gates.metrics_brokers_verdict(brokers, controllers, len(lab.brokers)),
    }
    if lab.mode == "kraft":
        checks["quorum"] = lambda: gates.metrics_quorum_verdict(controllers, len(lab.controllers))
    found = {}
    for name, check in checks.items():
        try:
            found[name] = "pass: " + check()
        except gates.NotHealthy as reason:
            found[name] = f"hold: {reason}"
    return found


def passed(found: dict[str, str]) -> dict[str, bool]:
    return {name: verdict.startswith("pass") for name, verdict in found.items()}


def record(lab: Lab, directory: Path, state: str, note: str) -> bool:
    commands = lab.tool_commands()
    results: dict[str, subprocess.CompletedProcess] = {}

    def run(name: str, argv: list[str]) -> None:
        results[name] = lab.exec(lab.asker, "kafka-run-class", *argv)

    started = time.time()
    threads = [threading.Thread(target=run, args=item) for item in commands.items()]
    for thread in threads:
        thread.start()
    time.sleep(3)  # the tools' JVMs start, then ask the cluster: scrape while they do
    during = lab.scrape()
    scraped = time.time()
    for thread in threads:
        thread.join()
    finished = time.time()
    after = lab.scrape()
    if passed(verdicts(lab, during)) != passed(verdicts(lab, after)):
        print(f"{state}: the cluster moved while recorded", verdicts(lab, during), verdicts(lab, after))
        return False
    target = directory / state
    (target / "metrics").mkdir(parents=True, exist_ok=True)
    for old in [*target.glob("*.txt"), *(target / "metrics").glob("*.txt")]:
        old.unlink()
    for name, result in results.items():
        (target / f"{name}.txt").write_text(result.stdout)
        if result.stderr.strip():
            (target / f"{name}.stderr.txt").write_text(result.stderr)
    for host, address in lab.exporters.items():
        answer = during[address]
        if "text" in answer:
            (target / "metrics" / f"{host}.txt").write_text(answer["text"])
        else:
            (target / "metrics" / f"{host}.error.txt").write_text(answer["error"] + "\n")
    shape = {
        "kafka_version": lab.version,
        "mode": lab.mode,
        "state": note,
        "recorded": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "brokers": {b: lab.exporters[b] for b in lab.brokers},
        "controllers": {c: lab.exporters[c] for c in lab.controllers},
        "tools_ran_on": lab.asker,
        "tools": {
            name: {"argv": ["kafka-run-class", *argv], "exit": results[name].returncode}
            for name, argv in commands.items()
        },
        "seconds": {
            "scrape_during_tools": round(scraped - started, 1),
            "tools_took": round(finished - started, 1),
        },
        "metric_verdicts": verdicts(lab, during),
    }
    (target / "state.json").write_text(json.dumps(shape, indent=2, sort_keys=True) + "\n")
    print(f"{state}: recorded in {target.relative_to(ROOT)}", json.dumps(shape["metric_verdicts"]))
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="lab")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--stop", help="the node to stop for the broker-down state (default: the second)")
    parser.add_argument("--settle", type=int, default=20, help="seconds after the stop before recording")
    parser.add_argument("--starting", action="store_true", help="also record the broker-back state")
    parser.add_argument("--exporter-port", type=int, default=7071)
    args = parser.parse_args()
    lab = Lab(args.lab, args.exporter_port)
    victim = args.stop or lab.brokers[1]
    output = args.output if args.output.is_absolute() else ROOT / args.output
    if not record(lab, output, "healthy", "healthy"):
        sys.exit(1)
    lab.exec(victim, "systemctl", "stop", "kafka")
    try:
        time.sleep(args.settle)
        if not record(lab, output, "broker-down", f"{victim} stopped (systemctl stop) {args.settle}s before"):
            sys.exit(1)
        lab.exec(victim, "systemctl", "start", "kafka")
        if args.starting:
            deadline = time.time() + 120
            while "text" not in lab.scrape()[lab.exporters[victim]]:
                if time.time() > deadline:
                    sys.exit(f"{victim}'s exporter did not answer within 120 s")
                time.sleep(0.5)
            note = f"{victim} started again (systemctl start); its exporter had just answered"
            record(lab, output, "broker-back", note)
    finally:
        lab.exec(victim, "systemctl", "start", "kafka")


if __name__ == "__main__":
    main()
