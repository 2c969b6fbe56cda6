"""Pulumi.yaml against the program, the first-boot script, and the components' args checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from kafkakit_aws.components import (
    ClusterNodesArgs,
    NetworkArgs,
    NodeIamArgs,
    PrivateDnsArgs,
    SecurityGroupsArgs,
)
from kafkakit_aws.components._common import ArgsError
from kafkakit_aws.firewall import FirewallInputs
from kafkakit_aws.rollout import Machine
from kafkakit_aws.settings import KEYS, Ports, parse_settings
from kafkakit_aws.topology import Zone, plan_nodes
from kafkakit_aws.userdata import APT_PROXY_FILE, ssm_agent_user_data

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())


def test_project_file_runs_the_program_in_infra():
    assert PROJECT["name"] == "kafka-kit"
    assert PROJECT["runtime"]["name"] == "python"
    assert PROJECT["runtime"]["options"]["virtualenv"] == ".venv"
    assert PROJECT["main"] == "infra/"
    assert (REPO_ROOT / PROJECT["main"] / "__main__.py").is_file()


def test_project_config_declares_exactly_the_programs_keys():
    declared = PROJECT["config"]
    assert set(declared) == set(KEYS)
    for key, spec in KEYS.items():
        entry = declared[key]
        assert entry["type"] == spec.type, key
        # Declared keys without a default would be required by the Pulumi CLI.
        assert entry["default"] == spec.default, key
        assert len(entry["description"]) > 20, key
        if spec.type == "array":
            assert entry["items"] == {"type": "string"}, key


def test_example_stacks_only_set_known_keys():
    for stack in ("dev", "prod"):
        config = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
        assert config["aws:region"]
        keys = {k.split(":", 1)[1] for k in config if k.startswith("kafka-kit:")}
        assert keys <= set(KEYS)


def test_user_data_installs_the_ssm_agent_from_the_regional_bucket():
    script = ssm_agent_user_data("eu-west-1")
    assert script.startswith("#!/bin/bash\n")
    assert (
        'url="https://s3.eu-west-1.amazonaws.com/amazon-ssm-eu-west-1/latest/debian_${arch}/'
        'amazon-ssm-agent.deb"'
    ) in script
    assert "systemctl enable --now amazon-ssm-agent" in script
    # The agent starts last, so "online" in SSM means first boot is done (curl is there).
    assert script.rindex("systemctl enable --now amazon-ssm-agent") > script.index("apt-get install -y curl")
    assert APT_PROXY_FILE not in script
    assert "amazonaws.com.cn" in ssm_agent_user_data("cn-north-1", "amazonaws.com.cn")


def test_user_data_points_apt_at_the_proxy_before_installing_anything():
    script = ssm_agent_user_data("eu-west-1", apt_proxy_url="http://10.0.5.10:3142")
    assert script.index(APT_PROXY_FILE) < script.index("apt-get update")
    assert "Acquire::http::Proxy" in script and "'http://10.0.5.10:3142'" in script


def test_component_args_are_checked_with_clear_errors():
    with pytest.raises(ArgsError, match=r"NetworkArgs: zones repeat"):
        NetworkArgs(cluster_name="k", vpc_cidr="10.0.0.0/16", zones=("a", "a"), region="eu-west-1")
    with pytest.raises(ArgsError, match=r"NetworkArgs: vpc_cidr must be /16 to /24"):
        NetworkArgs(cluster_name="k", vpc_cidr="10.0.0.0/8", zones=("a",), region="eu-west-1")
    with pytest.raises(ValueError, match=r"NetworkArgs: vpc_cidr 'x'"):
        NetworkArgs(cluster_name="k", vpc_cidr="x", zones=("a",), region="eu-west-1")
    with pytest.raises(ArgsError, match=r"0.0.0.0/0 is never allowed inbound"):
        SecurityGroupsArgs(
            cluster_name="k",
            vpc_id="vpc-1",
            s3_prefix_list_id="pl-1",
            firewall=FirewallInputs(
                roles=("broker",),
                ports=Ports(),
                vpc_cidr="10.0.0.0/16",
                ssh_allowed_cidrs=("0.0.0.0/0",),
            ),
        )
    with pytest.raises(ArgsError, match=r"NodeIamArgs: bad partition"):
        NodeIamArgs(cluster_name="k", partition="gcp")
    with pytest.raises(ArgsError, match=r"'Kafka_1' is not a DNS label"):
        PrivateDnsArgs(cluster_name="k", zone_name="k.internal", vpc_id="v", addresses={"Kafka_1": "1"})
    nodes = tuple(plan_nodes(parse_settings({}, "t"), [Zone("eu-west-1a", "euw1-az1")]))
    machines = {n.name: Machine("ami-1", n.instance_type, None, None) for n in nodes}
    with pytest.raises(ArgsError, match=r"kafka-broker-1: no subnet in eu-west-1a"):
        ClusterNodesArgs(
            cluster_name="k",
            nodes=nodes,
            machines=machines,
            subnet_ids={},
            security_group_ids={"broker": [], "controller": []},
            instance_profile_name="p",
            user_data="",
            dns_zone_name="k.internal",
        )
