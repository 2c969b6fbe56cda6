"""PrivateDns: a private hosted zone in the VPC (and any further VPCs of clients) with one A record
per node, the nodes' advertised listener hosts, and alias records (the client load balancer)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..topology import fqdn
from ._common import TYPE_PREFIX, require, tags

RECORD_TTL = 60
"""Short, so a replaced node's new address is picked up quickly."""


@dataclass(frozen=True)
class PrivateDnsArgs:
    cluster_name: str
    zone_name: str
    vpc_id: pulumi.Input[str]
    addresses: Mapping[str, pulumi.Input[str]]
    """Private IPv4 address by node name (the record's label)."""
    extra_vpc_ids: tuple[str, ...] = ()
    """More VPCs (of this account) whose clients must resolve the names."""
    aliases: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str]]] = field(default_factory=dict)
    """Alias A records by label: (target DNS name, target hosted zone id)."""

    def __post_init__(self) -> None:
        where = "PrivateDnsArgs"
        require("." in self.zone_name, where, f"zone_name {self.zone_name!r} is not a domain")
        for label in [*self.addresses, *self.aliases]:
            require(
                bool(re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", label)),
                where,
                f"{label!r} is not a DNS label",
            )


class PrivateDns(pulumi.ComponentResource):
    zone_id: pulumi.Output[str]
    fqdns: dict[str, str]
    """DNS name by node name."""

    def __init__(self, name: str, args: PrivateDnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(args, PrivateDnsArgs):
            raise TypeError(f"{name}: expected PrivateDnsArgs, got {type(args).__name__}")
        super().__init__(f"{TYPE_PREFIX}:PrivateDns", name, None, opts)
        cluster = args.cluster_name
        child = pulumi.ResourceOptions(parent=self)

        zone = aws.route53.Zone(
            f"{name}-zone",
            name=args.zone_name,
            comment=f"{cluster}: Kafka node names (managed by Pulumi)",
            vpcs=[{"vpc_id": vpc_id} for vpc_id in (args.vpc_id, *args.extra_vpc_ids)],
            tags=tags(cluster, args.zone_name),
            opts=child,
        )
        self.zone_id = zone.zone_id
        self.fqdns = {}
        for label, address in args.addresses.items():
            aws.route53.Record(
                f"{name}-{label}",
                zone_id=zone.zone_id,
                name=fqdn(label, args.zone_name),
                type="A",
                ttl=RECORD_TTL,
                records=[address],
                opts=child,
            )
            self.fqdns[label] = fqdn(label, args.zone_name)
        for label, (target, target_zone_id) in args.aliases.items():
            aws.route53.Record(
                f"{name}-{label}",
                zone_id=zone.zone_id,
                name=fqdn(label, args.zone_name),
                type="A",
                aliases=[{"name": target, "zone_id": target_zone_id, "evaluate_target_health": False}],
                opts=child,
            )
            self.fqdns[label] = fqdn(label, args.zone_name)

        self.register_outputs({"zone_id": self.zone_id, "fqdns": self.fqdns})
