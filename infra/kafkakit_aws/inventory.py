"""The Ansible inventory built from per-host facts (pure; the program applies it to Outputs).

Shape (Ansible's YAML inventory):

    all:
      vars:      kafka_mode, kafka_version, kafka_security_profile, kafka_client_authentication,
                 connection settings (SSM or SSH), the ports that differ from the defaults, the apt
                 proxy if any
      children:
        kafka_broker:     {hosts: {kafka-broker-1: {host vars}, ...}}
        kafka_controller: {hosts: {...}}   # combined nodes appear here and in kafka_broker; in
                                           # ZooKeeper mode, the controllers staged for the
                                           # migration to KRaft (docs/migration.md)
        zookeeper:        {hosts: {...}}   # ZooKeeper mode only
        monitoring:       {hosts: {...}}   # the optional Prometheus host

All four groups are always present (possibly with no hosts). A host in two groups carries the
same host vars in both. Host vars:
  ansible_host                   instance id (SSM) or private IP (SSH)
  ansible_aws_ssm_instance_id    SSM only
  kafka_node_id                  brokers and controllers: KRaft node.id / ZooKeeper-mode broker.id
  kafka_broker_rack              brokers: the zone id (use1-az4), the same zone in every account
  kafka_advertised_host          brokers and controllers: the private DNS name
  kafka_listeners_extra          brokers, with a client load balancer: the EXTERNAL listener, its
                                 protocol the kit's own listeners' (kafka_broker_listener_protocol)
  zookeeper_myid                 ZooKeeper hosts: 1..255
  zookeeper_advertised_host      ZooKeeper hosts: the private DNS name
  host_prep_data_device          /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol...
  aws_instance_id, aws_private_ip, aws_availability_zone   for operators

`instance_tags` and `node_tags` put the same values on the instances, for the amazon.aws.aws_ec2
dynamic inventory (inventories/aws/aws_ec2.yml); tests build both and compare them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import yaml

from .contract import constants, security
from .settings import Ports, Settings
from .topology import (
    GROUP_BROKER,
    GROUP_CONTROLLER,
    GROUP_MONITORING,
    GROUP_ZOOKEEPER,
    GROUPS,
    NodeSpec,
    fqdn,
    nvme_device_path,
)

TAG_PREFIX: Final = "kafka-kit:"
SSM_CONNECTION: Final = "amazon.aws.aws_ssm"
SSH_USER: Final = "admin"
"""The login user of Debian's AMIs."""
EXTERNAL_LISTENER: Final = "EXTERNAL"
EXTERNAL_LISTENER_PROTOCOL: Final = "{{ kafka_broker_listener_protocol }}"
"""The kafka role's own listeners' protocol, resolved by Ansible per host (as lab/lab.py's HOST
listener): SASL_SSL or SSL in the secure profile, PLAINTEXT in the plaintext one. The dynamic
inventory cannot carry a template (Ansible renders none from inventory plugins), so
inventories/aws/aws_ec2.yml computes the same value from the security tags."""
EXTERNAL_HOST_LABEL: Final = "external"
"""external.<dnsZoneName>: the name clients outside the VPC are told, which resolves to the client
load balancer (in the private zone, or in a PrivateLink consumer's own zone)."""
NOT_ATTACHED: Final = "NOT-ATTACHED:"
"""What the dynamic inventory puts in host_prep_data_device when the node's data volume is not
attached: a value the contract refuses, where an absent variable would put Kafka on the root disk."""
CONTRACT_VARS: Final = frozenset(
    {
        "kafka_mode",
        "kafka_version",
        "kafka_security_profile",
        "kafka_client_authentication",
        "ansible_host",
        "ansible_connection",
        "ansible_user",
        "ansible_aws_ssm_instance_id",
        "ansible_aws_ssm_region",
        "ansible_aws_ssm_bucket_name",
        "ansible_aws_ssm_bucket_endpoint_url",
        "ansible_aws_ssm_timeout",
        "host_prep_apt_proxy",
        "host_prep_data_device",
        "kafka_node_id",
        "kafka_broker_rack",
        "kafka_advertised_host",
        "kafka_listeners_extra",
        "zookeeper_myid",
        "zookeeper_advertised_host",
        "aws_instance_id",
        "aws_private_ip",
        "aws_availability_zone",
        *constants.PORT_VARIABLES.values(),
    }
)
"""Every variable either inventory may set; the EC2 facts aws_ec2 adds besides are not compared."""
PROBLEM_GROUPS: Final = {
    "kafka_kit_unattached_data_volume": "its data volume is not attached",
    "kafka_kit_duplicate_node": "more than one EC2 instance carries its node tag (a replacement under way?)",
}
"""Groups inventories/aws/aws_ec2.yml puts a host in when the EC2 API shows a broken node."""


def ssm_command_timeout() -> int:
    """Seconds Ansible's SSM connection waits for one command (its default, 60, cuts off the roles).

    The longest command is kafka-restart on a combined node: both restart gates, the stop
    (systemd's TimeoutStopSec), then three health waits (quorum, brokers, partitions), each of
    which may overrun its deadline by one last check. Rounded up to whole five minutes."""
    gate = constants.KAFKA_RESTART_GATE_TIMEOUT_SECONDS
    stop = constants.KAFKA_STOP_TIMEOUT_SECONDS
    health = constants.KAFKA_HEALTH_TIMEOUT_SECONDS
    last_check_overrun = 120  # kafka-health gives each admin tool call 120 s
    worst = 2 * gate + stop + 3 * health + 5 * last_check_overrun
    return math.ceil(worst / 300) * 300


@dataclass(frozen=True)
class Connection:
    kind: str
    """ssm or ssh"""
    region: str
    ssm_bucket_name: str | None = None
    ssm_bucket_endpoint_url: str | None = None
    ssm_timeout: int = field(default_factory=ssm_command_timeout)


@dataclass(frozen=True)
class ClusterVars:
    """What every host of the cluster shares (all.vars), from the validated settings."""

    mode: str
    kafka_version: str
    ports: Ports = field(default_factory=Ports)
    apt_proxy_url: str | None = None
    security_profile: str = security.PROFILES[0]
    client_authentication: str = security.CLIENT_AUTHENTICATIONS[0]

    @classmethod
    def of(cls, settings: Settings) -> ClusterVars:
        return cls(
            settings.mode,
            settings.kafka_version,
            settings.ports,
            settings.apt_proxy_url,
            settings.security_profile,
            settings.client_authentication,
        )


@dataclass(frozen=True)
class HostFacts:
    name: str
    groups: tuple[str, ...]
    zone: str
    zone_id: str
    node_id: int | None
    zookeeper_myid: int | None
    instance_id: str
    private_ip: str
    data_volume_id: str
    dns_name: str
    external_port: int | None = None
    external_host: str | None = None


class InventoryError(ValueError):
    pass


def host_facts(
    node: NodeSpec,
    *,
    instance_id: str,
    private_ip: str,
    data_volume_id: str,
    dns_zone_name: str,
    external_port_base: int | None = None,
) -> HostFacts:
    """A planned node's facts once its instance and data volume exist."""
    port = external_port(external_port_base, node) if external_port_base is not None else None
    return HostFacts(
        name=node.name,
        groups=node.groups,
        zone=node.zone,
        zone_id=node.zone_id,
        node_id=node.node_id,
        zookeeper_myid=node.zookeeper_myid,
        instance_id=instance_id,
        private_ip=private_ip,
        data_volume_id=data_volume_id,
        dns_name=fqdn(node.name, dns_zone_name),
        external_port=port,
        external_host=external_host(dns_zone_name) if port is not None else None,
    )


def port_vars(ports: Ports) -> dict[str, int]:
    """The port variables the roles read, only for the ports that differ from the defaults."""
    return {
        constants.PORT_VARIABLES[name]: port
        for name, port in ports.as_dict().items()
        if port != constants.DEFAULT_PORTS[name]
    }


def group_vars(cluster: ClusterVars, connection: Connection) -> dict[str, Any]:
    # The security pair is written even at the roles' defaults (unlike the ports): the stack's
    # client_security output and its client rules describe this choice, so the deployed listeners
    # must follow the stack, not whatever default a later version of the roles has.
    out: dict[str, Any] = {
        "kafka_mode": cluster.mode,
        "kafka_version": cluster.kafka_version,
        "kafka_security_profile": cluster.security_profile,
        "kafka_client_authentication": cluster.client_authentication,
    }
    if connection.kind == "ssm":
        out.update(
            {
                "ansible_connection": SSM_CONNECTION,
                "ansible_aws_ssm_region": connection.region,
                "ansible_aws_ssm_bucket_name": connection.ssm_bucket_name,
                "ansible_aws_ssm_bucket_endpoint_url": connection.ssm_bucket_endpoint_url,
                "ansible_aws_ssm_timeout": connection.ssm_timeout,
            }
        )
    else:
        out.update({"ansible_connection": "ssh", "ansible_user": SSH_USER})
    out.update(port_vars(cluster.ports))
    if cluster.apt_proxy_url:
        out["host_prep_apt_proxy"] = cluster.apt_proxy_url
    return out


def external_listeners(host: HostFacts) -> list[dict[str, Any]]:
    return [
        {
            "name": EXTERNAL_LISTENER,
            "port": host.external_port,
            "protocol": EXTERNAL_LISTENER_PROTOCOL,
            "advertised_host": host.external_host,
        }
    ]


def host_vars(host: HostFacts, connection: Connection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if connection.kind == "ssm":
        out["ansible_host"] = host.instance_id
        out["ansible_aws_ssm_instance_id"] = host.instance_id
    else:
        out["ansible_host"] = host.private_ip
    if host.node_id is not None:
        out["kafka_node_id"] = host.node_id
        out["kafka_advertised_host"] = host.dns_name
    if GROUP_BROKER in host.groups:
        out["kafka_broker_rack"] = host.zone_id
        if host.external_port is not None:
            out["kafka_listeners_extra"] = external_listeners(host)
    if host.zookeeper_myid is not None:
        out["zookeeper_myid"] = host.zookeeper_myid
        out["zookeeper_advertised_host"] = host.dns_name
    out["host_prep_data_device"] = nvme_device_path(host.data_volume_id)
    out["aws_instance_id"] = host.instance_id
    out["aws_private_ip"] = host.private_ip
    out["aws_availability_zone"] = host.zone
    return out


def build_inventory(
    *, cluster: ClusterVars, connection: Connection, hosts: Sequence[HostFacts]
) -> dict[str, Any]:
    children: dict[str, Any] = {group: {"hosts": {}} for group in GROUPS}
    for host in hosts:
        facts = host_vars(host, connection)
        for group in host.groups:
            children[group]["hosts"][host.name] = copy.deepcopy(facts)
    inventory = {"all": {"vars": group_vars(cluster, connection), "children": children}}
    problems = check_inventory(inventory)
    if problems:
        raise InventoryError("; ".join(problems))
    return inventory


def hosts_of(inventory: Mapping[str, Any], group: str) -> dict[str, dict[str, Any]]:
    children = inventory.get("all", {}).get("children", {}) or {}
    hosts = (children.get(group) or {}).get("hosts") or {}
    return {name: dict(hvars or {}) for name, hvars in hosts.items()}


def effective_host_vars(inventory: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each host's variables as a play sees them: all.vars, then its host vars."""
    all_vars = (inventory.get("all") or {}).get("vars") or {}
    out: dict[str, dict[str, Any]] = {}
    for group in GROUPS:
        for name, hvars in hosts_of(inventory, group).items():
            out.setdefault(name, {**all_vars, **hvars})
    return out


def from_listing(listing: Mapping[str, Any], keep: frozenset[str] = CONTRACT_VARS) -> dict[str, Any]:
    """`ansible-inventory --list` output in build_inventory's shape: the contract groups (and any
    problem group) with each host's effective variables in `keep` as host vars, all.vars empty
    (the EC2 facts the dynamic inventory adds are dropped)."""
    hostvars = (listing.get("_meta") or {}).get("hostvars") or {}
    children: dict[str, Any] = {}
    for group in (*GROUPS, *PROBLEM_GROUPS):
        names = (listing.get(group) or {}).get("hosts") or []
        if names or group in GROUPS:
            children[group] = {
                "hosts": {
                    name: {k: _plain(v) for k, v in hostvars.get(name, {}).items() if k in keep}
                    for name in names
                }
            }
    return {"all": {"vars": {}, "children": children}}


def _plain(value: Any) -> Any:
    """ansible-inventory marks templated strings unsafe: {"__ansible_unsafe": "..."}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def check_inventory(inventory: Mapping[str, Any]) -> list[str]:
    """Contract checks shared by the program, the inventory writer and the tests."""
    all_group = inventory.get("all") if isinstance(inventory, Mapping) else None
    if not isinstance(all_group, Mapping) or not isinstance(all_group.get("children"), Mapping):
        return ["the inventory has no all.children mapping"]
    problems = [f"group {g} is missing" for g in GROUPS if g not in all_group["children"]]
    everyone = effective_host_vars(inventory)
    modes = {h.get("kafka_mode") for h in everyone.values()} or {all_group.get("vars", {}).get("kafka_mode")}
    mode = modes.pop() if len(modes) == 1 else None
    if mode not in constants.MODES:
        problems.append(f"kafka_mode must be kraft or zookeeper on every host, got {sorted(map(str, modes))}")
    if any(not h.get("kafka_version") for h in everyone.values()):
        problems.append("kafka_version is missing")
    problems += _check_group_shape(inventory, mode)
    problems += _check_kafka_hosts(inventory)
    problems += _check_zookeeper_hosts(inventory)
    for name, hvars in everyone.items():
        if not hvars.get("ansible_host"):
            problems.append(f"{name}: ansible_host is missing")
        device = hvars.get("host_prep_data_device")
        if not isinstance(device, str) or not device.startswith("/dev/"):
            problems.append(
                f"{name}: host_prep_data_device must be the data volume's /dev path, got {device!r}"
            )
        for var in constants.PORT_VARIABLES.values():
            port = hvars.get(var)
            if port is not None and not (_is_int(port) and 1 <= port <= constants.PORT_MAX):
                problems.append(f"{name}: {var} must be a port number, got {port!r}")
    for group, what in PROBLEM_GROUPS.items():
        for name in hosts_of(inventory, group):
            problems.append(f"{name}: {what} (group {group})")
    return problems


def _check_group_shape(inventory: Mapping[str, Any], mode: Any) -> list[str]:
    problems = []
    brokers = hosts_of(inventory, GROUP_BROKER)
    controllers = hosts_of(inventory, GROUP_CONTROLLER)
    ensemble = hosts_of(inventory, GROUP_ZOOKEEPER)
    if not brokers:
        problems.append("group kafka_broker has no hosts")
    if mode == "kraft":
        if ensemble:
            problems.append("kraft mode must not have zookeeper hosts")
        problems += _odd_size(GROUP_CONTROLLER, len(controllers), " in kraft mode")
    if mode == "zookeeper":
        # Controllers here are staged for the migration to KRaft (docs/migration.md), which moves to
        # dedicated controllers only.
        if controllers:
            problems += _odd_size(GROUP_CONTROLLER, len(controllers), " in zookeeper mode")
        problems += [
            f"{name}: in both {GROUP_BROKER} and {GROUP_CONTROLLER} in zookeeper mode (the migration "
            "to KRaft needs dedicated controllers)"
            for name in controllers
            if name in brokers
        ]
        problems += _odd_size(GROUP_ZOOKEEPER, len(ensemble))
    if len(hosts_of(inventory, GROUP_MONITORING)) > 1:
        problems.append("group monitoring must have at most one host")
    return problems


def _odd_size(group: str, count: int, where: str = "") -> list[str]:
    """A KRaft quorum or a ZooKeeper ensemble: an odd number of hosts."""
    if constants.quorum_size_ok(count):
        return []
    return [f"{group} must have an odd number of hosts{where}, has {count}"]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_kafka_hosts(inventory: Mapping[str, Any]) -> list[str]:
    problems = []
    brokers = hosts_of(inventory, GROUP_BROKER)
    node_ids: dict[int, str] = {}
    for name, hvars in {**brokers, **hosts_of(inventory, GROUP_CONTROLLER)}.items():
        node_id = hvars.get("kafka_node_id")
        if not _is_int(node_id) or not constants.NODE_ID_MIN <= node_id <= constants.NODE_ID_MAX:
            problems.append(f"{name}: kafka_node_id must be an integer from 0 to {constants.NODE_ID_MAX}")
        elif node_id in node_ids:
            problems.append(f"{name}: kafka_node_id {node_id} is also {node_ids[node_id]}'s")
        else:
            node_ids[node_id] = name
        if not hvars.get("kafka_advertised_host"):
            problems.append(f"{name}: kafka_advertised_host is missing")
        if name in brokers and not hvars.get("kafka_broker_rack"):
            problems.append(f"{name}: kafka_broker_rack is missing")
    return problems


def _check_zookeeper_hosts(inventory: Mapping[str, Any]) -> list[str]:
    problems = []
    myids: dict[int, str] = {}
    low, high = constants.MYID_MIN, constants.MYID_MAX
    for name, hvars in hosts_of(inventory, GROUP_ZOOKEEPER).items():
        myid = hvars.get("zookeeper_myid")
        if not _is_int(myid) or not low <= myid <= high:
            problems.append(f"{name}: zookeeper_myid must be an integer from {low} to {high}")
        elif myid in myids:
            problems.append(f"{name}: zookeeper_myid {myid} is also {myids[myid]}'s")
        else:
            myids[myid] = name
        if not hvars.get("zookeeper_advertised_host"):
            problems.append(f"{name}: zookeeper_advertised_host is missing")
    return problems


_INTEGER_VARS: Final = (
    "kafka_node_id",
    "zookeeper_myid",
    "ansible_aws_ssm_timeout",
    *constants.PORT_VARIABLES.values(),
)


def normalise(inventory: Any) -> dict[str, Any]:
    """Undo JSON's number widening (1.0 -> 1) on the integer variables."""
    inventory = copy.deepcopy(inventory)
    scopes = [(inventory.get("all") or {}).get("vars") or {}]
    for group in (inventory.get("all", {}).get("children") or {}).values():
        scopes += [hvars or {} for hvars in ((group or {}).get("hosts") or {}).values()]
    for scope in scopes:
        for var in _INTEGER_VARS:
            value = scope.get(var)
            if isinstance(value, float) and value.is_integer():
                scope[var] = int(value)
        for listener in scope.get("kafka_listeners_extra") or []:
            if isinstance(listener.get("port"), float) and listener["port"].is_integer():
                listener["port"] = int(listener["port"])
    return inventory


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent block sequences under their key (yamllint's default "consistent" style).
        super().increase_indent(flow, False)


def render_yaml(inventory: Mapping[str, Any], header: str = "") -> str:
    body = yaml.dump(dict(inventory), Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return f"---\n{comment}{body}"


# --------------------------------------------------------------------------- instance tags


def instance_tags(cluster: ClusterVars, connection: Connection) -> dict[str, Any]:
    """The cluster-wide tags every instance carries, from which inventories/aws/aws_ec2.yml
    composes the same all.vars as build_inventory. The bucket name may be a Pulumi Output."""
    out: dict[str, Any] = {
        f"{TAG_PREFIX}mode": cluster.mode,
        f"{TAG_PREFIX}kafka-version": cluster.kafka_version,
        f"{TAG_PREFIX}security-profile": cluster.security_profile,
        f"{TAG_PREFIX}client-authentication": cluster.client_authentication,
    }
    if connection.kind == "ssm":
        out[f"{TAG_PREFIX}ansible-connection"] = SSM_CONNECTION
        out[f"{TAG_PREFIX}ssm-region"] = connection.region
        out[f"{TAG_PREFIX}ssm-bucket"] = connection.ssm_bucket_name
        out[f"{TAG_PREFIX}ssm-bucket-endpoint"] = connection.ssm_bucket_endpoint_url
        out[f"{TAG_PREFIX}ssm-timeout"] = str(connection.ssm_timeout)
    else:
        out[f"{TAG_PREFIX}ansible-connection"] = "ssh"
        out[f"{TAG_PREFIX}ssh-user"] = SSH_USER
    for var, port in port_vars(cluster.ports).items():
        out[f"{TAG_PREFIX}{var.replace('_', '-')}"] = str(port)
    if cluster.apt_proxy_url:
        out[f"{TAG_PREFIX}apt-proxy"] = cluster.apt_proxy_url
    return out


def external_host(dns_zone_name: str) -> str:
    return fqdn(EXTERNAL_HOST_LABEL, dns_zone_name)


def external_port(base: int, node: NodeSpec) -> int | None:
    """Each broker's EXTERNAL listener port (also its port on the client load balancer)."""
    return base + node.node_id if node.is_broker and node.node_id is not None else None


def node_tags(
    node: NodeSpec, dns_zone_name: str, data_volume_id: Any, external_port_base: int | None = None
) -> dict[str, Any]:
    """The tags of one node's instance that the dynamic inventory builds groups and host vars from.
    `data_volume_id` may be a Pulumi Output."""
    out: dict[str, Any] = {
        f"{TAG_PREFIX}node": node.name,
        f"{TAG_PREFIX}role": node.role,
        f"{TAG_PREFIX}data-volume": data_volume_id,
    }
    dns_name = fqdn(node.name, dns_zone_name)
    if node.node_id is not None:
        out[f"{TAG_PREFIX}node-id"] = str(node.node_id)
        out[f"{TAG_PREFIX}kafka-advertised-host"] = dns_name
    if node.is_broker:
        out[f"{TAG_PREFIX}rack"] = node.zone_id
        port = external_port(external_port_base, node) if external_port_base is not None else None
        if port is not None:
            out[f"{TAG_PREFIX}external-port"] = str(port)
            out[f"{TAG_PREFIX}external-host"] = external_host(dns_zone_name)
    if node.zookeeper_myid is not None:
        out[f"{TAG_PREFIX}zookeeper-myid"] = str(node.zookeeper_myid)
        out[f"{TAG_PREFIX}zookeeper-advertised-host"] = dns_name
    return out


# --------------------------------------------------------------------------- other outputs


def host_summary(hosts: Sequence[HostFacts]) -> dict[str, dict[str, Any]]:
    """The `hosts` stack output: per-host facts keyed by inventory hostname."""
    return {
        h.name: {
            "groups": list(h.groups),
            "instance_id": h.instance_id,
            "private_ip": h.private_ip,
            "availability_zone": h.zone,
            "availability_zone_id": h.zone_id,
            "rack": h.zone_id if GROUP_BROKER in h.groups else None,
            "dns_name": h.dns_name,
            "node_id": h.node_id,
            "zookeeper_myid": h.zookeeper_myid,
            "data_volume_id": h.data_volume_id,
            "data_device": nvme_device_path(h.data_volume_id),
            "external_port": h.external_port,
        }
        for h in hosts
    }


def bootstrap_servers(hosts: Sequence[HostFacts], port: int) -> str:
    return ",".join(f"{h.dns_name}:{port}" for h in hosts if GROUP_BROKER in h.groups)


def external_bootstrap_servers(hosts: Sequence[HostFacts]) -> str:
    """host:port of every broker's EXTERNAL listener, through the client load balancer."""
    return ",".join(
        f"{h.external_host}:{h.external_port}"
        for h in hosts
        if GROUP_BROKER in h.groups and h.external_port is not None
    )


def broker_listener_protocol(security_profile: str, client_authentication: str) -> str:
    """kafka_broker_listener_protocol as the kafka role's default computes it
    (roles/kafka/defaults/main.yml; a test renders that default and compares)."""
    if security_profile == "plaintext":
        return "PLAINTEXT"
    return "SASL_SSL" if client_authentication == "scram" else "SSL"


CLIENT_SECURITY_KEYS: Final = ("security.protocol", "sasl.mechanism")
"""The client settings the stack can tell: no credentials, no truststore or keystore paths."""


def client_security(security_profile: str, client_authentication: str) -> dict[str, str]:
    """The `client_security` output: what a client sets besides bootstrap.servers, in Kafka's
    (Java) client property names; the kit's own tools' settings (security.java_client) with
    only the keys in CLIENT_SECURITY_KEYS. sasl.mechanism only with SCRAM."""
    protocol = broker_listener_protocol(security_profile, client_authentication)
    settings = security.java_client(protocol, truststore="")
    return {key: settings[key] for key in CLIENT_SECURITY_KEYS if key in settings}


def zookeeper_connect(hosts: Sequence[HostFacts], port: int) -> str:
    return ",".join(f"{h.dns_name}:{port}" for h in hosts if GROUP_ZOOKEEPER in h.groups)
