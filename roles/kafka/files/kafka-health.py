#!/usr/bin/env python3
"""Health gates for a Kafka node, built on Kafka's own admin tools (via kafka-run-class).

  kafka-health quorum  --bootstrap-controller H:P --voters N   every voter present, a leader, no lag
  kafka-health brokers --bootstrap-server H:P --brokers N      N brokers registered and unfenced
  kafka-health partitions --bootstrap-server H:P               no under-replicated, under-min-ISR
                                                                or offline partitions
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
    ids = sorted(v["id"] for v in voters)
    return f"quorum healthy: leader {leader}, voters {ids}, max follower lag {lag}"


def brokers(opts) -> str:
    out = tool(
        "org.apache.kafka.tools.BrokerApiVersionsCommand",
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=0, help="seconds to keep retrying")
    parser.add_argument("--interval", type=float, default=5)
    sub = parser.add_subparsers(dest="check", required=True)
    q = sub.add_parser("quorum")
    q.add_argument("--bootstrap-controller", required=True)
    q.add_argument("--voters", type=int, required=True)
    q.add_argument("--max-lag", type=int, default=1000)
    b = sub.add_parser("brokers")
    b.add_argument("--bootstrap-server", required=True)
    b.add_argument("--brokers", type=int, required=True)
    p = sub.add_parser("partitions")
    p.add_argument("--bootstrap-server", required=True)
    opts = parser.parse_args()
    check = {"quorum": quorum, "brokers": brokers, "partitions": partitions}[opts.check]

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
