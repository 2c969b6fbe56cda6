"""Decide, once for the whole cluster, how each node's storage is formatted.

A log dir that is formatted (has meta.properties) is never formatted again; the cluster id is the
one the formatted dirs carry, else the configured one, else a fresh one; a log dir that carries
another cluster's id, or another node's id, stops the play before anything is formatted.
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


def kafka_storage_plan(hosts: list[str], hostvars, configured_id: str, fresh_id: str) -> dict:
    """The storage plan of the cluster made of `hosts`.

    Each host's `kafka_storage` fact is {host, node_id, roles, data_dirs, stored: {dir: meta}};
    a host without it did not take part in this run.
    """
    nodes = [hostvars[h].get("kafka_storage") or {"host": h, "roles": [], "stored": None} for h in hosts]
    errors, owners = [], defaultdict(list)
    for node in nodes:
        if node.get("stored") is None:
            errors.append(
                f"{node['host']} was not part of this run (a --limit?): formatting decisions "
                "need every Kafka host"
            )
            continue
        for log_dir, meta in sorted(node["stored"].items()):
            owners[meta.get("cluster.id", "")].append(f"{node['host']}:{log_dir}")
            stored_node_id = meta.get("node.id")
            if stored_node_id is not None and str(stored_node_id) != str(node["node_id"]):
                errors.append(
                    f"{node['host']}:{log_dir} was formatted for node.id {stored_node_id}, but "
                    f"kafka_node_id is {node['node_id']}; node ids cannot change once formatted"
                )
    found = sorted(owners)
    if len(found) > 1:
        spread = "; ".join(f"{cid or '(none)'} on {', '.join(owners[cid])}" for cid in found)
        errors.append(
            f"the log dirs carry more than one cluster id: {spread}. A disk from another cluster? "
            "Wipe the log dir of the odd one out if its data is not needed"
        )
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


class FilterModule:
    def filters(self):
        return {
            "kafka_parse_properties": kafka_parse_properties,
            "kafka_meta_by_dir": kafka_meta_by_dir,
            "kafka_storage_plan": kafka_storage_plan,
        }
