"""ClientAccess: a way in for Kafka clients outside the stack's VPC.

Kafka clients talk to every broker by the address it advertises, so one address for the cluster
is not enough. An internal network load balancer gives each broker a port of its own: broker N's
EXTERNAL listener is on base + N, and the load balancer forwards that port to that broker only.
Every broker advertises external.<dnsZoneName>:<its port>, which resolves to the load balancer
(in the private zone, also associated with dnsZoneVpcIds). With `privatelink`, the load balancer
is also a VPC endpoint service that the listed accounts connect to from their own VPCs; they map
external.<dnsZoneName> to their endpoint in a private zone of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ._common import TYPE_PREFIX, require, tags


@dataclass(frozen=True)
class ClientAccessArgs:
    cluster_name: str
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    brokers: Mapping[str, tuple[pulumi.Input[str], int]]
    """(instance id, external port) by broker name."""
    private_link: bool = False
    allowed_principals: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = "ClientAccessArgs"
        require(bool(self.brokers), where, "at least one broker is needed")
        ports = [port for _, port in self.brokers.values()]
        require(len(set(ports)) == len(ports), where, f"external ports repeat: {ports}")
        require(not self.allowed_principals or self.private_link, where, "principals need private_link")


class ClientAccess(pulumi.ComponentResource):
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    endpoint_service_name: pulumi.Output[str] | None

    def __init__(self, name: str, args: ClientAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(args, ClientAccessArgs):
            raise TypeError(f"{name}: expected ClientAccessArgs, got {type(args).__name__}")
        super().__init__(f"{TYPE_PREFIX}:ClientAccess", name, None, opts)
        cluster = args.cluster_name
        child = pulumi.ResourceOptions(parent=self)

        nlb = aws.lb.LoadBalancer(
            f"{name}-nlb",
            load_balancer_type="network",
            internal=True,
            subnets=list(args.subnet_ids),
            security_groups=[args.security_group_id],
            # Each broker sits in one zone; a client reaching the load balancer in another zone
            # must still get to it.
            enable_cross_zone_load_balancing=True,
            # PrivateLink consumers are admitted by the endpoint service's allowed principals and
            # their own endpoint's security group, not by client CIDRs of this VPC.
            enforce_security_group_inbound_rules_on_private_link_traffic="off" if args.private_link else None,
            tags=tags(cluster, f"{cluster}-clients"),
            opts=child,
        )
        for broker, (instance_id, port) in args.brokers.items():
            group = aws.lb.TargetGroup(
                f"{name}-{broker}",
                port=port,
                protocol="TCP",
                target_type="instance",
                vpc_id=args.vpc_id,
                # Kafka connections are long-lived: give a broker that leaves (a roll) time to
                # close them itself.
                deregistration_delay=60,
                health_check={"protocol": "TCP", "port": str(port)},
                tags=tags(cluster, f"{cluster}-{broker}-external"),
                opts=child,
            )
            aws.lb.TargetGroupAttachment(
                f"{name}-{broker}", target_group_arn=group.arn, target_id=instance_id, port=port, opts=child
            )
            aws.lb.Listener(
                f"{name}-{broker}",
                load_balancer_arn=nlb.arn,
                port=port,
                protocol="TCP",
                default_actions=[{"type": "forward", "target_group_arn": group.arn}],
                tags=tags(cluster, f"{cluster}-{broker}-external"),
                opts=child,
            )
        self.dns_name = nlb.dns_name
        self.zone_id = nlb.zone_id
        self.endpoint_service_name = None
        if args.private_link:
            service = aws.ec2.VpcEndpointService(
                f"{name}-privatelink",
                network_load_balancer_arns=[nlb.arn],
                # Only the listed accounts can see the service; they connect without a manual
                # acceptance step.
                acceptance_required=False,
                allowed_principals=list(args.allowed_principals),
                tags=tags(cluster, f"{cluster}-privatelink"),
                opts=child,
            )
            self.endpoint_service_name = service.service_name
        self.register_outputs(
            {"dns_name": self.dns_name, "endpoint_service_name": self.endpoint_service_name}
        )
