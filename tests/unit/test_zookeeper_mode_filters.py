"""The kafka role's ZooKeeper-mode filters: zookeeper.connect, the cluster id kept in ZooKeeper,
and the check of every log dir against it before any broker starts."""

import json

import pytest
from ansible.errors import AnsibleFilterError
from kafka_storage import kafka_zookeeper_storage_plan
from kafka_zookeeper import (
    kafka_zookeeper_cluster_id,
    kafka_zookeeper_cluster_id_znode,
    kafka_zookeeper_connect,
    kafka_zookeeper_members,
    kafka_zookeeper_paths,
)

CLUSTER = "q1Sh-9_ISia_zwGINzRvyQ"
OTHER = "pWXcFG2nRDWyrmRgMwLsXA"
FRESH = "fresh-id-drawn-for-this-run"


def member(host, myid, port=2181):
    return {"host": host, "myid": myid, "advertised_host": host, "client_port": port}


def storage(host, node_id, stored=None):
    return {"host": host, "node_id": node_id, "data_dirs": ["/data/kafka"], "stored": stored or {}}


def meta(cluster_id=CLUSTER, broker_id=1, key="broker.id"):
    return {"/data/kafka": {"version": "0", key: str(broker_id), "cluster.id": cluster_id}}


def plan(nodes, stored_id="", configured_id="", chroot="/kafka"):
    hostvars = {n["host"]: {"kafka_storage": n} for n in nodes}
    return kafka_zookeeper_storage_plan(
        [n["host"] for n in nodes], hostvars, stored_id, configured_id, FRESH, chroot=chroot
    )


def test_connect_lists_the_ensemble_then_the_chroot():
    members = [member("zk-1", 1), member("zk-2", 2, port=12181)]
    assert kafka_zookeeper_connect(members, "/kafka/orders") == "zk-1:2181,zk-2:12181/kafka/orders"
    assert kafka_zookeeper_connect(members) == "zk-1:2181,zk-2:12181"
    with pytest.raises(AnsibleFilterError, match="needs an ensemble"):
        kafka_zookeeper_connect([], "/kafka")


def test_members_come_sorted_by_myid_and_the_missing_ones_are_named():
    hostvars = {
        "zk-b": {"zookeeper_member": member("zk-b", 2)},
        "zk-a": {"zookeeper_member": member("zk-a", 1)},
    }
    hostvars["zk-c"] = {}
    with pytest.raises(AnsibleFilterError, match=r"ZooKeeper members zk-c are not part of this run"):
        kafka_zookeeper_members(["zk-b", "zk-a", "zk-c"], hostvars)
    found = kafka_zookeeper_members(["zk-b", "zk-a", "zk-c"], hostvars, strict=False)
    assert [m["host"] for m in found] == ["zk-a", "zk-b", "zk-c"]
    assert found[-1] == {"host": "zk-c", "missing": True}


def test_members_with_a_broken_myid_still_sort_for_the_validation_to_report():
    hostvars = {
        "zk-a": {"zookeeper_member": member("zk-a", None)},
        "zk-b": {"zookeeper_member": member("zk-b", 2)},
    }
    assert [m["host"] for m in kafka_zookeeper_members(["zk-a", "zk-b"], hostvars)] == ["zk-b", "zk-a"]


def test_the_cluster_id_is_read_out_of_the_clients_chatter():
    output = (
        "Connecting to zk-1:2181\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n"
        f'{{"version":"1","id":"{CLUSTER}"}}\n'
    )
    assert kafka_zookeeper_cluster_id(output) == CLUSTER
    assert kafka_zookeeper_cluster_id("Connecting to zk-1:2181\n\nWATCHER::\n") == ""
    assert kafka_zookeeper_cluster_id("{not json\n") == ""
    assert kafka_zookeeper_cluster_id(None) == ""


def test_the_znode_is_written_as_kafka_writes_it():
    znode = kafka_zookeeper_cluster_id_znode(CLUSTER)
    assert znode == f'{{"version":"1","id":"{CLUSTER}"}}'
    assert kafka_zookeeper_cluster_id(znode) == CLUSTER
    assert json.loads(znode) == {"version": "1", "id": CLUSTER}


def test_paths_lead_from_the_root_down():
    assert kafka_zookeeper_paths("/kafka/orders/cluster") == [
        "/kafka",
        "/kafka/orders",
        "/kafka/orders/cluster",
    ]
    assert kafka_zookeeper_paths("/kafka") == ["/kafka"]


def test_a_new_cluster_gets_a_fresh_id_written_once():
    nodes = [storage("b1", 1), storage("b2", 2)]
    assert plan(nodes) == {"cluster_id": FRESH, "write_cluster_id": True, "errors": []}


def test_a_new_cluster_adopts_the_configured_id():
    assert plan([storage("b1", 1)], configured_id=CLUSTER)["cluster_id"] == CLUSTER


def test_a_running_cluster_keeps_the_id_zookeeper_holds_and_writes_nothing():
    nodes = [storage("b1", 1, meta(broker_id=1)), storage("b2", 2, meta(broker_id=2))]
    assert plan(nodes, stored_id=CLUSTER) == {"cluster_id": CLUSTER, "write_cluster_id": False, "errors": []}


def test_a_new_broker_joins_a_running_cluster():
    nodes = [storage("b1", 1, meta(broker_id=1)), storage("b4", 4)]
    assert plan(nodes, stored_id=CLUSTER)["errors"] == []


def test_a_log_dir_from_another_cluster_stops_the_play_and_is_named():
    nodes = [storage("b1", 1, meta(broker_id=1)), storage("b2", 2, meta(OTHER, broker_id=2))]
    assert plan(nodes, stored_id=CLUSTER)["errors"] == [
        f"b2:/data/kafka carries cluster id {OTHER}, but ZooKeeper (/kafka/cluster/id) holds {CLUSTER}: "
        "another cluster's data. Refusing to start brokers on it; wipe it if it is not needed"
    ]


def test_log_dirs_that_all_belong_to_another_cluster_stop_the_play():
    nodes = [storage("b1", 1, meta(OTHER, broker_id=1)), storage("b2", 2, meta(OTHER, broker_id=2))]
    (error,) = plan(nodes, stored_id=CLUSTER)["errors"]
    assert error.startswith(f"b1:/data/kafka, b2:/data/kafka carry cluster id {OTHER}, but ZooKeeper")


def test_log_dirs_of_two_clusters_without_one_in_zookeeper_stop_the_play():
    nodes = [storage("b1", 1, meta(broker_id=1)), storage("b2", 2, meta(OTHER, broker_id=2))]
    assert plan(nodes)["errors"] == [
        f"the log dirs carry more than one cluster id: {OTHER} on b2:/data/kafka; {CLUSTER} on "
        "b1:/data/kafka. A disk from another cluster? Wipe the log dir of the odd one out if its data is "
        "not needed"
    ]


def test_log_dirs_with_data_but_an_empty_chroot_stop_the_play():
    nodes = [storage("b1", 1, meta(broker_id=1))]
    result = plan(nodes, chroot="/kafka/renamed")
    assert result["errors"] == [
        f"the log dirs carry cluster id {CLUSTER} (b1:/data/kafka), but ZooKeeper "
        "(/kafka/renamed/cluster/id) holds no cluster: was kafka_zookeeper_chroot changed, or the "
        "ensemble's data lost? The topics' metadata lived there. Restore it (or the chroot), or wipe "
        "the log dirs to start afresh"
    ]


def test_a_log_dir_of_another_broker_stops_the_play():
    nodes = [storage("b1", 1, meta(broker_id=7))]
    assert plan(nodes, stored_id=CLUSTER)["errors"] == [
        "b1:/data/kafka belongs to broker.id 7, but kafka_node_id is 1; a broker's id cannot change once "
        "it holds data"
    ]


def test_a_log_dir_formatted_for_kraft_is_checked_by_its_node_id():
    nodes = [storage("b1", 1, meta(broker_id=3, key="node.id"))]
    assert "belongs to broker.id 3, but kafka_node_id is 1" in plan(nodes, stored_id=CLUSTER)["errors"][0]


def test_a_configured_id_that_differs_from_the_clusters_stops_the_play():
    nodes = [storage("b1", 1, meta(broker_id=1))]
    assert plan(nodes, stored_id=CLUSTER, configured_id=OTHER)["errors"] == [
        f"kafka_cluster_id is {OTHER}, but the cluster already has the id {CLUSTER}. "
        "Refusing to mix two clusters"
    ]


def test_a_broker_left_out_of_the_run_stops_the_play():
    hostvars = {"b1": {"kafka_storage": storage("b1", 1)}, "b2": {}}
    result = kafka_zookeeper_storage_plan(["b1", "b2"], hostvars, CLUSTER, "", FRESH)
    assert result["errors"] == [
        "b2 was not part of this run (a --limit?): checking the cluster id needs every broker"
    ]
