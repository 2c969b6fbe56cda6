"""Filters of the kafka role's ZooKeeper mode: the ensemble, the cluster id kept in ZooKeeper,
and the check that every log dir belongs to that cluster.

In ZooKeeper mode nothing formats the log dirs: each broker writes meta.properties itself, with
the cluster id it finds in ZooKeeper (<chroot>/cluster/id). The deploy writes that id once, before
any broker starts, so it is decided the same way as in KRaft mode (what the data already carries,
else kafka_cluster_id, else a fresh one), and a log dir carrying another cluster's id, or another
broker's id, stops the play before any broker starts. Tests: tests/unit/test_zookeeper_mode_filters.py.
"""

from __future__ import annotations

import json
from collections import defaultdict

from ansible.errors import AnsibleFilterError


def _by_myid(member: dict) -> tuple:
    myid = member.get("myid")
    return (0, myid, member["host"]) if isinstance(myid, int) else (1, 0, member["host"])


def kafka_zookeeper_members(hosts: list[str], hostvars, strict: bool = True) -> list[dict]:
    """The `zookeeper_member` facts (set by the zookeeper role) of `hosts`, sorted by myid.

    strict: a member without the fact (not part of this run) is an error, since the brokers'
    zookeeper.connect lists every member. Otherwise it comes back as {host, missing: True}, for
    the validation to report along with everything else.
    """
    members, missing = [], []
    for host in hosts:
        member = hostvars[host].get("zookeeper_member")
        if member:
            members.append(dict(member))
        else:
            missing.append(host)
    if missing and strict:
        raise AnsibleFilterError(
            f"ZooKeeper members {', '.join(sorted(missing))} are not part of this run (a --limit?): "
            "the brokers' zookeeper.connect lists every member"
        )
    members.sort(key=_by_myid)
    return members + [{"host": host, "missing": True} for host in sorted(missing)]


def kafka_zookeeper_connect(members: list[dict], chroot: str = "") -> str:
    """`host:port,...` of the ensemble's client ports, then the chroot: zookeeper.connect."""
    if not members:
        raise AnsibleFilterError("no ZooKeeper members: kafka_mode zookeeper needs an ensemble")
    servers = ",".join(f"{m['advertised_host']}:{int(m['client_port'])}" for m in members)
    return servers + (chroot or "")


def kafka_zookeeper_cluster_id(cli_output: str) -> str:
    """The cluster id from `ZooKeeperMain get <chroot>/cluster/id` output; empty without one.

    The client prints connection chatter first; the znode's data, `{"version":"1","id":"..."}`,
    is the JSON line.
    """
    for raw in reversed((cli_output or "").splitlines()):
        line = raw.strip()
        if line.startswith("{"):
            try:
                return str(json.loads(line).get("id") or "")
            except ValueError:
                continue
    return ""


def kafka_zookeeper_cluster_id_znode(cluster_id: str) -> str:
    """The data of <chroot>/cluster/id as Kafka writes it (kafka.zk.ClusterIdZNode)."""
    return json.dumps({"version": "1", "id": cluster_id}, separators=(",", ":"))


def kafka_zookeeper_paths(path: str) -> list[str]:
    """Every znode from the root down to `path`: /a/b/c -> [/a, /a/b, /a/b/c]."""
    parts = [part for part in str(path).split("/") if part]
    return ["/" + "/".join(parts[: index + 1]) for index in range(len(parts))]


def kafka_zookeeper_storage_plan(
    hosts: list[str], hostvars, stored_id: str, configured_id: str, fresh_id: str, *, chroot: str = "/kafka"
) -> dict:
    """How the cluster id is settled in ZooKeeper mode, and every reason to stop first.

    Each broker's `kafka_storage` fact is {host, node_id, data_dirs, stored: {dir: meta}};
    `stored_id` is the id ZooKeeper holds at <chroot>/cluster/id ('' when there is none).
    Returns {cluster_id, write_cluster_id, errors}.
    """
    nodes = [hostvars[h].get("kafka_storage") or {"host": h, "stored": None} for h in hosts]
    errors, owners = [], defaultdict(list)
    for node in nodes:
        if node.get("stored") is None:
            errors.append(
                f"{node['host']} was not part of this run (a --limit?): checking the cluster id needs "
                "every broker"
            )
            continue
        for log_dir, meta in sorted(node["stored"].items()):
            owners[meta.get("cluster.id", "")].append(f"{node['host']}:{log_dir}")
            stored_broker = meta.get("broker.id", meta.get("node.id"))
            if stored_broker is not None and str(stored_broker) != str(node["node_id"]):
                errors.append(
                    f"{node['host']}:{log_dir} belongs to broker.id {stored_broker}, but kafka_node_id is "
                    f"{node['node_id']}; a broker's id cannot change once it holds data"
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
        spread = "; ".join(f"{cid or '(none)'} on {', '.join(owners[cid])}" for cid in found)
        errors.append(
            f"the log dirs carry more than one cluster id: {spread}. A disk from another cluster? "
            "Wipe the log dir of the odd one out if its data is not needed"
        )
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
            "kafka_zookeeper_members": kafka_zookeeper_members,
            "kafka_zookeeper_connect": kafka_zookeeper_connect,
            "kafka_zookeeper_cluster_id": kafka_zookeeper_cluster_id,
            "kafka_zookeeper_cluster_id_znode": kafka_zookeeper_cluster_id_znode,
            "kafka_zookeeper_paths": kafka_zookeeper_paths,
            "kafka_zookeeper_storage_plan": kafka_zookeeper_storage_plan,
        }
