"""Monthly cost estimate of a stack: fixed, hourly-billed resources only, at list prices.

`estimate(settings, region)` turns a parsed stack (settings.parse_settings) into line items (what,
quantity, unit price, USD per month at 730 hours) and a total. It counts what the program declares
whatever the traffic: EC2 on-demand instance hours (every node of topology.plan_nodes, so the
monitoring host when enabled), gp3 data and root volumes (GiB-month, IOPS above 3,000 and
throughput above 125 MiB/s per volume), NAT gateway hours and their public IPv4 addresses, the SSM
interface endpoints (hours per endpoint per zone), the client load balancer when clientAccess is
nlb or privatelink, the instances' status-check alarms and the private hosted zone.

NOT counted, because it depends on traffic or data: data transfer (cross-zone replication and
client traffic, internet egress), NAT gateway and interface endpoint per-GB processing, load
balancer capacity units (NLCUs), snapshot storage (grows with the data that changes), flow log
ingestion and storage, CloudWatch Logs, S3 (the SSM transfer bucket), KMS requests, Route 53
queries, burstable (t3) CPU credits beyond the baseline, taxes, free tiers, Savings Plans.

`PRICES` is read by hand from public sources; each entry says where and whether it was checked.
`verified: False` marks a figure no source was found for: it is the best knowledge at the date,
and the rendered table footnotes it. Nothing here imports Pulumi or touches the network.

    python infra/cost_estimate.py Pulumi.dev.yaml Pulumi.prod.yaml   # the README's tables
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Final

import yaml

from .settings import Settings, parse_settings
from .topology import NodeSpec, Zone, plan_nodes

HOURS_PER_MONTH: Final = Decimal(730)
GP3_FREE_IOPS: Final = 3_000
GP3_FREE_THROUGHPUT_MIBPS: Final = 125
SSM_ENDPOINT_SERVICES: Final = ("ssm", "ssmmessages", "ec2messages")
"""The interface endpoints the program creates in every zone with ssmVpcEndpoints
(components/network.py, which imports Pulumi; a test keeps the two equal)."""

PRICES_READ_ON: Final = "2026-12-01"

# Prices in USD, region eu-west-1 (EU Ireland), Linux on-demand, read on 2026-12-01.
# "verified" means a source was found that states the figure for eu-west-1 (or for every
# region); "source" is that URL. Unverified figures are best knowledge, never checked here.
#
# - nat_gateway_hour: verified. AWS Price List offer file AmazonEC2, eu-west-1, publication
#   2026-09-25, https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/20260925174521/eu-west-1/index.json
#   (row EU-NatGateway-Hours $0.048/Hrs; read through a verbatim excerpt of that file in a public
#   repository's test fixture, found with the code search).
# - public_ipv4_hour: verified. $0.005 per public IPv4 address-hour in every region since
#   2024-02-01: https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/ and
#   https://community.aws/content/2c6cKl0W4KQZIO6dWnnDHs1tHSp/aws-to-charge-public-ipv4-addresses
# - EC2 instance hours (t3.large, m7i.large, r7i.2xlarge): unverified. The EC2 pricing page
#   (https://aws.amazon.com/ec2/pricing/on-demand/) renders region prices with JavaScript; no
#   stored copy or public extract with eu-west-1 figures for these types was found.
# - gp3 GiB-month, IOPS-month, MiB/s-month: unverified (https://aws.amazon.com/ebs/pricing/ shows
#   region prices with JavaScript; 0.088 for eu-west-1 appears only in a third-party test seed).
# - interface endpoint hour per zone: unverified (https://aws.amazon.com/privatelink/pricing/
#   states the billing unit, per endpoint per zone per hour, but the stored copy has no figures).
# - network load balancer hour: unverified (https://aws.amazon.com/elasticloadbalancing/pricing/).
# - CloudWatch standard-resolution alarm metric-month: unverified for eu-west-1
#   (https://aws.amazon.com/cloudwatch/pricing/ has no figures in the stored copy;
#   https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm gives $0.10 without a region).
# - Route 53 hosted zone-month: unverified (https://aws.amazon.com/route53/pricing/).


@dataclass(frozen=True)
class Price:
    label: str
    usd: Decimal
    unit: str
    """"h" (billed HOURS_PER_MONTH per month) or a monthly unit such as "GiB-month"."""
    verified: bool
    source: str

    @property
    def hourly(self) -> bool:
        return self.unit == "h"


def _p(label: str, usd: str, unit: str, verified: bool, source: str) -> Price:
    return Price(label, Decimal(usd), unit, verified, source)


_EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/"
_EBS = "https://aws.amazon.com/ebs/pricing/"
PRICES: Final[Mapping[str, Mapping[str, Any]]] = {
    "eu-west-1": {
        "instance_hour": {
            "t3.large": _p("EC2 t3.large", "0.0912", "h", False, _EC2),
            "m7i.large": _p("EC2 m7i.large", "0.1124", "h", False, _EC2),
            "r7i.2xlarge": _p("EC2 r7i.2xlarge", "0.5922", "h", False, _EC2),
        },
        "gp3_gib_month": _p("gp3 storage", "0.088", "GiB-month", False, _EBS),
        "gp3_iops_month": _p("gp3 IOPS", "0.0055", "IOPS-month", False, _EBS),
        "gp3_mibps_month": _p("gp3 throughput", "0.044", "MiB/s-month", False, _EBS),
        "nat_gateway_hour": _p(
            "NAT gateway hour",
            "0.048",
            "h",
            True,
            "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/20260925174521/"
            "eu-west-1/index.json",
        ),
        "public_ipv4_hour": _p(
            "public IPv4 hour",
            "0.005",
            "h",
            True,
            "https://www.doit.com/aws-public-ipv4-price-increase-the-complete-guide/",
        ),
        "interface_endpoint_zone_hour": _p(
            "interface endpoint hour", "0.011", "h", False, "https://aws.amazon.com/privatelink/pricing/"
        ),
        "nlb_hour": _p(
            "load balancer hour", "0.0252", "h", False, "https://aws.amazon.com/elasticloadbalancing/pricing/"
        ),
        "alarm_month": _p(
            "CloudWatch alarm", "0.10", "alarm-month", False, "https://aws.amazon.com/cloudwatch/pricing/"
        ),
        "hosted_zone_month": _p(
            "Route 53 hosted zone", "0.50", "zone-month", False, "https://aws.amazon.com/route53/pricing/"
        ),
    },
}

NOT_COUNTED: Final = (
    "data transfer (replication across zones, clients, internet egress), NAT gateway and interface "
    "endpoint per-GB processing, load balancer capacity units, snapshot storage, flow log "
    "ingestion and storage, S3, KMS and Route 53 queries, t3 CPU credits above the baseline, "
    "taxes, free tiers and discounts"
)


class PriceError(KeyError):
    """The price table has no price for the stack's region or one of its instance types."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class LineItem:
    what: str
    quantity: Decimal
    unit: str
    """What `quantity` counts: instances, GiB, IOPS, endpoint-zones ..."""
    price: Price
    resources: tuple[str, ...] = ()
    """The nodes (or volumes, by node name) the line covers."""

    @property
    def usd_month(self) -> Decimal:
        amount = self.quantity * self.price.usd * (HOURS_PER_MONTH if self.price.hourly else 1)
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: str
    lines: tuple[LineItem, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.usd_month for line in self.lines), Decimal(0))


def _region_prices(region: str) -> Mapping[str, Any]:
    if region not in PRICES:
        raise PriceError(
            f"no prices for region {region!r} in the cost table (infra/kafkakit_aws/cost.py PRICES "
            f"has {', '.join(sorted(PRICES))}); add that region's prices, with their sources, first"
        )
    return PRICES[region]


def placeholder_zones(settings: Settings) -> list[Zone]:
    """Zones only decide placement, not cost: the pinned ones, else zone-1 ... zone-N."""
    names = settings.availability_zones or tuple(f"zone-{i}" for i in range(1, settings.zone_count + 1))
    return [Zone(name=z, id=z) for z in names]


def estimate(settings: Settings, region: str, stack: str = "") -> Estimate:
    """The stack's fixed monthly cost, line by line. Raises PriceError for an unknown region or
    an instance type the table lacks."""
    prices = _region_prices(region)
    nodes = plan_nodes(settings, placeholder_zones(settings))
    everyone = tuple(n.name for n in nodes)
    lines: list[LineItem] = []

    by_machine: dict[tuple[str, str], list[str]] = {}
    for node in nodes:
        by_machine.setdefault((node.role, node.instance_type), []).append(node.name)
    for (role, instance_type), names in by_machine.items():
        if instance_type not in prices["instance_hour"]:
            raise PriceError(
                f"no price for instance type {instance_type} in region {region} (the cost table has "
                f"{', '.join(sorted(prices['instance_hour']))})"
            )
        price = prices["instance_hour"][instance_type]
        lines.append(
            LineItem(f"EC2 {instance_type} ({role})", Decimal(len(names)), "instances", price, tuple(names))
        )

    by_role: dict[str, list[NodeSpec]] = {}
    for node in nodes:
        by_role.setdefault(node.role, []).append(node)
    for role, members in by_role.items():
        names = tuple(n.name for n in members)
        size = sum(n.volume.size_gib for n in members)
        iops = sum(max(0, n.volume.iops - GP3_FREE_IOPS) for n in members)
        mibps = sum(max(0, n.volume.throughput_mibps - GP3_FREE_THROUGHPUT_MIBPS) for n in members)
        lines.append(
            LineItem(f"gp3 data volumes ({role})", Decimal(size), "GiB", prices["gp3_gib_month"], names)
        )
        if iops:
            what = f"gp3 IOPS above {GP3_FREE_IOPS:,} ({role})"
            lines.append(LineItem(what, Decimal(iops), "IOPS", prices["gp3_iops_month"], names))
        if mibps:
            what = f"gp3 throughput above {GP3_FREE_THROUGHPUT_MIBPS} MiB/s ({role})"
            lines.append(LineItem(what, Decimal(mibps), "MiB/s", prices["gp3_mibps_month"], names))
    root = Decimal(settings.root_volume_size_gib * len(nodes))
    lines.append(LineItem("gp3 root volumes", root, "GiB", prices["gp3_gib_month"], everyone))

    nats = {"none": 0, "single": 1, "per-zone": settings.zone_count}[settings.nat_gateways]
    if nats:
        lines.append(LineItem("NAT gateways", Decimal(nats), "gateways", prices["nat_gateway_hour"]))
        what = "public IPv4 (the NAT gateways' Elastic IPs)"
        lines.append(LineItem(what, Decimal(nats), "IPs", prices["public_ipv4_hour"]))
    if settings.ssm_vpc_endpoints:
        endpoints = Decimal(len(SSM_ENDPOINT_SERVICES) * settings.zone_count)
        what = (
            f"SSM interface endpoints ({len(SSM_ENDPOINT_SERVICES)} services x {settings.zone_count} zones)"
        )
        lines.append(LineItem(what, endpoints, "endpoint-zones", prices["interface_endpoint_zone_hour"]))
    if settings.client_access != "none":
        what = f"network load balancer (clientAccess {settings.client_access})"
        lines.append(LineItem(what, Decimal(1), "load balancers", prices["nlb_hour"]))
    # components/operations.py: the system status check on every instance, and with
    # alarmTopicArn the instance status check as well.
    alarms = Decimal(len(nodes) * (2 if settings.alarm_topic_arn else 1))
    lines.append(
        LineItem("CloudWatch status-check alarms", alarms, "alarms", prices["alarm_month"], everyone)
    )
    lines.append(LineItem("Route 53 private hosted zone", Decimal(1), "zones", prices["hosted_zone_month"]))
    return Estimate(stack=stack, region=region, lines=tuple(lines))


# --------------------------------------------------------------------------- stack files


def load_stack_file(path: str | Path, project: str = "kafka-kit") -> tuple[str, str, dict[str, Any]]:
    """(stack name, region, kafka-kit:* values) of a stack file Pulumi.<stack>.yaml."""
    path = Path(path)
    data = yaml.safe_load(path.read_text())["config"]
    prefix = f"{project}:"
    values = {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    return stack, data.get("aws:region", ""), values


def estimate_stack_file(path: str | Path) -> Estimate:
    stack, region, values = load_stack_file(path)
    return estimate(parse_settings(values, stack), region, stack)


# --------------------------------------------------------------------------- markdown


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _unit_price(line: LineItem) -> str:
    return f"{line.price.usd}/{line.price.unit}" + ("" if line.price.verified else " \\*")


def _quantity(line: LineItem) -> str:
    singular = line.quantity == 1 and line.unit not in ("IOPS", "MiB/s")
    unit = line.unit.removesuffix("s") if singular else line.unit
    return f"{line.quantity:,} {unit}"


def render_table(est: Estimate) -> str:
    rows = [
        f"**{est.stack}** (`Pulumi.{est.stack}.yaml`, {est.region}): **USD {_money(est.total)} per month**",
        "",
        "| item | quantity | unit price (USD) | USD/month |",
        "| --- | ---: | ---: | ---: |",
    ]
    rows += [
        f"| {line.what} | {_quantity(line)} | {_unit_price(line)} | {_money(line.usd_month)} |"
        for line in est.lines
    ]
    rows.append(f"| **total** | | | **{_money(est.total)}** |")
    return "\n".join(rows)


def render_markdown(estimates: Sequence[Estimate]) -> str:
    """The README's tables: one per stack, then the price date, region, what is unverified and
    what is not counted."""
    regions = sorted({e.region for e in estimates})
    used = {line.price.label: line.price for e in estimates for line in e.lines}
    verified = [label for label, price in used.items() if price.verified]
    unverified = [label for label, price in used.items() if not price.verified]
    parts = [render_table(e) for e in estimates]
    note = (
        f"List prices in {', '.join(regions)}, on demand, read on {PRICES_READ_ON}; a month is "
        f"{HOURS_PER_MONTH} hours. Checked against a source: {', '.join(verified) or 'none'}."
    )
    if unverified:
        note += (
            f" \\* Unverified (no source with this region's figure was found; best knowledge, "
            f"check the AWS pricing pages before relying on it): {', '.join(unverified)}."
        )
    note += (
        " Sources per price: `infra/kafkakit_aws/cost.py`. Not counted, because they depend on "
        f"traffic and data: {NOT_COUNTED}."
    )
    parts.append(note)
    return "\n\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: cost_estimate.py Pulumi.<stack>.yaml [...]", file=sys.stderr)
        return 2
    try:
        estimates = [estimate_stack_file(p) for p in paths]
    except PriceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(render_markdown(estimates))
    return 0
