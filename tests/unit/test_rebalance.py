"""The order of rolling operations and the rebalance plan (module_utils/rebalance.py), on the current
assignment tool_output.current_assignment reads out of `kafka-reassign-partitions --generate`."""

import json
import re
from pathlib import Path

import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import rebalance, tool_output
from hypothesis import given
from hypothesis import strategies as st

TOOLS = Path(__file__).resolve().parents[1] / "data" / "tools"
NODES = [
    {"host": "b5", "node_id": 5, "roles": ["broker"]},
    {"host": "k1", "node_id": 1, "roles": ["broker", "controller"]},
    {"host": "k2", "node_id": 2, "roles": ["broker", "controller"]},
    {"host": "k3", "node_id": 3, "roles": ["broker", "controller"]},
    {"host": "b4", "node_id": 4, "roles": ["broker"]},
]


@pytest.mark.parametrize("active", ["2", 2, " 2 "])
def test_controllers_go_first_with_the_active_controller_last_then_brokers(active):
    assert rebalance.roll_order(NODES, active) == ["k1", "k3", "k2", "b4", "b5"]


@pytest.mark.parametrize("active", [None, "", "none", 9])
def test_without_a_known_leader_the_order_is_by_node_id(active):
    assert rebalance.roll_order(NODES, active) == ["k1", "k2", "k3", "b4", "b5"]


def test_in_zookeeper_mode_the_broker_elected_controller_goes_last():
    brokers = [{"host": f"broker-{i}", "node_id": i, "roles": ["broker"]} for i in (1, 2, 3)]
    assert rebalance.roll_order(brokers, "1") == ["broker-2", "broker-3", "broker-1"]


def test_dedicated_controllers_roll_before_every_broker():
    nodes = [
        {"host": "broker-1", "node_id": 1, "roles": ["broker"]},
        {"host": "controller-2", "node_id": 1002, "roles": ["controller"]},
        {"host": "controller-1", "node_id": 1001, "roles": ["controller"]},
    ]
    assert rebalance.roll_order(nodes, 1001) == ["controller-2", "controller-1", "broker-1"]


def generate_output(current, proposed=()):
    """What `--generate` prints: the current assignment, then its own (random) proposal."""

    def doc(assignment):
        partitions = [
            {"topic": "t", "partition": p, "replicas": r, "log_dirs": ["any"] * len(r)} for p, r in assignment
        ]
        return json.dumps({"version": 1, "partitions": partitions})

    return (
        f"Current partition replica assignment\n{doc(current)}\n\n"
        f"Proposed partition reassignment configuration\n{doc(proposed)}\n"
    )


def plan_of(current, racks, proposed=(), draining=()):
    return rebalance.reassignment_plan(
        tool_output.current_assignment(generate_output(current, proposed)), brokers(racks), draining
    )


def brokers(racks: dict[int, str]) -> list[dict]:
    return [{"host": f"kafka-{b}", "node_id": b, "roles": ["broker"], "rack": r} for b, r in racks.items()]


def apply(current, plan):
    moved = {p["partition"]: p["replicas"] for p in plan["proposed"]["partitions"]}
    return [(partition, moved.get(partition, replicas)) for partition, replicas in current]


def test_a_new_empty_broker_gets_replicas_and_only_changed_partitions_move():
    current = [(p, [1 + p % 3, 1 + (p + 1) % 3]) for p in range(6)]  # 12 replicas on 3 brokers
    plan = plan_of(current, {1: "", 2: "", 3: "", 4: ""})
    assert plan["load"] == {1: 4, 2: 4, 3: 4, 4: 0}
    assert plan["balanced_load"] == {1: 3, 2: 3, 3: 3, 4: 3}
    assert len(plan["moves"]) == 3  # the fewest: one replica each from brokers 1, 2 and 3
    assert plan["moves"] == [f"t-{p['partition']}" for p in plan["proposed"]["partitions"]]
    after = apply(current, plan)
    assert all(len(set(replicas)) == 2 for _, replicas in after)
    assert plan_of(after, {1: "", 2: "", 3: "", 4: ""})["moves"] == []


def test_the_generators_random_proposal_is_ignored():
    current = [(0, [1, 2]), (1, [2, 3]), (2, [3, 1])]
    shuffled = [(0, [2, 3]), (1, [3, 1]), (2, [1, 2])]
    plan = plan_of(current, {1: "a", 2: "b", 3: "c"}, shuffled)
    assert plan["moves"] == []
    assert plan["proposed"] == {"version": 1, "partitions": []}


def test_a_rack_is_never_lost_and_a_rerun_moves_nothing():
    # Three racks, the new broker 4 in rack a with broker 1: every RF=3 partition keeps one
    # replica per rack, so broker 4 can only take over from broker 1, never from 2 or 3.
    racks = {1: "a", 2: "b", 3: "c", 4: "a"}
    current = [(p, [1 + (p + i) % 3 for i in range(3)]) for p in range(8)]
    plan = plan_of(current, racks)
    assert plan["balanced_load"] == {1: 4, 2: 8, 3: 8, 4: 4}
    after = apply(current, plan)
    assert all(sorted(racks[b] for b in replicas) == ["a", "b", "c"] for _, replicas in after)
    assert plan_of(after, racks)["moves"] == []


def test_a_moved_preferred_leader_stays_first():
    current = [(0, [1, 2]), (1, [1, 2]), (2, [1, 2]), (3, [1, 2])]
    plan = plan_of(current, {1: "", 2: "", 3: ""})
    assert plan["balanced_load"] == {1: 3, 2: 3, 3: 2}
    assert [p["replicas"] for p in plan["proposed"]["partitions"]] == [[3, 2], [1, 3]]


def test_brokers_without_a_rack_count_as_a_rack_each():
    current = [(0, [1, 2]), (1, [1, 2]), (2, [1, 2])]
    plan = rebalance.reassignment_plan(
        tool_output.current_assignment(generate_output(current)),
        [{"host": f"kafka-{b}", "node_id": b, "roles": ["broker"]} for b in (1, 2, 3)],
    )
    assert plan["balanced_load"] == {1: 2, 2: 2, 3: 2}


def test_replicas_on_a_broker_missing_from_the_inventory_are_an_error():
    with pytest.raises(ValueError, match=r"^replicas on brokers \[9\], which are not in the inventory$"):
        plan_of([(0, [1, 9])], {1: "", 2: ""})


def test_output_without_a_current_assignment_is_an_error():
    with pytest.raises(
        tool_output.ToolOutputError, match="no current assignment in the reassignment tool's output"
    ):
        tool_output.current_assignment("Proposed partition reassignment configuration\n{}\n")


def test_the_recorded_assignment_of_a_balanced_cluster_moves_nothing():
    current = tool_output.current_assignment((TOOLS / "kafka-4.4.0-kraft/reassign-generate.txt").read_text())
    plan = rebalance.reassignment_plan(current, brokers({1: "lab-a", 2: "lab-b", 3: "lab-c"}))
    assert plan["load"] == plan["balanced_load"] == {1: 5, 2: 4, 3: 4}
    assert plan["moves"] == []


@given(
    racks=st.lists(st.sampled_from("abc"), min_size=2, max_size=6),
    partitions=st.integers(min_value=1, max_value=30),
    data=st.data(),
)
def test_any_plan_keeps_racks_evens_out_when_it_can_and_is_final(racks, partitions, data):
    rack = dict(enumerate(racks, start=1))
    rf = data.draw(st.integers(min_value=1, max_value=len(rack)))
    current = [(p, data.draw(st.permutations(sorted(rack)))[:rf]) for p in range(partitions)]
    plan = plan_of(current, rack)
    after = apply(current, plan)
    for (_, old), (_, new) in zip(current, after, strict=True):
        assert len(set(new)) == rf
        assert len({rack[b] for b in new}) >= len({rack[b] for b in old})
    assert sum(plan["balanced_load"].values()) == sum(plan["load"].values()) == rf * partitions
    if len(set(racks)) == len(racks):  # one broker a rack: nothing stands in the way of evenness
        assert max(plan["balanced_load"].values()) - min(plan["balanced_load"].values()) <= 1
    assert plan_of(after, rack)["moves"] == []


# --- Draining a broker before its removal (playbooks/remove_node.yml) -------------------------------


def test_a_drained_broker_ends_empty_and_the_others_even_out():
    current = [(p, [1 + p % 4, 1 + (p + 1) % 4, 1 + (p + 2) % 4]) for p in range(8)]  # 24 on 4 brokers
    racks = {1: "a", 2: "b", 3: "c", 4: "a"}
    plan = plan_of(current, racks, draining=[4])
    assert plan["load"] == {1: 6, 2: 6, 3: 6, 4: 6}
    assert plan["balanced_load"] == {1: 8, 2: 8, 3: 8, 4: 0}
    after = apply(current, plan)
    assert all(4 not in replicas and len(set(replicas)) == 3 for _, replicas in after)
    assert all(len({racks[b] for b in replicas}) == 3 for _, replicas in after)
    # Only partitions that had a replica on broker 4 moved: 6 of the 8.
    assert len(plan["moves"]) == 6
    assert plan_of(after, racks, draining=[4])["moves"] == []


def test_a_drained_replica_keeps_its_place_so_a_preferred_leader_moves_to_the_target():
    plan = plan_of([(0, [4, 1, 2])], {1: "", 2: "", 3: "", 4: ""}, draining=[4])
    assert plan["proposed"]["partitions"] == [{"topic": "t", "partition": 0, "replicas": [3, 1, 2]}]


def test_a_drain_that_would_leave_too_few_brokers_for_a_partition_is_an_error():
    with pytest.raises(
        ValueError, match=r"^t-0 has 3 replicas, more than the 2 brokers left after draining \[3\]"
    ):
        plan_of([(0, [1, 2, 3])], {1: "a", 2: "b", 3: "c"}, draining=[3])


def test_draining_a_broker_missing_from_the_inventory_is_an_error():
    with pytest.raises(ValueError, match=r"cannot drain brokers \[9\]"):
        plan_of([(0, [1, 2])], {1: "a", 2: "b", 3: "c"}, draining=[9])


@given(
    racks=st.lists(st.sampled_from("abc"), min_size=3, max_size=6),
    partitions=st.integers(min_value=1, max_value=30),
    data=st.data(),
)
def test_any_drain_empties_the_broker_keeps_replicas_distinct_and_is_final(racks, partitions, data):
    rack = dict(enumerate(racks, start=1))
    rf = data.draw(st.integers(min_value=1, max_value=len(rack) - 1))
    drained = data.draw(st.sampled_from(sorted(rack)))
    current = [(p, data.draw(st.permutations(sorted(rack)))[:rf]) for p in range(partitions)]
    plan = plan_of(current, rack, draining=[drained])
    after = apply(current, plan)
    for _, new in after:
        assert len(set(new)) == rf and drained not in new
    assert plan["balanced_load"][drained] == 0
    assert sum(plan["balanced_load"].values()) == rf * partitions
    assert plan_of(after, rack, draining=[drained])["moves"] == []


def _cluster(*nodes):
    return {
        "nodes": {host: {"node_id": node_id, "roles": roles} for host, node_id, roles in nodes},
        "brokers": [host for host, _, roles in nodes if "broker" in roles],
        "controllers": [host for host, _, roles in nodes if "controller" in roles],
    }


COMBINED_PLUS_ONE = _cluster(
    *[(f"kafka-{n}", n, ["broker", "controller"]) for n in (1, 2, 3)], ("kafka-4", 4, ["broker"])
)


def test_a_broker_only_node_may_be_removed():
    assert rebalance.removal_errors(COMBINED_PLUS_ONE, "kafka-4") == []


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("", r"^kafka_rebalance_remove_node is not set"),
        ("kafka-9", r"^kafka_rebalance_remove_node=kafka-9: no Kafka node of the inventory has that name$"),
        ("kafka-2", r"^kafka_rebalance_remove_node=kafka-2: kafka-2 is a combined node, a voter"),
    ],
)
def test_a_node_that_cannot_be_removed_is_refused_naming_the_variable_and_the_host(host, message):
    errors = rebalance.removal_errors(COMBINED_PLUS_ONE, host)
    assert len(errors) == 1
    assert re.match(message, errors[0]), errors


def test_the_only_broker_is_not_removed():
    cluster = _cluster(("controller-1", 1001, ["controller"]), ("broker-1", 1, ["broker"]))
    only = ["kafka_rebalance_remove_node=broker-1: broker-1 is the only broker"]
    assert rebalance.removal_errors(cluster, "broker-1") == only


def test_a_dedicated_controller_may_be_removed_unless_it_is_the_only_one():
    three = _cluster(
        *[(f"controller-{n}", 1000 + n, ["controller"]) for n in (1, 2, 3)], ("broker-1", 1, ["broker"])
    )
    assert rebalance.removal_errors(three, "controller-2") == []
    alone = _cluster(("controller-1", 1001, ["controller"]), ("broker-1", 1, ["broker"]))
    only = ["kafka_rebalance_remove_node=controller-1: controller-1 is the only controller"]
    assert rebalance.removal_errors(alone, "controller-1") == only


def test_replicas_on_a_broker_are_read_from_the_topic_description():
    recorded = TOOLS / "kafka-4.4.0-kraft" / "topics-describe-exclude-internal.txt"
    described = tool_output.topic_description(recorded.read_text())
    every = {f"{p['topic']}-{p['partition']}" for p in described["partitions"]}
    on_one = rebalance.replicas_on(described, 1)
    assert on_one and set(on_one) <= every
    assert rebalance.replicas_on(described, 99) == []
