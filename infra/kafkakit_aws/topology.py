"""Cluster topology as plain data: zones, subnets, node names, ids and placement.

Naming and numbering (the inventory contract):
  KRaft, dedicated controllers  kafka-broker-N (node id N), kafka-controller-M (node id 1000+M)
  KRaft, combined nodes         kafka-N (node id N); the first three by node id (one in a cluster
                                of fewer than three) are in kafka_broker and kafka_controller,
                                the rest in kafka_broker only (constants.combined_controller_count)
  ZooKeeper mode                kafka-broker-N (broker.id N), zookeeper-K (myid K), and with
                                controllerCount the controllers staged for the migration to KRaft
                                (docs/migration.md): kafka-controller-M (node id 1000+M), as in
                                KRaft, so that the KRaft stack after it keeps them
  Monitoring (optional)         monitoring-1, in the group monitoring
Each role is spread round-robin over the zones, starting at the first: node i of a role lands in
zones[(i - 1) % len(zones)], so adding a node never moves an existing one. The zones come from the
stack configuration or, unpinned, from every zone the region offers whatever its state (never only
the available ones), so a zone that is down does not shift the others' nodes and volumes.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .contract import constants
from .settings import (
    CONTROLLER_NODE_ID_BASE,
    MAX_ZONES,
    ConfigError,
    Role,
    Settings,
    VolumeSettings,
)

GROUP_BROKER: Final = constants.DEFAULT_GROUPS["broker"]
GROUP_CONTROLLER: Final = constants.DEFAULT_GROUPS["controller"]
GROUP_ZOOKEEPER: Final = constants.DEFAULT_GROUPS["zookeeper"]
GROUP_MONITORING: Final = constants.DEFAULT_GROUPS["monitoring"]
GROUPS: Final = (GROUP_BROKER, GROUP_CONTROLLER, GROUP_ZOOKEEPER, GROUP_MONITORING)

ROLE_GROUPS: Final[Mapping[str, tuple[str, ...]]] = {
    "broker": (GROUP_BROKER,),
    "controller": (GROUP_CONTROLLER,),
    "combined": (GROUP_BROKER, GROUP_CONTROLLER),
    "zookeeper": (GROUP_ZOOKEEPER,),
    "monitoring": (GROUP_MONITORING,),
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


@dataclass(frozen=True)
class Zone:
    name: str
    """The zone's name in this account, e.g. eu-west-1a (subnets and volumes are placed by it)."""
    id: str
    """The zone id, e.g. euw1-az1: the same physical zone in every account, so the broker rack."""


def select_zones(
    settings: Settings, offered: Sequence[Zone], available: Sequence[str], region: str
) -> tuple[list[Zone], list[str]]:
    """The zones the cluster uses, and warnings.

    `offered` is every zone of the region (any state), `available` the names of those up now.
    Pinned zones (`availabilityZones`, by name or id) are used as given; unpinned, the first
    `zoneCount` of `offered` in name order. A zone that is down is never skipped (skipping would
    move every later node and volume to another zone): its nodes wait for it, with a warning.
    Raises ConfigError if the region lacks a zone."""
    by_key = {z.name: z for z in offered} | {z.id: z for z in offered}
    names = ", ".join(sorted(z.name for z in offered)) or "none"
    warnings: list[str] = []
    if settings.availability_zones:
        unknown = [z for z in settings.availability_zones if z not in by_key]
        if unknown:
            raise ConfigError(
                [f"availabilityZones {', '.join(unknown)} not offered in region {region} (offered: {names})"]
            )
        zones = [by_key[z] for z in settings.availability_zones]
        if len({z.name for z in zones}) != len(zones):
            raise ConfigError(["availabilityZones names one zone twice (by name and by id)"])
    else:
        ordered = sorted(offered, key=lambda z: z.name)
        if settings.zone_count > len(ordered):
            raise ConfigError(
                [
                    f"zoneCount is {settings.zone_count} but region {region} offers only "
                    f"{len(ordered)} availability zones ({names})"
                ]
            )
        zones = ordered[: settings.zone_count]
        pinned = ", ".join(f'"{z.id}"' for z in zones)
        warnings.append(
            f"availabilityZones is not set: using {', '.join(f'{z.name} ({z.id})' for z in zones)}; "
            f"pin them so the cluster never depends on the region's zone list: "
            f"pulumi config set --path availabilityZones '[{pinned}]' (or edit the stack file)"
        )
    down = [z.name for z in zones if z.name not in available]
    if down:
        warnings.append(
            f"zone {', '.join(down)} is not available now: its nodes stay there and any new one "
            "waits for the zone (nothing moves to another zone)"
        )
    return zones, warnings


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
    """The zone's name (placement)."""
    zone_id: str
    """The zone's id: the broker rack."""
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


def plan_nodes(settings: Settings, zones: Sequence[Zone]) -> list[NodeSpec]:
    """Every node the cluster needs, brokers first, in a stable order."""
    nodes: list[NodeSpec] = []

    def add(role: Role, name: str, index: int, zone: Zone, *, node_id: int | None, type_role: str) -> None:
        nodes.append(
            NodeSpec(
                name=name,
                role=role,
                groups=ROLE_GROUPS[role],
                zone=zone.name,
                zone_id=zone.id,
                node_id=node_id,
                zookeeper_myid=index if role == "zookeeper" else None,
                instance_type=settings.instance_types[type_role],
                volume=settings.volumes[type_role],
            )
        )

    def add_all(role: Role, prefix: str, count: int, first_id: int | None, type_role: str) -> None:
        for index, zone in enumerate(spread(count, zones), start=1):
            node_id = None if first_id is None else first_id + index - 1
            add(role, f"{prefix}-{index}", index, zone, node_id=node_id, type_role=type_role)

    brokers = settings.broker_count
    if settings.combined:
        for index, zone in enumerate(spread(brokers, zones), start=1):
            role: Role = "combined" if index <= settings.combined_controllers else "broker"
            add(role, f"kafka-{index}", index, zone, node_id=index, type_role="broker")
    else:
        add_all("broker", "kafka-broker", brokers, 1, "broker")
    if not settings.combined:
        controllers = settings.controller_count
        add_all("controller", "kafka-controller", controllers, CONTROLLER_NODE_ID_BASE + 1, "controller")
    if settings.mode == "zookeeper":
        add_all("zookeeper", "zookeeper", settings.zookeeper_count, None, "zookeeper")
    if settings.monitoring_instance:
        add("monitoring", "monitoring-1", 1, zones[0], node_id=None, type_role="monitoring")
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
        "monitoring": ("monitoring",),
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
