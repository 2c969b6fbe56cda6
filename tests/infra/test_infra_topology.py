"""Pure topology: CIDR split, subnet layout, zone spread, node plan, firewall rules."""

from __future__ import annotations

import ipaddress
import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from infra_harness import MOVED_PORTS
from kafkakit_aws.firewall import ANYWHERE, FirewallInputs, cluster_ports, groups_needed, rules
from kafkakit_aws.settings import CONTROLLER_NODE_ID_BASE, MAX_ZONES, Ports, parse_settings
from kafkakit_aws.topology import (
    GROUP_BROKER,
    GROUP_CONTROLLER,
    GROUP_MONITORING,
    GROUP_ZOOKEEPER,
    Zone,
    kebab,
    nvme_device_path,
    plan_nodes,
    split_cidr,
    spread,
    subnet_layout,
)

ZONE_NAMES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
ZONES = [Zone(name, f"euw1-az{i}") for i, name in enumerate(ZONE_NAMES, start=1)]
PORTS = Ports()
# No example database: nothing is written into the work tree (.hypothesis/).
no_database = settings(database=None)


@st.composite
def networks(draw, min_prefix: int = 8, max_prefix: int = 28) -> str:
    prefix = draw(st.integers(min_value=min_prefix, max_value=max_prefix))
    address = draw(st.integers(min_value=0, max_value=2**32 - 1))
    return str(ipaddress.IPv4Network((address, prefix), strict=False))


# --------------------------------------------------------------------------- CIDR split


@no_database
@given(cidr=networks(), count=st.integers(min_value=1, max_value=64))
def test_split_cidr_gives_disjoint_equal_maximal_subnets_inside_the_parent(cidr, count):
    parent = ipaddress.IPv4Network(cidr)
    if parent.prefixlen + (count - 1).bit_length() > 32:
        with pytest.raises(ValueError, match="cannot be split"):
            split_cidr(cidr, count)
        return
    subnets = [ipaddress.IPv4Network(s) for s in split_cidr(cidr, count)]
    assert len(subnets) == count
    assert len({s.prefixlen for s in subnets}) == 1
    assert all(s.subnet_of(parent) for s in subnets)
    assert all(not a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1 :])
    # maximal: one bit less and `count` of them would not fit
    assert 2 ** (subnets[0].prefixlen - parent.prefixlen - 1) < count or count == 1
    # in address order
    assert subnets == sorted(subnets)


def test_split_cidr_example():
    assert split_cidr("10.0.0.0/16", 3) == ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]
    assert split_cidr("10.0.0.0/16", 1) == ["10.0.0.0/16"]


def test_split_cidr_rejects_nonsense():
    with pytest.raises(ValueError):
        split_cidr("10.0.0.0/16", 0)
    with pytest.raises(ValueError):
        split_cidr("10.0.0.1/16", 2)


@no_database
@given(
    vpc=networks(min_prefix=16, max_prefix=24),
    zone_count=st.integers(min_value=1, max_value=MAX_ZONES),
)
def test_subnet_layout_is_disjoint_and_stable_as_zones_are_added(vpc, zone_count):
    zones = [f"zone-{i}" for i in range(MAX_ZONES)]
    full = subnet_layout(vpc, zones)
    layout = subnet_layout(vpc, zones[:zone_count])
    assert all(layout[z] == full[z] for z in layout)  # adding zones never renumbers
    cidrs = [ipaddress.IPv4Network(c) for z in layout.values() for c in (z.private, z.public)]
    assert all(c.subnet_of(ipaddress.IPv4Network(vpc)) for c in cidrs)
    assert all(c.prefixlen <= 28 for c in cidrs)  # AWS's smallest subnet
    assert len(set(cidrs)) == len(cidrs)
    assert all(not a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])


# --------------------------------------------------------------------------- zone spread


@no_database
@given(
    count=st.integers(min_value=0, max_value=200),
    zones=st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=8, unique=True),
)
def test_spread_is_balanced_round_robin_and_stable(count, zones):
    placed = spread(count, zones)
    assert len(placed) == count
    per_zone = Counter(placed)
    assert set(per_zone) <= set(zones)
    if count:
        assert max(per_zone.values()) - min(per_zone.get(z, 0) for z in zones) <= 1
    if count >= len(zones):
        assert set(per_zone) == set(zones)
    # adding a node never moves an existing one
    assert spread(count + 1, zones)[:count] == placed
    # consecutive nodes land in different zones whenever there is more than one
    if len(zones) > 1:
        assert all(a != b for a, b in itertools.pairwise(placed))


def test_spread_needs_a_zone():
    with pytest.raises(ValueError):
        spread(1, [])


# --------------------------------------------------------------------------- node plan


def test_dedicated_kraft_plan():
    nodes = plan_nodes(parse_settings({"brokerCount": 6, "controllerCount": 3}, "t"), ZONES)
    brokers = [n for n in nodes if n.role == "broker"]
    controllers = [n for n in nodes if n.role == "controller"]
    assert [n.name for n in brokers] == [f"kafka-broker-{i}" for i in range(1, 7)]
    assert [n.node_id for n in brokers] == list(range(1, 7))
    assert [n.name for n in controllers] == ["kafka-controller-1", "kafka-controller-2", "kafka-controller-3"]
    assert [n.node_id for n in controllers] == [1001, 1002, 1003]
    assert [n.zone for n in brokers] == ZONE_NAMES * 2
    assert [n.zone for n in controllers] == ZONE_NAMES
    assert [n.zone_id for n in brokers] == ["euw1-az1", "euw1-az2", "euw1-az3"] * 2
    assert all(n.groups == (GROUP_BROKER,) for n in brokers)
    assert all(n.groups == (GROUP_CONTROLLER,) for n in controllers)
    assert brokers[0].instance_type == "m7i.xlarge"
    assert controllers[0].volume.size_gib == 50


def test_combined_plan():
    nodes = plan_nodes(parse_settings({"brokerCount": 3, "controllerCount": 0}, "t"), ZONES)
    assert [n.name for n in nodes] == ["kafka-1", "kafka-2", "kafka-3"]
    assert all(n.role == "combined" for n in nodes)
    assert all(n.groups == (GROUP_BROKER, GROUP_CONTROLLER) for n in nodes)
    assert [n.node_id for n in nodes] == [1, 2, 3]


@pytest.mark.parametrize(("brokers", "controllers"), [(1, 1), (2, 1), (3, 3), (5, 3), (6, 3)])
def test_combined_plan_makes_the_first_three_brokers_controllers(brokers, controllers):
    """The shared contract (constants.combined_controller_count), as the lab and the roles do."""
    nodes = plan_nodes(parse_settings({"brokerCount": brokers, "controllerCount": 0}, "t"), ZONES)
    assert [n.name for n in nodes] == [f"kafka-{i}" for i in range(1, brokers + 1)]
    assert all(GROUP_BROKER in n.groups for n in nodes)
    assert [n.name for n in nodes if GROUP_CONTROLLER in n.groups] == [
        f"kafka-{i}" for i in range(1, controllers + 1)
    ]
    assert [n.role for n in nodes[controllers:]] == ["broker"] * (brokers - controllers)


def test_monitoring_instance_is_planned_last_in_the_first_zone():
    nodes = plan_nodes(parse_settings({"monitoringInstance": True}, "t"), ZONES)
    monitoring = nodes[-1]
    assert (monitoring.name, monitoring.role, monitoring.groups) == (
        "monitoring-1",
        "monitoring",
        (GROUP_MONITORING,),
    )
    assert monitoring.node_id is None and monitoring.zone == "eu-west-1a"
    assert monitoring.instance_type == "m7i.large"
    assert monitoring.volume.size_gib == 50
    assert not any(n.role == "monitoring" for n in plan_nodes(parse_settings({}, "t"), ZONES))


def test_zookeeper_plan():
    nodes = plan_nodes(parse_settings({"mode": "zookeeper", "zookeeperCount": 5}, "t"), ZONES)
    ensemble = [n for n in nodes if n.role == "zookeeper"]
    assert [n.zookeeper_myid for n in ensemble] == [1, 2, 3, 4, 5]
    assert all(n.node_id is None and n.groups == (GROUP_ZOOKEEPER,) for n in ensemble)
    assert not [n for n in nodes if GROUP_CONTROLLER in n.groups]
    assert ensemble[0].instance_type == "m7i.large"


@no_database
@given(
    brokers=st.integers(min_value=1, max_value=21),
    controllers=st.sampled_from([0, 1, 3, 5]),
    zone_count=st.integers(min_value=1, max_value=3),
)
def test_node_ids_and_names_are_unique(brokers, controllers, zone_count):
    if -(-brokers // zone_count) > 7:
        return
    settings = parse_settings(
        {"brokerCount": brokers, "controllerCount": controllers, "zoneCount": zone_count}, "t"
    )
    nodes = plan_nodes(settings, ZONES[:zone_count])
    ids = [n.node_id for n in nodes]
    assert len(set(ids)) == len(ids)
    assert len({n.name for n in nodes}) == len(nodes)
    assert all(n.node_id > CONTROLLER_NODE_ID_BASE for n in nodes if n.role == "controller")


# --------------------------------------------------------------------------- names


def test_nvme_device_path():
    assert nvme_device_path("vol-0123456789abcdef0") == (
        "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0"
    )
    with pytest.raises(ValueError):
        nvme_device_path("i-0123")


def test_kebab():
    assert kebab("10.0.0.0/8") == "10-0-0-0-8"
    assert kebab("sg-0ABC") == "sg-0abc"


# --------------------------------------------------------------------------- firewall


cidr_lists = st.lists(networks(min_prefix=1, max_prefix=32), max_size=3, unique=True)


@no_database
@given(
    roles=st.sampled_from([("broker", "controller"), ("combined",), ("broker", "zookeeper"), ("broker",)]),
    clients=cidr_lists,
    monitoring=cidr_lists,
    ssh=cidr_lists,
    internet=st.booleans(),
)
def test_no_rule_opens_a_cluster_port_to_the_world(roles, clients, monitoring, ssh, internet):
    inputs = FirewallInputs(
        roles=roles,
        ports=PORTS,
        vpc_cidr="10.42.0.0/16",
        client_cidrs=clients,
        monitoring_cidrs=monitoring,
        ssh_allowed_cidrs=ssh,
        internet_egress=internet,
    )
    all_rules = rules(inputs)
    assert len({(r.group, r.name) for r in all_rules}) == len(all_rules)
    for rule in all_rules:
        if rule.direction == "ingress":
            assert rule.cidr != ANYWHERE
            assert rule.protocol == "tcp"
            assert rule.cidr is None or rule.cidr in (*clients, *monitoring, *ssh)
        elif rule.cidr == ANYWHERE:
            assert not any(rule.covers(p) for p in cluster_ports(PORTS))
    ssh_rules = [r for r in all_rules if r.direction == "ingress" and r.covers(22)]
    assert [r.cidr for r in ssh_rules] == list(ssh)


def test_rules_per_role():
    inputs = FirewallInputs(
        roles=("broker", "controller"),
        ports=PORTS,
        vpc_cidr="10.42.0.0/16",
        client_cidrs=("10.0.0.0/8",),
        client_security_group_ids=("sg-0123456789abcdef0",),
    )
    by_name = {(r.group, r.name): r for r in rules(inputs)}
    assert by_name[("broker", "client-10-0-0-0-8")].to_port == 9092
    assert by_name[("broker", "client-sg-0123456789abcdef0")].external_group_id == ("sg-0123456789abcdef0")
    assert by_name[("broker", "inter-broker")].peer_group == "broker"
    assert by_name[("controller", "from-brokers")].peer_group == "broker"
    assert by_name[("controller", "quorum")].peer_group == "controller"
    assert not [k for k in by_name if k[1].startswith("ssh")]
    # Without monitoring, the JMX exporter is open to the roll's gates on the Kafka nodes only.
    assert [k for k in by_name if k[1].startswith("jmx")] == [
        ("node", "jmx-exporter-brokers"),
        ("node", "jmx-exporter-controllers"),
    ]
    assert groups_needed(("zookeeper", "broker")) == ["node", "broker", "zookeeper"]
    assert groups_needed(("combined",)) == ["node", "broker", "controller"]
    assert groups_needed(("broker", "monitoring"), load_balancer=True) == [
        "node",
        "broker",
        "monitoring",
        "nlb",
    ]


def test_every_rule_follows_the_configured_ports():
    """Issue 13 / defect 4: the rules are made from the same Ports as the inventory's variables."""
    ports = Ports(**MOVED_PORTS)
    inputs = FirewallInputs(
        roles=("broker", "controller", "zookeeper", "monitoring"),
        ports=ports,
        vpc_cidr="10.42.0.0/16",
        client_cidrs=("10.0.0.0/8",),
        monitoring_cidrs=("10.50.0.0/24",),
    )
    ingress = {(r.group, r.name): r.from_port for r in rules(inputs) if r.direction == "ingress"}
    assert ingress == {
        ("node", "jmx-exporter-10-50-0-0-24"): 17071,
        ("node", "jmx-exporter-monitoring"): 17071,
        ("node", "node-exporter-10-50-0-0-24"): 19100,
        ("node", "node-exporter-monitoring"): 19100,
        ("node", "jmx-exporter-brokers"): 17071,
        ("node", "jmx-exporter-controllers"): 17071,
        ("broker", "client-10-0-0-0-8"): 19092,
        ("broker", "inter-broker"): 19092,
        ("broker", "from-controllers"): 19092,
        ("controller", "from-brokers"): 19093,
        ("controller", "quorum"): 19093,
        ("zookeeper", "from-brokers"): 12181,
        ("zookeeper", "from-controllers"): 12181,
        ("zookeeper", "quorum-peer"): 12888,
        ("zookeeper", "quorum-election"): 13888,
        ("monitoring", "prometheus-10-50-0-0-24"): 9090,
    }


def test_exporters_only_from_the_monitoring_instance_monitoring_cidrs_and_the_kafka_nodes():
    """Issue 14: no other source reaches the exporter ports. The roll's metric gates, which run on a
    Kafka node, read the Kafka JVMs' exporters (7071) of the other nodes, never the node exporter."""
    inputs = FirewallInputs(
        roles=("broker", "controller", "monitoring"), ports=PORTS, vpc_cidr="10.42.0.0/16"
    )
    exporter = [r for r in rules(inputs) if r.direction == "ingress" and r.from_port in (7071, 9100)]
    assert {(r.from_port, r.peer_group, r.cidr) for r in exporter} == {
        (7071, "monitoring", None),
        (9100, "monitoring", None),
        (7071, "broker", None),
        (7071, "controller", None),
    }
    assert all(r.group == "node" and r.to_port == r.from_port for r in exporter)
    zookeeper = FirewallInputs(roles=("broker", "zookeeper"), ports=PORTS, vpc_cidr="10.42.0.0/16")
    exporter = [r for r in rules(zookeeper) if r.direction == "ingress" and r.from_port in (7071, 9100)]
    assert {(r.from_port, r.peer_group) for r in exporter} == {(7071, "broker")}


def test_apt_proxy_and_load_balancer_rules():
    inputs = FirewallInputs(
        roles=("broker", "controller"),
        ports=PORTS,
        vpc_cidr="10.42.0.0/16",
        client_cidrs=("10.0.0.0/8",),
        apt_proxy_cidrs=("10.0.5.10/32",),
        apt_proxy_port=3142,
        external_ports=(9201, 9203),
    )
    by_name = {(r.group, r.name): r for r in rules(inputs)}
    proxy = by_name[("node", "egress-apt-proxy-10-0-5-10-32")]
    assert (proxy.direction, proxy.cidr, proxy.from_port, proxy.to_port) == (
        "egress",
        "10.0.5.10/32",
        3142,
        3142,
    )
    external = by_name[("broker", "external-from-nlb")]
    assert (external.peer_group, external.from_port, external.to_port) == ("nlb", 9201, 9203)
    assert by_name[("nlb", "client-10-0-0-0-8")].cidr == "10.0.0.0/8"
    assert by_name[("nlb", "to-brokers")].direction == "egress"
    assert not [r for r in rules(inputs) if r.direction == "egress" and r.cidr == ANYWHERE]
