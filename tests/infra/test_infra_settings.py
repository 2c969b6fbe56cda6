"""Stack configuration parsing and validation: one test per rule, with the exact message."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from kafkakit_aws.contract import constants
from kafkakit_aws.settings import (
    DEFAULT_INSTANCE_TYPES,
    KEYS,
    VALIDATORS,
    ConfigError,
    default_cluster_name,
    parse_settings,
)
from kafkakit_aws.topology import Zone, select_zones

EU_WEST_1 = [Zone("eu-west-1a", "euw1-az3"), Zone("eu-west-1b", "euw1-az1"), Zone("eu-west-1c", "euw1-az2")]
UP = [z.name for z in EU_WEST_1]


def errors_of(raw: dict[str, Any], stack: str = "test") -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, stack)
    return caught.value.errors


def only_error(raw: dict[str, Any]) -> str:
    errors = errors_of(raw)
    assert len(errors) == 1, errors
    return errors[0]


# --------------------------------------------------------------------------- defaults


def test_defaults_are_a_three_broker_three_controller_kraft_cluster_over_ssm():
    settings = parse_settings({}, "dev")
    assert settings.cluster_name == "kafka-dev"
    assert settings.mode == "kraft"
    assert settings.kafka_version == "4.4.0"
    assert (settings.broker_count, settings.controller_count, settings.zookeeper_count) == (
        3,
        3,
        0,
    )
    assert not settings.combined
    assert settings.zone_count == 3
    assert settings.nat_gateways == "single"  # the default stack has a package source (defect 3)
    assert settings.ssm_vpc_endpoints
    assert settings.ansible_connection == "ssm"
    assert settings.ssh_allowed_cidrs == ()
    assert settings.dns_zone_name == "kafka-dev.internal"
    assert settings.ami_owner == "136693071363"
    assert settings.ami_name_filter == "debian-12-amd64-*"
    assert settings.instance_types == DEFAULT_INSTANCE_TYPES["x86_64"]
    assert settings.protect_data_volumes
    assert settings.ports.as_dict() == {
        "broker": 9092,
        "controller": 9093,
        "zookeeper_client": 2181,
        "zookeeper_peer": 2888,
        "zookeeper_election": 3888,
        "jmx_exporter": 7071,
        "node_exporter": 9100,
    }
    assert settings.ports.as_dict() == {k: constants.DEFAULT_PORTS[k] for k in settings.ports.as_dict()}
    assert not settings.monitoring_instance
    assert settings.protect_instances
    assert settings.roll_nodes == ()
    assert settings.client_access == "none"
    assert settings.snapshot_retention_days == 7
    assert settings.volumes["broker"].throughput_mibps == 125  # m7i.xlarge sustains 156 MB/s


def test_values_arrive_as_pulumi_strings():
    settings = parse_settings(
        {
            "brokerCount": "5",
            "controllerCount": "0",
            "protectDataVolumes": "false",
            "clientCidrs": '["10.0.0.0/8", "192.168.0.0/16"]',
        },
        "dev",
    )
    assert settings.broker_count == 5
    assert settings.combined
    assert settings.protect_data_volumes is False
    assert settings.client_cidrs == ("10.0.0.0/8", "192.168.0.0/16")


def test_zookeeper_mode_defaults_to_three_nodes_and_kafka_3_9():
    settings = parse_settings({"mode": "zookeeper"}, "zk")
    assert (settings.controller_count, settings.zookeeper_count) == (0, 3)
    assert settings.kafka_version == "3.9.2"


def test_arm64_picks_graviton_types_and_the_arm64_ami():
    settings = parse_settings({"architecture": "arm64"}, "dev")
    assert settings.instance_types == DEFAULT_INSTANCE_TYPES["arm64"]
    assert settings.ami_name_filter == "debian-12-arm64-*"


def test_default_cluster_name_is_squeezed_into_the_alphabet():
    assert default_cluster_name("Prod_EU.1") == "kafka-prod-eu-1"
    assert len(default_cluster_name("x" * 60)) <= 28


def test_no_client_access_is_a_warning_not_an_error():
    settings = parse_settings({}, "dev")
    assert settings.warnings == (
        "neither clientCidrs nor clientSecurityGroupIds is set: only the brokers themselves "
        "can reach port 9092",
    )
    assert parse_settings({"clientCidrs": ["10.0.0.0/8"]}, "dev").warnings == ()


def test_config_error_lists_every_problem():
    error = ConfigError(["brokerCount must be at least 1, got 0", "mode must be one of x"])
    assert str(error) == (
        "invalid stack configuration:\n  - brokerCount must be at least 1, got 0\n  - mode must be one of x"
    )
    assert len(errors_of({"brokerCount": 0, "mode": "zk", "vpcCidr": "nope"})) == 3


# --------------------------------------------------------------------------- cluster shape


def test_broker_count_below_one():
    assert only_error({"brokerCount": 0}) == "brokerCount must be at least 1, got 0"


def test_even_controller_count():
    assert only_error({"controllerCount": 2}) == (
        "controllerCount must be odd so the KRaft quorum keeps a majority (1, 3 or 5), got 2"
    )


def test_negative_controller_count():
    assert only_error({"controllerCount": -2}) == (
        "controllerCount must be -1 (the mode's default), 0 (combined broker+controller nodes) "
        "or an odd number of dedicated controllers, got -2"
    )


def test_combined_means_the_first_three_brokers_are_controllers():
    """issue 12: the shared contract's meaning of controllerCount 0, any broker count."""
    for brokers, controllers in ((1, 1), (2, 1), (3, 3), (4, 3), (7, 3)):
        settings = parse_settings({"controllerCount": 0, "brokerCount": brokers}, "t")
        assert settings.combined
        assert settings.combined_controllers == controllers == constants.combined_controller_count(brokers)


def test_even_zookeeper_count():
    assert only_error({"mode": "zookeeper", "zookeeperCount": 4}) == (
        "zookeeperCount must be odd so the ensemble keeps a majority (1, 3 or 5), got 4"
    )


def test_empty_zookeeper_ensemble():
    assert only_error({"mode": "zookeeper", "zookeeperCount": 0}) == (
        "zookeeperCount must be at least 1 in zookeeper mode, got 0"
    )


def test_zookeeper_mode_with_an_even_number_of_staged_controllers():
    assert only_error({"mode": "zookeeper", "controllerCount": 2}) == (
        "controllerCount must be odd so the KRaft quorum keeps a majority (1, 3 or 5), got 2"
    )


def test_zookeeper_count_in_kraft_mode():
    assert only_error({"zookeeperCount": 3}) == (
        "zookeeperCount is only used in zookeeper mode, got 3 in kraft mode"
    )


def test_negative_zookeeper_count():
    assert only_error({"mode": "zookeeper", "zookeeperCount": -3}) == (
        "zookeeperCount must be -1 (the mode's default) or an odd ensemble size, got -3"
    )


def test_unknown_mode():
    assert only_error({"mode": "zk"}) == "mode must be one of kraft, zookeeper, got 'zk'"


def test_node_ids_of_dedicated_controllers_stay_clear_of_brokers():
    errors = errors_of({"brokerCount": 1001, "zoneCount": 8})
    assert (
        "brokerCount must be at most 1000 with dedicated controllers (their node ids start at 1001), got 1001"
    ) in errors


def test_spread_placement_group_limit_per_zone():
    assert only_error({"brokerCount": 22}) == (
        "brokerCount 22 over 3 zones puts 8 nodes in one zone; a spread placement group holds "
        "at most 7 per zone: add zones or lower the count"
    )
    assert parse_settings({"brokerCount": 21}, "t").broker_count == 21


# --------------------------------------------------------------------------- Kafka version


def test_malformed_kafka_version():
    assert only_error({"kafkaVersion": "4.4"}) == "kafkaVersion must look like 4.4.0, got '4.4'"


def test_kafka_4_has_no_zookeeper_mode():
    assert only_error({"mode": "zookeeper", "kafkaVersion": "4.0.0"}) == (
        "kafkaVersion 4.0.0 cannot run in zookeeper mode (Kafka 4.0 removed ZooKeeper support); "
        "use a 3.x version such as 3.9.2, or mode kraft"
    )


def test_kraft_needs_the_kits_floor_from_the_shared_constants():
    assert constants.KRAFT_MIN_VERSION == (3, 9, 0)
    assert only_error({"kafkaVersion": "3.8.1"}) == (
        "kafkaVersion 3.8.1 is too old for kraft mode (the kit's KRaft needs the dynamic quorum "
        "of 3.9.0+); use mode zookeeper or a newer version"
    )
    assert parse_settings({"kafkaVersion": "3.9.1"}, "t").kafka_version == "3.9.1"


def test_zookeeper_mode_broker_ids_stay_below_reserved_broker_max_id():
    errors = errors_of({"mode": "zookeeper", "brokerCount": 1001, "zoneCount": 8})
    assert (
        "brokerCount must be at most 1000 in zookeeper mode (broker ids above "
        "reserved.broker.max.id are refused), got 1001"
    ) in errors


# --------------------------------------------------------------------------- zones


def test_more_zones_than_the_region_offers():
    settings = parse_settings({"zoneCount": 4}, "t")
    with pytest.raises(ConfigError) as caught:
        select_zones(settings, EU_WEST_1, UP, "eu-west-1")
    assert caught.value.errors == [
        "zoneCount is 4 but region eu-west-1 offers only 3 availability zones "
        "(eu-west-1a, eu-west-1b, eu-west-1c)"
    ]


def test_zones_are_the_first_of_the_region_in_name_order_with_a_hint_to_pin_them():
    settings = parse_settings({"zoneCount": 2}, "t")
    zones, warnings = select_zones(settings, list(reversed(EU_WEST_1)), UP, "eu-west-1")
    assert zones == EU_WEST_1[:2]
    assert warnings == [
        "availabilityZones is not set: using eu-west-1a (euw1-az3), eu-west-1b (euw1-az1); pin "
        "them so the cluster never depends on the region's zone list: pulumi config set --path "
        'availabilityZones \'["euw1-az3", "euw1-az1"]\' (or edit the stack file)'
    ]


def test_explicit_zones_must_exist_in_the_region():
    settings = parse_settings({"availabilityZones": ["eu-west-1a", "eu-west-1d"]}, "t")
    with pytest.raises(ConfigError) as caught:
        select_zones(settings, EU_WEST_1, UP, "eu-west-1")
    assert caught.value.errors == [
        "availabilityZones eu-west-1d not offered in region eu-west-1 "
        "(offered: eu-west-1a, eu-west-1b, eu-west-1c)"
    ]


def test_explicit_zones_keep_their_order_and_set_the_zone_count():
    settings = parse_settings({"availabilityZones": ["eu-west-1c", "euw1-az3"]}, "t")
    assert settings.zone_count == 2
    zones, warnings = select_zones(settings, EU_WEST_1, UP, "eu-west-1")
    assert zones == [EU_WEST_1[2], EU_WEST_1[0]]
    assert warnings == []
    with pytest.raises(ConfigError, match="names one zone twice"):
        select_zones(
            parse_settings({"availabilityZones": ["eu-west-1a", "euw1-az3"]}, "t"), EU_WEST_1, UP, "x"
        )


def test_a_zone_that_is_down_is_kept_not_skipped():
    """Defect 5: with eu-west-1a down, the cluster still uses a, b, c (nothing shifts)."""
    for raw in ({}, {"availabilityZones": ["euw1-az3", "euw1-az1", "euw1-az2"]}):
        zones, warnings = select_zones(parse_settings(raw, "t"), EU_WEST_1, UP[1:], "eu-west-1")
        assert zones == EU_WEST_1
        assert warnings[-1] == (
            "zone eu-west-1a is not available now: its nodes stay there and any new one waits for "
            "the zone (nothing moves to another zone)"
        )


def test_zone_names_and_ids_are_checked():
    assert only_error({"availabilityZones": ["west"]}) == (
        "availabilityZones[0] must be a zone name like eu-west-1a or a zone id like euw1-az1, got 'west'"
    )


def test_repeated_explicit_zone():
    assert only_error({"availabilityZones": ["eu-west-1a", "eu-west-1a"]}) == (
        "availabilityZones lists eu-west-1a more than once"
    )


def test_zone_count_range():
    assert only_error({"zoneCount": 0}) == "zoneCount must be between 1 and 8, got 0"
    assert only_error({"zoneCount": 9}) == "zoneCount must be between 1 and 8, got 9"
    zones = [f"us-east-1{c}" for c in "abcdefghi"]
    assert only_error({"availabilityZones": zones}) == ("availabilityZones must list at most 8 zones, got 9")


# --------------------------------------------------------------------------- volumes


def test_volume_size_outside_gp3_limits():
    assert only_error({"brokerVolumeSizeGib": 0}) == (
        "brokerVolumeSizeGib must be between 1 and 65536 GiB for gp3, got 0"
    )
    assert only_error({"zookeeperVolumeSizeGib": 70000}) == (
        "zookeeperVolumeSizeGib must be between 1 and 65536 GiB for gp3, got 70000"
    )


def test_volume_iops_outside_gp3_limits():
    assert only_error({"controllerVolumeIops": 2000}) == (
        "controllerVolumeIops must be between 3000 and 80000 IOPS for gp3, got 2000"
    )
    assert only_error({"brokerVolumeIops": 90000}) == (
        "brokerVolumeIops must be between 3000 and 80000 IOPS for gp3, got 90000"
    )


def test_volume_throughput_outside_gp3_limits():
    assert only_error({"brokerVolumeThroughputMibps": 100}) == (
        "brokerVolumeThroughputMibps must be between 125 and 2000 MiB/s for gp3, got 100"
    )


def test_volume_iops_per_gib():
    assert only_error({"brokerVolumeSizeGib": 10, "brokerVolumeIops": 6000}) == (
        "brokerVolumeIops 6000 exceeds gp3's 500 IOPS per GiB for a 10 GiB volume; raise "
        "brokerVolumeSizeGib to at least 12"
    )


def test_volume_throughput_per_iops():
    assert only_error({"brokerVolumeThroughputMibps": 1000}) == (
        "brokerVolumeThroughputMibps 1000 exceeds gp3's 0.25 MiB/s per provisioned IOPS "
        "(3000 IOPS); raise brokerVolumeIops to at least 4000"
    )


def test_root_volume_size():
    assert only_error({"rootVolumeSizeGib": 4}) == (
        "rootVolumeSizeGib must be between 8 and 65536 GiB, got 4"
    )


def test_kms_key_arn():
    assert only_error({"volumeKmsKeyArn": "alias/kafka"}) == (
        "volumeKmsKeyArn must be a KMS key ARN (arn:aws:kms:...), got 'alias/kafka'"
    )
    arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert parse_settings({"volumeKmsKeyArn": arn}, "t").volume_kms_key_arn == arn


# --------------------------------------------------------------------------- CIDRs and access


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.0.0.0/33", "clientCidrs[0] '10.0.0.0/33' is not an IPv4 CIDR (expected a.b.c.d/n)"),
        ("10.0.0.256/24", "clientCidrs[0] '10.0.0.256/24' is not an IPv4 CIDR (expected a.b.c.d/n)"),
        ("10.1.2.3", "clientCidrs[0] '10.1.2.3' is not an IPv4 CIDR (expected a.b.c.d/n)"),
        ("fd00::/8", "clientCidrs[0] 'fd00::/8' is not an IPv4 CIDR (expected a.b.c.d/n)"),
        ("10.0.0.1/8", "clientCidrs[0] '10.0.0.1/8' has host bits set; did you mean '10.0.0.0/8'?"),
    ],
)
def test_malformed_cidrs(value, message):
    assert only_error({"clientCidrs": [value]}) == message


def test_the_whole_internet_is_refused_on_every_cidr_list():
    for key in ("clientCidrs", "sshAllowedCidrs", "monitoringCidrs"):
        assert only_error({key: ["10.0.0.0/8", "0.0.0.0/0"]}) == (
            f"{key}[1] is 0.0.0.0/0: Kafka, controller, ZooKeeper, JMX and SSH ports are never "
            "opened to the whole internet; list the networks that need access"
        )


def test_repeated_cidr():
    assert only_error({"monitoringCidrs": ["10.1.0.0/16", "10.1.0.0/16"]}) == (
        "monitoringCidrs[1] '10.1.0.0/16' is listed twice"
    )


def test_malformed_vpc_cidr():
    assert only_error({"vpcCidr": "10.0.0.0/40"}) == (
        "vpcCidr '10.0.0.0/40' is not an IPv4 CIDR (expected a.b.c.d/n)"
    )


def test_vpc_cidr_size():
    assert only_error({"vpcCidr": "10.0.0.0/8"}) == (
        "vpcCidr must be a /16 to /24 network (it is split into 16 subnet blocks of at least "
        "/28), got 10.0.0.0/8"
    )


def test_client_security_group_ids():
    assert only_error({"clientSecurityGroupIds": ["default"]}) == (
        "clientSecurityGroupIds[0] must be a security group id like sg-0123456789abcdef0, got 'default'"
    )


def test_unknown_nat_mode():
    assert only_error({"natGateways": "yes"}) == (
        "natGateways must be one of none, single, per-zone, got 'yes'"
    )


def test_unknown_connection():
    assert only_error({"ansibleConnection": "winrm"}) == (
        "ansibleConnection must be one of ssm, ssh, got 'winrm'"
    )


def test_ssh_connection_needs_cidrs_and_a_key():
    assert errors_of({"ansibleConnection": "ssh"}) == [
        "ansibleConnection ssh needs sshAllowedCidrs: the networks Ansible connects from",
        "ansibleConnection ssh needs sshKeyName: the EC2 key pair for 'admin'",
    ]
    settings = parse_settings(
        {"ansibleConnection": "ssh", "sshAllowedCidrs": ["10.9.0.0/16"], "sshKeyName": "ops"},
        "t",
    )
    assert settings.ssh_key_name == "ops"


def test_ssm_needs_a_route_to_systems_manager():
    assert only_error(
        {"ssmVpcEndpoints": False, "natGateways": "none", "aptProxyUrl": "http://10.0.5.10:3142"}
    ) == (
        "ansibleConnection ssm needs a route to Systems Manager: keep ssmVpcEndpoints true or "
        "set natGateways to single or per-zone"
    )
    assert parse_settings({"ssmVpcEndpoints": False, "natGateways": "single"}, "t")


# --------------------------------------------------------------------------- ports


def test_port_range():
    assert only_error({"brokerPort": 70000}) == (
        "brokerPort must be between 1024 and 65535, got 70000 (the services run as an unprivileged user)"
    )


def test_ports_must_differ():
    assert only_error({"controllerPort": 9092}) == (
        "controllerPort and brokerPort must differ, both are 9092"
    )


def test_ports_must_be_ones_an_unprivileged_service_can_bind():
    assert only_error({"jmxExporterPort": 22}) == (
        "jmxExporterPort must be between 1024 and 65535, got 22 (the services run as an unprivileged user)"
    )
    assert (
        only_error({"nodeExporterPort": 9092}) == "nodeExporterPort and brokerPort must differ, both are 9092"
    )


# --------------------------------------------------------------------------- machines


def test_malformed_instance_type():
    assert only_error({"brokerInstanceType": "large"}) == (
        "brokerInstanceType must be an EC2 instance type like m7i.xlarge, got 'large'"
    )


def test_unknown_architecture():
    assert only_error({"architecture": "amd64"}) == ("architecture must be one of x86_64, arm64, got 'amd64'")


def test_ami_id_and_owner():
    assert only_error({"amiId": "debian"}) == (
        "amiId must be an AMI id like ami-0123456789abcdef0, got 'debian'"
    )
    assert only_error({"amiOwner": "debian"}) == ("amiOwner must be a 12-digit AWS account id, got 'debian'")


# --------------------------------------------------------------------------- names and types


def test_cluster_name():
    assert only_error({"clusterName": "Kafka_Prod"}) == (
        "clusterName must be 2 to 28 lowercase letters, digits and hyphens, starting with a "
        "letter and not ending with a hyphen, got 'Kafka_Prod'"
    )


def test_dns_zone_name():
    assert only_error({"dnsZoneName": "kafka"}) == (
        "dnsZoneName must be a DNS domain name like kafka.internal, got 'kafka'"
    )
    assert parse_settings({"dnsZoneName": "Kafka.Example.Internal."}, "t").dns_zone_name == (
        "kafka.example.internal"
    )


def test_unknown_key_suggests_the_known_one():
    assert only_error({"brokercount": 3}) == (
        "unknown config key 'brokercount' (did you mean 'brokerCount'?)"
    )
    assert only_error({"colour": "blue"}) == "unknown config key 'colour'"


def test_type_errors():
    assert errors_of({"brokerCount": "three", "protectDataVolumes": "yes", "clientCidrs": "x"}) == [
        "brokerCount must be an integer, got 'three'",
        "clientCidrs must be a list of strings, got 'x'",
        "protectDataVolumes must be true or false, got 'yes'",
    ]


def test_every_key_has_a_default_the_parser_accepts():
    raw = {key: spec.default for key, spec in KEYS.items()}
    assert parse_settings(raw, "t") == parse_settings({}, "t")


# --------------------------------------------------------------------------- issue 15 keys


def test_parse_settings_is_small_validators_that_report_together():
    """issue 12: the 285-line parse_settings is now one validator per concern; a configuration
    broken in several concerns still gets every problem in one error."""
    assert len(VALIDATORS) >= 10
    for validator in VALIDATORS:
        assert len(inspect.getsource(validator).splitlines()) <= 60, validator.__name__
    errors = errors_of(
        {
            "clusterName": "X",
            "brokerCount": 0,
            "kafkaVersion": "5",
            "vpcCidr": "10.0.0.0/8",
            "sshAllowedCidrs": ["0.0.0.0/0"],
            "brokerPort": 80,
            "clientAccess": "alb",
            "architecture": "sparc",
            "rootVolumeSizeGib": 1,
            "rollNodes": ["a", "b"],
        }
    )
    assert [e.split(" ", 1)[0] for e in errors] == [
        "clusterName",
        "brokerCount",
        "kafkaVersion",
        "vpcCidr",
        "sshAllowedCidrs[0]",
        "brokerPort",
        "clientAccess",
        "architecture",
        "rootVolumeSizeGib",
        "rollNodes",
    ]


def test_no_nat_without_a_package_source_is_refused():
    """Defect 3."""
    assert only_error({"natGateways": "none"}) == (
        "natGateways none leaves the hosts without a package source, but host_prep and java install "
        "Debian packages: set natGateways to single (one NAT gateway, about USD 35/month plus "
        "USD 0.048/GB) or per-zone, or aptProxyUrl to an apt proxy or mirror the VPC reaches "
        "(peering, transit gateway)"
    )
    settings = parse_settings({"natGateways": "none", "aptProxyUrl": "http://10.0.5.10:3142"}, "t")
    assert (settings.apt_proxy_cidrs, settings.apt_proxy_port) == (("10.0.5.10/32",), 3142)
    assert not settings.internet_egress


def test_apt_proxy_settings():
    assert only_error({"aptProxyUrl": "ftp://mirror"}) == (
        "aptProxyUrl must be an http:// or https:// URL like http://10.0.5.10:3142, got 'ftp://mirror'"
    )
    assert only_error({"aptProxyUrl": "http://apt.corp.example:3142"}) == (
        "aptProxyUrl names a host, not an address: set aptProxyCidrs to the networks the proxy is "
        "in, so the nodes' egress rule can allow it"
    )
    named = parse_settings({"aptProxyUrl": "https://apt.corp.example", "aptProxyCidrs": ["10.7.0.0/16"]}, "t")
    assert (named.apt_proxy_cidrs, named.apt_proxy_port) == (("10.7.0.0/16",), 443)
    assert only_error({"aptProxyCidrs": ["10.7.0.0/16"]}) == "aptProxyCidrs is only used with aptProxyUrl"


def test_existing_vpc_settings():
    assert errors_of({"vpcId": "vpc-0123456789abcdef0"}) == [
        "vpcId needs subnetIds: the private subnets to place the nodes in, one per zone",
        "natGateways must be none with vpcId: the stack adds no gateways to a VPC it does not own "
        "(its subnets' routes are the VPC's)",
    ]
    settings = parse_settings(
        {"vpcId": "vpc-0123456789abcdef0", "subnetIds": ["subnet-0123456789abcdef0"], "natGateways": "none"},
        "t",
    )
    assert settings.existing_vpc and settings.zone_count == 1
    assert errors_of(
        {"vpcId": "default", "subnetIds": ["subnet-0123456789abcdef0"], "natGateways": "none"}
    ) == ["vpcId must be a VPC id like vpc-0123456789abcdef0, got 'default'"]


def test_day_two_settings():
    assert only_error({"flowLogRetentionDays": 10}) == (
        "flowLogRetentionDays must be 0 (no flow logs) or a CloudWatch Logs retention (1, 3, 5, 7, "
        "14, 30, 60, 90, ...), got 10"
    )
    assert (
        only_error({"snapshotRetentionDays": -1})
        == "snapshotRetentionDays must be between 0 and 1000, got -1"
    )
    assert only_error({"alarmTopicArn": "oncall"}) == (
        "alarmTopicArn must be an SNS topic ARN (arn:aws:sns:...), got 'oncall'"
    )
    assert only_error({"rollNodes": ["Kafka_1"]}) == (
        "rollNodes[0] must be a node name like kafka-broker-1, got 'Kafka_1'"
    )


def test_monitoring_instance_settings():
    settings = parse_settings({"monitoringInstance": True, "architecture": "arm64"}, "t")
    assert settings.monitoring_instance
    assert settings.instance_types["monitoring"] == "m7g.large"
    assert (
        only_error({"monitoringVolumeSizeGib": 4})
        == "monitoringVolumeSizeGib must be between 8 and 65536 GiB, got 4"
    )
