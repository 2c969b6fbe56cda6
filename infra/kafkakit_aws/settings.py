"""Stack configuration: every key, its type and default, parsing and validation.

`parse_settings(raw, stack)` turns the raw values Pulumi hands the program (strings, or native
values in tests) into a typed, validated `Settings`, or raises `ConfigError` listing every problem
at once, before the program declares any resource. Nothing here imports Pulumi.

`KEYS` is the single source of truth for key names, types and defaults; `Pulumi.yaml` declares
the same keys (with descriptions) and a test keeps the two in step.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Mode = Literal["kraft", "zookeeper"]
NatMode = Literal["none", "single", "per-zone"]
Connection = Literal["ssm", "ssh"]
Architecture = Literal["x86_64", "arm64"]
Role = Literal["broker", "controller", "combined", "zookeeper"]

MODES: Final = ("kraft", "zookeeper")
NAT_MODES: Final = ("none", "single", "per-zone")
CONNECTIONS: Final = ("ssm", "ssh")
ARCHITECTURES: Final = ("x86_64", "arm64")

DEFAULT_KAFKA_VERSION: Final = {"kraft": "4.4.0", "zookeeper": "3.9.2"}
DEFAULT_CONTROLLER_COUNT: Final = 3
DEFAULT_ZOOKEEPER_COUNT: Final = 3
DEBIAN_AMI_OWNER: Final = "136693071363"
"""The Debian project's AWS account, publisher of the official Debian AMIs."""

DEFAULT_INSTANCE_TYPES: Final = {
    "x86_64": {"broker": "m7i.xlarge", "controller": "m7i.large", "zookeeper": "m7i.large"},
    "arm64": {"broker": "m7g.xlarge", "controller": "m7g.large", "zookeeper": "m7g.large"},
}
AMI_ARCH: Final = {"x86_64": "amd64", "arm64": "arm64"}

# gp3 limits (Amazon EBS User Guide, "General Purpose SSD volumes"; raised in 2025 from
# 16 TiB / 16,000 IOPS / 1,000 MiB/s).
GP3_MIN_SIZE_GIB: Final = 1
GP3_MAX_SIZE_GIB: Final = 65_536
GP3_MIN_IOPS: Final = 3_000
GP3_MAX_IOPS: Final = 80_000
GP3_MAX_IOPS_PER_GIB: Final = 500
GP3_MIN_THROUGHPUT: Final = 125
GP3_MAX_THROUGHPUT: Final = 2_000
GP3_MAX_THROUGHPUT_PER_IOPS: Final = 0.25
ROOT_MIN_SIZE_GIB: Final = 8
"""The Debian AMI's root snapshot is 8 GiB; the root volume cannot be smaller."""

MAX_ZONES: Final = 8
"""The subnet layout reserves room for this many zones (see topology.subnet_layout)."""
SPREAD_GROUP_MAX_PER_ZONE: Final = 7
"""A spread placement group holds at most 7 running instances per availability zone."""
CONTROLLER_NODE_ID_BASE: Final = 1000
"""Dedicated controllers get node ids 1001, 1002, ...; brokers 1, 2, ..."""
MAX_ZOOKEEPER_MYID: Final = 255

XEN_FAMILIES: Final = frozenset(
    {"a1", "c1", "c3", "c4", "cc2", "cg1", "cr1", "d2", "f1", "g2", "g3", "g3s", "h1", "hi1"}
    | {"hs1", "i2", "i3", "m1", "m2", "m3", "m4", "p2", "p3", "r3", "r4", "t1", "t2", "x1", "x1e"}
)
"""Instance families on the Xen hypervisor: their EBS volumes are not NVMe devices, so the
/dev/disk/by-id/nvme-... data device path the inventory exports would not exist."""


@dataclass(frozen=True)
class Key:
    type: Literal["string", "integer", "boolean", "array"]
    default: Any


KEYS: Final[dict[str, Key]] = {
    "clusterName": Key("string", ""),
    "mode": Key("string", "kraft"),
    "kafkaVersion": Key("string", ""),
    "brokerCount": Key("integer", 3),
    "controllerCount": Key("integer", -1),
    "zookeeperCount": Key("integer", -1),
    "zoneCount": Key("integer", 3),
    "availabilityZones": Key("array", []),
    "vpcCidr": Key("string", "10.42.0.0/16"),
    "natGateways": Key("string", "none"),
    "ssmVpcEndpoints": Key("boolean", True),
    "ansibleConnection": Key("string", "ssm"),
    "sshAllowedCidrs": Key("array", []),
    "sshKeyName": Key("string", ""),
    "clientCidrs": Key("array", []),
    "clientSecurityGroupIds": Key("array", []),
    "monitoringCidrs": Key("array", []),
    "brokerPort": Key("integer", 9092),
    "controllerPort": Key("integer", 9093),
    "zookeeperClientPort": Key("integer", 2181),
    "zookeeperPeerPort": Key("integer", 2888),
    "zookeeperElectionPort": Key("integer", 3888),
    "jmxExporterPort": Key("integer", 7071),
    "architecture": Key("string", "x86_64"),
    "amiId": Key("string", ""),
    "amiOwner": Key("string", DEBIAN_AMI_OWNER),
    "amiNameFilter": Key("string", ""),
    "brokerInstanceType": Key("string", ""),
    "controllerInstanceType": Key("string", ""),
    "zookeeperInstanceType": Key("string", ""),
    "brokerVolumeSizeGib": Key("integer", 500),
    "brokerVolumeIops": Key("integer", 3000),
    "brokerVolumeThroughputMibps": Key("integer", 250),
    "controllerVolumeSizeGib": Key("integer", 50),
    "controllerVolumeIops": Key("integer", 3000),
    "controllerVolumeThroughputMibps": Key("integer", 125),
    "zookeeperVolumeSizeGib": Key("integer", 50),
    "zookeeperVolumeIops": Key("integer", 3000),
    "zookeeperVolumeThroughputMibps": Key("integer", 125),
    "rootVolumeSizeGib": Key("integer", 20),
    "volumeKmsKeyArn": Key("string", ""),
    "dnsZoneName": Key("string", ""),
    "protectDataVolumes": Key("boolean", True),
}


class ConfigError(ValueError):
    """Invalid stack configuration; `errors` holds one message per broken rule."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        return "invalid stack configuration:\n" + "\n".join(f"  - {e}" for e in self.errors)


@dataclass(frozen=True)
class VolumeSettings:
    size_gib: int
    iops: int
    throughput_mibps: int


@dataclass(frozen=True)
class Ports:
    broker: int
    controller: int
    zookeeper_client: int
    zookeeper_peer: int
    zookeeper_election: int
    jmx_exporter: int

    def as_dict(self) -> dict[str, int]:
        return {
            "broker": self.broker,
            "controller": self.controller,
            "zookeeper_client": self.zookeeper_client,
            "zookeeper_peer": self.zookeeper_peer,
            "zookeeper_election": self.zookeeper_election,
            "jmx_exporter": self.jmx_exporter,
        }


@dataclass(frozen=True)
class Settings:
    """The validated stack configuration."""

    cluster_name: str
    mode: Mode
    kafka_version: str
    broker_count: int
    controller_count: int
    """Dedicated KRaft controllers; 0 means combined broker+controller nodes (and always 0 in
    ZooKeeper mode)."""
    zookeeper_count: int
    """ZooKeeper ensemble size; 0 in KRaft mode."""
    zone_count: int
    availability_zones: tuple[str, ...]
    vpc_cidr: str
    nat_gateways: NatMode
    ssm_vpc_endpoints: bool
    ansible_connection: Connection
    ssh_allowed_cidrs: tuple[str, ...]
    ssh_key_name: str | None
    client_cidrs: tuple[str, ...]
    client_security_group_ids: tuple[str, ...]
    monitoring_cidrs: tuple[str, ...]
    ports: Ports
    architecture: Architecture
    ami_id: str | None
    ami_owner: str
    ami_name_filter: str
    instance_types: Mapping[str, str]
    """Instance type per role: broker, controller, zookeeper (combined nodes use broker's)."""
    volumes: Mapping[str, VolumeSettings]
    """Data volume per role: broker, controller, zookeeper (combined nodes use broker's)."""
    root_volume_size_gib: int
    volume_kms_key_arn: str | None
    dns_zone_name: str
    protect_data_volumes: bool
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def combined(self) -> bool:
        """KRaft with no dedicated controllers: every broker is also a controller."""
        return self.mode == "kraft" and self.controller_count == 0

    @property
    def internet_egress(self) -> bool:
        return self.nat_gateways != "none"


def default_cluster_name(stack: str) -> str:
    """`kafka-<stack>`, squeezed into the clusterName alphabet and length."""
    slug = re.sub(r"[^a-z0-9]+", "-", stack.lower()).strip("-") or "default"
    return f"kafka-{slug}"[:28].rstrip("-")


# --------------------------------------------------------------------------- raw value parsing


class _Reader:
    """Reads typed values out of the raw mapping, collecting type errors."""

    def __init__(self, raw: Mapping[str, Any]):
        self.raw = raw
        self.errors: list[str] = []

    def _value(self, key: str) -> Any:
        value = self.raw.get(key)
        return KEYS[key].default if value is None else value

    def string(self, key: str) -> str:
        value = self._value(key)
        if not isinstance(value, str):
            self.errors.append(f"{key} must be a string, got {value!r}")
            return str(KEYS[key].default)
        return value.strip()

    def integer(self, key: str) -> int:
        value = self._value(key)
        if isinstance(value, bool):
            pass
        elif isinstance(value, int):
            return value
        elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        self.errors.append(f"{key} must be an integer, got {value!r}")
        return int(KEYS[key].default)

    def boolean(self, key: str) -> bool:
        value = self._value(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.errors.append(f"{key} must be true or false, got {value!r}")
        return bool(KEYS[key].default)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._value(key)
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else []
            except json.JSONDecodeError:
                self.errors.append(f"{key} must be a list of strings, got {value!r}")
                return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors.append(f"{key} must be a list of strings, got {value!r}")
            return ()
        return tuple(v.strip() for v in value)


# --------------------------------------------------------------------------- validation helpers


def _check_choice(errors: list[str], key: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        errors.append(f"{key} must be one of {', '.join(choices)}, got {value!r}")


def _check_range(errors: list[str], key: str, value: int, *, low: int, high: int, unit: str = "") -> bool:
    if not low <= value <= high:
        errors.append(f"{key} must be between {low} and {high}{unit}, got {value}")
        return False
    return True


def check_cidrs(errors: list[str], key: str, values: Sequence[str]) -> None:
    """Each entry must be an IPv4 network in a.b.c.d/n form, and never the whole internet."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        label = f"{key}[{index}]"
        if "/" not in value:
            errors.append(f"{label} {value!r} is not an IPv4 CIDR (expected a.b.c.d/n)")
            continue
        try:
            network = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            errors.append(f"{label} {value!r} is not an IPv4 CIDR (expected a.b.c.d/n)")
            continue
        if str(network) != value:
            errors.append(f"{label} {value!r} has host bits set; did you mean {str(network)!r}?")
            continue
        if network.prefixlen == 0:
            errors.append(
                f"{label} is 0.0.0.0/0: Kafka, controller, ZooKeeper, JMX and SSH ports are "
                "never opened to the whole internet; list the networks that need access"
            )
            continue
        if value in seen:
            errors.append(f"{label} {value!r} is listed twice")
        seen.add(value)


def _check_volume(errors: list[str], prefix: str, volume: VolumeSettings) -> None:
    size_key, iops_key = f"{prefix}VolumeSizeGib", f"{prefix}VolumeIops"
    throughput_key = f"{prefix}VolumeThroughputMibps"
    size_ok = _check_range(
        errors,
        size_key,
        volume.size_gib,
        low=GP3_MIN_SIZE_GIB,
        high=GP3_MAX_SIZE_GIB,
        unit=" GiB for gp3",
    )
    iops_ok = _check_range(
        errors, iops_key, volume.iops, low=GP3_MIN_IOPS, high=GP3_MAX_IOPS, unit=" IOPS for gp3"
    )
    throughput_ok = _check_range(
        errors,
        throughput_key,
        volume.throughput_mibps,
        low=GP3_MIN_THROUGHPUT,
        high=GP3_MAX_THROUGHPUT,
        unit=" MiB/s for gp3",
    )
    if size_ok and iops_ok and volume.iops > volume.size_gib * GP3_MAX_IOPS_PER_GIB:
        needed = math.ceil(volume.iops / GP3_MAX_IOPS_PER_GIB)
        errors.append(
            f"{iops_key} {volume.iops} exceeds gp3's {GP3_MAX_IOPS_PER_GIB} IOPS per GiB for a "
            f"{volume.size_gib} GiB volume; raise {size_key} to at least {needed}"
        )
    if iops_ok and throughput_ok and volume.throughput_mibps > volume.iops * GP3_MAX_THROUGHPUT_PER_IOPS:
        needed = math.ceil(volume.throughput_mibps / GP3_MAX_THROUGHPUT_PER_IOPS)
        errors.append(
            f"{throughput_key} {volume.throughput_mibps} exceeds gp3's 0.25 MiB/s per "
            f"provisioned IOPS ({volume.iops} IOPS); raise {iops_key} to at least {needed}"
        )


def _check_instance_type(errors: list[str], key: str, value: str) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9-]*\.[a-z0-9-]+", value):
        errors.append(f"{key} must be an EC2 instance type like m7i.xlarge, got {value!r}")
        return
    family = value.split(".", 1)[0]
    if family in XEN_FAMILIES:
        errors.append(
            f"{key} {value!r} is a Xen (pre-Nitro) type whose EBS volumes are not NVMe devices; "
            "choose a Nitro type such as m7i.xlarge"
        )


def _odd_count_error(key: str, value: int, what: str) -> str:
    return f"{key} must be odd so the {what} keeps a majority (1, 3 or 5), got {value}"


# --------------------------------------------------------------------------- the parser


def parse_settings(raw: Mapping[str, Any], stack: str) -> Settings:  # noqa: PLR0912, PLR0915
    """Parse and validate the stack configuration; raise ConfigError listing every problem."""
    errors: list[str] = []
    for key in raw:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(f"unknown config key {key!r}{hint}")

    read = _Reader(raw)
    cluster_name = read.string("clusterName") or default_cluster_name(stack)
    mode = read.string("mode")
    kafka_version = read.string("kafkaVersion")
    broker_count = read.integer("brokerCount")
    controller_count = read.integer("controllerCount")
    zookeeper_count = read.integer("zookeeperCount")
    zone_count = read.integer("zoneCount")
    availability_zones = read.strings("availabilityZones")
    vpc_cidr = read.string("vpcCidr")
    nat_gateways = read.string("natGateways")
    ssm_vpc_endpoints = read.boolean("ssmVpcEndpoints")
    connection = read.string("ansibleConnection")
    ssh_allowed_cidrs = read.strings("sshAllowedCidrs")
    ssh_key_name = read.string("sshKeyName")
    client_cidrs = read.strings("clientCidrs")
    client_sgs = read.strings("clientSecurityGroupIds")
    monitoring_cidrs = read.strings("monitoringCidrs")
    ports = Ports(
        broker=read.integer("brokerPort"),
        controller=read.integer("controllerPort"),
        zookeeper_client=read.integer("zookeeperClientPort"),
        zookeeper_peer=read.integer("zookeeperPeerPort"),
        zookeeper_election=read.integer("zookeeperElectionPort"),
        jmx_exporter=read.integer("jmxExporterPort"),
    )
    architecture = read.string("architecture")
    ami_id = read.string("amiId")
    ami_owner = read.string("amiOwner")
    ami_name_filter = read.string("amiNameFilter")
    instance_type_keys = {
        "broker": "brokerInstanceType",
        "controller": "controllerInstanceType",
        "zookeeper": "zookeeperInstanceType",
    }
    raw_instance_types = {role: read.string(key) for role, key in instance_type_keys.items()}
    volumes = {
        role: VolumeSettings(
            size_gib=read.integer(f"{role}VolumeSizeGib"),
            iops=read.integer(f"{role}VolumeIops"),
            throughput_mibps=read.integer(f"{role}VolumeThroughputMibps"),
        )
        for role in ("broker", "controller", "zookeeper")
    }
    root_volume_size_gib = read.integer("rootVolumeSizeGib")
    volume_kms_key_arn = read.string("volumeKmsKeyArn")
    explicit_dns_zone_name = read.string("dnsZoneName").rstrip(".").lower()
    dns_zone_name = explicit_dns_zone_name or f"{cluster_name}.internal"
    protect_data_volumes = read.boolean("protectDataVolumes")
    errors.extend(read.errors)

    # ---- identity
    cluster_name_ok = re.fullmatch(r"[a-z][a-z0-9-]{0,26}[a-z0-9]", cluster_name)
    if not cluster_name_ok:
        errors.append(
            "clusterName must be 2 to 28 lowercase letters, digits and hyphens, starting with a "
            f"letter and not ending with a hyphen, got {cluster_name!r}"
        )
    if (cluster_name_ok or explicit_dns_zone_name) and not re.fullmatch(
        r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]",
        dns_zone_name,
    ):
        errors.append(f"dnsZoneName must be a DNS domain name like kafka.internal, got {dns_zone_name!r}")

    # ---- cluster shape
    _check_choice(errors, "mode", mode, MODES)
    if broker_count < 1:
        errors.append(f"brokerCount must be at least 1, got {broker_count}")
    if controller_count < -1:
        errors.append(
            "controllerCount must be -1 (the mode's default), 0 (combined broker+controller "
            f"nodes) or an odd number of dedicated controllers, got {controller_count}"
        )
    if zookeeper_count < -1:
        errors.append(
            f"zookeeperCount must be -1 (the mode's default) or an odd ensemble size, got {zookeeper_count}"
        )
    if mode == "zookeeper":
        if controller_count > 0:
            errors.append(
                f"controllerCount must not be set in zookeeper mode (brokers coordinate through "
                f"the ZooKeeper ensemble, there are no KRaft controllers), got {controller_count}"
            )
        controller_count = 0
        zookeeper_count = DEFAULT_ZOOKEEPER_COUNT if zookeeper_count == -1 else zookeeper_count
        if zookeeper_count == 0:
            errors.append("zookeeperCount must be at least 1 in zookeeper mode, got 0")
        elif zookeeper_count > 0 and zookeeper_count % 2 == 0:
            errors.append(_odd_count_error("zookeeperCount", zookeeper_count, "ensemble"))
        elif zookeeper_count > MAX_ZOOKEEPER_MYID:
            errors.append(f"zookeeperCount must be at most 255, got {zookeeper_count}")
    elif mode == "kraft":
        if zookeeper_count > 0:
            errors.append(
                f"zookeeperCount is only used in zookeeper mode, got {zookeeper_count} in kraft mode"
            )
        zookeeper_count = 0
        controller_count = DEFAULT_CONTROLLER_COUNT if controller_count == -1 else controller_count
        if controller_count > 0 and controller_count % 2 == 0:
            errors.append(_odd_count_error("controllerCount", controller_count, "KRaft quorum"))
        if controller_count == 0 and broker_count >= 1 and broker_count % 2 == 0:
            errors.append(
                "brokerCount must be odd when controllerCount is 0 (every broker is then a "
                f"KRaft controller and the quorum needs a majority), got {broker_count}"
            )
        if controller_count > 0 and broker_count > CONTROLLER_NODE_ID_BASE:
            errors.append(
                f"brokerCount must be at most {CONTROLLER_NODE_ID_BASE} with dedicated "
                f"controllers (their node ids start at {CONTROLLER_NODE_ID_BASE + 1}), "
                f"got {broker_count}"
            )

    # ---- Kafka version
    if not kafka_version:
        kafka_version = DEFAULT_KAFKA_VERSION.get(mode, "")
    version = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", kafka_version)
    if not version and mode in MODES:
        errors.append(f"kafkaVersion must look like 4.4.0, got {kafka_version!r}")
    elif version:
        major, minor = int(version[1]), int(version[2])
        if mode == "zookeeper" and major >= 4:
            errors.append(
                f"kafkaVersion {kafka_version} cannot run in zookeeper mode (Kafka 4.0 removed "
                "ZooKeeper support); use a 3.x version such as 3.9.2, or mode kraft"
            )
        if mode == "kraft" and (major, minor) < (3, 3):
            errors.append(
                f"kafkaVersion {kafka_version} is too old for kraft mode (KRaft is production "
                "ready from 3.3); use mode zookeeper or a newer version"
            )

    # ---- zones and network
    if availability_zones:
        duplicates = sorted({z for z in availability_zones if availability_zones.count(z) > 1})
        if duplicates:
            errors.append(f"availabilityZones lists {', '.join(duplicates)} more than once")
        zone_count = len(availability_zones)
    if availability_zones and len(availability_zones) > MAX_ZONES:
        errors.append(f"availabilityZones must list at most {MAX_ZONES} zones, got {len(availability_zones)}")
    elif not 1 <= zone_count <= MAX_ZONES:
        errors.append(f"zoneCount must be between 1 and {MAX_ZONES}, got {zone_count}")
    elif mode in MODES:
        for role, count in (
            ("brokerCount", broker_count),
            ("controllerCount", controller_count),
            ("zookeeperCount", zookeeper_count),
        ):
            per_zone = math.ceil(count / zone_count) if count > 0 else 0
            if per_zone > SPREAD_GROUP_MAX_PER_ZONE:
                errors.append(
                    f"{role} {count} over {zone_count} zones puts {per_zone} nodes in one zone; "
                    f"a spread placement group holds at most {SPREAD_GROUP_MAX_PER_ZONE} per "
                    "zone: add zones or lower the count"
                )
    vpc_errors: list[str] = []
    check_cidrs(vpc_errors, "vpcCidr", [vpc_cidr])
    errors.extend(e.replace("vpcCidr[0]", "vpcCidr") for e in vpc_errors)
    if not vpc_errors:
        prefix = ipaddress.IPv4Network(vpc_cidr).prefixlen
        if not 16 <= prefix <= 24:
            errors.append(
                f"vpcCidr must be a /16 to /24 network (it is split into {2 * MAX_ZONES} subnet "
                f"blocks of at least /28), got {vpc_cidr}"
            )
    _check_choice(errors, "natGateways", nat_gateways, NAT_MODES)

    # ---- access
    _check_choice(errors, "ansibleConnection", connection, CONNECTIONS)
    check_cidrs(errors, "sshAllowedCidrs", ssh_allowed_cidrs)
    check_cidrs(errors, "clientCidrs", client_cidrs)
    check_cidrs(errors, "monitoringCidrs", monitoring_cidrs)
    for index, group_id in enumerate(client_sgs):
        if not re.fullmatch(r"sg-[0-9a-f]{8,17}", group_id):
            errors.append(
                f"clientSecurityGroupIds[{index}] must be a security group id like "
                f"sg-0123456789abcdef0, got {group_id!r}"
            )
    if connection == "ssh":
        if not ssh_allowed_cidrs:
            errors.append("ansibleConnection ssh needs sshAllowedCidrs: the networks Ansible connects from")
        if not ssh_key_name:
            errors.append("ansibleConnection ssh needs sshKeyName: the EC2 key pair for 'admin'")
    if connection == "ssm" and nat_gateways == "none" and not ssm_vpc_endpoints:
        errors.append(
            "ansibleConnection ssm needs a route to Systems Manager: keep ssmVpcEndpoints true "
            "or set natGateways to single or per-zone"
        )

    # ---- ports
    port_keys = {
        "brokerPort": ports.broker,
        "controllerPort": ports.controller,
        "zookeeperClientPort": ports.zookeeper_client,
        "zookeeperPeerPort": ports.zookeeper_peer,
        "zookeeperElectionPort": ports.zookeeper_election,
        "jmxExporterPort": ports.jmx_exporter,
    }
    owners: dict[int, str] = {}
    for key, port in port_keys.items():
        if not _check_range(errors, key, port, low=1, high=65535):
            continue
        if port in (22, 80, 443):
            errors.append(f"{key} must not be {port}, which the nodes use for SSH/HTTP(S)")
        elif port in owners:
            errors.append(f"{key} and {owners[port]} must differ, both are {port}")
        owners.setdefault(port, key)

    # ---- machines
    _check_choice(errors, "architecture", architecture, ARCHITECTURES)
    arch = architecture if architecture in ARCHITECTURES else "x86_64"
    instance_types = {
        role: value or DEFAULT_INSTANCE_TYPES[arch][role] for role, value in raw_instance_types.items()
    }
    for role, key in instance_type_keys.items():
        _check_instance_type(errors, key, instance_types[role])
    if ami_id and not re.fullmatch(r"ami-[0-9a-f]{8,17}", ami_id):
        errors.append(f"amiId must be an AMI id like ami-0123456789abcdef0, got {ami_id!r}")
    if not re.fullmatch(r"\d{12}|self|amazon|aws-marketplace", ami_owner):
        errors.append(f"amiOwner must be a 12-digit AWS account id, got {ami_owner!r}")
    ami_name_filter = ami_name_filter or f"debian-12-{AMI_ARCH[arch]}-*"

    # ---- disks
    for role in ("broker", "controller", "zookeeper"):
        _check_volume(errors, role, volumes[role])
    _check_range(
        errors,
        "rootVolumeSizeGib",
        root_volume_size_gib,
        low=ROOT_MIN_SIZE_GIB,
        high=GP3_MAX_SIZE_GIB,
        unit=" GiB",
    )
    kms_arn = r"arn:aws[a-z-]*:kms:[^:]+:\d{12}:.+"
    if volume_kms_key_arn and not re.fullmatch(kms_arn, volume_kms_key_arn):
        errors.append(f"volumeKmsKeyArn must be a KMS key ARN (arn:aws:kms:...), got {volume_kms_key_arn!r}")

    if errors:
        raise ConfigError(errors)

    warnings: list[str] = []
    if not client_cidrs and not client_sgs:
        warnings.append(
            "neither clientCidrs nor clientSecurityGroupIds is set: only the brokers themselves "
            f"can reach port {ports.broker}"
        )
    return Settings(
        cluster_name=cluster_name,
        mode=mode,  # type: ignore[arg-type]
        kafka_version=kafka_version,
        broker_count=broker_count,
        controller_count=controller_count,
        zookeeper_count=zookeeper_count,
        zone_count=zone_count,
        availability_zones=availability_zones,
        vpc_cidr=vpc_cidr,
        nat_gateways=nat_gateways,  # type: ignore[arg-type]
        ssm_vpc_endpoints=ssm_vpc_endpoints,
        ansible_connection=connection,  # type: ignore[arg-type]
        ssh_allowed_cidrs=ssh_allowed_cidrs,
        ssh_key_name=ssh_key_name or None,
        client_cidrs=client_cidrs,
        client_security_group_ids=client_sgs,
        monitoring_cidrs=monitoring_cidrs,
        ports=ports,
        architecture=architecture,  # type: ignore[arg-type]
        ami_id=ami_id or None,
        ami_owner=ami_owner,
        ami_name_filter=ami_name_filter,
        instance_types=instance_types,
        volumes=volumes,
        root_volume_size_gib=root_volume_size_gib,
        volume_kms_key_arn=volume_kms_key_arn or None,
        dns_zone_name=dns_zone_name,
        protect_data_volumes=protect_data_volumes,
        warnings=tuple(warnings),
    )
