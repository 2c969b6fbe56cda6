"""What the EC2 API says about the cluster before the program declares anything (Pulumi invokes).

Read at every run, also in `pulumi preview`: the zones of the region (every zone whatever its
state, and which are up now), each instance type's EBS facts, the subnets of an existing VPC, and
the cluster's instances with the machine each runs (for rollout.plan_rollout).
"""

from __future__ import annotations

from collections.abc import Iterable

import pulumi_aws as aws

from .components._common import CLUSTER_TAG
from .inventory import TAG_PREFIX
from .rollout import LiveNode, Machine
from .sizing import InstanceFacts
from .topology import Zone

ZONE_FILTERS = [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
LIVE_STATES = ["pending", "running", "stopping", "stopped"]


def region_zones() -> tuple[list[Zone], list[str]]:
    """Every zone of the region (whatever its state, so a zone that is down keeps its place) and
    the names of those available now."""
    every = aws.get_availability_zones(filters=ZONE_FILTERS)
    up = aws.get_availability_zones(state="available", filters=ZONE_FILTERS)
    return [Zone(n, i) for n, i in zip(every.names, every.zone_ids, strict=True)], list(up.names)


def subnet_zones(subnet_ids: Iterable[str]) -> dict[str, Zone]:
    """The zone of each existing subnet, by subnet id."""
    out = {}
    for subnet_id in subnet_ids:
        subnet = aws.ec2.get_subnet(id=subnet_id)
        out[subnet_id] = Zone(subnet.availability_zone, subnet.availability_zone_id)
    return out


def vpc_cidr(vpc_id: str) -> str:
    return aws.ec2.get_vpc(id=vpc_id).cidr_block


def s3_prefix_list_id(reverse_dns_prefix: str, region: str) -> str:
    return aws.ec2.get_prefix_list(name=f"{reverse_dns_prefix}.{region}.s3").id


def instance_facts(instance_types: Iterable[str]) -> dict[str, InstanceFacts]:
    out = {}
    for instance_type in sorted(set(instance_types)):
        info = aws.ec2.get_instance_type(instance_type=instance_type)
        cards = info.network_cards or []
        out[instance_type] = InstanceFacts(
            instance_type=instance_type,
            hypervisor=info.hypervisor or "",
            nvme=info.ebs_nvme_support or "unsupported",
            ebs_baseline_mbps=float(info.ebs_performance_baseline_throughput or 0),
            ebs_maximum_mbps=float(info.ebs_performance_maximum_throughput or 0),
            ebs_baseline_iops=int(info.ebs_performance_baseline_iops or 0),
            ebs_maximum_iops=int(info.ebs_performance_maximum_iops or 0),
            network_baseline_gbps=float(cards[0].baseline_bandwidth) if cards else None,
        )
    return out


def live_nodes(cluster_name: str) -> list[LiveNode]:
    """The cluster's instances that are not terminated, with the machine each runs."""
    found = aws.ec2.get_instances(instance_tags={CLUSTER_TAG: cluster_name}, instance_state_names=LIVE_STATES)
    out = []
    for instance_id in found.ids:
        instance = aws.ec2.get_instance(instance_id=instance_id)
        name = (instance.tags or {}).get(f"{TAG_PREFIX}node")
        if not name:
            continue
        roots = instance.root_block_devices or []
        out.append(
            LiveNode(
                name=name,
                instance_id=instance_id,
                machine=Machine(
                    ami=instance.ami,
                    instance_type=instance.instance_type,
                    key_name=instance.key_name or None,
                    root_kms_key_id=(roots[0].kms_key_id or None) if roots else None,
                ),
            )
        )
    return out
