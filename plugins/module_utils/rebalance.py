"""The order in which a rolling operation visits the nodes, and the rebalance plan: deterministic,
rack-aware, the fewest moves. Tests: tests/unit/test_rebalance.py (properties with hypothesis).
"""

from __future__ import annotations

from collections import Counter


def roll_order(nodes: list[dict], active_controller: int | str | None) -> list[str]:
    """KRaft controllers first, then the brokers that are not controllers; in each group the
    active controller (the quorum leader, or in ZooKeeper mode the broker elected controller)
    goes last, so that leadership moves once rather than at every step; otherwise node id order."""
    active = int(active_controller) if str(active_controller).strip().lstrip("-").isdigit() else None

    def order(node: dict) -> tuple[bool, int]:
        return int(node["node_id"]) == active, int(node["node_id"])

    controllers = sorted((n for n in nodes if "controller" in n["roles"]), key=order)
    brokers = sorted((n for n in nodes if "controller" not in n["roles"]), key=order)
    return [n["host"] for n in controllers + brokers]


def _move_target(replicas: list[int], source: int, targets: list[int], rack: dict) -> int | None:
    """The first of `targets` that can take `source`'s replica without losing a rack."""
    racks_now = len({rack[b] for b in replicas})
    others = [b for b in replicas if b != source]
    for target in targets:
        if target not in replicas and len({rack[b] for b in [*others, target]}) >= racks_now:
            return target
    return None


def _next_move(assignment: dict, keys: list, load: Counter, rack: dict) -> tuple | None:
    """(partition key, source, target) of the next replica move, fullest source first, emptiest
    target first, partitions in key order; None when no move evens out anything any more."""
    for source in sorted(load, key=lambda b: (-load[b], b)):
        targets = [t for t in sorted(load, key=lambda b: (load[b], b)) if load[source] - load[t] > 1]
        for key in (k for k in keys if source in assignment[k]):
            target = _move_target(assignment[key], source, targets, rack)
            if target is not None:
                return key, source, target
    return None


def reassignment_plan(
    current: dict[tuple[str, int], list[int]], brokers: list[dict], draining: tuple = ()
) -> dict:
    """The fewest replica moves that even out the replica count per broker, rack-aware.

    `current` is the assignment `kafka-reassign-partitions --generate` prints first
    (tool_output.current_assignment); its proposal is not used: it starts at a random broker (so it
    differs on every call) and, with racks of unequal size, it can never be even per broker, which
    would make every run move partitions again. Here a replica moves from the broker that holds the
    most to the one that holds the fewest, never onto a rack the partition has already when that
    loses a rack, and only while the two differ by more than one; the moved replica keeps its place
    in the list, so a preferred leader that moves stays preferred. The plan is deterministic, and a
    re-run on the cluster it left moves nothing. `brokers` are model nodes ({node_id, rack}).

    `draining` (node ids) are brokers about to be removed: every replica they hold moves first, to
    the emptiest broker that keeps the partition's racks (or, when the drained broker's rack has no
    other broker, to the emptiest of any), and they are never a target.
    """
    rack = {int(b["node_id"]): b.get("rack") or f"broker-{b['node_id']}" for b in brokers}
    assignment = {key: list(replicas) for key, replicas in current.items()}
    unknown = sorted({r for replicas in assignment.values() for r in replicas} - set(rack))
    if unknown:
        raise ValueError(f"replicas on brokers {unknown}, which are not in the inventory")
    drained = {int(node_id) for node_id in draining}
    if drained - set(rack):
        unknown = sorted(drained - set(rack))
        raise ValueError(f"cannot drain brokers {unknown}, which are not in the inventory")
    load = Counter({broker: 0 for broker in rack})
    load.update(r for replicas in assignment.values() for r in replicas)
    before = dict(sorted(load.items()))
    keys, moved = sorted(assignment), set()
    for key in keys:
        for source in [r for r in assignment[key] if r in drained]:
            staying = sorted((b for b in rack if b not in drained), key=lambda b: (load[b], b))
            target = _move_target(assignment[key], source, staying, rack)
            if target is None:  # the drained broker's rack has no other broker: racks shrink
                target = next((b for b in staying if b not in assignment[key]), None)
            if target is None:
                raise ValueError(
                    f"{key[0]}-{key[1]} has {len(assignment[key])} replicas, more than the "
                    f"{len(staying)} brokers left after draining {sorted(drained)}"
                )
            assignment[key] = [target if r == source else r for r in assignment[key]]
            load[source] -= 1
            load[target] += 1
            moved.add(key)
    for broker in drained:
        del load[broker]
    while (step := _next_move(assignment, keys, load, rack)) is not None:
        key, source, target = step
        assignment[key] = [target if r == source else r for r in assignment[key]]
        load[source] -= 1
        load[target] += 1
        moved.add(key)
    changes = [
        {"topic": topic, "partition": partition, "replicas": assignment[(topic, partition)]}
        for topic, partition in sorted(moved)
    ]
    return {
        "load": before,
        "balanced_load": dict(sorted({**load, **dict.fromkeys(drained, 0)}.items())),
        "moves": [f"{c['topic']}-{c['partition']}" for c in changes],
        "proposed": {"version": 1, "partitions": changes},
    }


def removal_errors(cluster: dict, host) -> list[str]:
    """Why `host` (kafka_rebalance_remove_node) cannot be removed from `cluster` (the cluster model),
    or nothing: a broker is drained first, a dedicated controller leaves the quorum first."""
    if not host:
        return ["kafka_rebalance_remove_node is not set: pass the node to remove with -e"]
    node = cluster["nodes"].get(host)
    if node is None:
        return [f"kafka_rebalance_remove_node={host}: no Kafka node of the inventory has that name"]
    roles = set(node["roles"])
    if roles == {"broker", "controller"}:
        why = "is a combined node, a voter of the quorum and a broker; removing one is not built"
    elif roles == {"controller"}:
        why = "is the only controller" if len(cluster["controllers"]) < 2 else ""
    else:
        why = "is the only broker" if len(cluster["brokers"]) < 2 else ""
    return [f"kafka_rebalance_remove_node={host}: {host} {why}"] if why else []


def replicas_on(description: dict, node_id) -> list[str]:
    """The partitions (topic-partition) of a TopicCommand description with a replica on `node_id`."""
    return [
        f"{p['topic']}-{p['partition']}" for p in description["partitions"] if int(node_id) in p["replicas"]
    ]
