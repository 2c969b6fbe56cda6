"""Decide, once for the whole cluster, how each node's storage is formatted (KRaft) or which
cluster id ZooKeeper holds (ZooKeeper mode), from the meta.properties the log dirs already carry.

KRaft: a log dir that is formatted (has meta.properties) is never formatted again; the cluster id
is the one the formatted dirs carry, else the configured one, else a fresh one; a log dir that
carries another cluster's id, or another node's id, stops the play before anything is formatted.

ZooKeeper mode: nothing formats the log dirs; each broker writes meta.properties itself, with the
cluster id it finds in ZooKeeper (<chroot>/cluster/id). The deploy writes that id once, before any
broker starts, so it is decided the same way as in KRaft mode, and a log dir carrying another
cluster's id, or another broker's id, stops the play before any broker starts.

Tests: tests/unit/test_storage.py.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections import defaultdict

from ansible_collections.kafkakit.kafka.plugins.module_utils import properties


def meta_by_dir(slurp_results: list[dict]) -> dict:
    """`{log dir: meta.properties as a dict}` from the results of a looped `slurp` (a log dir
    without meta.properties fails its slurp and is left out)."""
    return {
        result["source"].rsplit("/meta.properties", 1)[0]: properties.parse(
            base64.b64decode(result["content"]).decode()
        )
        for result in slurp_results
        if "content" in result
    }


def new_uuid() -> str:
    """A Kafka Uuid: 16 random bytes, URL-safe base64 without padding; Kafka itself redraws ids
    that start with '-' so they never look like a command-line option."""
    while True:
        encoded = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        if not encoded.startswith("-"):
            return encoded


def new_uuids(names: list[str]) -> dict:
    """A fresh Kafka Uuid for each name (the cluster id, the controllers' metadata directory ids)."""
    return {name: new_uuid() for name in names}


def initial_controllers(controllers: list[dict], directory_ids: dict) -> str:
    """`id@host:port:directory-id,...` for `kafka-storage format --initial-controllers` (KIP-853);
    `controllers` are model nodes in node id order."""
    missing = [n["host"] for n in controllers if n["host"] not in directory_ids]
    if missing:
        raise ValueError(f"no metadata directory id for controllers: {', '.join(missing)}")
    return ",".join(
        f"{n['node_id']}@{n['controller_listener']['advertised_host']}:{int(n['controller_listener']['port'])}:"
        f"{directory_ids[n['host']]}"
        for n in controllers
    )


def zookeeper_cluster_id(cli_output: str) -> str:
    """The cluster id from `ZooKeeperMain get <chroot>/cluster/id` output; empty without one.
    The client prints connection chatter first; the znode's data is the JSON line."""
    for raw in reversed((cli_output or "").splitlines()):
        line = raw.strip()
        if line.startswith("{"):
            try:
                return str(json.loads(line).get("id") or "")
            except ValueError:
                continue
    return ""


def zookeeper_cluster_id_znode(cluster_id: str) -> str:
    """The data of <chroot>/cluster/id as Kafka writes it (kafka.zk.ClusterIdZNode)."""
    return json.dumps({"version": "1", "id": cluster_id}, separators=(",", ":"))


def zookeeper_paths(path: str) -> list[str]:
    """Every znode from the root down to `path`: /a/b/c -> [/a, /a/b, /a/b/c]."""
    parts = [part for part in str(path).split("/") if part]
    return ["/" + "/".join(parts[: index + 1]) for index in range(len(parts))]


def _read_stored(nodes: list[dict], *, id_keys: tuple[str, ...], needs: str, wrong_id: str):
    """What the formatted log dirs of `nodes` say ({host, node_id, roles, data_dirs, stored: {dir:
    meta.properties as a dict}}; `stored` None for a node whose log dirs were not read).

    Returns (owners, errors): `owners` maps each cluster id found to the `host:dir`s that carry
    it; `errors` name each node whose log dirs were not read (`needs` says why that matters), and
    each log dir stored for another node (`wrong_id`, formatted with host, log_dir, stored and
    node_id). `id_keys` are the meta.properties keys that hold the node's id, the first wins.
    """
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
    return owners, errors


def _mixed_cluster_ids(owners: dict) -> str:
    spread = "; ".join(f"{cid or '(none)'} on {', '.join(owners[cid])}" for cid in sorted(owners))
    return (
        f"the log dirs carry more than one cluster id: {spread}. A disk from another cluster? "
        "Wipe the log dir of the odd one out if its data is not needed"
    )


def kraft_plan(nodes: list[dict], configured_id: str, fresh_id: str) -> dict:
    """The storage plan of a KRaft cluster: its id, whether its quorum is new, and what to format."""
    owners, errors = _read_stored(
        nodes,
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
    # A controller new to a quorum that exists is formatted without initial controllers and added
    # once it has caught up (KIP-853); the voters it is added by are the formatted ones.
    joining = [n["host"] for n in controllers if not new_quorum and not n["stored"]]
    to_format = {
        n["host"]: [d for d in n["data_dirs"] if d not in n["stored"]]
        for n in nodes
        if n.get("stored") is not None
    }
    return {
        "cluster_id": cluster_id,
        "new_quorum": new_quorum,
        "joining": joining,
        "to_format": {host: dirs for host, dirs in to_format.items() if dirs},
        "errors": errors,
    }


def zookeeper_plan(
    nodes: list[dict], stored_id: str, configured_id: str, fresh_id: str, *, chroot: str = "/kafka"
) -> dict:
    """How the cluster id is settled in ZooKeeper mode, and every reason to stop first.

    `stored_id` is the id ZooKeeper holds at <chroot>/cluster/id ('' when there is none).
    Returns {cluster_id, write_cluster_id, errors}.
    """
    # A broker's meta.properties says broker.id; one formatted for KRaft says node.id.
    owners, errors = _read_stored(
        nodes,
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
