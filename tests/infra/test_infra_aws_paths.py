"""The AWS path made real (issue 15): zones that stay put, node-at-a-time machine changes, client
access from outside the VPC, EBS sizing, day-2 operations. Pure modules directly, the program
under Pulumi's mocks."""

from __future__ import annotations

import pytest
from infra_harness import (
    ALARM,
    ATTACHMENT,
    DLM_POLICY,
    EGRESS,
    FLOW_LOG,
    INGRESS,
    INSTANCE,
    LOAD_BALANCER,
    RECORD,
    SECURITY_GROUP,
    SUBNET,
    VOLUME,
    ZONE,
    LiveInstance,
    ProgramFailed,
    instance_type_facts,
    run_program,
)
from kafkakit_aws import outputs
from kafkakit_aws.inventory import hosts_of
from kafkakit_aws.rollout import LiveNode, Machine, plan_rollout
from kafkakit_aws.settings import ConfigError, parse_settings
from kafkakit_aws.sizing import InstanceFacts, check_volumes
from kafkakit_aws.topology import Zone, plan_nodes

CLIENTS = {"clientCidrs": ["10.0.0.0/8"]}
US_EAST_1 = ("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f")


def volume_zones(run) -> dict[str, str]:
    return {v.state["tags"]["kafka-kit:node"]: v.state["availabilityZone"] for v in run.of_type(VOLUME)}


def facts(instance_type: str) -> InstanceFacts:
    answer = instance_type_facts(instance_type)
    return InstanceFacts(
        instance_type=instance_type,
        hypervisor=answer["hypervisor"],
        nvme=answer["ebsNvmeSupport"],
        ebs_baseline_mbps=answer["ebsPerformanceBaselineThroughput"],
        ebs_maximum_mbps=answer["ebsPerformanceMaximumThroughput"],
        ebs_baseline_iops=answer["ebsPerformanceBaselineIops"],
        ebs_maximum_iops=answer["ebsPerformanceMaximumIops"],
    )


# --------------------------------------------------------------------------- defect 5: zones


def test_a_zone_going_down_moves_no_node_or_volume():
    """Defect 5, the us-east-1 simulation: 6 brokers and 3 controllers over 3 zones; then
    us-east-1b becomes unavailable. Before, the zone list was filtered on state=available and
    used by position, so 6 of 9 data volumes changed zone. Now none does."""
    config = {"brokerCount": 6, "controllerCount": 3, **CLIENTS}
    before = run_program(config, region="us-east-1", zones=US_EAST_1)
    after = run_program(config, region="us-east-1", zones=US_EAST_1, unavailable=("us-east-1b",))
    assert volume_zones(before) == volume_zones(after)
    assert set(volume_zones(after).values()) == {"us-east-1a", "us-east-1b", "us-east-1c"}
    every = [args for token, args in after.invokes if token.endswith("getAvailabilityZones")]
    assert any("state" not in args for args in every)  # placement comes from the full list
    assert "zone us-east-1b is not available now" in " ".join(after.warnings)


def test_racks_are_zone_ids_and_pinned_zone_ids_place_the_nodes():
    config = {
        "availabilityZones": ["use1-az3", "use1-az1"],
        "brokerCount": 2,
        "controllerCount": 1,
        **CLIENTS,
    }
    run = run_program(config, region="us-east-1", zones=US_EAST_1)
    racks = {
        name: h["kafka_broker_rack"]
        for name, h in hosts_of(run.outputs[outputs.ANSIBLE_INVENTORY], "kafka_broker").items()
    }
    assert racks == {"kafka-broker-1": "use1-az3", "kafka-broker-2": "use1-az1"}
    assert volume_zones(run)["kafka-broker-1"] == "us-east-1c"
    assert run.outputs[outputs.AVAILABILITY_ZONE_IDS] == ["use1-az3", "use1-az1"]
    assert not [w for w in run.warnings if "availabilityZones is not set" in w]


# --------------------------------------------------------------------------- defects 6 and 7


OLD, NEW = "ami-0aaaaaaaaaaaaaaa1", "ami-0bbbbbbbbbbbbbbb2"


def machine(ami=NEW, instance_type="m7i.xlarge", key=None, kms=None) -> Machine:
    return Machine(ami, instance_type, key, kms)


def live(name: str, **kwargs) -> LiveNode:
    return LiveNode(name, f"i-{name}", machine(**kwargs))


def test_rollout_keeps_running_nodes_on_their_machine_until_rolled():
    desired = {f"b{i}": machine() for i in (1, 2, 3)} | {"b4": machine()}
    current = [live("b1", ami=OLD), live("b2", ami=OLD), live("b3", ami=OLD, instance_type="m7i.large")]
    plan = plan_rollout(desired, current, [])
    assert plan.machines == {
        "b1": machine(OLD),
        "b2": machine(OLD),
        "b3": machine(OLD, "m7i.large"),
        "b4": machine(),  # a new node starts on the configured machine
    }
    assert plan.rolling is None
    assert plan.pending == {
        "b1": (f"ami {OLD} -> {NEW}",),
        "b2": (f"ami {OLD} -> {NEW}",),
        "b3": (f"ami {OLD} -> {NEW}", "instance_type m7i.large -> m7i.xlarge"),
    }
    assert "pulumi config set --path 'rollNodes[0]' b1 && make aws" in plan.warnings[-1]
    rolled = plan_rollout(desired, current, ["b2"])
    assert rolled.machines["b2"] == machine()  # really moves to the new AMI (defect 6)
    assert rolled.machines["b1"] == machine(OLD)
    assert rolled.rolling == "b2" and "b2" not in rolled.pending


def test_rollout_counts_ssh_key_and_kms_changes_and_refuses_unknown_nodes():
    desired = {"b1": machine(key="ops", kms="arn:aws:kms:eu-west-1:123456789012:key/k")}
    plan = plan_rollout(desired, [live("b1")], [])
    assert plan.pending == {
        "b1": ("key_name (none) -> ops", "root_kms_key_id (none) -> arn:aws:kms:eu-west-1:123456789012:key/k")
    }
    # The account's default key (None) is no change against whatever key the volume has.
    assert (
        plan_rollout({"b1": machine()}, [live("b1", kms="arn:aws:kms:x:123456789012:key/d")], []).pending
        == {}
    )
    with pytest.raises(ConfigError, match="rollNodes names b9"):
        plan_rollout(desired, [], ["b9"])
    doubled = plan_rollout({"b1": machine()}, [live("b1", ami=OLD), LiveNode("b1", "i-new", machine())], [])
    assert doubled.machines["b1"] == machine() and not doubled.pending
    assert "2 instances carry its node tag" in doubled.warnings[0]


def test_a_new_ami_and_instance_type_change_no_running_node_and_roll_one_at_a_time():
    """Defects 6 and 7 through the program: the fleet runs the old AMI and type; the config asks
    for a new AMI, a new instance type and an SSH key. Nothing running changes and every
    instance stays protected; with rollNodes one node moves to exactly the new machine, and only
    it is unprotected."""
    fleet = tuple(LiveInstance(f"kafka-broker-{i}", f"i-0{i:016x}", ami=OLD) for i in (1, 2, 3)) + tuple(
        LiveInstance(f"kafka-controller-{i}", f"i-1{i:016x}", ami=OLD, instance_type="m7i.large")
        for i in (1, 2, 3)
    )
    config = {"amiId": NEW, "brokerInstanceType": "m7i.2xlarge", **CLIENTS}
    held = run_program(config, fleet=fleet)
    instances = {i.state["tags"]["kafka-kit:node"]: i for i in held.of_type(INSTANCE)}
    assert {i.state["ami"] for i in instances.values()} == {OLD}
    assert instances["kafka-broker-1"].state["instanceType"] == "m7i.xlarge"
    assert all(i.protect for i in instances.values())
    assert set(held.outputs[outputs.PENDING_ROLLS]) == set(instances)
    rolled = run_program({**config, "rollNodes": ["kafka-broker-2"]}, fleet=fleet)
    by_node = {i.state["tags"]["kafka-kit:node"]: i for i in rolled.of_type(INSTANCE)}
    assert by_node["kafka-broker-2"].state["ami"] == NEW
    assert by_node["kafka-broker-2"].state["instanceType"] == "m7i.2xlarge"
    assert not by_node["kafka-broker-2"].protect
    assert [n for n, i in by_node.items() if i.state["ami"] == NEW] == ["kafka-broker-2"]
    assert all(i.protect for n, i in by_node.items() if n != "kafka-broker-2")
    # The rolled node keeps its data volume: protected, and re-attached to whatever instance.
    assert all(v.protect for v in rolled.of_type(VOLUME))
    assert all(a.delete_before_replace for a in rolled.of_type(ATTACHMENT))


def test_a_new_connection_mode_and_kms_key_change_no_running_node():
    """Defect 7 through the program: switching a running SSM cluster to SSH (which needs a key
    pair) and to a customer-managed KMS key would replace every instance; instead every running
    node keeps its key and root key, the data volumes ignore the new key, and both changes wait
    in pending_rolls."""
    arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    fleet = tuple(LiveInstance(f"kafka-{i}", f"i-0{i:016x}") for i in (1, 2, 3))
    config = {"controllerCount": 0, "ansibleConnection": "ssh", "sshKeyName": "ops", **CLIENTS}
    config |= {"sshAllowedCidrs": ["10.9.0.0/16"], "volumeKmsKeyArn": arn}
    held = run_program(config, fleet=fleet)
    instances = held.of_type(INSTANCE)
    assert len(instances) == 3
    assert all(not i.state.get("keyName") for i in instances)
    assert all(not i.state["rootBlockDevice"].get("kmsKeyId") for i in instances)
    assert all(i.protect for i in instances)
    assert all("kmsKeyId" in v.ignore_changes for v in held.of_type(VOLUME))
    assert held.outputs[outputs.PENDING_ROLLS] == {
        f"kafka-{i}": ["key_name (none) -> ops", f"root_kms_key_id (none) -> {arn}"] for i in (1, 2, 3)
    }
    rolled = run_program({**config, "rollNodes": ["kafka-1"]}, fleet=fleet)
    by_node = {i.state["tags"]["kafka-kit:node"]: i for i in rolled.of_type(INSTANCE)}
    assert (by_node["kafka-1"].state["keyName"], by_node["kafka-1"].protect) == ("ops", False)
    assert [n for n, i in by_node.items() if i.state.get("keyName")] == ["kafka-1"]


def test_more_than_one_node_per_roll_is_refused():
    with pytest.raises(ProgramFailed) as caught:
        run_program({"rollNodes": ["kafka-broker-1", "kafka-broker-2"], **CLIENTS})
    assert "rollNodes must name one node at a time" in str(caught.value)
    assert caught.value.resources == []


# --------------------------------------------------------------------------- defect 9


def test_an_existing_vpc_is_used_as_it_is():
    subnets = {
        "subnet-0aaaaaaaaaaaaaaa1": ("eu-west-1a", "10.80.1.0/24"),
        "subnet-0aaaaaaaaaaaaaaa2": ("eu-west-1b", "10.80.2.0/24"),
        "subnet-0aaaaaaaaaaaaaaa3": ("eu-west-1c", "10.80.3.0/24"),
    }
    config = {
        "vpcId": "vpc-0123456789abcdef0",
        "subnetIds": list(subnets),
        "natGateways": "none",
        "ssmVpcEndpoints": False,
        **CLIENTS,
    }
    run = run_program(config, existing_subnets=subnets)
    counts = run.count_by_type()
    for absent in (SUBNET, "aws:ec2/vpc:Vpc", "aws:ec2/routeTable:RouteTable", FLOW_LOG):
        assert absent not in counts
    assert {i.state["subnetId"] for i in run.of_type(INSTANCE)} == set(subnets)
    assert {sg.state["vpcId"] for sg in run.of_type(SECURITY_GROUP)} == {"vpc-0123456789abcdef0"}
    egress = {(r.state.get("cidrIpv4"), r.state.get("prefixListId")) for r in run.of_type(EGRESS)}
    assert ("10.80.0.0/16", None) in egress and (None, "pl-6da54004") in egress
    assert any("cannot see whether its subnets reach a Debian mirror" in w for w in run.warnings)
    assert run.outputs[outputs.VPC_ID] == "vpc-0123456789abcdef0"


def test_clients_in_other_vpcs_resolve_and_reach_every_broker_through_the_load_balancer():
    config = {
        "clientAccess": "privatelink",
        "privateLinkAllowedPrincipals": ["arn:aws:iam::123456789012:root"],
        "dnsZoneVpcIds": ["vpc-0fedcba9876543210"],
        **CLIENTS,
    }
    run = run_program(config)
    (nlb,) = run.of_type(LOAD_BALANCER)
    assert nlb.state["internal"] is True and nlb.state["loadBalancerType"] == "network"
    # Each listener has one target in one zone; without cross-zone, clients that resolve the
    # load balancer's address in another zone get no broker.
    assert nlb.state["enableCrossZoneLoadBalancing"] is True
    listeners = sorted(int(r.state["port"]) for r in run.of_type("aws:lb/listener:Listener"))
    assert listeners == [9201, 9202, 9203]
    targets = {
        int(a.state["port"]): a.state["targetId"]
        for a in run.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")
    }
    by_node = {i.state["tags"]["kafka-kit:node"]: i.id for i in run.of_type(INSTANCE)}
    assert targets == {9200 + n: by_node[f"kafka-broker-{n}"] for n in (1, 2, 3)}
    (service,) = run.of_type("aws:ec2/vpcEndpointService:VpcEndpointService")
    assert service.state["allowedPrincipals"] == ["arn:aws:iam::123456789012:root"]
    assert run.outputs[outputs.PRIVATE_LINK_SERVICE_NAME] == service.state["serviceName"]
    (zone,) = run.of_type(ZONE)
    assert [v["vpcId"] for v in zone.state["vpcs"]][1:] == ["vpc-0fedcba9876543210"]
    (alias,) = [r for r in run.of_type(RECORD) if r.state["name"].startswith("external.")]
    assert alias.state["aliases"][0]["name"] == nlb.state["dnsName"]
    assert run.outputs[outputs.EXTERNAL_BOOTSTRAP_SERVERS] == ",".join(
        f"external.kafka-test.internal:{9200 + n}" for n in (1, 2, 3)
    )
    rules = {r.name.split("-sg-", 1)[1]: r.state for r in run.of_type(INGRESS) if "-sg-" in r.name}
    assert (rules["nlb-client-10-0-0-0-8"]["fromPort"], rules["nlb-client-10-0-0-0-8"]["toPort"]) == (
        9201,
        9203,
    )
    assert rules["broker-external-from-nlb"]["referencedSecurityGroupId"]
    broker = hosts_of(run.outputs[outputs.ANSIBLE_INVENTORY], "kafka_broker")["kafka-broker-3"]
    assert broker["kafka_listeners_extra"][0] == {
        "name": "EXTERNAL",
        "port": 9203,
        "protocol": "{{ kafka_broker_listener_protocol }}",
        "advertised_host": "external.kafka-test.internal",
    }


def test_client_access_settings_are_checked():
    with pytest.raises(ConfigError) as caught:
        parse_settings(
            {
                "clientAccess": "nlb",
                "externalPortBase": 9090,
                "privateLinkAllowedPrincipals": ["*"],
                "subnetIds": ["subnet-1"],
            },
            "t",
        )
    assert caught.value.errors == [
        "subnetIds[0] must be an id like subnet-0123456789abcdef0, got 'subnet-1'",
        "subnetIds needs vpcId: the VPC the subnets belong to",
        "externalPortBase 9090: the brokers' external ports 9091-9093 overlap brokerPort, controllerPort",
        "privateLinkAllowedPrincipals is only used with clientAccess privatelink",
        "privateLinkAllowedPrincipals must not be '*': name the accounts that may connect",
    ]


# --------------------------------------------------------------------------- defect 10


def test_volume_throughput_beyond_the_instance_is_refused_before_any_resource():
    """Defect 10: the old default (250 MiB/s on m7i.xlarge, which sustains 156.25 MB/s)."""
    with pytest.raises(ProgramFailed) as caught:
        run_program({"brokerVolumeThroughputMibps": 250, **CLIENTS})
    assert "brokerVolumeThroughputMibps 250 (262 MB/s) is more than m7i.xlarge sustains to EBS" in str(
        caught.value
    )
    assert caught.value.resources == []


def test_ebs_checks_per_instance_type():
    zones = [Zone("eu-west-1a", "euw1-az1")]
    known = {t: facts(t) for t in ("m7i.2xlarge", "m7i.large", "t3.large")}
    # 300 MiB/s is 314.6 MB/s, just over m7i.2xlarge's 312.5 MB/s; 298 fits.
    over = parse_settings(
        {"brokerVolumeIops": 8000, "brokerVolumeThroughputMibps": 300, "brokerInstanceType": "m7i.2xlarge"},
        "t",
    )
    errors, _ = check_volumes(plan_nodes(over, zones), known)
    assert errors == [
        "brokerVolumeThroughputMibps 300 (315 MB/s) is more than m7i.2xlarge sustains to EBS (312.5 MB/s "
        "baseline; bursts above it last at most 30 minutes a day): lower it to 298 or choose an instance "
        "type with at least 315 MB/s baseline EBS throughput"
    ]
    fits = parse_settings(
        {"brokerVolumeIops": 8000, "brokerVolumeThroughputMibps": 298, "brokerInstanceType": "m7i.2xlarge"},
        "t",
    )
    assert check_volumes(plan_nodes(fits, zones), known) == ([], [])
    iops = parse_settings({"controllerVolumeIops": 4000, "controllerVolumeSizeGib": 50}, "t")
    errors, _ = check_volumes(plan_nodes(iops, zones), {**known, "m7i.xlarge": facts("m7i.xlarge")})
    assert errors == [
        "controllerVolumeIops 4000 is more than m7i.large sustains to EBS (3600 IOPS baseline): lower it "
        "to 3600 or choose a larger type"
    ]
    # gp3's included 125 MiB/s and 3,000 IOPS are never refused, even where the instance is below.
    small = parse_settings({"brokerInstanceType": "t3.large"}, "t")
    assert check_volumes(plan_nodes(small, zones), known) == ([], [])


def test_xen_types_and_unknown_types():
    settings = parse_settings({"zookeeperInstanceType": "t2.medium", "mode": "zookeeper"}, "t")
    plan = plan_nodes(settings, [Zone("eu-west-1a", "euw1-az1")])
    errors, warnings = check_volumes(
        plan, {"m7i.xlarge": facts("m7i.xlarge"), "t2.medium": facts("t2.medium")}
    )
    assert errors == [
        "zookeeperInstanceType 't2.medium' is a Xen (pre-Nitro) type whose EBS volumes are not NVMe devices; "
        "choose a Nitro type such as m7i.xlarge"
    ]
    _, warnings = check_volumes(plan, {})
    assert warnings[0] == "brokerInstanceType 'm7i.xlarge': no EBS facts, volume settings not checked"


# --------------------------------------------------------------------------- defect 11 and issue 14


def test_day_two_operations_are_declared(prod, dev):
    (policy,) = prod.of_type(DLM_POLICY)
    details = policy.state["policyDetails"]
    assert details["resourceTypes"] == ["VOLUME"]
    assert details["targetTags"] == {"kafka-kit:cluster": "kafka-prod", "kafka-kit:snapshot": "data"}
    assert details["schedules"][0]["retainRule"]["count"] == 7
    assert all(v.state["tags"]["kafka-kit:snapshot"] == "data" for v in prod.of_type(VOLUME))
    (flow,) = prod.of_type(FLOW_LOG)
    assert flow.state["trafficType"] == "ALL"
    (group,) = prod.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert group.state["retentionInDays"] == 90
    alarms = prod.of_type(ALARM)
    assert len(alarms) == len(prod.of_type(INSTANCE))
    assert all(a.state["alarmActions"] == ["arn:aws:automate:eu-west-1:ec2:recover"] for a in alarms)
    assert not dev.of_type(DLM_POLICY)  # the dev stack keeps no snapshots


def test_alarms_notify_the_topic():
    topic = "arn:aws:sns:eu-west-1:123456789012:kafka-oncall"
    run = run_program({"alarmTopicArn": topic, "brokerCount": 1, "controllerCount": 1, **CLIENTS})
    metrics = sorted((a.state["metricName"], tuple(a.state["alarmActions"])) for a in run.of_type(ALARM))
    assert metrics == [
        ("StatusCheckFailed_Instance", (topic,)),
        ("StatusCheckFailed_Instance", (topic,)),
        ("StatusCheckFailed_System", ("arn:aws:automate:eu-west-1:ec2:recover", topic)),
        ("StatusCheckFailed_System", ("arn:aws:automate:eu-west-1:ec2:recover", topic)),
    ]


def test_the_monitoring_instance_is_the_only_scraper_besides_monitoring_cidrs(prod):
    """And the Kafka nodes read the Kafka JVMs' exporters (7071) for the roll's metric gates."""
    groups = {sg.id: sg.name for sg in prod.of_type(SECURITY_GROUP)}
    exporter_sources = sorted(
        (r.state["fromPort"], r.state.get("cidrIpv4") or groups[r.state["referencedSecurityGroupId"]])
        for r in prod.of_type(INGRESS)
        if r.state["fromPort"] in (7071, 9100)
    )
    assert exporter_sources == [
        (7071, "10.50.0.0/24"),
        (7071, "kafka-prod-sg-broker"),
        (7071, "kafka-prod-sg-controller"),
        (7071, "kafka-prod-sg-monitoring"),
        (9100, "10.50.0.0/24"),
        (9100, "kafka-prod-sg-monitoring"),
    ]
    inventory = prod.outputs[outputs.ANSIBLE_INVENTORY]
    assert list(hosts_of(inventory, "monitoring")) == ["monitoring-1"]
    (monitoring,) = [i for i in prod.of_type(INSTANCE) if i.state["tags"]["kafka-kit:role"] == "monitoring"]
    names = sorted(groups[g].rsplit("-", 1)[-1] for g in monitoring.state["vpcSecurityGroupIds"])
    assert names == ["monitoring", "node"]
