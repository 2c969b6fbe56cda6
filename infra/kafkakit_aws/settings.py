"""Stack configuration: every key, its type and default, parsing and validation.

`parse_settings(raw, stack)` turns the raw values Pulumi hands the program (strings, or native
values in tests) into a typed, validated `Settings`, or raises `ConfigError` listing every problem
at once, before the program declares any resource. Nothing here imports Pulumi.

The parse has three steps: `_read` types every key (type errors collected), `_draft` resolves the
defaults that depend on other keys (the mode's counts and version, the architecture's instance
types), then every validator in `VALIDATORS` looks at the draft and returns its own problems.
Version floors, id ranges, quorum sizes and default ports come from the kit's shared constants
(plugins/module_utils/constants.py), so the roles, the lab and this program agree.

`KEYS` is the single source of truth for key names, types and defaults; `Pulumi.yaml` declares
the same keys (with descriptions) and a test keeps the two in step.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .contract import constants, security

Mode = Literal["kraft", "zookeeper"]
NatMode = Literal["none", "single", "per-zone"]
Connection = Literal["ssm", "ssh"]
Architecture = Literal["x86_64", "arm64"]
ClientAccess = Literal["none", "nlb", "privatelink"]
SecurityProfile = Literal["secure", "plaintext"]
ClientAuthentication = Literal["scram", "mtls"]
Role = Literal["broker", "controller", "combined", "zookeeper", "monitoring"]

MODES: Final = tuple(constants.MODES)
NAT_MODES: Final = ("none", "single", "per-zone")
CONNECTIONS: Final = ("ssm", "ssh")
ARCHITECTURES: Final = ("x86_64", "arm64")
CLIENT_ACCESS: Final = ("none", "nlb", "privatelink")
SECURITY_PROFILES: Final = tuple(security.PROFILES)
CLIENT_AUTHENTICATIONS: Final = tuple(security.CLIENT_AUTHENTICATIONS)

DEFAULT_CONTROLLER_COUNT: Final = 3
DEFAULT_ZOOKEEPER_COUNT: Final = 3
DEBIAN_AMI_OWNER: Final = "136693071363"
"""The Debian project's AWS account, publisher of the official Debian AMIs."""

MACHINE_ROLES: Final = ("broker", "controller", "zookeeper", "monitoring")
"""The roles with an instance type and a data volume of their own (combined nodes use broker's)."""
DEFAULT_INSTANCE_TYPES: Final = {
    "x86_64": {
        "broker": "m7i.xlarge",
        "controller": "m7i.large",
        "zookeeper": "m7i.large",
        "monitoring": "m7i.large",
    },
    "arm64": {
        "broker": "m7g.xlarge",
        "controller": "m7g.large",
        "zookeeper": "m7g.large",
        "monitoring": "m7g.large",
    },
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
CONTROLLER_NODE_ID_BASE: Final = constants.CONTROLLER_NODE_ID_BASE
"""Dedicated controllers get node ids 1001, 1002, ...; brokers 1, 2, ..."""
MAX_ZOOKEEPER_MYID: Final = constants.MYID_MAX
FLOW_LOG_RETENTION_DAYS: Final = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827),
    *(2192, 2557, 2922, 3288, 3653),
)
"""The retention periods CloudWatch Logs accepts."""
MAX_SNAPSHOT_RETENTION: Final = 1000
"""Data Lifecycle Manager keeps at most 1000 snapshots per schedule."""

_ZONE_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-\d[a-z](-[a-z0-9-]+)?")
_ZONE_ID = re.compile(r"[a-z]{2,5}\d-az\d+")


@dataclass(frozen=True)
class Key:
    type: Literal["string", "integer", "boolean", "array"]
    default: Any


_PORTS = constants.DEFAULT_PORTS
KEYS: Final[dict[str, Key]] = {
    "clusterName": Key("string", ""),
    "mode": Key("string", "kraft"),
    "kafkaVersion": Key("string", ""),
    "brokerCount": Key("integer", 3),
    "controllerCount": Key("integer", -1),
    "zookeeperCount": Key("integer", -1),
    "zoneCount": Key("integer", 3),
    "availabilityZones": Key("array", []),
    "vpcId": Key("string", ""),
    "subnetIds": Key("array", []),
    "vpcCidr": Key("string", "10.42.0.0/16"),
    "natGateways": Key("string", "single"),
    "ssmVpcEndpoints": Key("boolean", True),
    "aptProxyUrl": Key("string", ""),
    "aptProxyCidrs": Key("array", []),
    "ansibleConnection": Key("string", "ssm"),
    "sshAllowedCidrs": Key("array", []),
    "sshKeyName": Key("string", ""),
    "clientCidrs": Key("array", []),
    "clientSecurityGroupIds": Key("array", []),
    "clientAccess": Key("string", "none"),
    # The roles' defaults (roles/kafka/defaults/main.yml): the first of each.
    "securityProfile": Key("string", SECURITY_PROFILES[0]),
    "clientAuthentication": Key("string", CLIENT_AUTHENTICATIONS[0]),
    "externalPortBase": Key("integer", 9200),
    "privateLinkAllowedPrincipals": Key("array", []),
    "dnsZoneVpcIds": Key("array", []),
    "monitoringCidrs": Key("array", []),
    "monitoringInstance": Key("boolean", False),
    "monitoringInstanceType": Key("string", ""),
    "monitoringVolumeSizeGib": Key("integer", 50),
    "brokerPort": Key("integer", _PORTS["broker"]),
    "controllerPort": Key("integer", _PORTS["controller"]),
    "zookeeperClientPort": Key("integer", _PORTS["zookeeper_client"]),
    "zookeeperPeerPort": Key("integer", _PORTS["zookeeper_peer"]),
    "zookeeperElectionPort": Key("integer", _PORTS["zookeeper_election"]),
    "jmxExporterPort": Key("integer", _PORTS["jmx_exporter"]),
    "nodeExporterPort": Key("integer", _PORTS["node_exporter"]),
    "architecture": Key("string", "x86_64"),
    "amiId": Key("string", ""),
    "amiOwner": Key("string", DEBIAN_AMI_OWNER),
    "amiNameFilter": Key("string", ""),
    "brokerInstanceType": Key("string", ""),
    "controllerInstanceType": Key("string", ""),
    "zookeeperInstanceType": Key("string", ""),
    "brokerVolumeSizeGib": Key("integer", 500),
    "brokerVolumeIops": Key("integer", 3000),
    "brokerVolumeThroughputMibps": Key("integer", 125),
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
    "protectInstances": Key("boolean", True),
    "rollNodes": Key("array", []),
    "snapshotRetentionDays": Key("integer", 7),
    "flowLogRetentionDays": Key("integer", 30),
    "alarmTopicArn": Key("string", ""),
}

PORT_KEYS: Final = {
    "broker": "brokerPort",
    "controller": "controllerPort",
    "zookeeper_client": "zookeeperClientPort",
    "zookeeper_peer": "zookeeperPeerPort",
    "zookeeper_election": "zookeeperElectionPort",
    "jmx_exporter": "jmxExporterPort",
    "node_exporter": "nodeExporterPort",
}
INSTANCE_TYPE_KEYS: Final = {
    "broker": "brokerInstanceType",
    "controller": "controllerInstanceType",
    "zookeeper": "zookeeperInstanceType",
    "monitoring": "monitoringInstanceType",
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
    broker: int = _PORTS["broker"]
    controller: int = _PORTS["controller"]
    zookeeper_client: int = _PORTS["zookeeper_client"]
    zookeeper_peer: int = _PORTS["zookeeper_peer"]
    zookeeper_election: int = _PORTS["zookeeper_election"]
    jmx_exporter: int = _PORTS["jmx_exporter"]
    node_exporter: int = _PORTS["node_exporter"]

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in PORT_KEYS}


@dataclass(frozen=True)
class Settings:
    """The validated stack configuration."""

    cluster_name: str
    mode: Mode
    kafka_version: str
    broker_count: int
    controller_count: int
    """Dedicated KRaft controllers; 0 means combined nodes in KRaft mode, none in ZooKeeper mode
    (where dedicated ones are staged for the migration to KRaft, docs/migration.md)."""
    zookeeper_count: int
    """ZooKeeper ensemble size; 0 in KRaft mode."""
    zone_count: int
    availability_zones: tuple[str, ...]
    """Pinned zones, by name (eu-west-1a) or zone id (euw1-az1), in spread order."""
    vpc_id: str | None
    """An existing VPC to deploy into (with `subnet_ids`), instead of a VPC of the stack's own."""
    subnet_ids: tuple[str, ...]
    vpc_cidr: str
    nat_gateways: NatMode
    ssm_vpc_endpoints: bool
    apt_proxy_url: str | None
    apt_proxy_cidrs: tuple[str, ...]
    ansible_connection: Connection
    ssh_allowed_cidrs: tuple[str, ...]
    ssh_key_name: str | None
    client_cidrs: tuple[str, ...]
    client_security_group_ids: tuple[str, ...]
    client_access: ClientAccess
    security_profile: SecurityProfile
    """The kit's kafka_security_profile: secure (TLS and authentication on every listener) or
    plaintext."""
    client_authentication: ClientAuthentication
    """The kit's kafka_client_authentication in the secure profile: scram (SASL_SSL) or mtls (SSL)."""
    external_port_base: int
    private_link_allowed_principals: tuple[str, ...]
    dns_zone_vpc_ids: tuple[str, ...]
    monitoring_cidrs: tuple[str, ...]
    monitoring_instance: bool
    ports: Ports
    architecture: Architecture
    ami_id: str | None
    ami_owner: str
    ami_name_filter: str
    instance_types: Mapping[str, str]
    """Instance type per machine role (broker, controller, zookeeper, monitoring)."""
    volumes: Mapping[str, VolumeSettings]
    """Data volume per machine role (combined nodes use broker's)."""
    root_volume_size_gib: int
    volume_kms_key_arn: str | None
    dns_zone_name: str
    protect_data_volumes: bool
    protect_instances: bool
    roll_nodes: tuple[str, ...]
    snapshot_retention_days: int
    flow_log_retention_days: int
    alarm_topic_arn: str | None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def combined(self) -> bool:
        """KRaft with no dedicated controllers: the first brokers are also the controllers."""
        return self.mode == "kraft" and self.controller_count == 0

    @property
    def combined_controllers(self) -> int:
        """How many of the combined nodes are controllers (constants.combined_controller_count)."""
        return constants.combined_controller_count(self.broker_count) if self.combined else 0

    @property
    def internet_egress(self) -> bool:
        return self.vpc_id is None and self.nat_gateways != "none"

    @property
    def existing_vpc(self) -> bool:
        return self.vpc_id is not None

    @property
    def external_listener(self) -> bool:
        return self.client_access != "none"

    @property
    def apt_proxy_port(self) -> int | None:
        return _apt_proxy_port(self.apt_proxy_url) if self.apt_proxy_url else None


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

    def read(self, key: str) -> Any:
        return {
            "string": self.string,
            "integer": self.integer,
            "boolean": self.boolean,
            "array": self.strings,
        }[KEYS[key].type](key)


@dataclass(frozen=True)
class _Draft:
    """Every key typed (`v`, by key name), plus the defaults that depend on other keys."""

    v: Mapping[str, Any]
    stack: str
    cluster_name: str
    controller_count: int
    zookeeper_count: int
    kafka_version: str
    zone_count: int
    instance_types: Mapping[str, str]
    volumes: Mapping[str, VolumeSettings]
    ports: Ports
    dns_zone_name: str


def _draft(values: Mapping[str, Any], stack: str) -> _Draft:
    mode, arch = values["mode"], values["architecture"]
    controllers, zookeepers = values["controllerCount"], values["zookeeperCount"]
    if mode == "zookeeper":
        # A ZooKeeper cluster has no controllers unless it stages them for the migration to KRaft.
        controllers = 0 if controllers == -1 else controllers
        zookeepers = DEFAULT_ZOOKEEPER_COUNT if zookeepers == -1 else zookeepers
    elif mode == "kraft":
        zookeepers = 0
        controllers = DEFAULT_CONTROLLER_COUNT if controllers == -1 else controllers
    defaults = DEFAULT_INSTANCE_TYPES[arch if arch in ARCHITECTURES else "x86_64"]
    volumes = {
        role: VolumeSettings(
            size_gib=values[f"{role}VolumeSizeGib"],
            iops=values[f"{role}VolumeIops"],
            throughput_mibps=values[f"{role}VolumeThroughputMibps"],
        )
        for role in ("broker", "controller", "zookeeper")
    }
    volumes["monitoring"] = VolumeSettings(
        values["monitoringVolumeSizeGib"], GP3_MIN_IOPS, GP3_MIN_THROUGHPUT
    )
    cluster_name = values["clusterName"] or default_cluster_name(stack)
    return _Draft(
        v=values,
        stack=stack,
        cluster_name=cluster_name,
        controller_count=controllers,
        zookeeper_count=zookeepers,
        kafka_version=values["kafkaVersion"] or constants.DEFAULT_KAFKA_VERSION.get(mode, ""),
        zone_count=len(values["availabilityZones"]) or len(values["subnetIds"]) or values["zoneCount"],
        instance_types={role: values[key] or defaults[role] for role, key in INSTANCE_TYPE_KEYS.items()},
        volumes=volumes,
        ports=Ports(**{name: values[key] for name, key in PORT_KEYS.items()}),
        dns_zone_name=values["dnsZoneName"].rstrip(".").lower() or f"{cluster_name}.internal",
    )


# --------------------------------------------------------------------------- shared checks


def _check_choice(key: str, value: str, choices: Sequence[str]) -> list[str]:
    return [] if value in choices else [f"{key} must be one of {', '.join(choices)}, got {value!r}"]


def _range_error(key: str, value: int, low: int, high: int, unit: str = "") -> list[str]:
    return [] if low <= value <= high else [f"{key} must be between {low} and {high}{unit}, got {value}"]


def check_cidrs(errors: list[str], key: str, values: Sequence[str]) -> None:
    """Each entry must be an IPv4 network in a.b.c.d/n form, and never the whole internet."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        label = f"{key}[{index}]"
        try:
            if "/" not in value:
                raise ValueError(value)
            network = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            errors.append(f"{label} {value!r} is not an IPv4 CIDR (expected a.b.c.d/n)")
            continue
        if str(network) != value:
            errors.append(f"{label} {value!r} has host bits set; did you mean {str(network)!r}?")
        elif network.prefixlen == 0:
            errors.append(
                f"{label} is 0.0.0.0/0: Kafka, controller, ZooKeeper, JMX and SSH ports are "
                "never opened to the whole internet; list the networks that need access"
            )
        elif value in seen:
            errors.append(f"{label} {value!r} is listed twice")
        seen.add(value)


def _cidr_list(key: str, values: Sequence[str]) -> list[str]:
    errors: list[str] = []
    check_cidrs(errors, key, values)
    return errors


def _ids(key: str, values: Sequence[str], prefix: str, example: str) -> list[str]:
    pattern = re.compile(rf"{prefix}-[0-9a-f]{{8,17}}")
    return [
        f"{key}[{i}] must be an id like {example}, got {value!r}"
        for i, value in enumerate(values)
        if not pattern.fullmatch(value)
    ]


def _volume_errors(prefix: str, volume: VolumeSettings) -> list[str]:
    size_key, iops_key = f"{prefix}VolumeSizeGib", f"{prefix}VolumeIops"
    throughput_key = f"{prefix}VolumeThroughputMibps"
    size = _range_error(size_key, volume.size_gib, GP3_MIN_SIZE_GIB, GP3_MAX_SIZE_GIB, " GiB for gp3")
    iops = _range_error(iops_key, volume.iops, GP3_MIN_IOPS, GP3_MAX_IOPS, " IOPS for gp3")
    throughput = _range_error(
        throughput_key, volume.throughput_mibps, GP3_MIN_THROUGHPUT, GP3_MAX_THROUGHPUT, " MiB/s for gp3"
    )
    errors = size + iops + throughput
    if not size and not iops and volume.iops > volume.size_gib * GP3_MAX_IOPS_PER_GIB:
        needed = math.ceil(volume.iops / GP3_MAX_IOPS_PER_GIB)
        errors.append(
            f"{iops_key} {volume.iops} exceeds gp3's {GP3_MAX_IOPS_PER_GIB} IOPS per GiB for a "
            f"{volume.size_gib} GiB volume; raise {size_key} to at least {needed}"
        )
    if not iops and not throughput and volume.throughput_mibps > volume.iops * GP3_MAX_THROUGHPUT_PER_IOPS:
        needed = math.ceil(volume.throughput_mibps / GP3_MAX_THROUGHPUT_PER_IOPS)
        errors.append(
            f"{throughput_key} {volume.throughput_mibps} exceeds gp3's 0.25 MiB/s per "
            f"provisioned IOPS ({volume.iops} IOPS); raise {iops_key} to at least {needed}"
        )
    return errors


def _odd_count_error(key: str, value: int, what: str) -> str:
    return f"{key} must be odd so the {what} keeps a majority (1, 3 or 5), got {value}"


# --------------------------------------------------------------------------- validators


def _check_identity(d: _Draft) -> list[str]:
    errors = []
    name_ok = re.fullmatch(r"[a-z][a-z0-9-]{0,26}[a-z0-9]", d.cluster_name)
    if not name_ok:
        errors.append(
            "clusterName must be 2 to 28 lowercase letters, digits and hyphens, starting with a "
            f"letter and not ending with a hyphen, got {d.cluster_name!r}"
        )
    if (name_ok or d.v["dnsZoneName"]) and not re.fullmatch(
        r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]",
        d.dns_zone_name,
    ):
        errors.append(f"dnsZoneName must be a DNS domain name like kafka.internal, got {d.dns_zone_name!r}")
    return errors


def _check_shape(d: _Draft) -> list[str]:
    mode, brokers = d.v["mode"], d.v["brokerCount"]
    raw_controllers, raw_zookeepers = d.v["controllerCount"], d.v["zookeeperCount"]
    errors = _check_choice("mode", mode, MODES)
    if brokers < 1:
        errors.append(f"brokerCount must be at least 1, got {brokers}")
    if raw_controllers < -1 and mode == "zookeeper":
        errors.append(
            "controllerCount must be -1 or 0 (no controllers) or an odd number of dedicated "
            f"controllers staged for the migration to KRaft, got {raw_controllers}"
        )
    elif raw_controllers < -1:
        errors.append(
            "controllerCount must be -1 (the mode's default), 0 (combined broker+controller "
            f"nodes) or an odd number of dedicated controllers, got {raw_controllers}"
        )
    if raw_zookeepers < -1:
        errors.append(
            f"zookeeperCount must be -1 (the mode's default) or an odd ensemble size, got {raw_zookeepers}"
        )
    return errors + (_check_zookeeper_shape(d) if mode == "zookeeper" else _check_kraft_shape(d))


def _check_dedicated_controllers(d: _Draft) -> list[str]:
    """KRaft's dedicated controllers, or in zookeeper mode those staged for the migration to KRaft
    (docs/migration.md): the same quorum, numbered apart from the brokers either way."""
    if d.controller_count <= 0:
        return []
    errors = []
    if not constants.quorum_size_ok(d.controller_count):
        errors.append(_odd_count_error("controllerCount", d.controller_count, "KRaft quorum"))
    if d.v["brokerCount"] > CONTROLLER_NODE_ID_BASE:
        errors.append(
            f"brokerCount must be at most {CONTROLLER_NODE_ID_BASE} with dedicated "
            f"controllers (their node ids start at {CONTROLLER_NODE_ID_BASE + 1}), "
            f"got {d.v['brokerCount']}"
        )
    return errors


def _check_zookeeper_shape(d: _Draft) -> list[str]:
    errors = _check_dedicated_controllers(d)
    if d.zookeeper_count == 0:
        errors.append("zookeeperCount must be at least 1 in zookeeper mode, got 0")
    elif d.zookeeper_count > 0 and not constants.quorum_size_ok(d.zookeeper_count):
        errors.append(_odd_count_error("zookeeperCount", d.zookeeper_count, "ensemble"))
    elif d.zookeeper_count > MAX_ZOOKEEPER_MYID:
        errors.append(f"zookeeperCount must be at most {MAX_ZOOKEEPER_MYID}, got {d.zookeeper_count}")
    if d.v["brokerCount"] > constants.ZOOKEEPER_BROKER_ID_MAX:
        errors.append(
            f"brokerCount must be at most {constants.ZOOKEEPER_BROKER_ID_MAX} in zookeeper mode "
            f"(broker ids above reserved.broker.max.id are refused), got {d.v['brokerCount']}"
        )
    return errors


def _check_kraft_shape(d: _Draft) -> list[str]:
    if d.v["mode"] != "kraft":
        return []
    errors = []
    if d.v["zookeeperCount"] > 0:
        errors.append(
            f"zookeeperCount is only used in zookeeper mode, got {d.v['zookeeperCount']} in kraft mode"
        )
    return errors + _check_dedicated_controllers(d)


def _check_version(d: _Draft) -> list[str]:
    mode, version = d.v["mode"], d.kafka_version
    release = constants.parse_version(version)
    if mode not in MODES:
        return []
    if release is None:
        return [f"kafkaVersion must look like 4.4.0, got {version!r}"]
    if mode == "zookeeper" and release >= constants.ZOOKEEPER_MODE_BEFORE_VERSION:
        return [
            f"kafkaVersion {version} cannot run in zookeeper mode (Kafka 4.0 removed "
            f"ZooKeeper support); use a 3.x version such as "
            f"{constants.DEFAULT_KAFKA_VERSION['zookeeper']}, or mode kraft"
        ]
    if mode == "kraft" and release < constants.KRAFT_MIN_VERSION:
        floor = ".".join(map(str, constants.KRAFT_MIN_VERSION))
        return [
            f"kafkaVersion {version} is too old for kraft mode (the kit's KRaft needs the "
            f"dynamic quorum of {floor}+); use mode zookeeper or a newer version"
        ]
    return []


def _check_zones(d: _Draft) -> list[str]:
    zones, errors = d.v["availabilityZones"], []
    for index, zone in enumerate(zones):
        if not (_ZONE_NAME.fullmatch(zone) or _ZONE_ID.fullmatch(zone)):
            errors.append(
                f"availabilityZones[{index}] must be a zone name like eu-west-1a or a zone id like "
                f"euw1-az1, got {zone!r}"
            )
    duplicates = sorted({z for z in zones if zones.count(z) > 1})
    if duplicates:
        errors.append(f"availabilityZones lists {', '.join(duplicates)} more than once")
    if zones and d.v["subnetIds"]:
        errors.append("availabilityZones must stay empty with subnetIds: the zones are the subnets' zones")
    if len(zones) > MAX_ZONES:
        return [*errors, f"availabilityZones must list at most {MAX_ZONES} zones, got {len(zones)}"]
    if not 1 <= d.zone_count <= MAX_ZONES:
        return [*errors, f"zoneCount must be between 1 and {MAX_ZONES}, got {d.zone_count}"]
    if d.v["mode"] not in MODES:
        return errors
    for role, count in (
        ("brokerCount", d.v["brokerCount"]),
        ("controllerCount", d.controller_count),
        ("zookeeperCount", d.zookeeper_count),
    ):
        per_zone = math.ceil(count / d.zone_count) if count > 0 else 0
        if per_zone > SPREAD_GROUP_MAX_PER_ZONE:
            errors.append(
                f"{role} {count} over {d.zone_count} zones puts {per_zone} nodes in one zone; "
                f"a spread placement group holds at most {SPREAD_GROUP_MAX_PER_ZONE} per "
                "zone: add zones or lower the count"
            )
    return errors


def _check_network(d: _Draft) -> list[str]:
    v = d.v
    vpc_errors = [e.replace("vpcCidr[0]", "vpcCidr") for e in _cidr_list("vpcCidr", [v["vpcCidr"]])]
    errors = list(vpc_errors)
    if not vpc_errors:
        prefix = ipaddress.IPv4Network(v["vpcCidr"]).prefixlen
        if not 16 <= prefix <= 24:
            errors.append(
                f"vpcCidr must be a /16 to /24 network (it is split into {2 * MAX_ZONES} subnet "
                f"blocks of at least /28), got {v['vpcCidr']}"
            )
    errors += _check_choice("natGateways", v["natGateways"], NAT_MODES)
    if v["vpcId"] and not re.fullmatch(r"vpc-[0-9a-f]{8,17}", v["vpcId"]):
        errors.append(f"vpcId must be a VPC id like vpc-0123456789abcdef0, got {v['vpcId']!r}")
    errors += _ids("subnetIds", v["subnetIds"], "subnet", "subnet-0123456789abcdef0")
    if v["vpcId"] and not v["subnetIds"]:
        errors.append("vpcId needs subnetIds: the private subnets to place the nodes in, one per zone")
    if v["subnetIds"] and not v["vpcId"]:
        errors.append("subnetIds needs vpcId: the VPC the subnets belong to")
    if v["vpcId"] and v["natGateways"] != "none":
        errors.append(
            "natGateways must be none with vpcId: the stack adds no gateways to a VPC it does not "
            "own (its subnets' routes are the VPC's)"
        )
    errors += _check_package_source(d)
    errors += _ids("dnsZoneVpcIds", v["dnsZoneVpcIds"], "vpc", "vpc-0123456789abcdef0")
    return errors


def apt_proxy_cidrs(url: str, cidrs: Sequence[str]) -> tuple[str, ...]:
    """The networks the hosts may reach the apt proxy in: as configured, else the proxy's own
    address when the URL names one."""
    if cidrs:
        return tuple(cidrs)
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return (f"{ipaddress.IPv4Address(host)}/32",)
    except ValueError:
        return ()


def _apt_proxy_port(url: str) -> int | None:
    parts = urllib.parse.urlsplit(url)
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


def _check_package_source(d: _Draft) -> list[str]:
    """host_prep and java install Debian packages: the hosts need a way to a mirror (defect 3)."""
    v, errors = d.v, []
    url = v["aptProxyUrl"]
    if url:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or _apt_proxy_port(url) is None:
            errors.append(
                f"aptProxyUrl must be an http:// or https:// URL like http://10.0.5.10:3142, got {url!r}"
            )
        elif not apt_proxy_cidrs(url, v["aptProxyCidrs"]):
            errors.append(
                "aptProxyUrl names a host, not an address: set aptProxyCidrs to the networks the "
                "proxy is in, so the nodes' egress rule can allow it"
            )
    errors += _cidr_list("aptProxyCidrs", v["aptProxyCidrs"])
    if v["aptProxyCidrs"] and not url:
        errors.append("aptProxyCidrs is only used with aptProxyUrl")
    if v["natGateways"] == "none" and not v["vpcId"] and not url:
        errors.append(
            "natGateways none leaves the hosts without a package source, but host_prep and java "
            "install Debian packages: set natGateways to single (one NAT gateway, about "
            "USD 35/month plus USD 0.048/GB) or per-zone, or aptProxyUrl to an apt proxy or "
            "mirror the VPC reaches (peering, transit gateway)"
        )
    return errors


def _check_access(d: _Draft) -> list[str]:
    v = d.v
    connection = v["ansibleConnection"]
    errors = _check_choice("ansibleConnection", connection, CONNECTIONS)
    for key in ("sshAllowedCidrs", "clientCidrs", "monitoringCidrs"):
        errors += _cidr_list(key, v[key])
    errors += [
        e.replace("must be an id like", "must be a security group id like")
        for e in _ids("clientSecurityGroupIds", v["clientSecurityGroupIds"], "sg", "sg-0123456789abcdef0")
    ]
    if connection == "ssh":
        if not v["sshAllowedCidrs"]:
            errors.append("ansibleConnection ssh needs sshAllowedCidrs: the networks Ansible connects from")
        if not v["sshKeyName"]:
            errors.append("ansibleConnection ssh needs sshKeyName: the EC2 key pair for 'admin'")
    if connection == "ssm" and not v["ssmVpcEndpoints"] and v["natGateways"] == "none" and not v["vpcId"]:
        errors.append(
            "ansibleConnection ssm needs a route to Systems Manager: keep ssmVpcEndpoints true "
            "or set natGateways to single or per-zone"
        )
    return errors


def _check_ports(d: _Draft) -> list[str]:
    errors: list[str] = []
    owners: dict[int, str] = {}
    low, high = constants.UNPRIVILEGED_PORT_MIN, constants.PORT_MAX
    for name, key in PORT_KEYS.items():
        port = getattr(d.ports, name)
        problem = _range_error(key, port, low, high)
        if problem:
            errors += [problem[0] + " (the services run as an unprivileged user)"]
        elif port in owners:
            errors.append(f"{key} and {owners[port]} must differ, both are {port}")
        owners.setdefault(port, key)
    if d.v["clientAccess"] != "none":
        base, brokers = d.v["externalPortBase"], max(d.v["brokerCount"], 1)
        top = base + brokers
        if base < low or top > high:
            errors.append(
                f"externalPortBase {base} puts the brokers' external ports ({base + 1}-{top}) "
                f"outside {low}-{high}"
            )
        clashes = sorted(key for port, key in owners.items() if base < port <= top)
        if clashes:
            errors.append(
                f"externalPortBase {base}: the brokers' external ports {base + 1}-{top} overlap "
                f"{', '.join(clashes)}"
            )
    return errors


def _check_client_access(d: _Draft) -> list[str]:
    v = d.v
    errors = _check_choice("clientAccess", v["clientAccess"], CLIENT_ACCESS)
    principals = v["privateLinkAllowedPrincipals"]
    for index, arn in enumerate(principals):
        if not re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}|\*):.+|\*", arn):
            errors.append(
                f"privateLinkAllowedPrincipals[{index}] must be an IAM principal ARN like "
                f"arn:aws:iam::123456789012:root, got {arn!r}"
            )
    if principals and v["clientAccess"] != "privatelink":
        errors.append("privateLinkAllowedPrincipals is only used with clientAccess privatelink")
    if "*" in principals:
        errors.append("privateLinkAllowedPrincipals must not be '*': name the accounts that may connect")
    return errors


def _check_security(d: _Draft) -> list[str]:
    """The kit's security profile (roles/kafka: kafka_security_profile, kafka_client_authentication).
    plaintext stays inside the stack's own VPC: no load balancer, no client network beyond it."""
    v = d.v
    profile, authentication = v["securityProfile"], v["clientAuthentication"]
    errors = _check_choice("securityProfile", profile, SECURITY_PROFILES)
    errors += _check_choice("clientAuthentication", authentication, CLIENT_AUTHENTICATIONS)
    if profile != "plaintext":
        return errors
    if authentication in CLIENT_AUTHENTICATIONS and authentication != KEYS["clientAuthentication"].default:
        errors.append(
            f"clientAuthentication {authentication} is only used with securityProfile secure: in the "
            "plaintext profile no client authenticates"
        )
    if v["clientAccess"] in CLIENT_ACCESS and v["clientAccess"] != "none":
        errors.append(
            f"securityProfile plaintext with clientAccess {v['clientAccess']}: the load balancer is the "
            "way in for clients outside the VPC, and a plaintext listener lets anyone who reaches it "
            "read and write every topic; keep securityProfile secure (clients take their settings "
            "from the client_security output) or set clientAccess none"
        )
    # An existing VPC's network is known once the program has looked it up; it checks then.
    if not v["vpcId"]:
        errors += plaintext_client_cidr_errors(profile, v["clientCidrs"], v["vpcCidr"])
    return errors


def plaintext_client_cidr_errors(profile: str, client_cidrs: Sequence[str], vpc_cidr: str) -> list[str]:
    """securityProfile plaintext with client networks beyond the VPC: records and requests would
    cross peering, transit gateways or VPNs unencrypted, to listeners that ask nobody who they are.
    CIDRs that do not parse are left to their own checks."""
    vpc = _network(vpc_cidr)
    if profile != "plaintext" or vpc is None:
        return []
    beyond = [cidr for cidr in client_cidrs if (net := _network(cidr)) is not None and not net.subnet_of(vpc)]
    if not beyond:
        return []
    return [
        f"securityProfile plaintext opens the brokers' client listener to {', '.join(beyond)}, beyond "
        f"the VPC ({vpc_cidr}): anyone there would read and write every topic, unencrypted and "
        "unauthenticated; keep securityProfile secure or list only networks inside the VPC"
    ]


def _network(cidr: str) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(cidr, strict=False)
    except ValueError:
        return None


def _check_machines(d: _Draft) -> list[str]:
    v = d.v
    errors = _check_choice("architecture", v["architecture"], ARCHITECTURES)
    for role, key in INSTANCE_TYPE_KEYS.items():
        value = d.instance_types[role]
        if not re.fullmatch(r"[a-z][a-z0-9-]*\.[a-z0-9-]+", value):
            errors.append(f"{key} must be an EC2 instance type like m7i.xlarge, got {value!r}")
    if v["amiId"] and not re.fullmatch(r"ami-[0-9a-f]{8,17}", v["amiId"]):
        errors.append(f"amiId must be an AMI id like ami-0123456789abcdef0, got {v['amiId']!r}")
    if not re.fullmatch(r"\d{12}|self|amazon|aws-marketplace", v["amiOwner"]):
        errors.append(f"amiOwner must be a 12-digit AWS account id, got {v['amiOwner']!r}")
    return errors


def _check_disks(d: _Draft) -> list[str]:
    errors = [
        e for role in ("broker", "controller", "zookeeper") for e in _volume_errors(role, d.volumes[role])
    ]
    errors += _range_error(
        "monitoringVolumeSizeGib", d.v["monitoringVolumeSizeGib"], 8, GP3_MAX_SIZE_GIB, " GiB"
    )
    errors += _range_error(
        "rootVolumeSizeGib", d.v["rootVolumeSizeGib"], ROOT_MIN_SIZE_GIB, GP3_MAX_SIZE_GIB, " GiB"
    )
    arn = d.v["volumeKmsKeyArn"]
    if arn and not re.fullmatch(r"arn:aws[a-z-]*:kms:[^:]+:\d{12}:.+", arn):
        errors.append(f"volumeKmsKeyArn must be a KMS key ARN (arn:aws:kms:...), got {arn!r}")
    return errors


def _check_operations(d: _Draft) -> list[str]:
    v = d.v
    errors = []
    roll = v["rollNodes"]
    if len(roll) > 1:
        errors.append(
            f"rollNodes must name one node at a time (each roll stops or replaces it), got {', '.join(roll)}"
        )
    for index, name in enumerate(roll):
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", name):
            errors.append(f"rollNodes[{index}] must be a node name like kafka-broker-1, got {name!r}")
    errors += _range_error("snapshotRetentionDays", v["snapshotRetentionDays"], 0, MAX_SNAPSHOT_RETENTION)
    if v["flowLogRetentionDays"] not in (0, *FLOW_LOG_RETENTION_DAYS):
        errors.append(
            "flowLogRetentionDays must be 0 (no flow logs) or a CloudWatch Logs retention "
            f"({', '.join(map(str, FLOW_LOG_RETENTION_DAYS[:8]))}, ...), got {v['flowLogRetentionDays']}"
        )
    topic = v["alarmTopicArn"]
    if topic and not re.fullmatch(r"arn:aws[a-z-]*:sns:[^:]+:\d{12}:[A-Za-z0-9_.-]+", topic):
        errors.append(f"alarmTopicArn must be an SNS topic ARN (arn:aws:sns:...), got {topic!r}")
    return errors


VALIDATORS: Final[tuple[Callable[[_Draft], list[str]], ...]] = (
    _check_identity,
    _check_shape,
    _check_version,
    _check_zones,
    _check_network,
    _check_access,
    _check_ports,
    _check_client_access,
    _check_security,
    _check_machines,
    _check_disks,
    _check_operations,
)
"""Each returns its own problems; parse_settings reports them all at once, in this order."""


# --------------------------------------------------------------------------- the parser


def unknown_keys(raw: Mapping[str, Any]) -> list[str]:
    errors = []
    for key in raw:
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(f"unknown config key {key!r}{hint}")
    return errors


def _warnings(d: _Draft) -> tuple[str, ...]:
    v, out = d.v, []
    if not v["clientCidrs"] and not v["clientSecurityGroupIds"]:
        out.append(
            "neither clientCidrs nor clientSecurityGroupIds is set: only the brokers themselves "
            f"can reach port {d.ports.broker}"
        )
    if v["securityProfile"] == "plaintext":
        sources = [*v["clientCidrs"], *v["clientSecurityGroupIds"]]
        reach = ", ".join(sources) or "nobody outside the cluster yet"
        out.append(
            "securityProfile plaintext: no listener has TLS or authentication; whoever reaches the "
            f"brokers' port {d.ports.broker} ({reach}) reads and writes every topic. Keep it for "
            "clusters whose every client is trusted and inside the VPC"
        )
    if v["vpcId"] and not v["aptProxyUrl"]:
        out.append(
            f"vpcId {v['vpcId']}: the stack cannot see whether its subnets reach a Debian mirror "
            "(NAT or a proxy); host_prep and java install packages, so make sure they do, or set "
            "aptProxyUrl"
        )
    return tuple(out)


def parse_settings(raw: Mapping[str, Any], stack: str) -> Settings:
    """Parse and validate the stack configuration; raise ConfigError listing every problem."""
    read = _Reader(raw)
    values = {key: read.read(key) for key in KEYS}
    draft = _draft(values, stack)
    errors = [*unknown_keys(raw), *read.errors]
    for validator in VALIDATORS:
        errors += validator(draft)
    if errors:
        raise ConfigError(errors)
    return _settings(draft)


def _settings(d: _Draft) -> Settings:
    v = d.v
    arch = v["architecture"]
    return Settings(
        cluster_name=d.cluster_name,
        mode=v["mode"],
        kafka_version=d.kafka_version,
        broker_count=v["brokerCount"],
        controller_count=d.controller_count,
        zookeeper_count=d.zookeeper_count,
        zone_count=d.zone_count,
        availability_zones=v["availabilityZones"],
        vpc_id=v["vpcId"] or None,
        subnet_ids=v["subnetIds"],
        vpc_cidr=v["vpcCidr"],
        nat_gateways="none" if v["vpcId"] else v["natGateways"],
        ssm_vpc_endpoints=v["ssmVpcEndpoints"],
        apt_proxy_url=v["aptProxyUrl"] or None,
        apt_proxy_cidrs=apt_proxy_cidrs(v["aptProxyUrl"], v["aptProxyCidrs"]) if v["aptProxyUrl"] else (),
        ansible_connection=v["ansibleConnection"],
        ssh_allowed_cidrs=v["sshAllowedCidrs"],
        ssh_key_name=v["sshKeyName"] or None,
        client_cidrs=v["clientCidrs"],
        client_security_group_ids=v["clientSecurityGroupIds"],
        client_access=v["clientAccess"],
        security_profile=v["securityProfile"],
        client_authentication=v["clientAuthentication"],
        external_port_base=v["externalPortBase"],
        private_link_allowed_principals=v["privateLinkAllowedPrincipals"],
        dns_zone_vpc_ids=v["dnsZoneVpcIds"],
        monitoring_cidrs=v["monitoringCidrs"],
        monitoring_instance=v["monitoringInstance"],
        ports=d.ports,
        architecture=arch,
        ami_id=v["amiId"] or None,
        ami_owner=v["amiOwner"],
        ami_name_filter=v["amiNameFilter"] or f"debian-12-{AMI_ARCH[arch]}-*",
        instance_types=dict(d.instance_types),
        volumes=dict(d.volumes),
        root_volume_size_gib=v["rootVolumeSizeGib"],
        volume_kms_key_arn=v["volumeKmsKeyArn"] or None,
        dns_zone_name=d.dns_zone_name,
        protect_data_volumes=v["protectDataVolumes"],
        protect_instances=v["protectInstances"],
        roll_nodes=v["rollNodes"],
        snapshot_retention_days=v["snapshotRetentionDays"],
        flow_log_retention_days=v["flowLogRetentionDays"],
        alarm_topic_arn=v["alarmTopicArn"] or None,
        warnings=_warnings(d),
    )
