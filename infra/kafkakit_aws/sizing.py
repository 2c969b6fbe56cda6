"""Volume settings against what each instance type can push to EBS (pure).

An instance's EBS bandwidth is a hard ceiling for its data volume: m7i.xlarge sustains 156.25 MB/s
to EBS (it bursts to 1,250 MB/s for at most 30 minutes a day), so a 250 MiB/s gp3 volume on it
pays for throughput the broker can never use for long. The program reads each instance type's
facts from the EC2 API (aws.ec2.get_instance_type) and refuses a volume provisioned beyond the
instance's baseline; gp3's included 3,000 IOPS and 125 MiB/s are never refused (they cannot be
lowered), the instance is then the limit. Xen (pre-Nitro) types are refused too: their EBS
volumes are not NVMe devices, so the data device path the inventory exports would not exist.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .settings import GP3_MIN_IOPS, GP3_MIN_THROUGHPUT, INSTANCE_TYPE_KEYS
from .topology import NodeSpec

MB_PER_MIB: Final = 1.048576


@dataclass(frozen=True)
class InstanceFacts:
    """What aws.ec2.get_instance_type (DescribeInstanceTypes) says about one instance type."""

    instance_type: str
    hypervisor: str
    """nitro or xen"""
    nvme: str
    """EBS NVMe support: required, supported or unsupported"""
    ebs_baseline_mbps: float
    """Sustained EBS throughput, MB/s (10^6 bytes)."""
    ebs_maximum_mbps: float
    ebs_baseline_iops: int
    ebs_maximum_iops: int
    network_baseline_gbps: float | None = None

    @classmethod
    def from_describe(cls, info: Mapping[str, Any]) -> InstanceFacts:
        """From one entry of EC2 DescribeInstanceTypes (what get_instance_type reads too)."""
        ebs = info.get("EbsInfo", {})
        optimized = ebs.get("EbsOptimizedInfo", {})
        cards = info.get("NetworkInfo", {}).get("NetworkCards", [])
        return cls(
            instance_type=info["InstanceType"],
            hypervisor=info.get("Hypervisor", ""),
            nvme=ebs.get("NvmeSupport", "unsupported"),
            ebs_baseline_mbps=float(optimized.get("BaselineThroughputInMBps", 0)),
            ebs_maximum_mbps=float(optimized.get("MaximumThroughputInMBps", 0)),
            ebs_baseline_iops=int(optimized.get("BaselineIops", 0)),
            ebs_maximum_iops=int(optimized.get("MaximumIops", 0)),
            network_baseline_gbps=float(cards[0]["BaselineBandwidthInGbps"]) if cards else None,
        )


def type_role(node: NodeSpec) -> str:
    """The settings role a node's instance type and volume come from."""
    return "broker" if node.role == "combined" else node.role


def check_volumes(
    nodes: Sequence[NodeSpec], facts: Mapping[str, InstanceFacts]
) -> tuple[list[str], list[str]]:
    """(errors, warnings) for the plan's instance types and data volumes, one per role."""
    errors: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for node in nodes:
        role = type_role(node)
        if role in seen:
            continue
        seen.add(role)
        info = facts.get(node.instance_type)
        type_key = INSTANCE_TYPE_KEYS[role]
        if info is None:
            warnings.append(f"{type_key} {node.instance_type!r}: no EBS facts, volume settings not checked")
            continue
        if info.hypervisor != "nitro" or info.nvme == "unsupported":
            errors.append(
                f"{type_key} {node.instance_type!r} is a Xen (pre-Nitro) type whose EBS volumes are "
                "not NVMe devices; choose a Nitro type such as m7i.xlarge"
            )
            continue
        errors += _throughput_error(role, node, info)
        errors += _iops_error(role, node, info)
    return errors, warnings


def _volume_key(role: str, what: str) -> str:
    return "monitoringVolumeSizeGib" if role == "monitoring" else f"{role}Volume{what}"


def _throughput_error(role: str, node: NodeSpec, info: InstanceFacts) -> list[str]:
    mibps = node.volume.throughput_mibps
    wanted_mbps = mibps * MB_PER_MIB
    if mibps <= GP3_MIN_THROUGHPUT or wanted_mbps <= info.ebs_baseline_mbps:
        return []
    fits = max(GP3_MIN_THROUGHPUT, math.floor(info.ebs_baseline_mbps / MB_PER_MIB))
    return [
        f"{_volume_key(role, 'ThroughputMibps')} {mibps} ({wanted_mbps:.0f} MB/s) is more than "
        f"{node.instance_type} sustains to EBS ({info.ebs_baseline_mbps:g} MB/s baseline; bursts "
        f"above it last at most 30 minutes a day): lower it to {fits} or choose an instance "
        f"type with at least {wanted_mbps:.0f} MB/s baseline EBS throughput"
    ]


def _iops_error(role: str, node: NodeSpec, info: InstanceFacts) -> list[str]:
    iops = node.volume.iops
    if iops <= GP3_MIN_IOPS or iops <= info.ebs_baseline_iops:
        return []
    fits = max(GP3_MIN_IOPS, info.ebs_baseline_iops)
    return [
        f"{_volume_key(role, 'Iops')} {iops} is more than {node.instance_type} sustains to EBS "
        f"({info.ebs_baseline_iops} IOPS baseline): lower it to {fits} or choose a larger type"
    ]
