"""The kafka and kafka_ops roles' filters (plugins/filter/kafka.py): the thin entry points that
hand the cluster model (as contract_harness.py builds it from an inventory) and the hosts' facts
to module_utils."""

import base64
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.kafkakit.kafka.plugins.filter import kafka
from contract_harness import combined, evaluate, zookeeper_mode

TOOLS = Path(__file__).resolve().parents[1] / "data" / "tools"
FILTERS = kafka.FilterModule().filters()
FRESH = {"cluster": "FreshFreshFreshFresh00"}


def recorded(name: str) -> str:
    return (TOOLS / name).read_text()


# --- The entry points over module_utils -------------------------------------------------------------


@pytest.fixture(scope="module")
def kraft():
    cluster, problems = evaluate(combined(4))
    assert problems == []
    return cluster


@pytest.fixture(scope="module")
def zookeeper():
    cluster, problems = evaluate(zookeeper_mode())
    assert problems == []
    return cluster


def stored(cluster_id: str, node_id: int, key: str = "node.id") -> dict:
    return {"/data/kafka": {"cluster.id": cluster_id, key: str(node_id), "version": "1"}}


def test_every_filter_is_registered():
    assert sorted(FILTERS) == [
        "kafka_access_passwords", "kafka_access_users_public",
        "kafka_certificate_expiry", "kafka_certificate_renewal_due", "kafka_client_config", "kafka_heap_size",
        "kafka_initial_controllers", "kafka_meta_by_dir", "kafka_new_uuids", "kafka_reassignment_plan",
        "kafka_removal_errors", "kafka_replicas_on",
        "kafka_roll_order", "kafka_scram_format_arguments", "kafka_secrets", "kafka_sized",
        "kafka_storage_plan", "kafka_zookeeper_cluster_id_znode", "kafka_zookeeper_paths",
        "kafka_zookeeper_storage_plan",
    ]  # fmt: skip


def test_a_filter_failure_names_the_filter(kraft):
    with pytest.raises(AnsibleFilterError, match=r"^kafka_reassignment_plan: no current assignment"):
        FILTERS["kafka_reassignment_plan"]("Proposed partition reassignment configuration\n{}\n", kraft)


def test_the_storage_plan_reads_the_facts_of_this_run_and_the_reads_outside_it(kraft):
    hostvars = {f"kafka-{i}": {"_kafka_stored": stored("Existing", i)} for i in (1, 2, 3)}
    outside = [
        {"item": {"host": "kafka-4", "dir": "/data/kafka"}, "source": "/data/kafka/meta.properties",
         "content": base64.b64encode(b"node.id=4\ncluster.id=Existing\nversion=1\n").decode()},
    ]  # fmt: skip
    plan = FILTERS["kafka_storage_plan"](kraft, hostvars, FRESH, outside)
    assert plan == {
        "cluster_id": "Existing", "new_quorum": False, "joining": [], "to_format": {}, "errors": [],
    }  # fmt: skip


def test_the_storage_plan_names_a_node_read_neither_way(kraft):
    hostvars = {f"kafka-{i}": {"_kafka_stored": {}} for i in (1, 2, 3)}
    plan = FILTERS["kafka_storage_plan"](kraft, hostvars, FRESH)
    assert plan["errors"] == [
        "kafka-4 was not part of this run (a --limit?): formatting decisions need every Kafka host"
    ]
    assert plan["cluster_id"] == "FreshFreshFreshFresh00"
    assert plan["to_format"] == {f"kafka-{i}": ["/data/kafka"] for i in (1, 2, 3)}


def test_the_zookeeper_storage_plan_reads_the_id_out_of_the_recorded_client_answer(zookeeper):
    answer = recorded("kafka-3.9.2-zookeeper/zookeeper-get-cluster-id.txt")
    hostvars = {
        f"broker-{i}": {"_kafka_stored": stored("kRfqsCrkeMtBuKNjVUHKrQ", i, "broker.id")} for i in (1, 2, 3)
    }
    plan = FILTERS["kafka_zookeeper_storage_plan"](zookeeper, hostvars, answer, FRESH)
    no_quorum = {"new_quorum": True, "joining": [], "to_format": {}}
    assert plan == {
        "cluster_id": "kRfqsCrkeMtBuKNjVUHKrQ",
        "write_cluster_id": False,
        "errors": [],
        **no_quorum,
    }
    missing = recorded("kafka-3.9.2-zookeeper/zookeeper-get-cluster-id-missing.txt")
    fresh = {f"broker-{i}": {"_kafka_stored": {}} for i in (1, 2, 3)}
    assert FILTERS["kafka_zookeeper_storage_plan"](zookeeper, fresh, missing, FRESH) == {
        "cluster_id": "FreshFreshFreshFresh00",
        "write_cluster_id": True,
        "errors": [],
        **no_quorum,
    }


def test_the_initial_controllers_are_the_models_controllers_on_their_listener(kraft):
    ids = {f"kafka-{i}": f"{i}" * 22 for i in (1, 2, 3)}
    assert FILTERS["kafka_initial_controllers"](kraft, ids) == (
        f"1@kafka-1:9093:{'1' * 22},2@kafka-2:9093:{'2' * 22},3@kafka-3:9093:{'3' * 22}"
    )
    with pytest.raises(AnsibleFilterError, match="no metadata directory id for controllers: kafka-3"):
        FILTERS["kafka_initial_controllers"](kraft, {"kafka-1": "x", "kafka-2": "y"})


def test_the_roll_order_follows_the_model_and_the_hosts_visited(kraft):
    assert FILTERS["kafka_roll_order"](kraft, 1) == ["kafka-2", "kafka-3", "kafka-1", "kafka-4"]
    assert FILTERS["kafka_roll_order"](kraft, None, ["kafka-4", "kafka-2"]) == ["kafka-2", "kafka-4"]


def test_the_reassignment_plan_reads_the_recorded_generate_output(kraft):
    plan = FILTERS["kafka_reassignment_plan"](recorded("kafka-4.4.0-kraft/reassign-generate.txt"), kraft)
    # 13 replicas of gate-a (3x3) and gate-b (2x2) on brokers 1-3; the inventory's broker 4 is empty.
    assert plan["load"] == {1: 5, 2: 4, 3: 4, 4: 0}
    assert plan["balanced_load"] == {1: 3, 2: 3, 3: 4, 4: 3}
    assert plan["proposed"] == {
        "version": 1,
        "partitions": [
            {"topic": "gate-a", "partition": 0, "replicas": [4, 2, 3]},
            {"topic": "gate-a", "partition": 1, "replicas": [2, 3, 4]},
            {"topic": "gate-a", "partition": 2, "replicas": [3, 1, 4]},
        ],
    }
    assert plan["moves"] == ["gate-a-0", "gate-a-1", "gate-a-2"]


def test_sizing_filters_resolve_auto_from_the_host():
    assert kafka.kafka_sized({"num.io.threads": "auto", "num.network.threads": 5, "x": "auto"}, 8) == {
        "num.io.threads": 16,
        "num.network.threads": 5,
        "x": "auto",
    }
    assert kafka.kafka_sized({"num.io.threads": "auto"}, None) == {"num.io.threads": 8}
    assert kafka.kafka_heap_size("auto", 16384) == "4096m"
    assert kafka.kafka_heap_size("auto", None) == "512m"
    assert kafka.kafka_heap_size("2g", 16384) == "2g"
