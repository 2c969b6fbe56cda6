"""The zookeeper role's filters: the ensemble from facts (zoo.cfg: test_java_properties_filters.py)."""

import pytest
from ansible.errors import AnsibleFilterError
from zookeeper_config import zookeeper_connect, zookeeper_members, zookeeper_server_entries


def member(host, myid, **overrides):
    base = {
        "host": host,
        "myid": myid,
        "advertised_host": f"{host}.internal",
        "client_port": 2181,
        "peer_port": 2888,
        "election_port": 3888,
    }
    return {**base, **overrides}


def hostvars(*members, **extra):
    found = {m["host"]: {"zookeeper_member": m} for m in members}
    return {**found, **{host: {} for host in extra.get("without", [])}}


def test_members_are_sorted_by_myid_not_by_inventory_order():
    hosts = ["zk-c", "zk-a", "zk-b"]
    facts = hostvars(member("zk-c", 3), member("zk-a", 1), member("zk-b", 2))
    assert [m["host"] for m in zookeeper_members(hosts, facts)] == ["zk-a", "zk-b", "zk-c"]


def test_a_member_without_its_fact_cannot_be_configured():
    facts = hostvars(member("zk-a", 1), member("zk-b", 2), without=["zk-c"])
    with pytest.raises(AnsibleFilterError, match=r"zk-c not part of this run \(a --limit\?\)"):
        zookeeper_members(["zk-a", "zk-b", "zk-c"], facts)


def test_duplicate_or_invalid_myids_cannot_be_configured():
    facts = hostvars(member("zk-a", 1), member("zk-b", 1), member("zk-c", 300))
    with pytest.raises(AnsibleFilterError) as raised:
        zookeeper_members(["zk-a", "zk-b", "zk-c"], facts)
    assert "zk-c: zookeeper_myid 300 must be a whole number from 1 to 255" in str(raised.value)
    assert "zookeeper_myid 1 is used by more than one host: zk-a, zk-b" in str(raised.value)


def test_server_entries_name_each_member_by_myid_with_its_quorum_ports():
    members = [member("zk-a", 1), member("zk-b", 2, peer_port=12888, election_port=13888)]
    assert zookeeper_server_entries(members) == {
        "server.1": "zk-a.internal:2888:3888",
        "server.2": "zk-b.internal:12888:13888",
    }


def test_connect_lists_every_client_port_and_takes_a_chroot():
    members = [member("zk-a", 1), member("zk-b", 2, client_port=12181)]
    assert zookeeper_connect(members) == "zk-a.internal:2181,zk-b.internal:12181"
    assert zookeeper_connect(members, "/kafka") == "zk-a.internal:2181,zk-b.internal:12181/kafka"
    with pytest.raises(AnsibleFilterError, match="ensemble group is empty"):
        zookeeper_connect([])
