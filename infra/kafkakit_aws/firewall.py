"""The cluster's security group rules, as plain data the SecurityGroups component materialises.

Groups:
  node        on every node: SSH (only if sshAllowedCidrs), the JMX and node exporters (only from
              monitoringCidrs and the monitoring instance; the JMX exporter also from the brokers
              and controllers, whose roll gates read each other's metrics) and all egress (the
              VPC, S3, the apt proxy if set, and HTTP(S) only with NAT)
  broker      client listener from clientCidrs / clientSecurityGroupIds, and from brokers; with a
              client load balancer, each broker's external port from the load balancer; in the
              migration, the same listener (INTERNAL, also the inter-broker one) from controllers
  controller  KRaft controller listener from brokers and controllers
  zookeeper   client port from brokers (and in the migration from the controllers), peer and
              election ports from the ensemble
  monitoring  the Prometheus host: its web port from monitoringCidrs
  nlb         the client load balancer: the external ports from the client networks, and out to
              the brokers' external ports
The migration: controllers beside a ZooKeeper ensemble are staged for the migration to KRaft
(docs/migration.md). Once it starts they copy the metadata from ZooKeeper and write every change
back to it until the migration is finalized, and they send the ZooKeeper-mode brokers their
requests on the inter-broker listener.
Every port comes from the same `Ports` the inventory's port variables are made from, so the rules,
the listeners and the bootstrap output cannot disagree. Nothing is ever open to 0.0.0.0/0 inbound;
settings.check_cidrs refuses it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from .contract import constants
from .settings import Ports, Role
from .topology import kebab

ANYWHERE: Final = "0.0.0.0/0"
SECURITY_GROUPS: Final = ("node", "broker", "controller", "zookeeper", "monitoring", "nlb")
PROMETHEUS_PORT: Final = constants.DEFAULT_PORTS["prometheus"]


@dataclass(frozen=True)
class Rule:
    name: str
    """Unique within its group, kebab-case, stable across runs (derived from the source)."""
    group: str
    direction: Literal["ingress", "egress"]
    protocol: Literal["tcp", "-1"]
    from_port: int | None
    to_port: int | None
    description: str
    cidr: str | None = None
    peer_group: str | None = None
    """Another of this cluster's groups (by role name)."""
    external_group_id: str | None = None
    prefix_list: Literal["s3"] | None = None

    def covers(self, port: int) -> bool:
        if self.protocol == "-1":
            return True
        assert self.from_port is not None and self.to_port is not None
        return self.from_port <= port <= self.to_port


@dataclass(frozen=True)
class FirewallInputs:
    roles: Sequence[Role]
    ports: Ports
    vpc_cidr: str
    client_cidrs: Sequence[str] = ()
    client_security_group_ids: Sequence[str] = ()
    monitoring_cidrs: Sequence[str] = ()
    ssh_allowed_cidrs: Sequence[str] = ()
    internet_egress: bool = False
    apt_proxy_cidrs: Sequence[str] = ()
    apt_proxy_port: int | None = None
    external_ports: tuple[int, int] | None = None
    """First and last of the brokers' external listener ports, behind the client load balancer."""


def groups_needed(roles: Sequence[Role], load_balancer: bool = False) -> list[str]:
    needed = {"node", *(["nlb"] if load_balancer else [])}
    for role in roles:
        needed.update({"combined": ("broker", "controller")}.get(role, (role,)))
    return [g for g in SECURITY_GROUPS if g in needed]


def _migration(groups: Sequence[str]) -> bool:
    """Controllers and a ZooKeeper ensemble in one cluster: the migration to KRaft, staged or under
    way. The rules it needs go with the ensemble when the stack switches to kraft mode."""
    return "controller" in groups and "zookeeper" in groups


def _tcp_in(group: str, name: str, port: int | tuple[int, int], description: str, **source: str) -> Rule:
    low, high = port if isinstance(port, tuple) else (port, port)
    return Rule(
        name=name,
        group=group,
        direction="ingress",
        protocol="tcp",
        from_port=low,
        to_port=high,
        description=description,
        **source,
    )


def _tcp_out(group: str, name: str, port: int | tuple[int, int], description: str, **target: str) -> Rule:
    return dataclasses.replace(_tcp_in(group, name, port, description, **target), direction="egress")


def _clients(group: str, port: int | tuple[int, int], inputs: FirewallInputs) -> list[Rule]:
    """The client networks and security groups, into `group` on `port`."""
    out = [
        _tcp_in(group, f"client-{kebab(cidr)}", port, f"Kafka clients from {cidr}", cidr=cidr)
        for cidr in inputs.client_cidrs
    ]
    out += [
        _tcp_in(group, f"client-{kebab(sg)}", port, f"Kafka clients in {sg}", external_group_id=sg)
        for sg in inputs.client_security_group_ids
    ]
    return out


def _node_rules(inputs: FirewallInputs, groups: Sequence[str]) -> list[Rule]:
    """Management and monitoring into every node, then everything out of it."""
    ports = inputs.ports
    out = [_tcp_in("node", f"ssh-{kebab(c)}", 22, f"SSH from {c}", cidr=c) for c in inputs.ssh_allowed_cidrs]
    exporters = (("jmx-exporter", "JMX", ports.jmx_exporter), ("node-exporter", "node", ports.node_exporter))
    for name, what, port in exporters:
        for cidr in inputs.monitoring_cidrs:
            description = f"{what} exporter scrapes from {cidr}"
            out.append(_tcp_in("node", f"{name}-{kebab(cidr)}", port, description, cidr=cidr))
        if "monitoring" in groups:
            description = f"{what} exporter scrapes from the monitoring instance"
            out.append(_tcp_in("node", f"{name}-monitoring", port, description, peer_group="monitoring"))
    # The rolling restart's gates run on a Kafka node and read every Kafka node's JMX exporter
    # (roles/kafka_ops, kafka_ops_gate_source): only the Kafka JVMs' port, only from the Kafka nodes.
    for peer in ("broker", "controller"):
        if peer in groups:
            description = f"JMX exporter reads of the roll's gates from the {peer}s"
            out.append(
                _tcp_in("node", f"jmx-exporter-{peer}s", ports.jmx_exporter, description, peer_group=peer)
            )
    out.append(
        Rule(
            name="egress-vpc",
            group="node",
            direction="egress",
            protocol="-1",
            from_port=None,
            to_port=None,
            cidr=inputs.vpc_cidr,
            description="Cluster traffic and VPC endpoints inside the VPC",
        )
    )
    description = "S3 through the gateway endpoint (SSM agent, Ansible file transfer)"
    out.append(dataclasses.replace(_tcp_out("node", "egress-s3", 443, description), prefix_list="s3"))
    if inputs.internet_egress:
        for port, what in ((443, "https"), (80, "http")):
            description = f"{what.upper()} to package mirrors through NAT"
            out.append(_tcp_out("node", f"egress-internet-{what}", port, description, cidr=ANYWHERE))
    if inputs.apt_proxy_port is not None:
        for cidr in inputs.apt_proxy_cidrs:
            description = f"The apt proxy in {cidr}"
            out.append(
                _tcp_out(
                    "node", f"egress-apt-proxy-{kebab(cidr)}", inputs.apt_proxy_port, description, cidr=cidr
                )
            )
    return out


def _kafka_rules(inputs: FirewallInputs, groups: Sequence[str]) -> list[Rule]:
    ports, out = inputs.ports, []
    if "broker" in groups:
        out += _clients("broker", ports.broker, inputs)
        description = "Replication and inter-broker requests"
        out.append(_tcp_in("broker", "inter-broker", ports.broker, description, peer_group="broker"))
    if "broker" in groups and _migration(groups):
        description = "KRaft controllers to the ZooKeeper-mode brokers in the migration"
        out.append(_tcp_in("broker", "from-controllers", ports.broker, description, peer_group="controller"))
    if "nlb" in groups and inputs.external_ports is not None:
        external = inputs.external_ports
        description = "Each broker's external listener from the client load balancer"
        out.append(_tcp_in("broker", "external-from-nlb", external, description, peer_group="nlb"))
        out += _clients("nlb", external, inputs)
        description = "To the brokers' external listeners"
        out.append(_tcp_out("nlb", "to-brokers", external, description, peer_group="broker"))
    if "controller" in groups:
        port = ports.controller
        description = "Brokers to the KRaft controllers"
        out.append(_tcp_in("controller", "from-brokers", port, description, peer_group="broker"))
        description = "KRaft controller quorum"
        out.append(_tcp_in("controller", "quorum", port, description, peer_group="controller"))
    return out


def _zookeeper_rules(inputs: FirewallInputs, groups: Sequence[str]) -> list[Rule]:
    if "zookeeper" not in groups:
        return []
    ports = inputs.ports
    description = "Brokers to ZooKeeper"
    out = [_tcp_in("zookeeper", "from-brokers", ports.zookeeper_client, description, peer_group="broker")]
    if _migration(groups):
        description = "KRaft controllers to ZooKeeper in the migration"
        out.append(
            _tcp_in(
                "zookeeper", "from-controllers", ports.zookeeper_client, description, peer_group="controller"
            )
        )
    for port, what in ((ports.zookeeper_peer, "peer"), (ports.zookeeper_election, "election")):
        description = f"ZooKeeper ensemble {what} port"
        out.append(_tcp_in("zookeeper", f"quorum-{what}", port, description, peer_group="zookeeper"))
    return out


def _monitoring_rules(inputs: FirewallInputs, groups: Sequence[str]) -> list[Rule]:
    if "monitoring" not in groups:
        return []
    return [
        _tcp_in("monitoring", f"prometheus-{kebab(c)}", PROMETHEUS_PORT, f"Prometheus from {c}", cidr=c)
        for c in inputs.monitoring_cidrs
    ]


def rules(inputs: FirewallInputs) -> list[Rule]:
    """Every rule of the cluster's security groups, in a stable order."""
    groups = groups_needed(inputs.roles, inputs.external_ports is not None)
    return [
        *_node_rules(inputs, groups),
        *_kafka_rules(inputs, groups),
        *_zookeeper_rules(inputs, groups),
        *_monitoring_rules(inputs, groups),
    ]


def cluster_ports(ports: Ports) -> list[int]:
    """Every port a node listens on for the cluster, plus SSH."""
    return [22, *ports.as_dict().values()]
