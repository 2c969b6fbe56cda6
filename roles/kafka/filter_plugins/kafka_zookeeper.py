"""Filters of the kafka role's ZooKeeper mode: the ensemble and the cluster id kept in ZooKeeper.

The check that every log dir belongs to that cluster, kafka_zookeeper_storage_plan, lives in
kafka_storage.py beside KRaft's plan: both read the stored meta.properties the same way.
Tests: tests/unit/test_zookeeper_mode_filters.py.
"""

from __future__ import annotations

import json

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


class FilterModule:
    def filters(self):
        return {
            "kafka_zookeeper_members": kafka_zookeeper_members,
            "kafka_zookeeper_connect": kafka_zookeeper_connect,
            "kafka_zookeeper_cluster_id": kafka_zookeeper_cluster_id,
            "kafka_zookeeper_cluster_id_znode": kafka_zookeeper_cluster_id_znode,
            "kafka_zookeeper_paths": kafka_zookeeper_paths,
        }
