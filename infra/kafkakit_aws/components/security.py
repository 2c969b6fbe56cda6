"""SecurityGroups: one group shared by every node plus one per role, rules from firewall.rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..firewall import ANYWHERE, FirewallInputs, Rule, groups_needed, rules
from ..settings import Role
from ..topology import security_roles
from ._common import TYPE_PREFIX, require, tags

DESCRIPTIONS: Mapping[str, str] = {
    "node": "every node: SSH and JMX exporter from configured networks, egress",
    "broker": "Kafka brokers: client and inter-broker listener",
    "controller": "KRaft controllers: controller listener",
    "zookeeper": "ZooKeeper ensemble: client, peer and election ports",
    "monitoring": "Prometheus host: its web port from the monitoring networks",
    "nlb": "client load balancer: the brokers' external ports",
}


@dataclass(frozen=True)
class SecurityGroupsArgs:
    cluster_name: str
    vpc_id: pulumi.Input[str]
    s3_prefix_list_id: pulumi.Input[str]
    firewall: FirewallInputs

    def __post_init__(self) -> None:
        where = "SecurityGroupsArgs"
        require(bool(self.firewall.roles), where, "at least one role is needed")
        for cidr_list in (
            self.firewall.client_cidrs,
            self.firewall.monitoring_cidrs,
            self.firewall.ssh_allowed_cidrs,
        ):
            require(ANYWHERE not in cidr_list, where, "0.0.0.0/0 is never allowed inbound")


class SecurityGroups(pulumi.ComponentResource):
    group_ids: dict[str, pulumi.Output[str]]
    """Security group id by group: node, broker, controller, zookeeper, monitoring, nlb (those in
    use)."""

    def __init__(
        self, name: str, args: SecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if not isinstance(args, SecurityGroupsArgs):
            raise TypeError(f"{name}: expected SecurityGroupsArgs, got {type(args).__name__}")
        super().__init__(f"{TYPE_PREFIX}:SecurityGroups", name, None, opts)
        cluster = args.cluster_name
        child = pulumi.ResourceOptions(parent=self)

        groups: dict[str, aws.ec2.SecurityGroup] = {}
        for group in groups_needed(args.firewall.roles, args.firewall.external_ports is not None):
            groups[group] = aws.ec2.SecurityGroup(
                f"{name}-{group}",
                vpc_id=args.vpc_id,
                description=f"{cluster} {DESCRIPTIONS[group]}",
                # The groups reference each other; revoking their rules first lets a destroy
                # delete them in any order instead of failing on DependencyViolation.
                revoke_rules_on_delete=True,
                tags=tags(cluster, f"{cluster}-{group}"),
                opts=child,
            )
        self.group_ids = {group: sg.id for group, sg in groups.items()}

        for rule in rules(args.firewall):
            self._rule(name, cluster, rule, groups, args)

        self.register_outputs({"group_ids": self.group_ids})

    def ids_for(self, role: Role) -> list[pulumi.Output[str]]:
        """The groups a node of `role` joins: the node group and its role groups."""
        return [self.group_ids["node"], *(self.group_ids[g] for g in security_roles(role))]

    def _rule(
        self,
        name: str,
        cluster: str,
        rule: Rule,
        groups: Mapping[str, aws.ec2.SecurityGroup],
        args: SecurityGroupsArgs,
    ) -> None:
        source: dict[str, pulumi.Input[str]] = {}
        if rule.cidr is not None:
            source["cidr_ipv4"] = rule.cidr
        if rule.peer_group is not None:
            source["referenced_security_group_id"] = groups[rule.peer_group].id
        if rule.external_group_id is not None:
            source["referenced_security_group_id"] = rule.external_group_id
        if rule.prefix_list == "s3":
            source["prefix_list_id"] = args.s3_prefix_list_id
        resource = (
            aws.vpc.SecurityGroupIngressRule
            if rule.direction == "ingress"
            else aws.vpc.SecurityGroupEgressRule
        )
        resource(
            f"{name}-{rule.group}-{rule.name}",
            security_group_id=groups[rule.group].id,
            ip_protocol=rule.protocol,
            from_port=rule.from_port,
            to_port=rule.to_port,
            description=rule.description,
            tags=tags(cluster, f"{cluster}-{rule.group}-{rule.name}"),
            opts=pulumi.ResourceOptions(parent=self),
            **source,
        )
