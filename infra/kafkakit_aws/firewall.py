"""The cluster's security group rules, as plain data the SecurityGroups component materialises.

Groups:
  node        on every node: SSH (only if sshAllowedCidrs), JMX exporter (only if
              monitoringCidrs) and all egress (the VPC, S3, and HTTP(S) only with NAT)
  broker      client listener from clientCidrs / clientSecurityGroupIds, and from brokers
  controller  KRaft controller listener from brokers and controllers
  zookeeper   client port from brokers, peer and election ports from the ensemble
Nothing is ever open to 0.0.0.0/0 inbound; settings.check_cidrs refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from .settings import Ports, Role
from .topology import kebab

ANYWHERE: Final = "0.0.0.0/0"
SECURITY_GROUPS: Final = ("node", "broker", "controller", "zookeeper")


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


def groups_needed(roles: Sequence[Role]) -> list[str]:
    needed = {"node"}
    for role in roles:
        needed.update({"combined": ("broker", "controller")}.get(role, (role,)))
    return [g for g in SECURITY_GROUPS if g in needed]


def _tcp_in(group: str, name: str, port: int, description: str, **source: str) -> Rule:
    return Rule(
        name=name,
        group=group,
        direction="ingress",
        protocol="tcp",
        from_port=port,
        to_port=port,
        description=description,
        **source,
    )


def rules(inputs: FirewallInputs) -> list[Rule]:
    """Every rule of the cluster's security groups, in a stable order."""
    groups = groups_needed(inputs.roles)
    ports = inputs.ports
    out: list[Rule] = []

    # node: management and monitoring, then egress
    for cidr in inputs.ssh_allowed_cidrs:
        out.append(_tcp_in("node", f"ssh-{kebab(cidr)}", 22, f"SSH from {cidr}", cidr=cidr))
    for cidr in inputs.monitoring_cidrs:
        description = f"JMX exporter scrapes from {cidr}"
        name = f"jmx-exporter-{kebab(cidr)}"
        out.append(_tcp_in("node", name, ports.jmx_exporter, description, cidr=cidr))
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
    out.append(
        Rule(
            name="egress-s3",
            group="node",
            direction="egress",
            protocol="tcp",
            from_port=443,
            to_port=443,
            prefix_list="s3",
            description="S3 through the gateway endpoint (SSM agent, Ansible file transfer)",
        )
    )
    if inputs.internet_egress:
        for port, what in ((443, "https"), (80, "http")):
            out.append(
                Rule(
                    name=f"egress-internet-{what}",
                    group="node",
                    direction="egress",
                    protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr=ANYWHERE,
                    description=f"{what.upper()} to package mirrors through NAT",
                )
            )

    if "broker" in groups:
        port = ports.broker
        for cidr in inputs.client_cidrs:
            description = f"Kafka clients from {cidr}"
            out.append(_tcp_in("broker", f"client-{kebab(cidr)}", port, description, cidr=cidr))
        for group_id in inputs.client_security_group_ids:
            description = f"Kafka clients in {group_id}"
            name = f"client-{kebab(group_id)}"
            out.append(_tcp_in("broker", name, port, description, external_group_id=group_id))
        description = "Replication and inter-broker requests"
        out.append(_tcp_in("broker", "inter-broker", port, description, peer_group="broker"))
    if "controller" in groups:
        port = ports.controller
        description = "Brokers to the KRaft controllers"
        out.append(_tcp_in("controller", "from-brokers", port, description, peer_group="broker"))
        description = "KRaft controller quorum"
        out.append(_tcp_in("controller", "quorum", port, description, peer_group="controller"))
    if "zookeeper" in groups:
        port = ports.zookeeper_client
        description = "Brokers to ZooKeeper"
        out.append(_tcp_in("zookeeper", "from-brokers", port, description, peer_group="broker"))
        for port, what in ((ports.zookeeper_peer, "peer"), (ports.zookeeper_election, "election")):
            description = f"ZooKeeper ensemble {what} port"
            name = f"quorum-{what}"
            out.append(_tcp_in("zookeeper", name, port, description, peer_group="zookeeper"))
    return out


def cluster_ports(ports: Ports) -> list[int]:
    """Every port a node listens on for the cluster, plus SSH."""
    return [22, *ports.as_dict().values()]
