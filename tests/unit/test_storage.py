"""Storage is formatted exactly once, and never for the wrong cluster or node: module_utils/storage.py
(the KRaft plan, the ZooKeeper-mode cluster id, meta.properties, the initial controllers)."""

import base64
import json
import re
from pathlib import Path

import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import properties, storage, tool_output

TOOLS = Path(__file__).resolve().parents[1] / "data" / "tools"
FRESH = "FreshFreshFreshFresh00"
CLUSTER = "q1Sh-9_ISia_zwGINzRvyQ"
OTHER = "pWXcFG2nRDWyrmRgMwLsXA"


def node(host, node_id, roles=("broker", "controller"), stored=None, data_dirs=("/data/kafka",)):
    """A node as the plan reads it; `stored` None for one whose log dirs were not read."""
    return {
        "host": host,
        "node_id": node_id,
        "roles": list(roles),
        "data_dirs": list(data_dirs),
        "stored": stored,
    }


def meta(cluster_id, node_id, key="node.id", log_dir="/data/kafka"):
    return {log_dir: {"cluster.id": cluster_id, key: str(node_id), "version": "1"}}


# --- KRaft ------------------------------------------------------------------------------------------


def test_a_new_cluster_gets_a_fresh_id_and_a_new_quorum():
    result = storage.kraft_plan([node(f"k{i}", i, stored={}) for i in (1, 2, 3)], "", FRESH)
    assert result == {
        "cluster_id": FRESH,
        "new_quorum": True,
        "joining": [],
        "to_format": {"k1": ["/data/kafka"], "k2": ["/data/kafka"], "k3": ["/data/kafka"]},
        "errors": [],
    }


def test_a_configured_id_is_used_for_a_new_cluster():
    result = storage.kraft_plan([node("k1", 1, stored={})], "Configured000000000000", FRESH)
    assert result["cluster_id"] == "Configured000000000000"
    assert result["errors"] == []


def test_a_formatted_cluster_keeps_its_id_and_formats_nothing():
    nodes = [node(f"k{i}", i, stored=meta("Existing", i)) for i in (1, 2, 3)]
    assert storage.kraft_plan(nodes, "", FRESH) == {
        "cluster_id": "Existing",
        "new_quorum": False,
        "joining": [],
        "to_format": {},
        "errors": [],
    }


def test_a_new_broker_joins_the_existing_cluster_id():
    nodes = [node(f"k{i}", i, stored=meta("Existing", i)) for i in (1, 2, 3)]
    nodes.append(node("k4", 4, roles=["broker"], stored={}))
    result = storage.kraft_plan(nodes, "", FRESH)
    assert result["cluster_id"] == "Existing"
    assert result["to_format"] == {"k4": ["/data/kafka"]}
    assert result["new_quorum"] is False
    assert result["errors"] == []


def test_only_the_log_dirs_without_meta_properties_are_formatted():
    nodes = [node("k1", 1, stored=meta("Existing", 1), data_dirs=["/data/kafka", "/data/k2"])]
    assert storage.kraft_plan(nodes, "", FRESH)["to_format"] == {"k1": ["/data/k2"]}


def test_a_log_dir_of_another_cluster_stops_the_play():
    nodes = [node("k1", 1, stored=meta("Ours", 1)), node("k2", 2, roles=["broker"], stored=meta("Theirs", 2))]
    assert storage.kraft_plan(nodes, "", FRESH)["errors"] == [
        "the log dirs carry more than one cluster id: Ours on k1:/data/kafka; Theirs on k2:/data/kafka. "
        "A disk from another cluster? Wipe the log dir of the odd one out if its data is not needed"
    ]


def test_a_configured_id_that_differs_from_the_disks_stops_the_play():
    (error,) = storage.kraft_plan([node("k1", 1, stored=meta("OnDisk", 1))], "Wanted", FRESH)["errors"]
    assert error == (
        "kafka_cluster_id is Wanted, but the formatted log dirs carry OnDisk (k1:/data/kafka). "
        "Refusing to mix two clusters"
    )


def test_a_log_dir_formatted_for_another_node_id_stops_the_play():
    (error,) = storage.kraft_plan([node("k1", 7, stored=meta("Ours", 1))], "", FRESH)["errors"]
    assert error == (
        "k1:/data/kafka was formatted for node.id 1, but kafka_node_id is 7; "
        "node ids cannot change once formatted"
    )


def test_a_new_controller_joins_a_quorum_that_exists():
    nodes = [node("k1", 1, stored=meta("Ours", 1)), node("c2", 2, roles=["controller"], stored={})]
    plan = storage.kraft_plan(nodes, "", FRESH)
    assert plan["errors"] == []
    assert (plan["new_quorum"], plan["joining"]) == (False, ["c2"])
    assert plan["to_format"] == {"c2": ["/data/kafka"]}
    assert plan["cluster_id"] == "Ours"


def test_no_controller_joins_a_new_quorum():
    nodes = [node("c1", 1, roles=["controller"], stored={}), node("c2", 2, roles=["controller"], stored={})]
    plan = storage.kraft_plan(nodes, "", FRESH)
    assert (plan["new_quorum"], plan["joining"]) == (True, [])


def test_a_host_missing_from_the_run_is_named_and_not_planned():
    result = storage.kraft_plan([node("k1", 1, stored={}), node("k2", 2, stored=None)], "", FRESH)
    assert result["errors"] == [
        "k2 was not part of this run (a --limit?): formatting decisions need every Kafka host"
    ]
    assert result["to_format"] == {"k1": ["/data/kafka"]}


def test_the_recorded_meta_properties_of_a_formatted_node_is_its_own():
    stored = {
        "/data/kafka": properties.parse((TOOLS / "kafka-4.4.0-kraft/meta.properties-node-1").read_text())
    }
    result = storage.kraft_plan([node("kafka-1", 1, stored=stored)], "", FRESH)
    assert result == {
        "cluster_id": "5EgCr_BMgQ_N-SwOrJMuJw",
        "new_quorum": False,
        "joining": [],
        "to_format": {},
        "errors": [],
    }
    (error,) = storage.kraft_plan([node("kafka-1", 2, stored=stored)], "", FRESH)["errors"]
    assert error.startswith("kafka-1:/data/kafka was formatted for node.id 1, but kafka_node_id is 2")


# --- meta.properties, ids, initial controllers ----------------------------------------------------------


def slurped(path: str, text: str) -> dict:
    return {"source": path, "content": base64.b64encode(text.encode()).decode(), "encoding": "base64"}


def test_meta_properties_are_read_from_slurp_results_by_log_dir():
    results = [
        slurped("/data/kafka/meta.properties", "#\n#Wed Nov 25\nnode.id=1\ncluster.id=abc\nversion=1\n"),
        {"failed": True, "msg": "file not found: /data/k2/meta.properties"},
        {"skipped": True},
    ]
    assert storage.meta_by_dir(results) == {
        "/data/kafka": {"node.id": "1", "cluster.id": "abc", "version": "1"}
    }
    assert storage.meta_by_dir([]) == {}


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        (
            "kafka-4.4.0-kraft/meta.properties-node-1",
            {
                "node.id": "1",
                "directory.id": "opd7Iz12sU901E9Du_vmYg",
                "version": "1",
                "cluster.id": "5EgCr_BMgQ_N-SwOrJMuJw",
            },
        ),
        (
            "kafka-3.9.2-zookeeper/meta.properties-broker-1",
            {"broker.id": "1", "version": "0", "cluster.id": "kRfqsCrkeMtBuKNjVUHKrQ"},
        ),
    ],
)
def test_the_meta_properties_kafka_wrote_are_read_back(recorded, expected):
    results = [slurped("/data/kafka/meta.properties", (TOOLS / recorded).read_text())]
    assert storage.meta_by_dir(results) == {"/data/kafka": expected}


def test_new_uuids_look_like_kafkas_and_never_start_with_a_dash():
    drawn = storage.new_uuids([f"host-{n}" for n in range(500)])
    assert sorted(drawn) == sorted(f"host-{n}" for n in range(500))
    assert len(set(drawn.values())) == 500
    for value in drawn.values():
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", value), value
        # 16 bytes, as Kafka's Uuid.fromString reads them.
        assert len(base64.urlsafe_b64decode(value + "==")) == 16


def test_a_uuid_drawn_with_a_leading_dash_is_drawn_again(monkeypatch):
    draws = iter([b"\xfb" + bytes(15), b"\x01" * 16])  # the first encodes to '-w...'
    monkeypatch.setattr(storage.secrets, "token_bytes", lambda size: next(draws))
    assert storage.new_uuid() == base64.urlsafe_b64encode(b"\x01" * 16).decode().rstrip("=")


def controller(host, node_id, advertised_host, port):
    listener = {"name": "CONTROLLER", "advertised_host": advertised_host, "port": port}
    return {
        "host": host,
        "node_id": node_id,
        "roles": ["broker", "controller"],
        "controller_listener": listener,
    }


def test_initial_controllers_carry_each_controllers_directory_id_in_the_given_order():
    controllers = [controller("a", 1, "a.internal", "9094"), controller("c", 3, "c.internal", 9093)]
    ids = {"a": "AAAAAAAAAAAAAAAAAAAAAA", "c": "CCCCCCCCCCCCCCCCCCCCCC", "b": "BBBBBBBBBBBBBBBBBBBBBB"}
    assert storage.initial_controllers(controllers, ids) == (
        "1@a.internal:9094:AAAAAAAAAAAAAAAAAAAAAA,3@c.internal:9093:CCCCCCCCCCCCCCCCCCCCCC"
    )


def test_initial_controllers_need_an_id_for_every_controller():
    controllers = [
        controller("a", 1, "a", 9093),
        controller("b", 2, "b", 9093),
        controller("c", 3, "c", 9093),
    ]
    with pytest.raises(ValueError, match=r"^no metadata directory id for controllers: b, c$"):
        storage.initial_controllers(controllers, {"a": "AAAAAAAAAAAAAAAAAAAAAA"})


def test_the_initial_controllers_become_the_voters_the_quorum_reports():
    """The recorded 4.4.0 cluster was formatted with this string: its voters carry the same ids."""
    ids = {
        "kafka-1": "opd7Iz12sU901E9Du_vmYg",
        "kafka-2": "1RBLeaX4wv9VEfuajQGhHg",
        "kafka-3": "DInrWRHh3zKy6-y2Cw6kKw",
    }
    controllers = [controller(f"kafka-{i}", i, "127.0.0.1", 39190 + i) for i in (1, 2, 3)]
    initial = storage.initial_controllers(controllers, ids)
    voters = tool_output.quorum_status((TOOLS / "kafka-4.4.0-kraft/quorum-status.txt").read_text())["voters"]
    assert initial == ",".join(
        f"{v['id']}@{v['endpoints'][0].removeprefix('CONTROLLER://')}:{v['directoryId']}" for v in voters
    )


# --- ZooKeeper mode ---------------------------------------------------------------------------------


def plan(nodes, stored_id="", configured_id="", chroot="/kafka"):
    return storage.zookeeper_plan(nodes, stored_id, configured_id, FRESH, chroot=chroot)


def broker(host, node_id, stored=None):
    return node(host, node_id, roles=["broker"], stored={} if stored is None else stored)


def broker_meta(cluster_id=CLUSTER, broker_id=1, key="broker.id"):
    return meta(cluster_id, broker_id, key=key)


CLIENT_CHATTER = (
    "Connecting to zk-1:2181\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n"
)


def test_the_cluster_id_is_read_out_of_the_clients_chatter():
    assert storage.zookeeper_cluster_id(CLIENT_CHATTER + f'{{"version":"1","id":"{CLUSTER}"}}\n') == CLUSTER
    assert storage.zookeeper_cluster_id(CLIENT_CHATTER) == ""
    assert storage.zookeeper_cluster_id("{not json\n") == ""
    assert storage.zookeeper_cluster_id('{"version":"1"}\n') == ""
    assert storage.zookeeper_cluster_id(None) == ""


def test_the_cluster_id_is_read_from_the_recorded_client_answers():
    recorded = TOOLS / "kafka-3.9.2-zookeeper"
    assert storage.zookeeper_cluster_id((recorded / "zookeeper-get-cluster-id.txt").read_text()) == (
        "kRfqsCrkeMtBuKNjVUHKrQ"
    )
    # Before the deploy wrote it: the client prints its chatter, and "Node does not exist" on stderr.
    assert storage.zookeeper_cluster_id((recorded / "zookeeper-get-cluster-id-missing.txt").read_text()) == ""


def test_the_znode_is_written_as_kafka_writes_it():
    znode = storage.zookeeper_cluster_id_znode(CLUSTER)
    assert znode == f'{{"version":"1","id":"{CLUSTER}"}}'
    assert storage.zookeeper_cluster_id(znode) == CLUSTER
    assert json.loads(znode) == {"version": "1", "id": CLUSTER}


def test_the_znode_written_is_the_one_zookeeper_gave_back_to_the_brokers():
    answer = (TOOLS / "kafka-3.9.2-zookeeper/zookeeper-get-cluster-id.txt").read_text()
    assert tool_output.zookeeper_answer(answer, "{") == storage.zookeeper_cluster_id_znode(
        "kRfqsCrkeMtBuKNjVUHKrQ"
    )


def test_paths_lead_from_the_root_down():
    assert storage.zookeeper_paths("/kafka/orders/cluster") == [
        "/kafka",
        "/kafka/orders",
        "/kafka/orders/cluster",
    ]
    assert storage.zookeeper_paths("/kafka/cluster/id") == ["/kafka", "/kafka/cluster", "/kafka/cluster/id"]
    assert storage.zookeeper_paths("/kafka") == ["/kafka"]
    assert storage.zookeeper_paths("/") == []


def test_a_new_cluster_gets_a_fresh_id_written_once():
    assert plan([broker("b1", 1), broker("b2", 2)]) == {
        "cluster_id": FRESH,
        "write_cluster_id": True,
        "errors": [],
    }


def test_a_new_cluster_adopts_the_configured_id():
    assert plan([broker("b1", 1)], configured_id=CLUSTER) == {
        "cluster_id": CLUSTER,
        "write_cluster_id": True,
        "errors": [],
    }


def test_a_running_cluster_keeps_the_id_zookeeper_holds_and_writes_nothing():
    nodes = [broker("b1", 1, broker_meta(broker_id=1)), broker("b2", 2, broker_meta(broker_id=2))]
    assert plan(nodes, stored_id=CLUSTER) == {"cluster_id": CLUSTER, "write_cluster_id": False, "errors": []}


def test_a_new_broker_joins_a_running_cluster():
    nodes = [broker("b1", 1, broker_meta(broker_id=1)), broker("b4", 4)]
    assert plan(nodes, stored_id=CLUSTER) == {"cluster_id": CLUSTER, "write_cluster_id": False, "errors": []}


def test_a_log_dir_from_another_cluster_stops_the_play_and_is_named():
    nodes = [broker("b1", 1, broker_meta(broker_id=1)), broker("b2", 2, broker_meta(OTHER, broker_id=2))]
    assert plan(nodes, stored_id=CLUSTER)["errors"] == [
        f"b2:/data/kafka carries cluster id {OTHER}, but ZooKeeper (/kafka/cluster/id) holds {CLUSTER}: "
        "another cluster's data. Refusing to start brokers on it; wipe it if it is not needed"
    ]


def test_log_dirs_that_all_belong_to_another_cluster_stop_the_play():
    nodes = [
        broker("b1", 1, broker_meta(OTHER, broker_id=1)),
        broker("b2", 2, broker_meta(OTHER, broker_id=2)),
    ]
    (error,) = plan(nodes, stored_id=CLUSTER)["errors"]
    assert error.startswith(f"b1:/data/kafka, b2:/data/kafka carry cluster id {OTHER}, but ZooKeeper")


def test_log_dirs_of_two_clusters_without_one_in_zookeeper_stop_the_play():
    nodes = [broker("b1", 1, broker_meta(broker_id=1)), broker("b2", 2, broker_meta(OTHER, broker_id=2))]
    assert plan(nodes)["errors"] == [
        f"the log dirs carry more than one cluster id: {OTHER} on b2:/data/kafka; {CLUSTER} on "
        "b1:/data/kafka. A disk from another cluster? Wipe the log dir of the odd one out if its data is "
        "not needed"
    ]


def test_log_dirs_with_data_but_an_empty_chroot_stop_the_play():
    result = plan([broker("b1", 1, broker_meta(broker_id=1))], chroot="/kafka/renamed")
    assert result["errors"] == [
        f"the log dirs carry cluster id {CLUSTER} (b1:/data/kafka), but ZooKeeper "
        "(/kafka/renamed/cluster/id) holds no cluster: was kafka_zookeeper_chroot changed, or the "
        "ensemble's data lost? The topics' metadata lived there. Restore it (or the chroot), or wipe "
        "the log dirs to start afresh"
    ]
    assert result["cluster_id"] == CLUSTER


def test_a_log_dir_of_another_broker_stops_the_play():
    assert plan([broker("b1", 1, broker_meta(broker_id=7))], stored_id=CLUSTER)["errors"] == [
        "b1:/data/kafka belongs to broker.id 7, but kafka_node_id is 1; a broker's id cannot change once "
        "it holds data"
    ]


def test_a_log_dir_formatted_for_kraft_is_checked_by_its_node_id():
    nodes = [broker("b1", 1, broker_meta(broker_id=3, key="node.id"))]
    assert plan(nodes, stored_id=CLUSTER)["errors"] == [
        "b1:/data/kafka belongs to broker.id 3, but kafka_node_id is 1; a broker's id cannot change once "
        "it holds data"
    ]


def test_a_configured_id_that_differs_from_the_clusters_stops_the_play():
    result = plan([broker("b1", 1, broker_meta(broker_id=1))], stored_id=CLUSTER, configured_id=OTHER)
    assert result["errors"] == [
        f"kafka_cluster_id is {OTHER}, but the cluster already has the id {CLUSTER}. "
        "Refusing to mix two clusters"
    ]


def test_a_broker_left_out_of_the_run_stops_the_play():
    result = plan([broker("b1", 1), node("b2", 2, roles=["broker"], stored=None)], stored_id=CLUSTER)
    assert result["errors"] == [
        "b2 was not part of this run (a --limit?): checking the cluster id needs every broker"
    ]


def test_the_recorded_broker_meta_properties_matches_the_recorded_znode():
    recorded = TOOLS / "kafka-3.9.2-zookeeper"
    stored = {"/data/kafka": properties.parse((recorded / "meta.properties-broker-1").read_text())}
    znode = storage.zookeeper_cluster_id((recorded / "zookeeper-get-cluster-id.txt").read_text())
    assert plan([broker("broker-1", 1, stored)], stored_id=znode) == {
        "cluster_id": "kRfqsCrkeMtBuKNjVUHKrQ",
        "write_cluster_id": False,
        "errors": [],
    }
