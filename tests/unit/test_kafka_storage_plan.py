"""Storage is formatted exactly once, and never for the wrong cluster or node."""

import base64

from kafka_storage import kafka_meta_by_dir, kafka_parse_properties, kafka_storage_plan

FRESH = "FreshFreshFreshFresh00"


def node(host, node_id, roles, stored):
    return {"host": host, "node_id": node_id, "roles": roles, "data_dirs": ["/data/kafka"], "stored": stored}


def meta(cluster_id, node_id):
    return {"/data/kafka": {"cluster.id": cluster_id, "node.id": str(node_id), "version": "1"}}


def plan(nodes, configured=""):
    hostvars = {n["host"]: {"kafka_storage": n} for n in nodes}
    return kafka_storage_plan([n["host"] for n in nodes], hostvars, configured, FRESH)


def test_a_new_cluster_gets_a_fresh_id_and_a_new_quorum():
    result = plan([node(f"k{i}", i, ["broker", "controller"], {}) for i in (1, 2, 3)])
    assert result == {
        "cluster_id": FRESH,
        "new_quorum": True,
        "to_format": {"k1": ["/data/kafka"], "k2": ["/data/kafka"], "k3": ["/data/kafka"]},
        "errors": [],
    }


def test_a_configured_id_is_used_for_a_new_cluster():
    result = plan([node("k1", 1, ["broker", "controller"], {})], configured="Configured000000000000")
    assert result["cluster_id"] == "Configured000000000000"


def test_a_formatted_cluster_keeps_its_id_and_formats_nothing():
    result = plan([node(f"k{i}", i, ["broker", "controller"], meta("Existing", i)) for i in (1, 2, 3)])
    assert result["cluster_id"] == "Existing"
    assert result["to_format"] == {}
    assert not result["new_quorum"]
    assert result["errors"] == []


def test_a_new_broker_joins_the_existing_cluster_id():
    nodes = [node(f"k{i}", i, ["broker", "controller"], meta("Existing", i)) for i in (1, 2, 3)]
    nodes.append(node("k4", 4, ["broker"], {}))
    result = plan(nodes)
    assert result["cluster_id"] == "Existing"
    assert result["to_format"] == {"k4": ["/data/kafka"]}
    assert result["errors"] == []


def test_a_log_dir_of_another_cluster_stops_the_play():
    nodes = [
        node("k1", 1, ["broker", "controller"], meta("Ours", 1)),
        node("k2", 2, ["broker"], meta("Theirs", 2)),
    ]
    (error,) = plan(nodes)["errors"]
    assert error.startswith(
        "the log dirs carry more than one cluster id: Ours on k1:/data/kafka; Theirs on k2:"
    )


def test_a_configured_id_that_differs_from_the_disks_stops_the_play():
    (error,) = plan([node("k1", 1, ["broker", "controller"], meta("OnDisk", 1))], configured="Wanted")[
        "errors"
    ]
    assert error == (
        "kafka_cluster_id is Wanted, but the formatted log dirs carry OnDisk (k1:/data/kafka). "
        "Refusing to mix two clusters"
    )


def test_a_log_dir_formatted_for_another_node_id_stops_the_play():
    (error,) = plan([node("k1", 7, ["broker", "controller"], meta("Ours", 1))])["errors"]
    assert error == (
        "k1:/data/kafka was formatted for node.id 1, but kafka_node_id is 7; "
        "node ids cannot change once formatted"
    )


def test_a_new_controller_is_refused_when_the_quorum_exists():
    nodes = [node("k1", 1, ["broker", "controller"], meta("Ours", 1)), node("c2", 2, ["controller"], {})]
    (error,) = plan(nodes)["errors"]
    assert error.startswith("c2 is a new controller, but the quorum already exists")


def test_a_host_missing_from_the_run_is_named():
    nodes = [node("k1", 1, ["broker", "controller"], {})]
    result = kafka_storage_plan(["k1", "k2"], {"k1": {"kafka_storage": nodes[0]}, "k2": {}}, "", FRESH)
    assert result["errors"] == [
        "k2 was not part of this run (a --limit?): formatting decisions need every Kafka host"
    ]


def test_meta_properties_are_read_from_slurp_results():
    content = base64.b64encode(b"#\n#Wed Nov 25\nnode.id=1\ncluster.id=abc\nversion=1\n").decode()
    results = [{"source": "/data/kafka/meta.properties", "content": content}, {"skipped": True}]
    assert kafka_meta_by_dir(results) == {
        "/data/kafka": {"node.id": "1", "cluster.id": "abc", "version": "1"}
    }


def test_parse_properties_skips_comments_and_blank_lines():
    assert kafka_parse_properties("# c\n! c\n\na = 1\nb=2=3\n") == {"a": "1", "b": "2=3"}
