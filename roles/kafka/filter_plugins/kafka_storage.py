"""Decide, once for the whole cluster, how each node's storage is formatted (KRaft) or which
cluster id ZooKeeper holds (ZooKeeper mode), from the meta.properties the log dirs already carry.

KRaft: a log dir that is formatted (has meta.properties) is never formatted again; the cluster id
is the one the formatted dirs carry, else the configured one, else a fresh one; a log dir that
carries another cluster's id, or another node's id, stops the play before anything is formatted.

ZooKeeper mode: nothing formats the log dirs; each broker writes meta.properties itself, with the
cluster id it finds in ZooKeeper (<chroot>/cluster/id). The deploy writes that id once, before any
broker starts, so it is decided the same way as in KRaft mode, and a log dir carrying another
cluster's id, or another broker's id, stops the play before any broker starts.

Both plans read the stored meta.properties through one helper, so they live in one file (filter
plugins cannot import each other). Tests: tests/unit/test_kafka_storage_plan.py and
tests/unit/test_zookeeper_mode_filters.py.
"""

from __future__ import annotations

import base64
from collections import defaultdict


def kafka_parse_properties(text: str) -> dict:
    """Parse the `key=value` files Kafka writes itself (meta.properties)."""
    parsed = {}
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", "!")):
            key, sep, value = line.partition("=")
            if sep:
                parsed[key.strip()] = value.strip()
    return parsed


def kafka_meta_by_dir(slurp_results: list[dict]) -> dict:
    """`{log dir: meta.properties as a dict}` from the results of a looped `slurp`."""
    return {
        result["source"].rsplit("/meta.properties", 1)[0]: kafka_parse_properties(
            base64.b64decode(result["content"]).decode()
        )
        for result in slurp_results
        if "content" in result
    }


def _read_stored(hosts: list[str], hostvars, *, id_keys: tuple[str, ...], needs: str, wrong_id: str):
    """Each host's `kafka_storage` fact, and what its formatted log dirs say.

    Returns (nodes, owners, errors): `owners` maps each cluster id found to the `host:dir`s that
    carry it; `errors` name each host that was not part of this run (`needs` says why that
    matters), whose node comes back with `stored: None`, and each log dir stored for another
    node (`wrong_id`, formatted with host, log_dir, stored and node_id). `id_keys` are the
    meta.properties keys that hold the node's id, the first one present wins.
    """
    nodes = [hostvars[h].get("kafka_storage") or {"host": h, "roles": [], "stored": None} for h in hosts]
    errors, owners = [], defaultdict(list)
    for node in nodes:
        if node.get("stored") is None:
            errors.append(f"{node['host']} was not part of this run (a --limit?): {needs}")
            continue
        for log_dir, meta in sorted(node["stored"].items()):
            owners[meta.get("cluster.id", "")].append(f"{node['host']}:{log_dir}")
            stored = next((meta[key] for key in id_keys if key in meta), None)
            if stored is not None and str(stored) != str(node["node_id"]):
                errors.append(
                    wrong_id.format(
                        host=node["host"], log_dir=log_dir, stored=stored, node_id=node["node_id"]
                    )
                )
    return nodes, owners, errors


def _mixed_cluster_ids(owners: dict) -> str:
    spread = "; ".join(f"{cid or '(none)'} on {', '.join(owners[cid])}" for cid in sorted(owners))
    return (
        f"the log dirs carry more than one cluster id: {spread}. A disk from another cluster? "
        "Wipe the log dir of the odd one out if its data is not needed"
    )


def kafka_storage_plan(hosts: list[str], hostvars, configured_id: str, fresh_id: str) -> dict:
    """The storage plan of the cluster made of `hosts`.

    Each host's `kafka_storage` fact is {host, node_id, roles, data_dirs, stored: {dir: meta}};
    a host without it did not take part in this run.
    """
    nodes, owners, errors = _read_stored(
        hosts,
        hostvars,
        id_keys=("node.id",),
        needs="formatting decisions need every Kafka host",
        wrong_id="{host}:{log_dir} was formatted for node.id {stored}, but kafka_node_id is {node_id}; "
        "node ids cannot change once formatted",
    )
    found = sorted(owners)
    if len(found) > 1:
        errors.append(_mixed_cluster_ids(owners))
    elif found and configured_id and found[0] != configured_id:
        errors.append(
            f"kafka_cluster_id is {configured_id}, but the formatted log dirs carry "
            f"{found[0]} ({', '.join(owners[found[0]])}). Refusing to mix two clusters"
        )
    cluster_id = found[0] if len(found) == 1 else (configured_id or fresh_id)

    controllers = [n for n in nodes if "controller" in n["roles"] and n.get("stored") is not None]
    new_quorum = not any(n["stored"] for n in controllers)
    errors += [
        f"{n['host']} is a new controller, but the quorum already exists: adding a controller needs "
        "`kafka-metadata-quorum add-controller`, which deploy does not do yet"
        for n in controllers
        if not new_quorum and not n["stored"]
    ]
    to_format = {
        n["host"]: [d for d in n["data_dirs"] if d not in n["stored"]]
        for n in nodes
        if n.get("stored") is not None
    }
    return {
        "cluster_id": cluster_id,
        "new_quorum": new_quorum,
        "to_format": {host: dirs for host, dirs in to_format.items() if dirs},
        "errors": errors,
    }


def kafka_zookeeper_storage_plan(
    hosts: list[str], hostvars, stored_id: str, configured_id: str, fresh_id: str, *, chroot: str = "/kafka"
) -> dict:
    """How the cluster id is settled in ZooKeeper mode, and every reason to stop first.

    Each broker's `kafka_storage` fact is {host, node_id, data_dirs, stored: {dir: meta}};
    `stored_id` is the id ZooKeeper holds at <chroot>/cluster/id ('' when there is none).
    Returns {cluster_id, write_cluster_id, errors}.
    """
    # A broker's meta.properties says broker.id; one formatted for KRaft says node.id.
    _, owners, errors = _read_stored(
        hosts,
        hostvars,
        id_keys=("broker.id", "node.id"),
        needs="checking the cluster id needs every broker",
        wrong_id="{host}:{log_dir} belongs to broker.id {stored}, but kafka_node_id is {node_id}; "
        "a broker's id cannot change once it holds data",
    )
    found = sorted(owners)
    where = f"ZooKeeper ({chroot}/cluster/id)"
    if stored_id:
        # ZooKeeper knows the cluster: every log dir that says otherwise is a stranger.
        errors += [
            f"{', '.join(owners[cid])} {'carries' if len(owners[cid]) == 1 else 'carry'} cluster id "
            f"{cid or '(none)'}, but {where} holds {stored_id}: another cluster's data. Refusing to start "
            "brokers on it; wipe it if it is not needed"
            for cid in found
            if cid != stored_id
        ]
    elif len(found) > 1:
        errors.append(_mixed_cluster_ids(owners))
    elif found:
        errors.append(
            f"the log dirs carry cluster id {found[0]} ({', '.join(owners[found[0]])}), but {where} holds "
            "no cluster: was kafka_zookeeper_chroot changed, or the ensemble's data lost? The topics' "
            "metadata lived there. Restore it (or the chroot), or wipe the log dirs to start afresh"
        )
    known = stored_id or (found[0] if len(found) == 1 else "")
    if configured_id and known and configured_id != known:
        errors.append(
            f"kafka_cluster_id is {configured_id}, but the cluster already has the id {known}. "
            "Refusing to mix two clusters"
        )
    return {
        "cluster_id": known or configured_id or fresh_id,
        "write_cluster_id": not stored_id,
        "errors": errors,
    }


class FilterModule:
    def filters(self):
        return {
            "kafka_parse_properties": kafka_parse_properties,
            "kafka_meta_by_dir": kafka_meta_by_dir,
            "kafka_storage_plan": kafka_storage_plan,
            "kafka_zookeeper_storage_plan": kafka_zookeeper_storage_plan,
        }
