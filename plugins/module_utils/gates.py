"""The health gates that decide whether a node may stop, and whether it is back: pure verdicts over
what the tools answered (module_utils/tool_output.py parses it), plus the bounded retry loop that
the kafka_gate module runs on a node.

Each verdict returns one line that says why the gate passes, or raises NotHealthy with the reason
it holds: the play log shows that line under the gate's own task. Tests:
tests/unit/test_gates.py, on the recorded outputs of the 3.9 and 4.x tools.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from ansible_collections.kafkakit.kafka.plugins.module_utils import tool_output
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import ToolError


class NotHealthy(Exception):
    """A gate holds: the reason is the message."""


# --- Verdicts ---------------------------------------------------------------------------------------
def quorum_verdict(
    replication: list[dict], voters: int, max_lag: int = 1000, max_staleness_ms: int = 10000
) -> str:
    """The controller quorum is whole: a leader, `voters` voters, each caught up with the leader
    (its lag at most `max_lag` records, its last catch-up at most `max_staleness_ms` behind the
    leader's clock). A stopped voter stays a voter but stops catching up: that is what the
    staleness finds, and why a quorum with a stopped voter holds the next controller's stop."""
    leaders = [r for r in replication if r["status"] == "Leader"]
    members = [r for r in replication if r["status"] in ("Leader", "Follower")]
    if not leaders:
        raise NotHealthy("the quorum has no leader")
    if len(members) != voters:
        raise NotHealthy(f"the quorum has {len(members)} voters, expected {voters}")
    now = leaders[0]["last_caught_up_ms"]
    lagging = [f"{r['id']} ({r['lag']} records behind)" for r in members if r["lag"] > max_lag]
    stale = [
        f"{r['id']} ({(now - r['last_caught_up_ms']) / 1000:.0f}s behind)"
        for r in members
        if now - r["last_caught_up_ms"] > max_staleness_ms
    ]
    if lagging or stale:
        raise NotHealthy(f"voters not caught up with the leader: {', '.join(sorted(set(lagging + stale)))}")
    ids = sorted(r["id"] for r in members)
    worst = max((r["lag"] for r in members), default=0)
    return f"quorum healthy: leader {leaders[0]['id']}, voters {ids}, max follower lag {worst}"


def brokers_verdict(registered: dict[int, str], expected: int, node: int | None = None) -> str:
    """`expected` brokers registered and unfenced (and broker `node` among them, after its start)."""
    ids = sorted(registered)
    if node is not None and node not in registered:
        raise NotHealthy(f"broker {node} is not registered and unfenced yet (registered: {ids})")
    if len(ids) != expected:
        raise NotHealthy(f"{len(ids)} brokers registered and unfenced {ids}, expected {expected}")
    return f"brokers healthy: {len(ids)} registered and unfenced {ids}"


def _min_isr(description: dict, topic: str, default_min_isr: int) -> int:
    configured = description["topics"].get(topic, {}).get("configs", {}).get("min.insync.replicas")
    return int(configured) if configured and configured.isdigit() else default_min_isr


def partitions_verdict(description: dict, default_min_isr: int) -> str:
    """No partition under-replicated, under its min ISR or offline."""
    under_replicated, under_min_isr, offline = [], [], []
    for p in description["partitions"]:
        name = f"{p['topic']}-{p['partition']}"
        if p["leader"] is None:
            offline.append(name)
        if len(p["isr"]) < len(p["replicas"]):
            under_replicated.append(name)
        if len(p["isr"]) < min(_min_isr(description, p["topic"], default_min_isr), len(p["replicas"])):
            under_min_isr.append(name)
    problems = [
        f"{len(names)} {what} ({_sample(names)})"
        for names, what in (
            (offline, "offline"),
            (under_min_isr, "under min ISR"),
            (under_replicated, "under-replicated"),
        )
        if names
    ]
    if problems:
        raise NotHealthy("partitions not healthy: " + "; ".join(problems))
    count = len(description["partitions"])
    return f"partitions healthy: {count} partitions, none under-replicated, under min ISR or offline"


def safe_to_stop_verdict(
    description: dict, broker: int, default_min_isr: int, allow_offline: bool = False
) -> str:
    """Stopping `broker` leaves every partition it is in sync for at its min ISR, and online."""
    blocked = []
    for p in description["partitions"]:
        if broker not in p["isr"]:
            continue
        left = len(p["isr"]) - 1
        needed = _min_isr(description, p["topic"], default_min_isr)
        name = f"{p['topic']}-{p['partition']}"
        if left == 0 and not allow_offline:
            blocked.append(f"{name} (would go offline)")
        elif 0 < left < needed:
            blocked.append(f"{name} (ISR {sorted(p['isr'])}, min {needed})")
    if blocked:
        raise NotHealthy(f"stopping broker {broker} would take partitions below min ISR: {_sample(blocked)}")
    return f"safe to stop broker {broker}: every partition keeps its min ISR"


def zookeeper_brokers_verdict(
    ids: list[str], controller: dict, expected: int, node: int | None = None
) -> str:
    """ZooKeeper mode: `expected` brokers registered in ZooKeeper, one of them the controller."""
    registered = sorted(int(item) for item in ids if item.isdigit())
    elected = controller.get("brokerid")
    if node is not None and node not in registered:
        raise NotHealthy(f"broker {node} is not registered in ZooKeeper yet (registered: {registered})")
    if len(registered) != expected:
        raise NotHealthy(
            f"{len(registered)} brokers registered in ZooKeeper {registered}, expected {expected}"
        )
    if elected not in registered:
        raise NotHealthy(f"the controller ({elected}) is not among the registered brokers {registered}")
    return f"brokers healthy: {len(registered)} registered in ZooKeeper {registered}, controller {elected}"


def ensemble_verdict(modes: dict[str, str]) -> str:
    """A ZooKeeper ensemble serves: one leader and every other member a follower (a single member
    runs standalone). `modes` maps each member to the Mode its `srvr` answer gave."""
    if len(modes) == 1:
        ((server, mode),) = modes.items()
        if mode != "standalone":
            raise NotHealthy(f"{server} is the only member but runs as {mode}, not standalone")
        return f"ensemble healthy: 1 member, {server} standalone"
    leaders = sorted(s for s, m in modes.items() if m == "leader")
    followers = sorted(s for s, m in modes.items() if m == "follower")
    others = sorted(f"{s} ({m})" for s, m in modes.items() if m not in ("leader", "follower"))
    if len(leaders) != 1:
        raise NotHealthy(f"{len(leaders)} leaders ({', '.join(leaders) or 'none'}), expected exactly one")
    if others:
        raise NotHealthy(f"members neither leader nor follower: {', '.join(others)}")
    return f"ensemble healthy: leader {leaders[0]}, followers {', '.join(followers)}"


def active_controller(replication: list[dict]) -> int:
    """The quorum leader's node id (the active controller), from `describe --replication`."""
    leaders = [r["id"] for r in replication if r["status"] == "Leader"]
    if not leaders:
        raise NotHealthy("the quorum has no leader")
    return leaders[0]


def _sample(names: list[str], shown: int = 5) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


# --- Probing ------------------------------------------------------------------------------------
def four_letter_word(server: str, word: str, timeout: float = 5) -> str:
    """Send a four-letter word to a ZooKeeper member (host:port) and return its whole answer."""
    host, _, port = server.rpartition(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(word.encode())
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def wait(
    check: Callable[[], str], timeout: float, interval: float = 3, sleep=time.sleep, clock=time.monotonic
):
    """Run `check` until it passes or `timeout` seconds are spent; returns (passed, message,
    attempts). The message is the verdict, or the last reason the gate held."""
    deadline, attempts = clock() + timeout, 0
    while True:
        attempts += 1
        try:
            return True, check(), attempts
        except (NotHealthy, ToolError, tool_output.ToolOutputError, ValueError, OSError) as reason:
            if clock() + interval > deadline:
                return False, str(reason), attempts
            sleep(interval)
