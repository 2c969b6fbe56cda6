"""Run infra/__main__.py under Pulumi's in-process mocks and record what it declares.

Pulumi's runtime state (settings, root stack, config) is process-global. `run_program` sets all
of it up for one run and restores the defaults afterwards, so mocked runs neither see each other
nor leak into other test modules.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import re
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pulumi
import yaml
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockMonitor

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAM = REPO_ROOT / "infra" / "__main__.py"
PROJECT = "kafka-kit"
# Every port moved off its default, so that a rule on a default port shows up as a mistake.
MOVED_PORTS = dict(
    broker=19092,
    controller=19093,
    zookeeper_client=12181,
    zookeeper_peer=12888,
    zookeeper_election=13888,
    jmx_exporter=17071,
    node_exporter=19100,
)
DEFAULT_ZONES = {
    "eu-west-1": ("eu-west-1a", "eu-west-1b", "eu-west-1c"),
    "us-east-1": (
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
        "us-east-1d",
        "us-east-1e",
        "us-east-1f",
    ),
}
KAFKA_ROLE_DEFAULTS = REPO_ROOT / "roles" / "kafka" / "defaults" / "main.yml"
LISTENER_PROTOCOL_REFERENCE = "{{ kafka_broker_listener_protocol }}"
DEBIAN_AMI = "ami-0debian12abcdef01"
ZONE_ID_PREFIX = {"eu-west-1": "euw1", "us-east-1": "use1"}


def zone_id(region: str, zone: str) -> str:
    """A zone id for the mocks: the zone's letter as its number (real accounts shuffle them)."""
    return f"{ZONE_ID_PREFIX[region]}-az{ord(zone[-1]) - ord('a') + 1}"


@dataclass(frozen=True)
class LiveInstance:
    """An instance of the cluster the mocked EC2 API reports as running already."""

    node: str
    instance_id: str
    ami: str = "ami-0debian12abcdef01"
    instance_type: str = "m7i.xlarge"
    key_name: str = ""
    root_kms_key_id: str = ""


INSTANCE = "aws:ec2/instance:Instance"
VOLUME = "aws:ebs/volume:Volume"
ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment"
SUBNET = "aws:ec2/subnet:Subnet"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
PLACEMENT_GROUP = "aws:ec2/placementGroup:PlacementGroup"
RECORD = "aws:route53/record:Record"
ZONE = "aws:route53/zone:Zone"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DLM_POLICY = "aws:dlm/lifecyclePolicy:LifecyclePolicy"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"

_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc-",
    SUBNET: "subnet-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/eip:Eip": "eipalloc-",
    NAT_GATEWAY: "nat-",
    VPC_ENDPOINT: "vpce-",
    SECURITY_GROUP: "sg-",
    INGRESS: "sgr-",
    EGRESS: "sgr-",
    INSTANCE: "i-",
    VOLUME: "vol-",
    ATTACHMENT: "vai-",
}


def _hex(text: str, length: int = 17) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def instance_type_facts(instance_type: str) -> dict[str, Any]:
    """getInstanceType's answer, from the DescribeInstanceTypes data moto ships (AWS's own)."""
    from moto.ec2.models.instance_types import INSTANCE_TYPES  # noqa: PLC0415 (only the mocks need it)

    info = INSTANCE_TYPES[instance_type]
    ebs = info["EbsInfo"].get("EbsOptimizedInfo", {})
    cards = info.get("NetworkInfo", {}).get("NetworkCards", [])
    return {
        "id": instance_type,
        "instanceType": instance_type,
        "hypervisor": info.get("Hypervisor", "nitro"),
        "ebsNvmeSupport": info["EbsInfo"].get("NvmeSupport", "unsupported"),
        "ebsPerformanceBaselineThroughput": float(ebs.get("BaselineThroughputInMBps", 0)),
        "ebsPerformanceMaximumThroughput": float(ebs.get("MaximumThroughputInMBps", 0)),
        "ebsPerformanceBaselineIops": int(ebs.get("BaselineIops", 0)),
        "ebsPerformanceMaximumIops": int(ebs.get("MaximumIops", 0)),
        "networkCards": [
            {
                "baselineBandwidth": float(c.get("BaselineBandwidthInGbps", 0)),
                "index": c.get("NetworkCardIndex", 0),
                "maximumInterfaces": c.get("MaximumNetworkInterfaces", 1),
                "peakBandwidth": float(c.get("PeakBandwidthInGbps", 0)),
                "performance": c.get("NetworkPerformance", ""),
            }
            for c in cards
        ],
    }


class KafkaKitMocks(pulumi.runtime.Mocks):
    """Answers every invoke the program makes; fills in the computed properties it reads."""

    def __init__(
        self,
        region: str,
        zones: tuple[str, ...],
        partition: str = "aws",
        *,
        unavailable: tuple[str, ...] = (),
        fleet: tuple[LiveInstance, ...] = (),
        existing_subnets: Mapping[str, tuple[str, str]] | None = None,
        zone_ids: Mapping[str, str] | None = None,
    ):
        self.zone_ids = dict(zone_ids or {})
        self.region = region
        self.zones = zones
        self.partition = partition
        self.unavailable = unavailable
        self.fleet = {i.instance_id: i for i in fleet}
        self.existing_subnets = dict(existing_subnets or {})
        """subnet id -> (zone name, CIDR) of an existing VPC."""
        self.invokes: list[tuple[str, dict]] = []
        self._subnets: dict[str, dict[str, Any]] = {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        self.invokes.append((args.token, dict(args.args)))
        answer = {
            "aws:index/getRegion:getRegion": self._region,
            "aws:index/getPartition:getPartition": self._partition,
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._zones,
            "aws:ec2/getAmi:getAmi": self._ami,
            "aws:ec2/getInstanceType:getInstanceType": lambda a: instance_type_facts(a["instanceType"]),
            "aws:ec2/getInstances:getInstances": self._instances,
            "aws:ec2/getInstance:getInstance": self._instance,
            "aws:ec2/getSubnet:getSubnet": self._subnet,
            "aws:ec2/getVpc:getVpc": lambda a: {"id": a["id"], "cidrBlock": "10.80.0.0/16"},
            "aws:ec2/getPrefixList:getPrefixList": lambda a: {"id": "pl-6da54004", "name": a["name"]},
        }.get(args.token)
        if answer is None:
            raise AssertionError(f"the program made an invoke the mocks do not know: {args.token}")
        return answer(args.args)

    def _region(self, _: Mapping[str, Any]) -> dict:
        return {
            "region": self.region,
            "name": self.region,
            "id": self.region,
            "description": "mock region",
            "endpoint": f"ec2.{self.region}.amazonaws.com",
        }

    def _partition(self, _: Mapping[str, Any]) -> dict:
        return {
            "id": self.partition,
            "partition": self.partition,
            "dnsSuffix": "amazonaws.com",
            "reverseDnsPrefix": "com.amazonaws",
        }

    def _zones(self, args: Mapping[str, Any]) -> dict:
        zones = [z for z in self.zones if args.get("state") != "available" or z not in self.unavailable]
        return {
            "id": self.region,
            "names": zones,
            "zoneIds": [self.zone_ids.get(z) or zone_id(self.region, z) for z in zones],
            "groupNames": [self.region] * len(zones),
        }

    def _ami(self, _: Mapping[str, Any]) -> dict:
        return {
            "id": DEBIAN_AMI,
            "imageId": DEBIAN_AMI,
            "name": "debian-12-amd64-20250901-2222",
            "architecture": "x86_64",
            "ownerId": "136693071363",
            "rootDeviceType": "ebs",
            "virtualizationType": "hvm",
        }

    def _instances(self, _: Mapping[str, Any]) -> dict:
        return {
            "id": self.region,
            "ids": list(self.fleet),
            "privateIps": [],
            "publicIps": [],
            "ipv6Addresses": [],
        }

    def _instance(self, args: Mapping[str, Any]) -> dict:
        live = self.fleet[args["instanceId"]]
        return {
            "id": live.instance_id,
            "ami": live.ami,
            "instanceType": live.instance_type,
            "keyName": live.key_name,
            "rootBlockDevices": [{"kmsKeyId": live.root_kms_key_id, "volumeSize": 20}],
            "tags": {"kafka-kit:node": live.node},
        }

    def _subnet(self, args: Mapping[str, Any]) -> dict:
        zone, cidr = self.existing_subnets[args["id"]]
        return {
            "id": args["id"],
            "availabilityZone": zone,
            "availabilityZoneId": self.zone_ids.get(zone) or zone_id(self.region, zone),
            "cidrBlock": cidr,
        }

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        typ, name = args.typ, args.name
        state = dict(args.inputs)
        rid = _ID_PREFIX.get(typ, f"{name}-id-") + _hex(f"{typ}/{name}")
        if typ == SUBNET:
            self._subnets[rid] = {"zone": state["availabilityZone"], "cidr": state["cidrBlock"]}
            state["arn"] = f"arn:aws:ec2:{self.region}:123456789012:subnet/{rid}"
        elif typ == INSTANCE:
            existing = self.existing_subnets.get(state["subnetId"])
            subnet = self._subnets.get(state["subnetId"]) or {"zone": existing[0], "cidr": existing[1]}
            network = ipaddress.IPv4Network(subnet["cidr"])
            state["privateIp"] = str(network.network_address + 10 + int(_hex(name, 4), 16) % 200)
            state["availabilityZone"] = subnet["zone"]
            state["arn"] = f"arn:aws:ec2:{self.region}:123456789012:instance/{rid}"
        elif typ == VPC_ENDPOINT and state.get("vpcEndpointType") == "Gateway":
            state["prefixListId"] = "pl-6da54004"
        elif typ == "aws:s3/bucket:Bucket":
            rid = state.get("bucket") or f"{name}-{_hex(name, 7)}"
            state.update({"bucket": rid, "arn": f"arn:aws:s3:::{rid}"})
        elif typ in ("aws:iam/role:Role", "aws:iam/instanceProfile:InstanceProfile"):
            rid = state.get("name") or f"{name}-{_hex(name, 7)}"
            kind = "role" if typ.endswith("Role") else "instance-profile"
            state.update({"name": rid, "arn": f"arn:aws:iam::123456789012:{kind}/{rid}"})
        elif typ == PLACEMENT_GROUP:
            rid = state.get("name") or f"{name}-{_hex(name, 7)}"
            state["name"] = rid
        elif typ == ZONE:
            state["zoneId"] = "Z" + _hex(name, 20).upper()
            rid = state["zoneId"]
        elif typ == LOAD_BALANCER:
            state["dnsName"] = f"{name}-{_hex(name, 8)}.elb.{self.region}.amazonaws.com"
            state["zoneId"] = "Z2IFOLAFXWLO4F"
            state["arn"] = f"arn:aws:elasticloadbalancing:{self.region}:123456789012:loadbalancer/net/{name}"
            rid = state["arn"]
        elif typ == "aws:lb/targetGroup:TargetGroup":
            state["arn"] = f"arn:aws:elasticloadbalancing:{self.region}:123456789012:targetgroup/{name}"
        elif typ == "aws:ec2/vpcEndpointService:VpcEndpointService":
            state["serviceName"] = f"com.amazonaws.vpce.{self.region}.{rid}"
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = f"arn:aws:logs:{self.region}:123456789012:log-group:{name}"
        return rid, state


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    id: str
    state: dict[str, Any]
    protect: bool
    ignore_changes: list[str]
    delete_before_replace: bool
    dependencies: list[str]


class RecordingMonitor(MockMonitor):
    """MockMonitor that also keeps each registration's resource options."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request):  # the gRPC method it overrides
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            registered = self.resources[response.urn]
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    custom=request.custom,
                    id=registered.id,
                    state=dict(registered.state),
                    protect=request.protect,
                    ignore_changes=list(request.ignoreChanges),
                    delete_before_replace=request.deleteBeforeReplace,
                    dependencies=list(request.dependencies),
                )
            )
        return response


class ProgramFailed(Exception):
    """The program raised; `resources` holds what it had declared by then."""

    def __init__(self, error: Exception, resources: list[Registration]):
        super().__init__(str(error))
        self.error = error
        self.resources = list(resources)


@dataclass
class ProgramRun:
    resources: list[Registration]
    outputs: dict[str, Any]
    invokes: list[tuple[str, dict]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.resources if r.type == typ]

    def by_id(self, typ: str) -> dict[str, Registration]:
        return {r.id: r for r in self.of_type(typ)}

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.resources}

    def count_by_type(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.resources:
            counts[r.type] = counts.get(r.type, 0) + 1
        return counts


def stack_file_config(stack: str) -> tuple[str, dict[str, Any]]:
    """The region and kafka-kit:* values of an example stack file Pulumi.<stack>.yaml."""
    data = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    prefix = f"{PROJECT}:"
    values = {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}
    return data["aws:region"], values


def _as_pulumi_string(value: Any) -> str:
    """What the Pulumi CLI hands the program: scalars as text, structures as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _reset_runtime() -> None:
    runtime_config.CONFIG.set({})
    runtime_settings.reset_options(project="project", stack="stack", root_directory="root_directory")


def run_program(
    config: Mapping[str, Any],
    *,
    stack: str = "test",
    region: str = "eu-west-1",
    zones: tuple[str, ...] | None = None,
    unavailable: tuple[str, ...] = (),
    fleet: tuple[LiveInstance, ...] = (),
    existing_subnets: Mapping[str, tuple[str, str]] | None = None,
    zone_ids: Mapping[str, str] | None = None,
) -> ProgramRun:
    """Run infra/__main__.py with `config` (kafka-kit:* keys, without the prefix), in a region
    with `zones` (`unavailable` ones down now) where `fleet` already runs."""
    mocks = KafkaKitMocks(
        region,
        zones if zones is not None else DEFAULT_ZONES[region],
        unavailable=unavailable,
        fleet=fleet,
        existing_subnets=existing_subnets,
        zone_ids=zone_ids,
    )
    monitor = RecordingMonitor(mocks)
    _reset_runtime()
    runtime_config.set_all_config(
        {f"{PROJECT}:{key}": _as_pulumi_string(value) for key, value in config.items()}
        | {"aws:region": region}
    )
    warnings: list[str] = []
    logger = logging.getLogger(f"kafkakit-mocks-{stack}")
    logger.propagate = False
    logger.handlers = [_ListHandler(warnings)]
    pulumi.runtime.set_mocks(
        mocks, project=PROJECT, stack=stack, preview=False, logger=logger, monitor=monitor
    )
    captured: dict[str, Any] = {}
    try:

        @pulumi.runtime.test
        def program() -> pulumi.Output:
            runpy.run_path(str(PROGRAM), run_name="__main__")
            stack_resource = runtime_settings.get_root_resource()
            return pulumi.Output.from_input(stack_resource.outputs).apply(captured.update)

        program()
    except Exception as error:
        raise ProgramFailed(error, monitor.registrations) from error
    finally:
        _reset_runtime()
    return ProgramRun(
        resources=monitor.registrations, outputs=captured, invokes=mocks.invokes, warnings=warnings
    )


class _ListHandler(logging.Handler):
    """Keeps the program's warnings (pulumi.log.warn) for the tests."""

    def __init__(self, sink: list[str]):
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


# --------------------------------------------------------------------------- the roles' view


def role_listener_protocol(host_vars: Mapping[str, Any]) -> str:
    """kafka_broker_listener_protocol for a host as the kafka role computes it: the role's own
    default (its Jinja, from roles/kafka/defaults/main.yml) rendered with the host's security
    variables, or the role's defaults for those."""
    defaults = yaml.safe_load(KAFKA_ROLE_DEFAULTS.read_text())
    names = ("kafka_security_profile", "kafka_client_authentication")
    context = {name: host_vars.get(name, defaults[name]) for name in names}
    template = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(
        defaults["kafka_broker_listener_protocol"]
    )
    return template.render(context).strip()


def resolve_listener_protocols(hosts: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each host's effective variables with the listener protocol reference hosts.yml carries
    rendered as Ansible renders it for that host, to compare with the dynamic inventory, which
    has to compute the value itself (Ansible renders no template an inventory plugin returns)."""
    resolved = {}
    for name, hvars in hosts.items():
        listeners = [
            {**item, "protocol": role_listener_protocol(hvars)}
            if item.get("protocol") == LISTENER_PROTOCOL_REFERENCE
            else dict(item)
            for item in hvars.get("kafka_listeners_extra") or []
        ]
        resolved[name] = {**hvars, **({"kafka_listeners_extra": listeners} if listeners else {})}
    return resolved


def readme_block(name: str) -> str:
    """The text README.md holds between `<!-- name:begin -->` and `<!-- name:end -->`, for a test
    that keeps it equal to what a script prints."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = (REPO_ROOT / "README.md").read_text()
    match = re.search(re.escape(begin) + r"\n\n(.*?\n)" + re.escape(end), text, re.S)
    assert match, f"README.md has no block between {begin} and {end}"
    return match.group(1)
