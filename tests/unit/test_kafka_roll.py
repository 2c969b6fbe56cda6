"""The order of rolling operations and the rebalance plan."""

import json

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given
from hypothesis import strategies as st
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


def generate_output(current, proposed=()):
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


def brokers(racks: dict[int, str]) -> list[dict]:
    return [{"host": f"kafka-{b}", "node_id": b, "roles": ["broker"], "rack": r} for b, r in racks.items()]


def apply(current, plan):
    moved = {p["partition"]: p["replicas"] for p in plan["proposed"]["partitions"]}
    return [(partition, moved.get(partition, replicas)) for partition, replicas in current]


def test_a_new_empty_broker_gets_replicas_and_only_changed_partitions_move():
    current = [(p, [1 + p % 3, 1 + (p + 1) % 3]) for p in range(6)]  # 12 replicas on 3 brokers
    plan = kafka_reassignment_plan(generate_output(current), brokers({1: "", 2: "", 3: "", 4: ""}))
    assert plan["load"] == {1: 4, 2: 4, 3: 4, 4: 0}
    assert plan["balanced_load"] == {1: 3, 2: 3, 3: 3, 4: 3}
    assert len(plan["moves"]) == 3  # the fewest: one replica each from brokers 1, 2 and 3
    after = apply(current, plan)
    assert all(len(set(replicas)) == 2 for _, replicas in after)
    assert (
        kafka_reassignment_plan(generate_output(after), brokers({1: "", 2: "", 3: "", 4: ""}))["moves"] == []
    )


def test_the_generators_random_proposal_is_ignored():
    current = [(0, [1, 2]), (1, [2, 3]), (2, [3, 1])]
    shuffled = [(0, [2, 3]), (1, [3, 1]), (2, [1, 2])]
    assert (
        kafka_reassignment_plan(generate_output(current, shuffled), brokers({1: "a", 2: "b", 3: "c"}))[
            "moves"
        ]
        == []
    )


def test_a_rack_is_never_lost_and_a_rerun_moves_nothing():
    # Three racks, the new broker 4 in rack a with broker 1: every RF=3 partition keeps one
    # replica per rack, so broker 4 can only take over from broker 1, never from 2 or 3.
    racks = {1: "a", 2: "b", 3: "c", 4: "a"}
    current = [(p, [1 + (p + i) % 3 for i in range(3)]) for p in range(8)]
    plan = kafka_reassignment_plan(generate_output(current), brokers(racks))
    assert plan["balanced_load"] == {1: 4, 2: 8, 3: 8, 4: 4}
    after = apply(current, plan)
    assert all(sorted(racks[b] for b in replicas) == ["a", "b", "c"] for _, replicas in after)
    assert kafka_reassignment_plan(generate_output(after), brokers(racks))["moves"] == []


def test_a_moved_preferred_leader_stays_first():
    current = [(0, [1, 2]), (1, [1, 2]), (2, [1, 2]), (3, [1, 2])]
    plan = kafka_reassignment_plan(generate_output(current), brokers({1: "", 2: "", 3: ""}))
    assert plan["balanced_load"] == {1: 3, 2: 3, 3: 2}
    assert [p["replicas"] for p in plan["proposed"]["partitions"]] == [[3, 2], [1, 3]]


def test_replicas_on_a_broker_missing_from_the_inventory_are_an_error():
    with pytest.raises(AnsibleFilterError, match=r"brokers \[9\]"):
        kafka_reassignment_plan(generate_output([(0, [1, 9])]), brokers({1: "", 2: ""}))


def test_output_without_a_current_assignment_is_an_error():
    with pytest.raises(AnsibleFilterError, match="Current partition replica assignment"):
        kafka_reassignment_plan("Proposed partition reassignment configuration\n{}\n", brokers({1: ""}))


def test_in_zookeeper_mode_the_broker_elected_controller_goes_last():
    brokers = [{"host": f"broker-{i}", "node_id": i, "roles": ["broker"]} for i in (1, 2, 3)]
    assert kafka_roll_order(brokers, "1") == ["broker-2", "broker-3", "broker-1"]


@given(
    racks=st.lists(st.sampled_from("abc"), min_size=2, max_size=6),
    partitions=st.integers(min_value=1, max_value=30),
    data=st.data(),
)
def test_any_plan_keeps_racks_evens_out_when_it_can_and_is_final(racks, partitions, data):
    rack = dict(enumerate(racks, start=1))
    rf = data.draw(st.integers(min_value=1, max_value=len(rack)))
    current = [(p, data.draw(st.permutations(sorted(rack)))[:rf]) for p in range(partitions)]
    plan = kafka_reassignment_plan(generate_output(current), brokers(rack))
    after = apply(current, plan)
    for (_, old), (_, new) in zip(current, after, strict=True):
        assert len(set(new)) == rf
        assert len({rack[b] for b in new}) >= len({rack[b] for b in old})
    if len(set(racks)) == len(racks):  # one broker a rack: nothing stands in the way of evenness
        assert max(plan["balanced_load"].values()) - min(plan["balanced_load"].values()) <= 1
    assert kafka_reassignment_plan(generate_output(after), brokers(rack))["moves"] == []
