"""The hand-off to Ansible against an AWS API emulator (moto, on 127.0.0.1), not only mocks.

Each case runs the program under Pulumi's mocks, then creates in the emulator what it declared,
the way it declares it: the VPC and subnets, the SSM transfer bucket, the instance role and
profile, every data volume, every instance with the program's tags (the data volume's tag
carrying the emulator's volume id), the attachment at /dev/sdf, and the private zone's records.
Then the two inventories are built the two ways a user builds them:
  - the stack output (inventory.build_inventory over the emulator's instance ids, addresses and
    volume ids, as ClusterNodes does over the real ones) through infra/write_inventory.py;
  - the real amazon.aws.aws_ec2 plugin with inventories/aws/aws_ec2.yml, pointed at the emulator
    (`ansible-inventory --list`).
Both must give every host the same variables and pass the contract (playbooks/validate.yml).
Nothing leaves 127.0.0.1; the emulator is stopped when the module is done.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from infra_harness import (
    INSTANCE,
    RECORD,
    VOLUME,
    ProgramRun,
    resolve_listener_protocols,
    run_program,
    stack_file_config,
)
from kafkakit_aws import outputs
from kafkakit_aws.inventory import (
    PROBLEM_GROUPS,
    ClusterVars,
    Connection,
    build_inventory,
    check_inventory,
    effective_host_vars,
    from_listing,
    host_facts,
    ssm_command_timeout,
)
from kafkakit_aws.settings import Settings, parse_settings
from kafkakit_aws.sizing import InstanceFacts, check_volumes
from kafkakit_aws.topology import DATA_DEVICE_NAME, Zone, plan_nodes
from moto.server import ThreadedMotoServer

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
AWS_EC2_CONFIG = REPO_ROOT / "inventories" / "aws" / "aws_ec2.yml"
WRITER = REPO_ROOT / "infra" / "write_inventory.py"
REGION = "eu-west-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": REGION}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    """moto's server for EC2, IAM, Route 53 and S3 on a free loopback port, for this module."""
    with pytest.MonkeyPatch.context() as patch:
        # AWS's managed policies (AmazonSSMManagedInstanceCore), which the instance role attaches.
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def aws(emulator, offline_validate, operator_secrets) -> Emulated:
    """The emulated account. Tests share it: each deploys a cluster of its own name, which is all
    the dynamic inventory looks at (its tag filter)."""
    return Emulated(emulator, offline_validate, operator_secrets)


class Emulated:
    def __init__(
        self, url: str, offline_validate: tuple[dict[str, str], list[str]], operator_secrets: list[str]
    ):
        self.url = url
        self.ec2 = self.client("ec2")
        self.validate_env, release_args = offline_validate
        self.validate_args = [*release_args, *operator_secrets]

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, **CREDENTIALS)

    def env(self, cluster: str, tmp_path: Path) -> dict[str, str]:
        """What a user sets to point Ansible's AWS plugins at this account (here: the emulator)."""
        return {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_URL": self.url,
            "AWS_ENDPOINT_URL": self.url,
            "KAFKAKIT_CLUSTER": cluster,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
            "ANSIBLE_DEPRECATION_WARNINGS": "0",
            **self.validate_env,
        }

    def zones(self) -> dict[str, str]:
        return {
            z["ZoneName"]: z["ZoneId"] for z in self.ec2.describe_availability_zones()["AvailabilityZones"]
        }


@dataclass
class Stack:
    """A stack the program declared and the emulator now holds."""

    run: ProgramRun
    config: dict[str, Any]
    instances: dict[str, str]
    """Instance id by node name."""
    volumes: dict[str, str]
    """Data volume id by node name."""

    @property
    def settings(self) -> Settings:
        return parse_settings(self.config, "emulated")


def _tags(mapping: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": str(v)} for k, v in mapping.items()]


def deploy(aws: Emulated, config: dict[str, Any], run: ProgramRun | None = None) -> Stack:
    """Run the program under mocks (unless `run` is its run already) and create what it declared
    in the emulator."""
    run = run or run_program(config, stack="emulated", zone_ids=aws.zones())
    ec2 = aws.ec2
    vpc_id = ec2.create_vpc(CidrBlock=parse_settings(config, "emulated").vpc_cidr)["Vpc"]["VpcId"]
    subnets = {}
    for subnet in run.of_type("aws:ec2/subnet:Subnet"):
        if subnet.state["tags"]["kafka-kit:tier"] == "private":
            zone = subnet.state["availabilityZone"]
            made = ec2.create_subnet(VpcId=vpc_id, CidrBlock=subnet.state["cidrBlock"], AvailabilityZone=zone)
            subnets[zone] = made["Subnet"]["SubnetId"]
    bucket = run.outputs[outputs.SSM_BUCKET_NAME]
    aws.client("s3").create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    profile = _instance_profile(aws, run)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    volumes_by_node = {v.state["tags"]["kafka-kit:node"]: v.state for v in run.of_type(VOLUME)}
    instances, volumes = {}, {}
    for declared in run.of_type(INSTANCE):
        node = declared.state["tags"]["kafka-kit:node"]
        volume = volumes_by_node[node]
        volume_id = ec2.create_volume(
            AvailabilityZone=volume["availabilityZone"],
            Size=int(volume["size"]),
            VolumeType=volume["type"],
            Iops=int(volume["iops"]),
            Throughput=int(volume["throughput"]),
            Encrypted=volume["encrypted"],
            TagSpecifications=[{"ResourceType": "volume", "Tags": _tags(volume["tags"])}],
        )["VolumeId"]
        tags = {**declared.state["tags"], "kafka-kit:data-volume": volume_id}
        instance_id = ec2.run_instances(
            ImageId=image,
            InstanceType=declared.state["instanceType"],
            SubnetId=subnets[declared.state["availabilityZone"]],
            IamInstanceProfile={"Name": profile},
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(tags)}],
        )["Instances"][0]["InstanceId"]
        ec2.attach_volume(VolumeId=volume_id, InstanceId=instance_id, Device=DATA_DEVICE_NAME)
        instances[node], volumes[node] = instance_id, volume_id
    stack = Stack(run=run, config=config, instances=instances, volumes=volumes)
    _private_zone(aws, stack, vpc_id)
    return stack


def _instance_profile(aws: Emulated, run: ProgramRun) -> str:
    iam = aws.client("iam")
    (role,) = [r for r in run.of_type("aws:iam/role:Role") if r.name.endswith("-iam-node")]
    name = role.state["name"]
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=role.state["assumeRolePolicy"])
    for attachment in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        if attachment.state["role"] == name:
            iam.attach_role_policy(RoleName=name, PolicyArn=attachment.state["policyArn"])
    (profile,) = run.of_type("aws:iam/instanceProfile:InstanceProfile")
    iam.create_instance_profile(InstanceProfileName=profile.state["name"])
    iam.add_role_to_instance_profile(InstanceProfileName=profile.state["name"], RoleName=name)
    return profile.state["name"]


def _private_zone(aws: Emulated, stack: Stack, vpc_id: str) -> None:
    """The private zone and one A record per node, with the emulator's addresses."""
    route53 = aws.client("route53")
    zone_name = stack.run.outputs[outputs.DNS_ZONE_NAME]
    zone_id = route53.create_hosted_zone(
        Name=zone_name,
        CallerReference=zone_name,
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": REGION, "VPCId": vpc_id},
    )["HostedZone"]["Id"]
    addresses = {
        node: _instance(aws, instance_id)["PrivateIpAddress"] for node, instance_id in stack.instances.items()
    }
    changes = [
        {
            "Action": "CREATE",
            "ResourceRecordSet": {
                "Name": record.state["name"],
                "Type": "A",
                "TTL": int(record.state["ttl"]),
                "ResourceRecords": [{"Value": addresses[record.state["name"].split(".", 1)[0]]}],
            },
        }
        for record in stack.run.of_type(RECORD)
        if "records" in record.state  # not the alias to the client load balancer
    ]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


def _instance(aws: Emulated, instance_id: str) -> dict[str, Any]:
    return aws.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def stack_output_inventory(aws: Emulated, stack: Stack) -> dict[str, Any]:
    """What the program's ansible_inventory output holds for the emulator's resources."""
    settings = stack.settings
    zone_ids = aws.zones()
    zones = [Zone(name, zone_ids[name]) for name in stack.run.outputs[outputs.AVAILABILITY_ZONES]]
    address = {i: _instance(aws, i)["PrivateIpAddress"] for i in stack.instances.values()}
    base = settings.external_port_base if settings.external_listener else None
    hosts = [
        host_facts(
            node,
            instance_id=stack.instances[node.name],
            private_ip=address[stack.instances[node.name]],
            data_volume_id=stack.volumes[node.name],
            dns_zone_name=settings.dns_zone_name,
            external_port_base=base,
        )
        for node in plan_nodes(settings, zones)
    ]
    connection = Connection(
        settings.ansible_connection,
        REGION,
        stack.run.outputs[outputs.SSM_BUCKET_NAME],
        f"https://s3.{REGION}.amazonaws.com",
    )
    return build_inventory(cluster=ClusterVars.of(settings), connection=connection, hosts=hosts)


def written_inventory(inventory: dict[str, Any], tmp_path: Path) -> Path:
    """infra/write_inventory.py fed the stack output (as `make inventory` is)."""
    source = tmp_path / "outputs.json"
    source.write_text(json.dumps({outputs.ANSIBLE_INVENTORY: inventory}))
    target = tmp_path / "hosts.yml"
    result = subprocess.run(
        [sys.executable, str(WRITER), "--input", str(source), "--output", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return target


def dynamic_listing(aws: Emulated, stack: Stack, tmp_path: Path) -> dict[str, Any]:
    """The real aws_ec2 plugin with the repository's config, against the emulator."""
    result = subprocess.run(
        [str(VENV_BIN / "ansible-inventory"), "-i", str(AWS_EC2_CONFIG), "--list"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env=aws.env(stack.settings.cluster_name, tmp_path),
    )
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert listing.get("_meta", {}).get("hostvars"), result.stderr
    return listing


def validate(aws: Emulated, inventory: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The contract check (no host is contacted; releases from the test's own cache)."""
    playbook = str(REPO_ROOT / "playbooks" / "validate.yml")
    return subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), *aws.validate_args, playbook],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env=env,
    )


def assert_same_and_valid(
    aws: Emulated, stack: Stack, tmp_path: Path, *, contract: bool = True
) -> tuple[dict, dict]:
    """Both inventories give every host the same variables, pass the inventory module's checks
    and (with `contract`) playbooks/validate.yml. Returns the hosts' variables and the listing."""
    static = stack_output_inventory(aws, stack)
    hosts_file = written_inventory(static, tmp_path)
    listing = dynamic_listing(aws, stack, tmp_path)
    dynamic = from_listing(listing)
    assert check_inventory(dynamic) == []
    written = effective_host_vars(yaml.safe_load(hosts_file.read_text()))
    assert resolve_listener_protocols(written) == effective_host_vars(dynamic)
    for group in ("kafka_broker", "kafka_controller", "zookeeper", "monitoring"):
        assert sorted(static["all"]["children"][group]["hosts"]) == sorted(
            dynamic["all"]["children"][group]["hosts"]
        ), group
    env = aws.env(stack.settings.cluster_name, tmp_path)
    for inventory in (hosts_file, AWS_EC2_CONFIG) if contract else ():
        result = validate(aws, inventory, env)
        assert result.returncode == 0, f"{inventory}:\n{result.stdout}\n{result.stderr}"
        assert "failed=0" in result.stdout
    return effective_host_vars(static), listing


# --------------------------------------------------------------------------- the cases


def test_production_stack_gives_equal_inventories_that_pass_the_contract(aws, tmp_path):
    """The example prod stack: dedicated controllers, a monitoring host, SSM with a command
    timeout long enough for the roles (defect 1), racks from zone ids (defect 5)."""
    _, config = stack_file_config("prod")
    stack = deploy(aws, {**config, "clusterName": "emulated-prod"})
    hosts, _ = assert_same_and_valid(aws, stack, tmp_path)
    assert len(hosts) == 10
    assert {h["ansible_aws_ssm_timeout"] for h in hosts.values()} == {ssm_command_timeout()}
    assert ssm_command_timeout() > 60  # the aws_ssm plugin's default
    assert {h["ansible_connection"] for h in hosts.values()} == {"amazon.aws.aws_ssm"}
    assert {h["ansible_host"] for h in hosts.values()} == set(stack.instances.values())
    zone_ids = set(aws.zones().values())
    assert {h["kafka_broker_rack"] for h in hosts.values() if "kafka_broker_rack" in h} == zone_ids
    # The names the inventory advertises resolve, in the private zone, to the nodes.
    route53 = aws.client("route53")
    (zone,) = route53.list_hosted_zones()["HostedZones"]
    records = {
        r["Name"].rstrip("."): r["ResourceRecords"][0]["Value"]
        for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
        if r["Type"] == "A"
    }
    for hvars in hosts.values():
        if "kafka_advertised_host" in hvars:
            assert records[hvars["kafka_advertised_host"]] == hvars["aws_private_ip"]
    bucket = hosts["kafka-broker-1"]["ansible_aws_ssm_bucket_name"]
    assert bucket in {b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]}


MOVED_PORTS = {
    "brokerPort": 19092,
    "controllerPort": 19093,
    "jmxExporterPort": 17071,
    "nodeExporterPort": 19100,
}


@pytest.fixture(scope="module")
def ports_stack(emulator, offline_validate, operator_secrets) -> tuple[Emulated, Stack]:
    """A combined stack (4 brokers, the first 3 controllers) with every Kafka port moved, a
    monitoring host and the client load balancer."""
    aws = Emulated(emulator, offline_validate, operator_secrets)
    config = {"clusterName": "emulated-ports", "brokerCount": 4, "controllerCount": 0, **MOVED_PORTS}
    config |= {"clientCidrs": ["10.0.0.0/8"], "vpcCidr": "10.43.0.0/16"}
    config |= {"monitoringInstance": True, "clientAccess": "nlb"}
    return aws, deploy(aws, config)


def test_ports_reach_both_inventories_the_security_groups_and_the_bootstrap_output(ports_stack, tmp_path):
    """Defect 4: one source of truth for the ports: both inventories, the rules, the output."""
    aws, stack = ports_stack
    hosts, _ = assert_same_and_valid(aws, stack, tmp_path, contract=False)
    expected = {
        "kafka_broker_port": 19092,
        "kafka_controller_port": 19093,
        "kafka_metrics_jmx_exporter_port": 17071,
        "kafka_metrics_node_exporter_port": 19100,
    }
    for hvars in hosts.values():
        assert {k: v for k, v in hvars.items() if k.endswith("_port")} == expected
    rules = stack.run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    by_group_rule = {r.name.split("-sg-", 1)[1]: int(r.state["fromPort"]) for r in rules if "-sg-" in r.name}
    assert by_group_rule["broker-inter-broker"] == by_group_rule["broker-client-10-0-0-0-8"] == 19092
    assert by_group_rule["controller-quorum"] == 19093
    assert by_group_rule["node-jmx-exporter-monitoring"] == 17071
    assert by_group_rule["node-node-exporter-monitoring"] == 19100
    assert set(by_group_rule.values()) & {9092, 9093, 7071, 9100} == set()
    assert stack.run.outputs[outputs.BOOTSTRAP_SERVERS].split(",")[0].endswith(":19092")
    # Every broker's EXTERNAL listener is on its own load balancer port.
    external = {
        n: h["kafka_listeners_extra"][0]["port"] for n, h in hosts.items() if "kafka_listeners_extra" in h
    }
    assert external == {f"kafka-{i}": 9200 + i for i in range(1, 5)}
    assert sorted(hosts) == [*(f"kafka-{i}" for i in range(1, 5)), "monitoring-1"]


def test_moved_ports_pass_the_contract(ports_stack, tmp_path):
    aws, stack = ports_stack
    env = aws.env(stack.settings.cluster_name, tmp_path)
    hosts_file = written_inventory(stack_output_inventory(aws, stack), tmp_path)
    for inventory in (hosts_file, AWS_EC2_CONFIG):
        result = validate(aws, inventory, env)
        assert result.returncode == 0, f"{inventory}:\n{result.stdout}\n{result.stderr}"


def test_zookeeper_stack_gives_equal_inventories(aws, tmp_path):
    config = {**stack_file_config("prod")[1], "mode": "zookeeper", "controllerCount": -1}
    config |= {"clusterName": "emulated-zk", "zookeeperClientPort": 12181, "monitoringInstance": False}
    stack = deploy(aws, config)
    static = effective_host_vars(stack_output_inventory(aws, stack))
    dynamic = from_listing(dynamic_listing(aws, stack, tmp_path))
    assert check_inventory(dynamic) == []
    assert effective_host_vars(dynamic) == static
    assert {h["zookeeper_client_port"] for h in static.values()} == {12181}
    assert sorted(h["zookeeper_myid"] for h in static.values() if "zookeeper_myid" in h) == [1, 2, 3]


def test_an_unattached_data_volume_and_a_doubled_node_fail_the_contract(aws, tmp_path):
    """Defect 8: the dynamic inventory no longer drops host_prep_data_device silently, nor merges
    two instances that carry one node tag (as during a replacement) without a trace."""
    stack = deploy(
        aws, {"clusterName": "emulated-broken", "controllerCount": 0, "clientCidrs": ["10.0.0.0/8"]}
    )
    aws.ec2.detach_volume(VolumeId=stack.volumes["kafka-2"], InstanceId=stack.instances["kafka-2"])
    original = _instance(aws, stack.instances["kafka-3"])
    aws.ec2.run_instances(
        ImageId=original["ImageId"],
        InstanceType=original["InstanceType"],
        SubnetId=original["SubnetId"],
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": original["Tags"]}],
    )
    listing = dynamic_listing(aws, stack, tmp_path)
    dynamic = from_listing(listing)
    device = dynamic["all"]["children"]["kafka_broker"]["hosts"]["kafka-2"]["host_prep_data_device"]
    assert device == f"NOT-ATTACHED:{stack.volumes['kafka-2']}"
    problems = check_inventory(dynamic)
    assert f"kafka-2: host_prep_data_device must be the data volume's /dev path, got '{device}'" in problems
    for host, group in (
        ("kafka-2", "kafka_kit_unattached_data_volume"),
        ("kafka-3", "kafka_kit_duplicate_node"),
    ):
        assert f"{host}: {PROBLEM_GROUPS[group]} (group {group})" in problems
    instance_groups = [
        g for g, v in listing.items() if g.startswith("kafka_kit_instance_") and "kafka-3" in v["hosts"]
    ]
    assert len(instance_groups) == 2


def test_validate_refuses_an_unattached_data_volume(aws, tmp_path):
    """Defect 8 through the contract: the dynamic inventory of a node without its data volume
    stops validate.yml, naming the host and the variable."""
    config = {"clusterName": "emulated-unattached", "controllerCount": 0, "clientCidrs": ["10.0.0.0/8"]}
    stack = deploy(aws, config)
    aws.ec2.detach_volume(VolumeId=stack.volumes["kafka-2"], InstanceId=stack.instances["kafka-2"])
    result = validate(aws, AWS_EC2_CONFIG, aws.env(stack.settings.cluster_name, tmp_path))
    assert result.returncode != 0
    assert "kafka-2" in result.stdout and "host_prep_data_device" in result.stdout, result.stdout
    assert f"NOT-ATTACHED:{stack.volumes['kafka-2']}" in result.stdout


def test_validate_refuses_a_node_claimed_by_two_instances(aws, tmp_path):
    config = {"clusterName": "emulated-doubled", "controllerCount": 0, "clientCidrs": ["10.0.0.0/8"]}
    stack = deploy(aws, config)
    original = _instance(aws, stack.instances["kafka-3"])
    aws.ec2.run_instances(
        ImageId=original["ImageId"],
        InstanceType=original["InstanceType"],
        SubnetId=original["SubnetId"],
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": original["Tags"]}],
    )
    result = validate(aws, AWS_EC2_CONFIG, aws.env(stack.settings.cluster_name, tmp_path))
    assert result.returncode != 0
    assert "kafka_kit_duplicate_node" in result.stdout


def test_volumes_as_declared_fit_what_the_instance_types_sustain(aws, dev, prod):
    """Defect 10: every data volume of the example stacks, as created in the emulator, provisions
    no more than its instance type's baseline EBS throughput and IOPS according to the EC2 API;
    the old default (250 MiB/s on m7i.xlarge, 156.25 MB/s) is refused by the same check."""
    for name, run in (("dev", dev), ("prod", prod)):
        stack = deploy(aws, stack_file_config(name)[1], run)
        for node, volume_id in stack.volumes.items():
            (volume,) = aws.ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"]
            instance_type = _instance(aws, stack.instances[node])["InstanceType"]
            (described,) = aws.ec2.describe_instance_types(InstanceTypes=[instance_type])["InstanceTypes"]
            limit = InstanceFacts.from_describe(described)
            assert (
                volume["Throughput"] == 125 or volume["Throughput"] * 1.048576 <= limit.ebs_baseline_mbps
            ), node
            assert volume["Iops"] == 3000 or volume["Iops"] <= limit.ebs_baseline_iops, node
    old_default = parse_settings({"brokerVolumeThroughputMibps": 250}, "t")
    zone_ids = aws.zones()
    plan = plan_nodes(old_default, [Zone(n, zone_ids[n]) for n in sorted(zone_ids)])
    facts = {
        t["InstanceType"]: InstanceFacts.from_describe(t)
        for t in aws.ec2.describe_instance_types(InstanceTypes=["m7i.xlarge", "m7i.large"])["InstanceTypes"]
    }
    errors, _ = check_volumes(plan, facts)
    assert errors == [
        "brokerVolumeThroughputMibps 250 (262 MB/s) is more than m7i.xlarge sustains to EBS (156.25 "
        "MB/s baseline; bursts above it last at most 30 minutes a day): lower it to 149 or choose an "
        "instance type with at least 262 MB/s baseline EBS throughput"
    ]
