#!/usr/bin/env python3
"""Health gates for a Kafka node, built on Kafka's own admin tools (via kafka-run-class).

  kafka-health quorum  --bootstrap-controller H:P --voters N   every voter present, a leader, no lag
  kafka-health brokers --bootstrap-server H:P --brokers N      N brokers registered and unfenced
  kafka-health partitions --bootstrap-server H:P               no under-replicated, under-min-ISR
                                                                or offline partitions
  kafka-health safe-to-stop --bootstrap-server H:P --broker N  stopping broker N leaves every
                                                                partition at min ISR and online
  kafka-health zookeeper-brokers --zookeeper H:P,.../CHROOT --brokers N
                                                                ZooKeeper mode: N brokers registered
                                                                in ZooKeeper, one of them controller
Each check can wait: --timeout SECONDS retries until it passes or time runs out (exit 1, with the
last reason). Output is one line a check, so Ansible and people read the same thing.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time

RUNNER = "/usr/local/bin/kafka-run-class"


class NotHealthy(Exception):
    pass


def tool(*args: str) -> str:
    result = subprocess.run([RUNNER, *args], capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise NotHealthy(f"{args[0].rsplit('.', 1)[-1]} failed: {last[0]}")
    return result.stdout


def quorum(opts) -> str:
    out = tool(
        "org.apache.kafka.tools.MetadataQuorumCommand",
        "--bootstrap-controller",
        opts.bootstrap_controller,
        "describe",
        "--status",
    )
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in out.splitlines())
        if value
    )
    voters = json.loads(fields.get("CurrentVoters", "[]"))
    leader = int(fields.get("LeaderId", "-1"))
    lag = int(fields.get("MaxFollowerLag", "0"))
    if leader < 0:
        raise NotHealthy("the quorum has no leader")
    if len(voters) != opts.voters:
        raise NotHealthy(f"the quorum has {len(voters)} voters, expected {opts.voters}")
    if lag > opts.max_lag:
        raise NotHealthy(f"a voter lags {lag} records behind the leader")
    stale = _stale_voters(opts)
    if stale:
        raise NotHealthy(f"voters not caught up with the leader: {', '.join(stale)}")
    ids = sorted(v["id"] for v in voters)
    return f"quorum healthy: leader {leader}, voters {ids}, max follower lag {lag}"


def _stale_voters(opts) -> list[str]:
    """Voters whose last catch-up is older than --max-staleness-ms by the leader's own clock: a
    stopped voter still counts as a voter, but it stops catching up."""
    out = tool(
        "org.apache.kafka.tools.MetadataQuorumCommand",
        "--bootstrap-controller",
        opts.bootstrap_controller,
        "describe",
        "--replication",
    )
    rows = [line.split() for line in out.splitlines()[1:] if line.strip()]
    voters = {int(row[0]): int(row[5]) for row in rows if len(row) >= 7 and row[6] in ("Leader", "Follower")}
    leader_now = max((int(row[4]) for row in rows if len(row) >= 7 and row[6] == "Leader"), default=0)
    return [
        f"{node} ({(leader_now - caught_up) / 1000:.0f}s behind)"
        for node, caught_up in sorted(voters.items())
        if leader_now - caught_up > opts.max_staleness_ms
    ]


def brokers(opts) -> str:
    out = tool(
        opts.api_versions_class,
        "--bootstrap-server",
        opts.bootstrap_server,
    )
    # Metadata answers list registered, unfenced brokers only: "host:port (id: 1 rack: a ...) -> (".
    ids = sorted({int(found) for found in re.findall(r"\(id: (\d+) rack:", out)})
    if len(ids) != opts.brokers:
        raise NotHealthy(f"{len(ids)} brokers registered and unfenced {ids}, expected {opts.brokers}")
    return f"brokers healthy: {len(ids)} registered and unfenced {ids}"


def partitions(opts) -> str:
    problems = []
    for flag, what in (
        ("--under-replicated-partitions", "under-replicated"),
        ("--under-min-isr-partitions", "under min ISR"),
        ("--unavailable-partitions", "offline"),
    ):
        out = tool(
            "org.apache.kafka.tools.TopicCommand",
            "--bootstrap-server",
            opts.bootstrap_server,
            "--describe",
            flag,
        )
        count = sum(1 for line in out.splitlines() if "Partition:" in line)
        if count:
            problems.append(f"{count} {what}")
    if problems:
        raise NotHealthy("partitions not healthy: " + ", ".join(problems))
    return "partitions healthy: none under-replicated, under min ISR or offline"


def _describe_partitions(bootstrap_server: str) -> tuple[dict[str, int], list[dict]]:
    """Per-topic min.insync.replicas overrides and every partition's replicas and ISR."""
    out = tool("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap_server, "--describe")
    topic_min_isr, partitions = {}, []
    for line in out.splitlines():
        fields = dict(
            (key.strip(), value.strip())
            for key, _, value in (part.partition(":") for part in line.split("\t"))
        )
        if "Partition" in fields:
            partitions.append(
                {
                    "topic": fields["Topic"],
                    "partition": fields["Partition"],
                    "isr": {int(b) for b in fields.get("Isr", "").split(",") if b.strip()},
                }
            )
        elif "PartitionCount" in fields:
            found = re.search(r"min\.insync\.replicas=(\d+)", fields.get("Configs", ""))
            if found:
                topic_min_isr[fields["Topic"]] = int(found.group(1))
    return topic_min_isr, partitions


def safe_to_stop(opts) -> str:
    topic_min_isr, partitions = _describe_partitions(opts.bootstrap_server)
    blocked = []
    for p in partitions:
        if opts.broker not in p["isr"]:
            continue
        left = len(p["isr"]) - 1
        needed = topic_min_isr.get(p["topic"], opts.default_min_isr)
        if left == 0 and not opts.allow_offline:
            blocked.append(f"{p['topic']}-{p['partition']} (would go offline)")
        elif 0 < left < needed:
            blocked.append(f"{p['topic']}-{p['partition']} (ISR {sorted(p['isr'])}, min {needed})")
    if blocked:
        shown = ", ".join(blocked[:5]) + (f" and {len(blocked) - 5} more" if len(blocked) > 5 else "")
        raise NotHealthy(f"stopping broker {opts.broker} would take partitions below min ISR: {shown}")
    return f"safe to stop broker {opts.broker}: every partition keeps its min ISR"


ZOOKEEPER_CLIENT = "org.apache.zookeeper.ZooKeeperMain"


def zookeeper_answer(output: str, opening: str) -> str:
    """The answer line of ZooKeeper's command-line client: it prints connection chatter first,
    then the children of `ls` as `[a, b]` or the data of `get` (Kafka's znodes hold JSON)."""
    for raw in reversed(output.splitlines()):
        line = raw.strip()
        if line.startswith(opening):
            return line
    raise NotHealthy(f"no answer from ZooKeeper in: {output.strip()[-200:]!r}")


def registered_brokers(ids_answer: str, controller_answer: str, expected: int) -> str:
    """The verdict on /brokers/ids (`[1, 2, 3]`) and /controller (`{"brokerid":2,...}`)."""
    ids = sorted(int(found) for found in re.findall(r"\d+", ids_answer))
    controller = json.loads(controller_answer).get("brokerid")
    if len(ids) != expected:
        raise NotHealthy(f"{len(ids)} brokers registered in ZooKeeper {ids}, expected {expected}")
    if controller not in ids:
        raise NotHealthy(f"the controller ({controller}) is not among the registered brokers {ids}")
    return f"brokers healthy: {len(ids)} registered in ZooKeeper {ids}, controller {controller}"


def _zookeeper(connect: str, command: str, path: str, opening: str) -> str:
    result = subprocess.run(
        [RUNNER, ZOOKEEPER_CLIENT, "-server", connect, command, path],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if "Node does not exist" in result.stderr:
        raise NotHealthy(f"{path} does not exist in ZooKeeper ({connect}) yet")
    if result.returncode != 0:
        raise NotHealthy(f"ZooKeeper client failed on {path}: {result.stderr.strip()[-200:]}")
    return zookeeper_answer(result.stdout, opening)


def zookeeper_brokers(opts) -> str:
    ids = _zookeeper(opts.zookeeper, "ls", "/brokers/ids", "[")
    controller = _zookeeper(opts.zookeeper, "get", "/controller", "{")
    return registered_brokers(ids, controller, opts.brokers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=0, help="seconds to keep retrying")
    parser.add_argument("--interval", type=float, default=5)
    sub = parser.add_subparsers(dest="check", required=True)
    q = sub.add_parser("quorum")
    q.add_argument("--bootstrap-controller", required=True)
    q.add_argument("--voters", type=int, required=True)
    q.add_argument("--max-lag", type=int, default=1000)
    q.add_argument("--max-staleness-ms", type=int, default=10000, help="oldest catch-up allowed")
    b = sub.add_parser("brokers")
    b.add_argument("--bootstrap-server", required=True)
    b.add_argument("--brokers", type=int, required=True)
    # Kafka 4.0 moved the tool from the Scala core (kafka.admin) into the tools module.
    b.add_argument("--api-versions-class", default="org.apache.kafka.tools.BrokerApiVersionsCommand")
    p = sub.add_parser("partitions")
    p.add_argument("--bootstrap-server", required=True)
    s = sub.add_parser("safe-to-stop")
    s.add_argument("--bootstrap-server", required=True)
    s.add_argument("--broker", type=int, required=True)
    s.add_argument("--default-min-isr", type=int, required=True, help="cluster-wide min.insync.replicas")
    s.add_argument("--allow-offline", action="store_true", help="a single-broker cluster has no choice")
    z = sub.add_parser("zookeeper-brokers")
    z.add_argument("--zookeeper", required=True, help="zookeeper.connect of the cluster, with its chroot")
    z.add_argument("--brokers", type=int, required=True)
    opts = parser.parse_args()
    check = {
        "quorum": quorum,
        "brokers": brokers,
        "partitions": partitions,
        "safe-to-stop": safe_to_stop,
        "zookeeper-brokers": zookeeper_brokers,
    }[opts.check]

    deadline = time.monotonic() + opts.timeout
    while True:
        try:
            print(check(opts))
            return 0
        except (NotHealthy, subprocess.TimeoutExpired, ValueError) as reason:
            if time.monotonic() + opts.interval > deadline:
                print(f"not healthy after {opts.timeout:.0f}s: {reason}", file=sys.stderr)
                return 1
            time.sleep(opts.interval)


if __name__ == "__main__":
    sys.exit(main())
