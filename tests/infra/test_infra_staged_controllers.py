"""infra/ with controllerCount in a ZooKeeper-mode stack: the controllers staged for the migration
to KRaft (docs/migration.md). They are named, numbered and sized as KRaft's dedicated controllers,
sit in kafka_controller, reach what the migration needs, and stay when the stack turns to kraft."""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from contract_harness import SECRETS, problems_of
from infra_harness import INGRESS, INSTANCE, MOVED_PORTS, SECURITY_GROUP, ProgramRun, run_program
from kafkakit_aws import outputs
from kafkakit_aws.firewall import FirewallInputs, rules
from kafkakit_aws.inventory import (
    ClusterVars,
    Connection,
    build_inventory,
    check_inventory,
    host_facts,
    hosts_of,
)
from kafkakit_aws.settings import ConfigError, Ports, parse_settings
from kafkakit_aws.topology import GROUP_CONTROLLER, Zone, plan_nodes, roles_present

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws")

STAGED = {"mode": "zookeeper", "controllerCount": 3, "clientCidrs": ["10.0.0.0/8"]}
ZONES = [Zone("eu-west-1a", "euw1-az1"), Zone("eu-west-1b", "euw1-az2"), Zone("eu-west-1c", "euw1-az3")]
CONTROLLERS = ["kafka-controller-1", "kafka-controller-2", "kafka-controller-3"]
MIGRATING = {
    "kafka_zookeeper_migration": "migrating",
    "kafka_inter_broker_protocol_version": "3.9",
    "kafka_metrics_enabled": True,
}
"""What the user's group_vars add to the stack's inventory for the migration's first phase."""


def errors_of(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, "t")
    return caught.value.errors


# --------------------------------------------------------------------------- settings


def test_zookeeper_mode_stages_an_odd_number_of_dedicated_controllers():
    settings = parse_settings(STAGED, "t")
    assert (settings.mode, settings.controller_count, settings.zookeeper_count) == ("zookeeper", 3, 3)
    assert (settings.combined, settings.combined_controllers) == (False, 0)
    assert settings.kafka_version == "3.9.2"
    assert parse_settings({**STAGED, "controllerCount": 1}, "t").controller_count == 1


@pytest.mark.parametrize("count", [-1, 0])
def test_zookeeper_mode_has_no_controllers_by_default_or_with_zero(count):
    settings = parse_settings({"mode": "zookeeper", "controllerCount": count}, "t")
    assert (settings.controller_count, settings.combined, settings.combined_controllers) == (0, False, 0)
    assert not [n for n in plan_nodes(settings, ZONES) if GROUP_CONTROLLER in n.groups]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (
            {"controllerCount": 2},
            "controllerCount must be odd so the KRaft quorum keeps a majority (1, 3 or 5), got 2",
        ),
        (
            {"controllerCount": -2},
            "controllerCount must be -1 or 0 (no controllers) or an odd number of dedicated controllers "
            "staged for the migration to KRaft, got -2",
        ),
        (
            {"controllerCount": 9, "zoneCount": 1},
            "controllerCount 9 over 1 zones puts 9 nodes in one zone; a spread placement group holds "
            "at most 7 per zone: add zones or lower the count",
        ),
    ],
)
def test_zookeeper_mode_refuses_a_controller_count(raw, error):
    assert errors_of({"mode": "zookeeper", **raw}) == [error]


# --------------------------------------------------------------------------- plan


def test_staged_controllers_are_planned_as_kraft_dedicated_controllers():
    machines = {"controllerInstanceType": "m7i.2xlarge", "controllerVolumeSizeGib": 80}
    staged = plan_nodes(parse_settings({**STAGED, **machines}, "t"), ZONES)
    kraft = plan_nodes(parse_settings({"controllerCount": 3, **machines}, "t"), ZONES)
    assert [n.name for n in staged] == [
        *("kafka-broker-1", "kafka-broker-2", "kafka-broker-3"),
        *CONTROLLERS,
        *("zookeeper-1", "zookeeper-2", "zookeeper-3"),
    ]
    controllers = [n for n in staged if n.role == "controller"]
    assert [(n.node_id, n.groups, n.zone, n.instance_type, n.volume.size_gib) for n in controllers] == [
        (1001, (GROUP_CONTROLLER,), "eu-west-1a", "m7i.2xlarge", 80),
        (1002, (GROUP_CONTROLLER,), "eu-west-1b", "m7i.2xlarge", 80),
        (1003, (GROUP_CONTROLLER,), "eu-west-1c", "m7i.2xlarge", 80),
    ]
    # The KRaft stack after the migration plans the same brokers and controllers, field for field.
    assert [n for n in staged if n.role != "zookeeper"] == kraft
    assert roles_present(staged) == ["broker", "controller", "zookeeper"]


# --------------------------------------------------------------------------- firewall

PORTS_MOVED = Ports(**MOVED_PORTS)
MIGRATION_RULES = {("broker", "from-controllers"), ("zookeeper", "from-controllers")}


def ingress(*roles: str) -> dict[tuple[str, str], tuple[int | None, int | None, str | None]]:
    inputs = FirewallInputs(roles=roles, ports=PORTS_MOVED, vpc_cidr="10.42.0.0/16")
    return {
        (r.group, r.name): (r.from_port, r.to_port, r.peer_group)
        for r in rules(inputs)
        if r.direction == "ingress"
    }


def test_the_migration_opens_zookeeper_and_the_brokers_listener_to_the_controllers():
    assert ingress("broker", "controller", "zookeeper") == {
        ("node", "jmx-exporter-brokers"): (17071, 17071, "broker"),
        ("node", "jmx-exporter-controllers"): (17071, 17071, "controller"),
        ("broker", "inter-broker"): (19092, 19092, "broker"),
        ("broker", "from-controllers"): (19092, 19092, "controller"),
        ("controller", "from-brokers"): (19093, 19093, "broker"),
        ("controller", "quorum"): (19093, 19093, "controller"),
        ("zookeeper", "from-brokers"): (12181, 12181, "broker"),
        ("zookeeper", "from-controllers"): (12181, 12181, "controller"),
        ("zookeeper", "quorum-peer"): (12888, 12888, "zookeeper"),
        ("zookeeper", "quorum-election"): (13888, 13888, "zookeeper"),
    }


@pytest.mark.parametrize("roles", [("broker", "controller"), ("combined",), ("broker", "zookeeper")])
def test_no_migration_rules_without_both_controllers_and_an_ensemble(roles):
    rules_made = ingress(*roles)
    assert rules_made
    assert not MIGRATION_RULES & rules_made.keys()


# --------------------------------------------------------------------------- inventory


def staged_inventory() -> dict:
    """The inventory the program builds for STAGED, from made-up instance facts."""
    settings = parse_settings(STAGED, "t")
    hosts = [
        host_facts(
            node,
            instance_id=f"i-0{n:016x}",
            private_ip=f"10.42.0.{10 + n}",
            data_volume_id=f"vol-0{n:016x}",
            dns_zone_name=settings.dns_zone_name,
        )
        for n, node in enumerate(plan_nodes(settings, ZONES), start=1)
    ]
    connection = Connection("ssm", "eu-west-1", "kafka-ssm-bucket", "https://s3.eu-west-1.amazonaws.com")
    return build_inventory(cluster=ClusterVars.of(settings), connection=connection, hosts=hosts)


def controllers_of(inventory: dict) -> dict:
    return inventory["all"]["children"][GROUP_CONTROLLER]["hosts"]


def test_staged_controllers_are_in_kafka_controller_with_their_node_ids():
    inventory = staged_inventory()
    assert inventory["all"]["vars"]["kafka_mode"] == "zookeeper"
    controllers = controllers_of(inventory)
    assert {name: h["kafka_node_id"] for name, h in controllers.items()} == dict(
        zip(CONTROLLERS, (1001, 1002, 1003), strict=True)
    )
    assert controllers["kafka-controller-2"]["kafka_advertised_host"] == "kafka-controller-2.kafka-t.internal"
    assert not [name for name, h in controllers.items() if "kafka_broker_rack" in h]
    assert check_inventory(inventory) == []


def test_zookeeper_mode_inventory_check_refuses_an_even_quorum_and_combined_nodes():
    even = staged_inventory()
    del controllers_of(even)["kafka-controller-3"]
    assert check_inventory(even) == [
        "kafka_controller must have an odd number of hosts in zookeeper mode, has 2"
    ]

    combined = staged_inventory()
    broker = combined["all"]["children"]["kafka_broker"]["hosts"]["kafka-broker-1"]
    controllers_of(combined).clear()
    controllers_of(combined)["kafka-broker-1"] = copy.deepcopy(broker)
    assert check_inventory(combined) == [
        "kafka-broker-1: in both kafka_broker and kafka_controller in zookeeper mode (the migration to "
        "KRaft needs dedicated controllers)"
    ]


# --------------------------------------------------------------------------- the program


@pytest.fixture(scope="module")
def staged() -> ProgramRun:
    return run_program(STAGED, stack="staged")


@pytest.fixture(scope="module")
def migrated() -> ProgramRun:
    """The same stack after the migration: kraft mode, on the release it migrated on."""
    return run_program({**STAGED, "mode": "kraft", "kafkaVersion": "3.9.2"}, stack="staged")


def test_the_stack_declares_the_controllers_and_the_migration_rules(staged):
    instances = staged.of_type(INSTANCE)
    assert Counter(i.state["tags"]["kafka-kit:role"] for i in instances) == {
        "broker": 3,
        "controller": 3,
        "zookeeper": 3,
    }
    assert sorted(
        i.state["tags"]["kafka-kit:node-id"]
        for i in instances
        if i.state["tags"]["kafka-kit:role"] == "controller"
    ) == ["1001", "1002", "1003"]
    prefix = "kafka-staged-sg-"  # the SecurityGroups component's; the VPC endpoints have a group too
    group_ids = {
        sg.name.removeprefix(prefix): sg.id
        for sg in staged.of_type(SECURITY_GROUP)
        if sg.name.startswith(prefix)
    }
    assert set(group_ids) == {"node", "broker", "controller", "zookeeper"}
    declared = {r.name.removeprefix(prefix): r.state for r in staged.of_type(INGRESS)}
    for name, group, port in (
        ("broker-from-controllers", "broker", 9092),
        ("zookeeper-from-controllers", "zookeeper", 2181),
        ("controller-from-brokers", "controller", 9093),
        ("controller-quorum", "controller", 9093),
    ):
        rule = declared[name]
        assert (rule["securityGroupId"], rule["fromPort"], rule["toPort"]) == (group_ids[group], port, port)
    assert declared["broker-from-controllers"]["referencedSecurityGroupId"] == group_ids["controller"]
    assert declared["zookeeper-from-controllers"]["referencedSecurityGroupId"] == group_ids["controller"]


def test_inventory_hand_off_passes_the_ansible_contract_staged_and_migrating(staged):
    inventory = staged.outputs[outputs.ANSIBLE_INVENTORY]
    assert {n: h["kafka_node_id"] for n, h in hosts_of(inventory, GROUP_CONTROLLER).items()} == dict(
        zip(CONTROLLERS, (1001, 1002, 1003), strict=True)
    )
    assert check_inventory(inventory) == []
    assert problems_of(inventory, extra_vars=SECRETS) == []
    assert problems_of(inventory, extra_vars={**SECRETS, **MIGRATING}) == []
    # The contract does look at the controllers: without their metrics, the migration is refused.
    refused = problems_of(inventory, extra_vars={**SECRETS, **MIGRATING, "kafka_metrics_enabled": False})
    assert len(refused) == 1
    assert refused[0].startswith(f"{', '.join(CONTROLLERS)}: kafka_metrics_enabled is false"), refused


def test_switching_to_kraft_keeps_the_brokers_and_controllers_and_removes_the_ensemble(staged, migrated):
    before = {r.urn: r for r in staged.resources}
    after = {r.urn: r for r in migrated.resources}
    assert set(after) < set(before)
    removed = {before[urn].name.removeprefix("kafka-staged-") for urn in set(before) - set(after)}
    assert {name for name in removed if "zookeeper" not in name} == {"sg-broker-from-controllers"}
    assert {n for n in removed if n.startswith("nodes-")} == {
        *(f"nodes-zookeeper-{k}" for k in (1, 2, 3)),
        *(f"nodes-zookeeper-{k}-data" for k in (1, 2, 3)),
        "nodes-zookeeper",
    }
    changed = {
        before[urn].name.removeprefix("kafka-staged-"): sorted(
            key
            for key in before[urn].state["tags"].keys() | after[urn].state["tags"].keys()
            if before[urn].state["tags"].get(key) != after[urn].state["tags"].get(key)
        )
        for urn in after
        if before[urn].state != after[urn].state
    }
    # Only the mode tag changes, in place, on every Kafka instance.
    assert changed == {
        f"nodes-{node}": ["kafka-kit:mode"]
        for node in ("kafka-broker-1", "kafka-broker-2", "kafka-broker-3", *CONTROLLERS)
    }
