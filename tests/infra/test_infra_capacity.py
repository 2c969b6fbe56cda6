"""The produce ceiling on paper (infra/kafkakit_aws/capacity.py) of the default and example stacks,
and the README's copy of it: computed from the stack files and AWS's instance facts."""

from __future__ import annotations

import subprocess
import sys

import pytest
from infra_harness import REPO_ROOT, readme_block, stack_file_config
from kafkakit_aws import capacity
from kafkakit_aws.settings import parse_settings
from kafkakit_aws.sizing import InstanceFacts


def _stack(name: str) -> capacity.WriteCapacity:
    _, values = stack_file_config(name)
    return capacity.write_capacity(parse_settings(values, name), stack=name)


@pytest.mark.parametrize("instance_type", sorted(capacity.RECORDED_FACTS))
def test_the_recorded_facts_are_what_describe_instance_types_answers(instance_type):
    from moto.ec2.models.instance_types import INSTANCE_TYPES  # noqa: PLC0415 (AWS's data, as moto ships it)

    described = INSTANCE_TYPES[instance_type]
    assert capacity.RECORDED_FACTS[instance_type] == InstanceFacts.from_describe(described)


def test_the_default_stack_is_bound_by_its_gp3_volumes():
    default = capacity.write_capacity(parse_settings({}, "t"))
    assert (default.brokers, default.replication_factor, default.instance_type) == (3, 3, "m7i.xlarge")
    assert default.bound == "gp3 volume"
    assert round(default.cluster_mbps, 1) == 131.1  # 3 / 3 x 125 MiB/s


def test_a_volume_faster_than_the_instance_is_bound_by_the_ebs_baseline():
    wide = capacity.write_capacity(parse_settings({"brokerVolumeThroughputMibps": 250}, "t"))
    assert wide.bound == "EBS baseline"
    assert round(wide.cluster_mbps, 2) == 156.25


def test_the_example_stacks():
    dev, prod = _stack("dev"), _stack("prod")
    # t3.large's network baseline (0.512 Gbit/s) is below its volume and its EBS baseline.
    assert (dev.bound, round(dev.cluster_mbps)) == ("network baseline", 64)
    # Six brokers at 290 MiB/s each, every byte on three of them.
    assert (prod.brokers, prod.bound, round(prod.cluster_mbps, 1)) == (6, "gp3 volume", 608.2)


def test_more_brokers_per_replica_raise_the_ceiling_in_proportion():
    three = capacity.write_capacity(parse_settings({"brokerCount": 3}, "t"))
    six = capacity.write_capacity(parse_settings({"brokerCount": 6}, "t"))
    assert six.cluster_mbps == pytest.approx(2 * three.cluster_mbps)
    assert capacity.write_capacity(parse_settings({}, "t"), replication_factor=1).cluster_mbps == (
        pytest.approx(3 * three.cluster_mbps)
    )


def test_an_instance_type_without_facts_is_named():
    with pytest.raises(KeyError, match=r"c6in\.large"):
        capacity.write_capacity(parse_settings({"brokerInstanceType": "c6in.large"}, "t"))


def test_the_readme_shows_what_the_script_prints():
    script = REPO_ROOT / "infra" / "capacity_estimate.py"
    done = subprocess.run(
        [sys.executable, str(script), "Pulumi.dev.yaml", "Pulumi.prod.yaml"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert readme_block("capacity-estimate") == done.stdout, (
        "README.md's capacity table differs from `python infra/capacity_estimate.py Pulumi.dev.yaml "
        "Pulumi.prod.yaml`: paste its output between the markers"
    )
