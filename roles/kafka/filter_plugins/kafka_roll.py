"""The order in which a rolling operation visits the nodes."""

from __future__ import annotations

import json
from collections import Counter

from ansible.errors import AnsibleFilterError


def kafka_roll_order(nodes: list[dict], active_controller: int | str | None) -> list[str]:
    """KRaft controllers first, then the brokers that are not controllers; in each group the
    active controller (the quorum leader, or in ZooKeeper mode the broker elected controller)
    goes last, so that leadership moves once rather than at every step; otherwise node id order."""
    active = int(active_controller) if str(active_controller).strip().lstrip("-").isdigit() else None

    def order(node: dict) -> tuple[bool, int]:
        return int(node["node_id"]) == active, int(node["node_id"])

    controllers = sorted((n for n in nodes if "controller" in n["roles"]), key=order)
    brokers = sorted((n for n in nodes if "controller" not in n["roles"]), key=order)
    return [n["host"] for n in controllers + brokers]


def _json_after(text: str, heading: str) -> dict:
    _, found, rest = text.partition(heading)
    if not found:
        raise AnsibleFilterError(f"no {heading!r} in the reassignment tool's output: {text[:300]!r}")
    return json.loads(next(line for line in rest.splitlines() if line.strip().startswith("{")))


def kafka_reassignment_plan(generate_output: str) -> dict:
    """What `kafka-reassign-partitions --generate` proposes, and whether it is worth doing.

    The generator starts at a random broker, so its proposal differs on every call even for a
    balanced cluster. Act only when the replicas are unevenly spread (a broker holds two or more
    replicas more than another, or none), and then move only the partitions whose replica set
    changes: a re-run on a balanced cluster moves nothing.
    """
    current = _json_after(generate_output, "Current partition replica assignment")
    proposed = _json_after(generate_output, "Proposed partition reassignment configuration")
    brokers = {b for p in proposed["partitions"] for b in p["replicas"]}
    load = Counter({broker: 0 for broker in brokers})
    load.update(b for p in current["partitions"] for b in p["replicas"])
    balanced = not load or max(load.values()) - min(load.values()) <= 1
    now = {(p["topic"], p["partition"]): set(p["replicas"]) for p in current["partitions"]}
    changes = (
        []
        if balanced
        else [
            p for p in proposed["partitions"] if set(p["replicas"]) != now.get((p["topic"], p["partition"]))
        ]
    )
    return {
        "load": dict(sorted(load.items())),
        "moves": [f"{p['topic']}-{p['partition']}" for p in changes],
        "proposed": {"version": 1, "partitions": changes},
    }


class FilterModule:
    def filters(self):
        return {"kafka_roll_order": kafka_roll_order, "kafka_reassignment_plan": kafka_reassignment_plan}
