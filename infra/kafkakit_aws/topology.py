"""Cluster topology as plain data: zones, subnets, node names, ids and placement.

Naming and numbering (the inventory contract):
  KRaft, dedicated controllers  kafka-broker-N (node id N), kafka-controller-M (node id 1000+M)
  KRaft, combined nodes         kafka-N (node id N), in both kafka_broker and kafka_controller
  ZooKeeper mode                kafka-broker-N (broker.id N), zookeeper-K (myid K)
Each role is spread round-robin over the zones, starting at the first: node i of a role lands in
zones[(i - 1) % len(zones)], so adding a node never moves an existing one.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .settings import (
    CONTROLLER_NODE_ID_BASE,
    MAX_ZONES,
    ConfigError,
    Role,
    Settings,
    VolumeSettings,
)

GROUP_BROKER: Final = "kafka_broker"
GROUP_CONTROLLER: Final = "kafka_controller"
GROUP_ZOOKEEPER: Final = "zookeeper"
GROUPS: Final = (GROUP_BROKER, GROUP_CONTROLLER, GROUP_ZOOKEEPER)

ROLE_GROUPS: Final[Mapping[str, tuple[str, ...]]] = {
    "broker": (GROUP_BROKER,),
    "controller": (GROUP_CONTROLLER,),
    "combined": (GROUP_BROKER, GROUP_CONTROLLER),
    "zookeeper": (GROUP_ZOOKEEPER,),
}

DATA_DEVICE_NAME: Final = "/dev/sdf"
"""The device name the data volume is attached as. Nitro instances ignore it and expose the
volume as an NVMe namespace, hence `nvme_device_path`."""

NVME_BY_ID_PREFIX: Final = "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_"


# --------------------------------------------------------------------------- CIDRs


def split_cidr(cidr: str, count: int) -> list[str]:
    """The first `count` of the equal, largest possible subnets `cidr` divides into.

    >>> split_cidr("10.0.0.0/16", 3)
    ['10.0.0.0/18', '10.0.64.0/18', '10.0.128.0/18']
    """
    network = ipaddress.IPv4Network(cidr)
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    extra_bits = math.ceil(math.log2(count)) if count > 1 else 0
    if network.prefixlen + extra_bits > 32:
        raise ValueError(f"{cidr} cannot be split into {count} subnets")
    subnets = network.subnets(prefixlen_diff=extra_bits)
    return [str(next(subnets)) for _ in range(count)]


@dataclass(frozen=True)
class ZoneSubnets:
    private: str
    public: str


def subnet_layout(vpc_cidr: str, zones: Sequence[str]) -> dict[str, ZoneSubnets]:
    """Private and public subnet CIDR per zone, independent of how many zones are used.

    The VPC is cut into 2 * MAX_ZONES equal blocks: zone i (0-based) gets block i as its private
    subnet and block MAX_ZONES + i as its public one, so adding zones or turning NAT on later
    never renumbers an existing subnet (which would replace it and every instance in it).
    """
    if len(zones) > MAX_ZONES:
        raise ValueError(f"at most {MAX_ZONES} zones, got {len(zones)}")
    blocks = split_cidr(vpc_cidr, 2 * MAX_ZONES)
    return {
        zone: ZoneSubnets(private=blocks[i], public=blocks[MAX_ZONES + i]) for i, zone in enumerate(zones)
    }


# --------------------------------------------------------------------------- zones


def select_zones(settings: Settings, offered: Sequence[str], region: str) -> list[str]:
    """The zones the cluster uses: `availabilityZones` as given, else the first `zoneCount`
    of the region's offered zones in name order. Raises ConfigError if the region lacks them."""
    available = sorted(offered)
    if settings.availability_zones:
        unknown = [z for z in settings.availability_zones if z not in available]
        if unknown:
            raise ConfigError(
                [
                    f"availabilityZones {', '.join(unknown)} not offered in region {region} "
                    f"(available: {', '.join(available) or 'none'})"
                ]
            )
        return list(settings.availability_zones)
    if settings.zone_count > len(available):
        raise ConfigError(
            [
                f"zoneCount is {settings.zone_count} but region {region} offers only "
                f"{len(available)} availability zones ({', '.join(available) or 'none'})"
            ]
        )
    return available[: settings.zone_count]


def spread(count: int, zones: Sequence[str]) -> list[str]:
    """Zone of each of `count` nodes, round-robin from the first zone."""
    if not zones:
        raise ValueError("at least one zone is needed")
    return [zones[i % len(zones)] for i in range(count)]


# --------------------------------------------------------------------------- nodes


@dataclass(frozen=True)
class NodeSpec:
    name: str
    """Inventory hostname and DNS label, e.g. kafka-broker-1."""
    role: Role
    groups: tuple[str, ...]
    zone: str
    node_id: int | None
    """KRaft node.id / ZooKeeper-mode broker.id; None on ZooKeeper hosts."""
    zookeeper_myid: int | None
    instance_type: str
    volume: VolumeSettings

    @property
    def is_broker(self) -> bool:
        return GROUP_BROKER in self.groups

    @property
    def is_kafka(self) -> bool:
        return self.node_id is not None


def plan_nodes(settings: Settings, zones: Sequence[str]) -> list[NodeSpec]:
    """Every node the cluster needs, brokers first, in a stable order."""
    nodes: list[NodeSpec] = []

    def add(role: Role, prefix: str, count: int, ids: Sequence[int], type_role: str) -> None:
        for index, zone in enumerate(spread(count, zones), start=1):
            nodes.append(
                NodeSpec(
                    name=f"{prefix}-{index}",
                    role=role,
                    groups=ROLE_GROUPS[role],
                    zone=zone,
                    node_id=ids[index - 1] if role != "zookeeper" else None,
                    zookeeper_myid=index if role == "zookeeper" else None,
                    instance_type=settings.instance_types[type_role],
                    volume=settings.volumes[type_role],
                )
            )

    brokers = settings.broker_count
    if settings.combined:
        add("combined", "kafka", brokers, range(1, brokers + 1), "broker")
        return nodes
    add("broker", "kafka-broker", brokers, range(1, brokers + 1), "broker")
    if settings.mode == "kraft":
        controllers = settings.controller_count
        ids = range(CONTROLLER_NODE_ID_BASE + 1, CONTROLLER_NODE_ID_BASE + controllers + 1)
        add("controller", "kafka-controller", controllers, ids, "controller")
    else:
        add("zookeeper", "zookeeper", settings.zookeeper_count, (), "zookeeper")
    return nodes


def roles_present(nodes: Sequence[NodeSpec]) -> list[Role]:
    """The roles in the plan, in plan order."""
    seen: list[Role] = []
    for node in nodes:
        if node.role not in seen:
            seen.append(node.role)
    return seen


def security_roles(role: Role) -> tuple[str, ...]:
    """The role security groups a node joins (besides the common node group)."""
    return {
        "broker": ("broker",),
        "controller": ("controller",),
        "combined": ("broker", "controller"),
        "zookeeper": ("zookeeper",),
    }[role]


# --------------------------------------------------------------------------- names


def nvme_device_path(volume_id: str) -> str:
    """The stable path of an EBS volume on a Nitro instance.

    >>> nvme_device_path("vol-0123456789abcdef0")
    '/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0'
    """
    if not volume_id.startswith("vol-"):
        raise ValueError(f"not an EBS volume id: {volume_id!r}")
    return NVME_BY_ID_PREFIX + volume_id.replace("-", "", 1)


def fqdn(node_name: str, zone_name: str) -> str:
    return f"{node_name}.{zone_name}"


def kebab(text: str) -> str:
    """A resource-name-safe slug: 10.0.0.0/8 -> 10-0-0-0-8, sg-0abc -> sg-0abc."""
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")
