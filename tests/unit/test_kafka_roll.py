"""The order of rolling operations and the rebalance plan."""

import json

import pytest
from ansible.errors import AnsibleFilterError
from kafka_roll import kafka_reassignment_plan, kafka_roll_order

NODES = [
    {"host": "b5", "node_id": 5, "roles": ["broker"]},
    {"host": "k1", "node_id": 1, "roles": ["broker", "controller"]},
    {"host": "k2", "node_id": 2, "roles": ["broker", "controller"]},
    {"host": "k3", "node_id": 3, "roles": ["broker", "controller"]},
    {"host": "b4", "node_id": 4, "roles": ["broker"]},
]


def test_controllers_go_first_with_the_active_controller_last_then_brokers():
    assert kafka_roll_order(NODES, "2") == ["k1", "k3", "k2", "b4", "b5"]


def test_without_a_known_leader_the_order_is_by_node_id():
    assert kafka_roll_order(NODES, None) == ["k1", "k2", "k3", "b4", "b5"]


def generate_output(current, proposed):
    def doc(assignment):
        return json.dumps(
            {
                "version": 1,
                "partitions": [{"topic": "t", "partition": p, "replicas": r} for p, r in assignment],
            }
        )

    return (
        f"Current partition replica assignment\n{doc(current)}\n\n"
        f"Proposed partition reassignment configuration\n{doc(proposed)}\n"
    )


def test_a_new_empty_broker_gets_replicas_and_only_changed_partitions_move():
    current = [(0, [1, 2, 3]), (1, [2, 3, 1]), (2, [3, 1, 2]), (3, [1, 3, 2])]
    proposed = [(0, [1, 2, 3]), (1, [4, 3, 1]), (2, [3, 4, 2]), (3, [1, 4, 2])]
    plan = kafka_reassignment_plan(generate_output(current, proposed))
    assert plan["load"] == {1: 4, 2: 4, 3: 4, 4: 0}
    assert plan["moves"] == ["t-1", "t-2", "t-3"]
    assert [p["partition"] for p in plan["proposed"]["partitions"]] == [1, 2, 3]


def test_a_balanced_cluster_moves_nothing_whatever_the_generator_proposes():
    current = [(0, [1, 2]), (1, [2, 3]), (2, [3, 1])]
    shuffled = [(0, [2, 3]), (1, [3, 1]), (2, [1, 2])]
    assert kafka_reassignment_plan(generate_output(current, shuffled))["moves"] == []


def test_output_without_a_proposal_is_an_error():
    with pytest.raises(AnsibleFilterError, match="Proposed partition reassignment configuration"):
        kafka_reassignment_plan("Current partition replica assignment\n{}\n")


def test_in_zookeeper_mode_the_broker_elected_controller_goes_last():
    brokers = [{"host": f"broker-{i}", "node_id": i, "roles": ["broker"]} for i in (1, 2, 3)]
    assert kafka_roll_order(brokers, "1") == ["broker-2", "broker-3", "broker-1"]
