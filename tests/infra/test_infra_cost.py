"""The monthly cost estimate (infra/kafkakit_aws/cost.py) of the example stacks, and the README's
copy of it: computed from the stack files, never from hard-coded totals."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from infra_harness import REPO_ROOT, readme_block, stack_file_config
from kafkakit_aws import cost
from kafkakit_aws.components.network import SSM_ENDPOINT_SERVICES
from kafkakit_aws.settings import parse_settings
from kafkakit_aws.topology import Zone, plan_nodes

STACKS = ("dev", "prod")


def _stack(name: str):
    region, values = stack_file_config(name)
    settings = parse_settings(values, name)
    return settings, region, cost.estimate(settings, region, name)


def _nodes(settings):
    return plan_nodes(settings, [Zone(z, z) for z in settings.availability_zones])


@pytest.mark.parametrize("name", STACKS)
def test_every_instance_of_the_stack_has_an_instance_line(name):
    settings, _, est = _stack(name)
    nodes = _nodes(settings)
    ec2 = [line for line in est.lines if line.what.startswith("EC2 ")]
    covered = [node for line in ec2 for node in line.resources]
    assert sorted(covered) == sorted(n.name for n in nodes)
    assert sum(line.quantity for line in ec2) == len(nodes)
    for line in ec2:
        types = {n.instance_type for n in nodes if n.name in line.resources}
        assert types == {line.what.split()[1]}
        assert line.price is cost.PRICES["eu-west-1"]["instance_hour"][line.what.split()[1]]


@pytest.mark.parametrize("name", STACKS)
def test_volume_lines_follow_the_stacks_sizes_iops_and_throughput(name):
    settings, _, est = _stack(name)
    nodes = _nodes(settings)
    lines = {line.what: line for line in est.lines}
    for role in {n.role for n in nodes}:
        members = [n for n in nodes if n.role == role]
        assert lines[f"gp3 data volumes ({role})"].quantity == sum(n.volume.size_gib for n in members)
        extra_iops = sum(max(0, n.volume.iops - 3000) for n in members)
        extra_mibps = sum(max(0, n.volume.throughput_mibps - 125) for n in members)
        if extra_iops:
            assert lines[f"gp3 IOPS above 3,000 ({role})"].quantity == extra_iops
        else:
            assert f"gp3 IOPS above 3,000 ({role})" not in lines
        if extra_mibps:
            assert lines[f"gp3 throughput above 125 MiB/s ({role})"].quantity == extra_mibps
        else:
            assert f"gp3 throughput above 125 MiB/s ({role})" not in lines
    assert lines["gp3 root volumes"].quantity == settings.root_volume_size_gib * len(nodes)


def test_prod_pays_for_provisioned_iops_and_throughput_dev_does_not():
    _, _, prod = _stack("prod")
    _, _, dev = _stack("dev")
    assert any(line.what.startswith("gp3 IOPS") for line in prod.lines)
    assert any(line.what.startswith("gp3 throughput") for line in prod.lines)
    assert not any(line.what.startswith(("gp3 IOPS", "gp3 throughput")) for line in dev.lines)


@pytest.mark.parametrize("name", STACKS)
def test_network_lines_follow_nat_mode_endpoints_and_client_access(name):
    settings, _, est = _stack(name)
    lines = {line.what.split(" (")[0]: line for line in est.lines}
    nats = {"none": 0, "single": 1, "per-zone": settings.zone_count}[settings.nat_gateways]
    assert (lines["NAT gateways"].quantity if "NAT gateways" in lines else 0) == nats
    if nats:
        assert lines["public IPv4"].quantity == nats
    endpoints = lines.get("SSM interface endpoints")
    if settings.ssm_vpc_endpoints:
        assert endpoints.quantity == len(SSM_ENDPOINT_SERVICES) * settings.zone_count
    else:
        assert endpoints is None
    assert ("network load balancer" in lines) == (settings.client_access != "none")
    alarms = lines["CloudWatch status-check alarms"].quantity
    assert alarms == len(_nodes(settings)) * (2 if settings.alarm_topic_arn else 1)


def test_the_endpoint_services_priced_are_the_ones_the_program_creates():
    assert cost.SSM_ENDPOINT_SERVICES == SSM_ENDPOINT_SERVICES


def test_a_client_load_balancer_is_priced_when_enabled():
    _, values = stack_file_config("prod")
    settings = parse_settings({**values, "clientAccess": "nlb"}, "prod")
    est = cost.estimate(settings, "eu-west-1", "prod")
    (nlb,) = [line for line in est.lines if line.what.startswith("network load balancer")]
    assert nlb.quantity == 1
    assert nlb.price.hourly


@pytest.mark.parametrize("name", STACKS)
def test_the_total_is_the_sum_of_the_lines_at_730_hours(name):
    _, _, est = _stack(name)
    assert est.lines
    assert est.total == sum(line.usd_month for line in est.lines)
    for line in est.lines:
        hours = Decimal(730) if line.price.hourly else Decimal(1)
        assert line.usd_month == (line.quantity * line.price.usd * hours).quantize(Decimal("0.01"))
        assert line.usd_month > 0


def test_every_price_names_a_source_and_unverified_ones_are_marked_in_the_table():
    for region, table in cost.PRICES.items():
        prices = [*table["instance_hour"].values(), *(v for k, v in table.items() if k != "instance_hour")]
        for price in prices:
            assert price.source.startswith("https://"), (region, price.label)
    text = cost.render_markdown([_stack(n)[2] for n in STACKS])
    for name in STACKS:
        for line in _stack(name)[2].lines:
            row = next(r for r in text.splitlines() if r.startswith(f"| {line.what} |"))
            assert row.split("|")[3].strip().endswith("\\*") == (not line.price.verified)
            if not line.price.verified:
                assert line.price.label in text.split("Unverified")[1]


def test_unknown_region_is_an_error_naming_the_region_and_the_tables_regions():
    settings, _, _ = _stack("dev")
    with pytest.raises(cost.PriceError) as error:
        cost.estimate(settings, "ap-southeast-7", "dev")
    message = str(error.value)
    assert "ap-southeast-7" in message
    for region in cost.PRICES:
        assert region in message


def test_unknown_instance_type_is_an_error_naming_it():
    _, values = stack_file_config("dev")
    settings = parse_settings({**values, "brokerInstanceType": "x2idn.metal"}, "dev")
    with pytest.raises(cost.PriceError, match=r"x2idn\.metal"):
        cost.estimate(settings, "eu-west-1", "dev")


def _script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "infra" / "cost_estimate.py"), *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )


def test_the_readme_shows_what_the_script_prints_for_the_example_stacks():
    done = _script(*(f"Pulumi.{n}.yaml" for n in STACKS))
    assert done.returncode == 0, done.stderr
    assert done.stdout == cost.render_markdown([_stack(n)[2] for n in STACKS])
    assert readme_block("cost-estimate") == done.stdout, (
        "README.md's cost tables differ from `python infra/cost_estimate.py Pulumi.dev.yaml "
        "Pulumi.prod.yaml`: paste its output between the markers"
    )


def test_the_script_refuses_a_region_without_prices(tmp_path):
    stack = tmp_path / "Pulumi.far.yaml"
    stack.write_text(
        (REPO_ROOT / "Pulumi.dev.yaml").read_text().replace("aws:region: eu-west-1", "aws:region: sa-east-1")
    )
    done = _script(str(stack))
    assert done.returncode == 1
    assert "sa-east-1" in done.stderr
    assert "eu-west-1" in done.stderr
    assert _script().returncode == 2
