"""Network: VPC, one private subnet and route table per zone, S3 gateway endpoint, optional SSM
interface endpoints, optional public subnets with NAT. Or, given an existing VPC and its
subnets, only the SSM interface endpoints (if asked for): the VPC's routes are its owner's."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..settings import MAX_ZONES, NAT_MODES, NatMode
from ..topology import subnet_layout
from ._common import TYPE_PREFIX, require, tags

SSM_ENDPOINT_SERVICES = ("ssm", "ssmmessages", "ec2messages")


@dataclass(frozen=True)
class NetworkArgs:
    cluster_name: str
    vpc_cidr: str
    zones: tuple[str, ...]
    region: str
    reverse_dns_prefix: str = "com.amazonaws"
    """Prefix of VPC endpoint service names (com.amazonaws, cn.com.amazonaws in China)."""
    nat_gateways: NatMode = "none"
    ssm_vpc_endpoints: bool = True
    existing_vpc_id: str | None = None
    """Deploy into this VPC instead of creating one; `existing_subnet_ids` are its subnets."""
    existing_subnet_ids: Mapping[str, str] = field(default_factory=dict)
    """Existing private subnet id by zone name (with `existing_vpc_id`)."""
    existing_s3_prefix_list_id: str | None = None
    """The region's S3 prefix list (the egress rule to S3), looked up for an existing VPC."""

    def __post_init__(self) -> None:
        where = "NetworkArgs"
        require(bool(self.zones), where, "at least one zone is needed")
        if self.existing_vpc_id:
            require(set(self.existing_subnet_ids) == set(self.zones), where, "one existing subnet per zone")
            require(self.nat_gateways == "none", where, "no NAT gateways in an existing VPC")
            require(bool(self.existing_s3_prefix_list_id), where, "existing_s3_prefix_list_id is required")
        require(len(set(self.zones)) == len(self.zones), where, f"zones repeat: {self.zones}")
        require(len(self.zones) <= MAX_ZONES, where, f"at most {MAX_ZONES} zones")
        require(self.nat_gateways in NAT_MODES, where, f"nat_gateways {self.nat_gateways!r}")
        try:
            prefix = ipaddress.IPv4Network(self.vpc_cidr).prefixlen
        except ValueError as error:
            raise ValueError(f"{where}: vpc_cidr {self.vpc_cidr!r}: {error}") from None
        if not self.existing_vpc_id:
            require(16 <= prefix <= 24, where, f"vpc_cidr must be /16 to /24, got {self.vpc_cidr}")


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    private_subnet_ids: dict[str, pulumi.Output[str]]
    """Private subnet id by zone."""
    s3_prefix_list_id: pulumi.Output[str]
    node_dependencies: list[pulumi.Resource]
    """What a node needs before it boots: its routes to S3, SSM and (with NAT) the internet."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(args, NetworkArgs):
            raise TypeError(f"{name}: expected NetworkArgs, got {type(args).__name__}")
        super().__init__(f"{TYPE_PREFIX}:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.node_dependencies = []
        if args.existing_vpc_id:
            self.vpc_id = pulumi.Output.from_input(args.existing_vpc_id)
            self.private_subnet_ids = {
                z: pulumi.Output.from_input(s) for z, s in args.existing_subnet_ids.items()
            }
            self.s3_prefix_list_id = pulumi.Output.from_input(args.existing_s3_prefix_list_id)
        else:
            self._own_vpc(name, args, child)
        if args.ssm_vpc_endpoints:
            self._ssm_endpoints(name, args, child)
        self.register_outputs({"vpc_id": self.vpc_id, "private_subnet_ids": self.private_subnet_ids})

    def _own_vpc(self, name: str, args: NetworkArgs, child: pulumi.ResourceOptions) -> None:
        cluster = args.cluster_name
        layout = subnet_layout(args.vpc_cidr, args.zones)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.vpc_cidr,
            # Both are needed for the private hosted zone and interface endpoints' private DNS.
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=tags(cluster, cluster),
            opts=child,
        )
        self.vpc_id = vpc.id

        private_subnets: dict[str, aws.ec2.Subnet] = {}
        private_route_tables: dict[str, aws.ec2.RouteTable] = {}
        for zone in args.zones:
            private_subnets[zone] = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                cidr_block=layout[zone].private,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags=tags(cluster, f"{cluster}-private-{zone}", {"kafka-kit:tier": "private"}),
                opts=child,
            )
            private_route_tables[zone] = aws.ec2.RouteTable(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                tags=tags(cluster, f"{cluster}-private-{zone}"),
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}",
                subnet_id=private_subnets[zone].id,
                route_table_id=private_route_tables[zone].id,
                opts=child,
            )
        self.private_subnet_ids = {zone: s.id for zone, s in private_subnets.items()}

        s3 = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"{args.reverse_dns_prefix}.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in private_route_tables.values()],
            tags=tags(cluster, f"{cluster}-s3"),
            opts=child,
        )
        self.s3_prefix_list_id = s3.prefix_list_id
        self.node_dependencies.append(s3)
        if args.nat_gateways != "none":
            self.node_dependencies.extend(self._nat(name, args, vpc, layout, private_route_tables))

    def _ssm_endpoints(self, name: str, args: NetworkArgs, child: pulumi.ResourceOptions) -> None:
        cluster = args.cluster_name
        endpoint_sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=self.vpc_id,
            description=f"{cluster}: HTTPS from the VPC to the SSM interface endpoints",
            tags=tags(cluster, f"{cluster}-endpoints"),
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https",
            security_group_id=endpoint_sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=args.vpc_cidr,
            description="HTTPS from the VPC",
            opts=child,
        )
        for service in SSM_ENDPOINT_SERVICES:
            self.node_dependencies.append(
                aws.ec2.VpcEndpoint(
                    f"{name}-{service}",
                    vpc_id=self.vpc_id,
                    service_name=f"{args.reverse_dns_prefix}.{args.region}.{service}",
                    vpc_endpoint_type="Interface",
                    subnet_ids=list(self.private_subnet_ids.values()),
                    security_group_ids=[endpoint_sg.id],
                    private_dns_enabled=True,
                    tags=tags(cluster, f"{cluster}-{service}"),
                    opts=child,
                )
            )

    def _nat(
        self,
        name: str,
        args: NetworkArgs,
        vpc: aws.ec2.Vpc,
        layout: dict,
        private_route_tables: dict[str, aws.ec2.RouteTable],
    ) -> Sequence[pulumi.Resource]:
        cluster = args.cluster_name
        child = pulumi.ResourceOptions(parent=self)
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags=tags(cluster, f"{cluster}-igw"), opts=child
        )
        public_rt = aws.ec2.RouteTable(
            f"{name}-public", vpc_id=vpc.id, tags=tags(cluster, f"{cluster}-public"), opts=child
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        nat_zones = args.zones[:1] if args.nat_gateways == "single" else args.zones
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in args.zones:
            public = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                cidr_block=layout[zone].public,
                availability_zone=zone,
                # Only NAT gateways live here, with their own Elastic IPs.
                map_public_ip_on_launch=False,
                tags=tags(cluster, f"{cluster}-public-{zone}", {"kafka-kit:tier": "public"}),
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}",
                subnet_id=public.id,
                route_table_id=public_rt.id,
                opts=child,
            )
            if zone in nat_zones:
                eip = aws.ec2.Eip(
                    f"{name}-nat-{zone}",
                    domain="vpc",
                    tags=tags(cluster, f"{cluster}-nat-{zone}"),
                    opts=child,
                )
                nats[zone] = aws.ec2.NatGateway(
                    f"{name}-nat-{zone}",
                    allocation_id=eip.id,
                    subnet_id=public.id,
                    tags=tags(cluster, f"{cluster}-nat-{zone}"),
                    # A NAT gateway created before its VPC has an internet gateway never routes.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
        routes = []
        for zone, route_table in private_route_tables.items():
            nat = nats.get(zone) or nats[nat_zones[0]]
            routes.append(
                aws.ec2.Route(
                    f"{name}-private-{zone}-default",
                    route_table_id=route_table.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nat.id,
                    opts=child,
                )
            )
        return routes
