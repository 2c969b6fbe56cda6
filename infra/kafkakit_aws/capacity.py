"""What a stack can sustain on paper: the produce rate its brokers' disks, EBS links and networks
allow (pure).

Every byte produced is written by `replication_factor` brokers, so with N brokers sharing the
leaders evenly each broker takes P x RF / N of the produce rate P on three paths:

- its gp3 data volume (provisioned MiB/s);
- its instance's dedicated EBS bandwidth (the baseline: bursts above it last at most 30 minutes
  a day, so they are no sustained rate);
- its network, inbound: P / N from producers to the leaders plus (RF - 1) x P / N fetched by the
  followers. Outbound is (RF - 1) x P / N to followers plus G x P / N to G consumer groups that
  keep up: with one group that is the same P x RF / N, each further group adds P / N. EC2's
  baseline bandwidth holds for each direction.

So P = N / RF x min(volume, EBS baseline, network baseline), and the smallest names the bound.
The instance facts are EC2 DescribeInstanceTypes answers recorded in `RECORDED_FACTS` (a test
keeps them equal to the copy of AWS's data that moto ships); the stack's own types can be read
live with `aws ec2 describe-instance-types`. Nothing here imports Pulumi or touches the network.

    python infra/capacity_estimate.py Pulumi.dev.yaml Pulumi.prod.yaml   # the README's table
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .cost import load_stack_file, placeholder_zones
from .settings import Settings, parse_settings
from .sizing import MB_PER_MIB, InstanceFacts
from .topology import plan_nodes

MB_PER_GBIT: Final = 125.0
"""10^9 bits / 8 / 10^6 bytes."""
KIT_REPLICATION_FACTOR: Final = 3
"""The kafka role's default.replication.factor: 3, or the broker count when fewer
(roles/kafka/defaults/main.yml kafka_default_replication_factor)."""


def _recorded(instance_type: str, ebs: tuple[float, float, int, int], network_gbps: float) -> InstanceFacts:
    """ebs: baseline and maximum MB/s, baseline and maximum IOPS."""
    return InstanceFacts(instance_type, "nitro", "required", *ebs, network_baseline_gbps=network_gbps)


RECORDED_FACTS: Final[Mapping[str, InstanceFacts]] = {
    # DescribeInstanceTypes: EbsOptimizedInfo Baseline/MaximumThroughputInMBps, Baseline/MaximumIops,
    # NetworkCards[0].BaselineBandwidthInGbps; the broker types of the defaults and example stacks.
    "m7i.xlarge": _recorded("m7i.xlarge", (156.25, 1250.0, 6000, 40000), 1.562),
    "m7g.xlarge": _recorded("m7g.xlarge", (156.25039999999998, 1250.0, 6000, 40000), 1.876),
    "r7i.2xlarge": _recorded("r7i.2xlarge", (312.5, 1250.0, 12000, 40000), 3.125),
    "t3.large": _recorded("t3.large", (86.875, 347.5, 4000, 15700), 0.512),
}


@dataclass(frozen=True)
class WriteCapacity:
    stack: str
    brokers: int
    replication_factor: int
    instance_type: str
    limits_mbps: Mapping[str, float]
    """Per broker, MB/s (10^6 bytes): "gp3 volume", "EBS baseline", "network baseline"."""

    @property
    def bound(self) -> str:
        """The path that limits the brokers first."""
        return min(self.limits_mbps, key=lambda name: self.limits_mbps[name])

    @property
    def per_broker_mbps(self) -> float:
        return self.limits_mbps[self.bound]

    @property
    def cluster_mbps(self) -> float:
        """The sustained produce rate, MB/s, before the data is replicated."""
        return self.per_broker_mbps * self.brokers / self.replication_factor


def write_capacity(
    settings: Settings,
    facts: Mapping[str, InstanceFacts] = RECORDED_FACTS,
    stack: str = "",
    replication_factor: int | None = None,
) -> WriteCapacity:
    """The stack's produce ceiling on paper. Raises KeyError naming an instance type without facts."""
    brokers = [n for n in plan_nodes(settings, placeholder_zones(settings)) if n.is_broker]
    broker = brokers[0]
    if broker.instance_type not in facts:
        raise KeyError(
            f"no EBS and network facts for {broker.instance_type} (recorded: {', '.join(sorted(facts))}); "
            f"add its DescribeInstanceTypes answer to RECORDED_FACTS"
        )
    info = facts[broker.instance_type]
    limits = {
        "gp3 volume": broker.volume.throughput_mibps * MB_PER_MIB,
        "EBS baseline": info.ebs_baseline_mbps,
    }
    if info.network_baseline_gbps:
        limits["network baseline"] = info.network_baseline_gbps * MB_PER_GBIT
    factor = replication_factor or min(KIT_REPLICATION_FACTOR, len(brokers))
    return WriteCapacity(stack, len(brokers), factor, broker.instance_type, limits)


def capacity_of_stack_file(path: str | Path) -> WriteCapacity:
    stack, _, values = load_stack_file(path)
    return write_capacity(parse_settings(values, stack), stack=stack)


def render_markdown(capacities: Sequence[WriteCapacity]) -> str:
    """The README's table: one row per stack, the per-broker limits and the cluster's ceiling."""
    rows = [
        "| stack | brokers x type | RF | gp3 volume | EBS baseline | network baseline "
        "| bound | produce ceiling |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for c in capacities:
        cells = [
            f"{c.limits_mbps[name]:,.0f} MB/s" if name in c.limits_mbps else "-"
            for name in ("gp3 volume", "EBS baseline", "network baseline")
        ]
        rows.append(
            f"| {c.stack} | {c.brokers} x {c.instance_type} | {c.replication_factor} | {' | '.join(cells)} "
            f"| {c.bound} | **{c.cluster_mbps:,.0f} MB/s** |"
        )
    return "\n".join(rows) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    try:
        capacities = [write_capacity(parse_settings({}, "default"), stack="default (no config)")]
        capacities += [capacity_of_stack_file(p) for p in paths]
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 1
    sys.stdout.write(render_markdown(capacities))
    return 0
