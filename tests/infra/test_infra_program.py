"""infra/__main__.py under Pulumi's mocks: what each kind of stack declares and exports.

The `prod` and `dev` scenarios run the example stack files Pulumi.prod.yaml and Pulumi.dev.yaml.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pulumi
import pytest
from infra_harness import (
    ATTACHMENT,
    DEBIAN_AMI,
    EGRESS,
    INGRESS,
    INSTANCE,
    NAT_GATEWAY,
    PLACEMENT_GROUP,
    RECORD,
    SECURITY_GROUP,
    SUBNET,
    VOLUME,
    VPC_ENDPOINT,
    ZONE,
    ProgramFailed,
    ProgramRun,
    run_program,
    stack_file_config,
)
from kafkakit_aws import outputs
from kafkakit_aws.firewall import cluster_ports
from kafkakit_aws.inventory import check_inventory, hosts_of
from kafkakit_aws.settings import parse_settings

ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def roles(run: ProgramRun) -> Counter:
    return Counter(i.state["tags"]["kafka-kit:role"] for i in run.of_type(INSTANCE))


def instance_zone(run: ProgramRun, instance) -> str:
    return run.by_id(SUBNET)[instance.state["subnetId"]].state["availabilityZone"]


def inventory_of(run: ProgramRun) -> dict:
    return run.outputs[outputs.ANSIBLE_INVENTORY]


# --------------------------------------------------------------------------- invokes and config


def test_every_invoke_is_mocked_and_the_ami_is_debian_12(prod):
    tokens = {token for token, _ in prod.invokes}
    assert tokens == {
        "aws:index/getRegion:getRegion",
        "aws:index/getPartition:getPartition",
        "aws:index/getAvailabilityZones:getAvailabilityZones",
        "aws:ec2/getInstanceType:getInstanceType",
        "aws:ec2/getInstances:getInstances",
        "aws:ec2/getAmi:getAmi",
    }
    ami_args = next(args for token, args in prod.invokes if token == "aws:ec2/getAmi:getAmi")
    assert ami_args["owners"] == ["136693071363"]
    assert ami_args["mostRecent"] is True
    filters = {f["name"]: f["values"] for f in ami_args["filters"]}
    assert filters["name"] == ["debian-12-amd64-*"]
    assert filters["architecture"] == ["x86_64"]
    assert {i.state["ami"] for i in prod.of_type(INSTANCE)} == {DEBIAN_AMI}


def test_an_ami_id_skips_the_lookup():
    run = run_program({"amiId": "ami-0123456789abcdef0", "clientCidrs": ["10.0.0.0/8"]})
    assert "aws:ec2/getAmi:getAmi" not in {token for token, _ in run.invokes}
    assert {i.state["ami"] for i in run.of_type(INSTANCE)} == {"ami-0123456789abcdef0"}


def test_invalid_config_fails_before_any_resource():
    with pytest.raises(ProgramFailed) as caught:
        run_program({"brokerCount": 0, "controllerCount": 2})
    assert isinstance(caught.value.error, pulumi.RunError)
    assert str(caught.value.error) == (
        "invalid stack configuration:\n"
        "  - brokerCount must be at least 1, got 0\n"
        "  - controllerCount must be odd so the KRaft quorum keeps a majority (1, 3 or 5), got 2"
    )
    assert caught.value.resources == []


def test_more_zones_than_the_region_fails_before_any_resource():
    with pytest.raises(ProgramFailed) as caught:
        run_program({"zoneCount": 4})
    assert "zoneCount is 4 but region eu-west-1 offers only 3 availability zones" in str(caught.value)
    assert caught.value.resources == []


def test_example_stacks_are_valid_configurations():
    for name in ("dev", "prod"):
        _, config = stack_file_config(name)
        parse_settings(config, name)


# --------------------------------------------------------------------------- counts


def test_production_counts_per_role_and_zone(prod):
    assert roles(prod) == {"broker": 6, "controller": 3, "monitoring": 1}
    per_zone = Counter(
        (i.state["tags"]["kafka-kit:role"], instance_zone(prod, i)) for i in prod.of_type(INSTANCE)
    )
    assert per_zone == {
        **{("broker", zone): 2 for zone in ZONES},
        **{("controller", zone): 1 for zone in ZONES},
        ("monitoring", "eu-west-1a"): 1,
    }
    counts = prod.count_by_type()
    assert counts[VOLUME] == counts[ATTACHMENT] == counts[INSTANCE] == 10
    assert counts[PLACEMENT_GROUP] == 3
    assert counts[RECORD] == 10
    assert counts[NAT_GATEWAY] == 3  # per-zone
    assert Counter(s.state["tags"]["kafka-kit:tier"] for s in prod.of_type(SUBNET)) == {
        "private": 3,
        "public": 3,
    }


def test_private_subnets_per_zone_and_one_nat_gateway_by_default(defaults):
    """Defect 3: the default stack gives the hosts a package source (one NAT gateway)."""
    subnets = defaults.of_type(SUBNET)
    private = [s for s in subnets if s.state["tags"]["kafka-kit:tier"] == "private"]
    assert sorted(s.state["availabilityZone"] for s in private) == ZONES
    assert all(s.state["mapPublicIpOnLaunch"] is False for s in subnets)
    counts = defaults.count_by_type()
    assert counts[NAT_GATEWAY] == 1
    egress = {(r.state.get("cidrIpv4"), r.state.get("fromPort")) for r in defaults.of_type(EGRESS)}
    assert {("0.0.0.0/0", 443), ("0.0.0.0/0", 80)} <= egress


def test_no_nat_needs_an_apt_proxy_which_the_nodes_may_reach():
    """Defect 3: natGateways none without a package source is refused before any resource; with
    aptProxyUrl the nodes get an egress rule to it and apt uses it from first boot."""
    with pytest.raises(ProgramFailed) as caught:
        run_program({"natGateways": "none"})
    assert "natGateways none leaves the hosts without a package source" in str(caught.value)
    assert caught.value.resources == []
    run = run_program(
        {"natGateways": "none", "aptProxyUrl": "http://10.0.5.10:3142", "clientCidrs": ["10.0.0.0/8"]}
    )
    counts = run.count_by_type()
    for absent in (NAT_GATEWAY, "aws:ec2/internetGateway:InternetGateway", "aws:ec2/eip:Eip"):
        assert absent not in counts
    endpoints = {e.state["serviceName"]: e.state for e in run.of_type(VPC_ENDPOINT)}
    assert set(endpoints) == {
        f"com.amazonaws.eu-west-1.{s}" for s in ("s3", "ssm", "ssmmessages", "ec2messages")
    }
    assert endpoints["com.amazonaws.eu-west-1.s3"]["vpcEndpointType"] == "Gateway"
    assert endpoints["com.amazonaws.eu-west-1.ssm"]["privateDnsEnabled"] is True
    egress = [r.state for r in run.of_type(EGRESS)]
    assert not [r for r in egress if r.get("cidrIpv4") == "0.0.0.0/0"]
    assert [(r["cidrIpv4"], r["fromPort"]) for r in egress if r.get("cidrIpv4") == "10.0.5.10/32"] == [
        ("10.0.5.10/32", 3142)
    ]
    assert all("Acquire::http::Proxy" in i.state["userData"] for i in run.of_type(INSTANCE))
    assert inventory_of(run)["all"]["vars"]["host_prep_apt_proxy"] == "http://10.0.5.10:3142"


def test_instances_wait_for_their_routes_to_s3_and_ssm(defaults):
    endpoint_urns = {e.urn for e in defaults.of_type(VPC_ENDPOINT)}
    for instance in defaults.of_type(INSTANCE):
        assert endpoint_urns <= set(instance.dependencies)


def test_zookeeper_mode_declares_an_ensemble_and_no_controllers(zookeeper):
    assert roles(zookeeper) == {"broker": 3, "zookeeper": 3}
    ensemble = [i for i in zookeeper.of_type(INSTANCE) if i.state["tags"]["kafka-kit:role"] == "zookeeper"]
    assert sorted(instance_zone(zookeeper, i) for i in ensemble) == ZONES
    assert sorted(i.state["tags"]["kafka-kit:zookeeper-myid"] for i in ensemble) == ["1", "2", "3"]
    assert zookeeper.outputs[outputs.ZOOKEEPER_CONNECT] == ",".join(
        f"zookeeper-{i}.kafka-zk.internal:2181" for i in (1, 2, 3)
    )
    assert {sg.name.rsplit("-", 1)[-1] for sg in zookeeper.of_type(SECURITY_GROUP)} == {
        "node",
        "broker",
        "zookeeper",
        "endpoints",
    }


def test_combined_mode_declares_no_controller_instances(dev):
    assert roles(dev) == {"combined": 3}
    assert dev.count_by_type()[PLACEMENT_GROUP] == 1
    inventory = inventory_of(dev)
    assert list(hosts_of(inventory, "kafka_broker")) == ["kafka-1", "kafka-2", "kafka-3"]
    assert list(hosts_of(inventory, "kafka_controller")) == ["kafka-1", "kafka-2", "kafka-3"]


def test_combined_mode_with_five_brokers_makes_the_first_three_controllers():
    """issue 12: "combined" means what constants.combined_controller_count says, here as in the lab."""
    run = run_program({"brokerCount": 5, "controllerCount": 0, "clientCidrs": ["10.0.0.0/8"]})
    assert roles(run) == {"combined": 3, "broker": 2}
    inventory = inventory_of(run)
    assert list(hosts_of(inventory, "kafka_broker")) == [f"kafka-{i}" for i in range(1, 6)]
    assert list(hosts_of(inventory, "kafka_controller")) == ["kafka-1", "kafka-2", "kafka-3"]
    groups = {sg.id: sg.name.rsplit("-", 1)[-1] for sg in run.of_type(SECURITY_GROUP)}
    by_node = {i.state["tags"]["kafka-kit:node"]: i for i in run.of_type(INSTANCE)}
    assert sorted(groups[g] for g in by_node["kafka-3"].state["vpcSecurityGroupIds"]) == [
        "broker",
        "controller",
        "node",
    ]
    assert sorted(groups[g] for g in by_node["kafka-4"].state["vpcSecurityGroupIds"]) == ["broker", "node"]


# --------------------------------------------------------------------------- instances and disks


def test_every_instance_requires_imdsv2_and_has_an_encrypted_root(any_stack):
    for instance in any_stack.of_type(INSTANCE):
        assert instance.state["metadataOptions"]["httpTokens"] == "required"
        assert instance.state["metadataOptions"]["httpEndpoint"] == "enabled"
        root = instance.state["rootBlockDevice"]
        assert root["encrypted"] is True
        assert root["volumeType"] == "gp3"
        assert instance.state["associatePublicIpAddress"] is False
        assert instance.state["iamInstanceProfile"]
        assert instance.state["placementGroup"]
        assert "amazon-ssm-agent" in instance.state["userData"]
        assert set(instance.ignore_changes) == {"userData", "ebsBlockDevices"}  # not the AMI (defect 6)
        assert instance.state["disableApiTermination"] is True  # defect 11
        assert instance.state["forceDestroy"] is True


def test_every_data_volume_is_gp3_encrypted_in_its_instance_zone_and_attached(any_stack):
    volumes = any_stack.by_id(VOLUME)
    instances = any_stack.by_id(INSTANCE)
    attachments = any_stack.of_type(ATTACHMENT)
    assert len(attachments) == len(volumes) == len(instances)
    assert len({a.state["volumeId"] for a in attachments}) == len(volumes)
    assert len({a.state["instanceId"] for a in attachments}) == len(instances)
    for attachment in attachments:
        volume = volumes[attachment.state["volumeId"]]
        instance = instances[attachment.state["instanceId"]]
        assert volume.state["type"] == "gp3"
        assert volume.state["encrypted"] is True
        assert volume.state["availabilityZone"] == instance_zone(any_stack, instance)
        assert volume.state["availabilityZone"] == instance.state["availabilityZone"]
        assert volume.state["tags"]["kafka-kit:node"] == instance.state["tags"]["kafka-kit:node"]
        assert attachment.state["deviceName"] == "/dev/sdf"
        assert attachment.state["stopInstanceBeforeDetaching"] is True
        assert attachment.delete_before_replace


def test_data_volume_sizes_and_protection(prod, dev):
    brokers = [v for v in prod.of_type(VOLUME) if v.state["tags"]["kafka-kit:role"] == "broker"]
    assert {(v.state["size"], v.state["iops"], v.state["throughput"]) for v in brokers} == {(2000, 6000, 290)}
    assert all(v.protect for v in prod.of_type(VOLUME))
    assert all(i.protect for i in prod.of_type(INSTANCE))  # defect 7
    assert not [r for r in prod.resources if r.protect and r.type not in (VOLUME, INSTANCE)]
    assert not any(r.protect for r in dev.resources)  # the dev stack opts out
    assert all(v.ignore_changes == ["kmsKeyId"] for v in prod.of_type(VOLUME))


def test_kms_key_applies_to_root_and_data_volumes():
    arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    run = run_program({"volumeKmsKeyArn": arn, "brokerCount": 1, "controllerCount": 1})
    assert {v.state["kmsKeyId"] for v in run.of_type(VOLUME)} == {arn}
    assert {i.state["rootBlockDevice"]["kmsKeyId"] for i in run.of_type(INSTANCE)} == {arn}


# --------------------------------------------------------------------------- security groups


def test_no_security_group_rule_is_open_to_the_world_on_a_cluster_port(any_stack):
    ports = cluster_ports(parse_settings({}, "t").ports)
    for rule in any_stack.of_type(INGRESS):
        assert rule.state.get("cidrIpv4") not in ("0.0.0.0/0", None) or (
            rule.state.get("referencedSecurityGroupId") or rule.state.get("prefixListId")
        )
        assert rule.state.get("cidrIpv4") != "0.0.0.0/0"
        assert not rule.state.get("cidrIpv6")
    for rule in any_stack.of_type(EGRESS):
        if rule.state.get("cidrIpv4") == "0.0.0.0/0":
            assert rule.state["ipProtocol"] == "tcp"
            assert rule.state["fromPort"] == rule.state["toPort"]
            assert rule.state["fromPort"] in (80, 443)
            assert rule.state["fromPort"] not in ports


def test_client_listener_only_from_configured_sources(prod, ssh):
    def client_rules(run):
        return [
            r.state
            for r in run.of_type(INGRESS)
            if r.state.get("fromPort") == 9092 and not r.name.endswith("inter-broker")
        ]

    assert [r["cidrIpv4"] for r in client_rules(prod)] == ["10.0.0.0/8"]
    assert [r["referencedSecurityGroupId"] for r in client_rules(ssh)] == ["sg-0123456789abcdef0"]


def test_ssh_only_when_enabled_and_only_from_its_cidrs(prod, ssh):
    assert not [r for r in prod.of_type(INGRESS) if r.state.get("fromPort") == 22]
    ssh_rules = [r.state for r in ssh.of_type(INGRESS) if r.state.get("fromPort") == 22]
    assert [(r["cidrIpv4"], r["toPort"]) for r in ssh_rules] == [("10.9.0.0/16", 22)]
    assert {i.state["keyName"] for i in ssh.of_type(INSTANCE)} == {"ops"}
    assert "keyName" not in prod.of_type(INSTANCE)[0].state


def test_cluster_ports_only_from_cluster_members(prod):
    groups = {sg.id: sg.name for sg in prod.of_type(SECURITY_GROUP)}
    peer_rules = {
        r.name.split("-sg-", 1)[1]: (r.state["fromPort"], groups[r.state["referencedSecurityGroupId"]])
        for r in prod.of_type(INGRESS)
        if r.state.get("referencedSecurityGroupId") in groups
    }
    assert peer_rules == {
        "broker-inter-broker": (9092, "kafka-prod-sg-broker"),
        "controller-from-brokers": (9093, "kafka-prod-sg-broker"),
        "controller-quorum": (9093, "kafka-prod-sg-controller"),
        "node-jmx-exporter-monitoring": (7071, "kafka-prod-sg-monitoring"),
        "node-node-exporter-monitoring": (9100, "kafka-prod-sg-monitoring"),
        "node-jmx-exporter-brokers": (7071, "kafka-prod-sg-broker"),
        "node-jmx-exporter-controllers": (7071, "kafka-prod-sg-controller"),
    }
    jmx = [
        r.state for r in prod.of_type(INGRESS) if r.state.get("fromPort") == 7071 and "cidrIpv4" in r.state
    ]
    assert [r["cidrIpv4"] for r in jmx] == ["10.50.0.0/24"]


def test_nodes_join_their_role_groups(prod, dev):
    def group_names(run, instance):
        names = {sg.id: sg.name for sg in run.of_type(SECURITY_GROUP)}
        return sorted(names[g].rsplit("-", 1)[-1] for g in instance.state["vpcSecurityGroupIds"])

    by_role = {i.state["tags"]["kafka-kit:role"]: i for i in prod.of_type(INSTANCE)}
    assert group_names(prod, by_role["broker"]) == ["broker", "node"]
    assert group_names(prod, by_role["controller"]) == ["controller", "node"]
    assert group_names(dev, dev.of_type(INSTANCE)[0]) == ["broker", "controller", "node"]


# --------------------------------------------------------------------------- IAM, bucket, DNS


def test_instance_role_allows_ssm_management_only(prod):
    (role,) = [r for r in prod.of_type("aws:iam/role:Role") if r.name == "kafka-prod-iam-node"]
    trust = json.loads(role.state["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    attachments = [
        a
        for a in prod.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.state["role"] == role.state["name"]
    ]
    assert [a.state["policyArn"] for a in attachments] == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    ]
    assert not [p for p in prod.of_type("aws:iam/rolePolicy:RolePolicy") if p.state["role"] == role.id]
    (profile,) = prod.of_type("aws:iam/instanceProfile:InstanceProfile")
    assert {i.state["iamInstanceProfile"] for i in prod.of_type(INSTANCE)} == {profile.state["name"]}


def test_ssm_transfer_bucket_is_private_and_encrypted(prod):
    (bucket,) = prod.of_type("aws:s3/bucket:Bucket")
    name = bucket.state["bucket"]
    (block,) = prod.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.state["bucket"] == name
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.state[flag] is True
    (sse,) = prod.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert sse.state["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    (ownership,) = prod.of_type("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.state["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    (policy,) = prod.of_type("aws:s3/bucketPolicy:BucketPolicy")
    statement = json.loads(policy.state["policy"])["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (lifecycle,) = prod.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle.state["rules"][0]["expiration"]["days"] == 1
    assert prod.outputs[outputs.SSM_BUCKET_NAME] == name


def test_private_zone_names_every_node(prod):
    (zone,) = prod.of_type(ZONE)
    assert zone.state["name"] == "kafka-prod.internal"
    (vpc,) = prod.of_type("aws:ec2/vpc:Vpc")
    assert zone.state["vpcs"] == [{"vpcId": vpc.id}]
    assert vpc.state["enableDnsHostnames"] is True
    records = {r.state["name"]: r.state for r in prod.of_type(RECORD)}
    ips = {
        f"{i.state['tags']['kafka-kit:node']}.kafka-prod.internal": i.state["privateIp"]
        for i in prod.of_type(INSTANCE)
    }
    assert {name: r["records"] for name, r in records.items()} == {name: [ip] for name, ip in ips.items()}
    assert {r["type"] for r in records.values()} == {"A"}
    assert {r["zoneId"] for r in records.values()} == {zone.id}


# --------------------------------------------------------------------------- shape


def test_every_resource_is_a_child_of_a_component_with_a_derived_kebab_name(any_stack):
    components = {r.urn: r for r in any_stack.resources if not r.custom}
    assert {c.type for c in components.values()} == {
        f"kafka-kit:aws:{t}"
        for t in ("Network", "SecurityGroups", "NodeIam", "ClusterNodes", "PrivateDns", "Operations")
    }
    for component in components.values():
        assert "::pulumi:pulumi:Stack::" in component.parent
    for resource in any_stack.resources:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", resource.name), resource.name
        if resource.custom:
            parent = components[resource.parent]
            assert resource.name.startswith(parent.name + "-"), resource.name


def test_every_tagged_resource_carries_the_cluster_tag(prod):
    for resource in prod.resources:
        if resource.custom and "tags" in resource.state:
            assert resource.state["tags"]["kafka-kit:cluster"] == "kafka-prod"


# --------------------------------------------------------------------------- outputs


def test_every_output_key_is_exported_and_snake_case(any_stack):
    assert set(any_stack.outputs) == set(outputs.ALL)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", key) for key in outputs.ALL)


def test_outputs_describe_the_cluster(prod):
    out = prod.outputs
    assert out[outputs.BOOTSTRAP_SERVERS] == ",".join(
        f"kafka-broker-{i}.kafka-prod.internal:9092" for i in range(1, 7)
    )
    assert out[outputs.ZOOKEEPER_CONNECT] == ""
    assert out[outputs.KAFKA_MODE] == "kraft"
    assert out[outputs.KAFKA_VERSION] == "4.4.0"
    assert out[outputs.REGION] == "eu-west-1"
    assert out[outputs.AVAILABILITY_ZONES] == ZONES
    assert out[outputs.AVAILABILITY_ZONE_IDS] == ["euw1-az1", "euw1-az2", "euw1-az3"]
    assert set(out[outputs.PRIVATE_SUBNET_IDS]) == set(ZONES)
    assert set(out[outputs.SECURITY_GROUP_IDS]) == {"node", "broker", "controller", "monitoring"}
    assert out[outputs.EXTERNAL_BOOTSTRAP_SERVERS] == ""
    assert out[outputs.PRIVATE_LINK_SERVICE_NAME] is None
    assert out[outputs.PENDING_ROLLS] == {}
    assert out[outputs.DATA_DEVICE_NAME] == "/dev/sdf"
    assert out[outputs.DNS_ZONE_NAME] == "kafka-prod.internal"
    assert out[outputs.PORTS]["broker"] == 9092
    hosts = out[outputs.HOSTS]
    assert hosts["kafka-broker-4"]["rack"] == "euw1-az1"
    assert hosts["kafka-broker-4"]["availability_zone"] == "eu-west-1a"
    assert hosts["kafka-controller-2"]["node_id"] == 1002


def test_inventory_output_matches_the_instances_and_volumes(any_stack):
    inventory = inventory_of(any_stack)
    assert check_inventory(inventory) == []
    instances = {i.state["tags"]["kafka-kit:node"]: i for i in any_stack.of_type(INSTANCE)}
    volume_of = {a.state["instanceId"]: a.state["volumeId"] for a in any_stack.of_type(ATTACHMENT)}
    ssm = inventory["all"]["vars"]["ansible_connection"] == "amazon.aws.aws_ssm"
    seen = {}
    for group in ("kafka_broker", "kafka_controller", "zookeeper", "monitoring"):
        for name, hvars in hosts_of(inventory, group).items():
            instance = instances[name]
            assert hvars["ansible_host"] == (instance.id if ssm else instance.state["privateIp"])
            volume_id = volume_of[instance.id]
            assert hvars["host_prep_data_device"] == (
                "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + volume_id.replace("-", "")
            )
            if group == "kafka_broker":
                assert hvars["kafka_broker_rack"] == instance.state["tags"]["kafka-kit:rack"]
                assert hvars["aws_availability_zone"] == instance_zone(any_stack, instance)
            seen.setdefault(name, hvars)
            assert seen[name] == hvars
    assert set(seen) == set(instances)
    node_ids = [h["kafka_node_id"] for h in seen.values() if "kafka_node_id" in h]
    assert len(node_ids) == len(set(node_ids))


def test_inventory_connection_settings(prod, ssh):
    assert inventory_of(prod)["all"]["vars"] == {
        "kafka_mode": "kraft",
        "kafka_version": "4.4.0",
        "kafka_security_profile": "secure",
        "kafka_client_authentication": "scram",
        "ansible_connection": "amazon.aws.aws_ssm",
        "ansible_aws_ssm_region": "eu-west-1",
        "ansible_aws_ssm_bucket_name": prod.outputs[outputs.SSM_BUCKET_NAME],
        "ansible_aws_ssm_bucket_endpoint_url": "https://s3.eu-west-1.amazonaws.com",
        "ansible_aws_ssm_timeout": 2100,
    }
    broker = hosts_of(inventory_of(prod), "kafka_broker")["kafka-broker-1"]
    assert broker["ansible_aws_ssm_instance_id"] == broker["ansible_host"]
    assert inventory_of(ssh)["all"]["vars"]["ansible_user"] == "admin"
    assert inventory_of(ssh)["all"]["vars"]["ansible_connection"] == "ssh"


def test_zookeeper_inventory(zookeeper):
    inventory = inventory_of(zookeeper)
    assert inventory["all"]["vars"]["kafka_mode"] == "zookeeper"
    assert inventory["all"]["vars"]["kafka_version"] == "3.9.2"
    assert hosts_of(inventory, "kafka_controller") == {}
    ensemble = hosts_of(inventory, "zookeeper")
    assert {n: h["zookeeper_myid"] for n, h in ensemble.items()} == {
        "zookeeper-1": 1,
        "zookeeper-2": 2,
        "zookeeper-3": 3,
    }
    assert ensemble["zookeeper-2"]["zookeeper_advertised_host"] == "zookeeper-2.kafka-zk.internal"
