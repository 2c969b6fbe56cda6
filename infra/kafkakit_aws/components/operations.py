"""Operations: what a platform team expects around the nodes on AWS.

- daily EBS snapshots of every data volume, kept for `snapshotRetentionDays` (Data Lifecycle
  Manager, which needs a service role);
- VPC flow logs to CloudWatch Logs, kept for `flowLogRetentionDays` (the stack's own VPC only);
- per instance, a CloudWatch alarm on the system status check that recovers the instance onto
  other hardware (same id, address and volumes), and with `alarmTopicArn` both status checks
  notify the topic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ._common import CLUSTER_TAG, TYPE_PREFIX, require, tags

SNAPSHOT_TIME_UTC = "03:00"


@dataclass(frozen=True)
class OperationsArgs:
    cluster_name: str
    region: str
    partition: str
    dns_suffix: str
    instance_ids: Mapping[str, pulumi.Input[str]]
    """Instance id by node name."""
    snapshot_tags: Mapping[str, str]
    """The tags that mark the cluster's data volumes for snapshots."""
    snapshot_retention_days: int = 7
    vpc_id: pulumi.Input[str] | None = None
    """The VPC to log flows of; None: no flow logs (an existing VPC is its owner's to log)."""
    flow_log_retention_days: int = 30
    alarm_topic_arn: str | None = None

    def __post_init__(self) -> None:
        where = "OperationsArgs"
        require(bool(self.instance_ids), where, "at least one instance is needed")
        require(0 <= self.snapshot_retention_days <= 1000, where, "snapshot retention out of range")
        require(CLUSTER_TAG in self.snapshot_tags, where, "snapshot tags must name the cluster")


class Operations(pulumi.ComponentResource):
    def __init__(self, name: str, args: OperationsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(args, OperationsArgs):
            raise TypeError(f"{name}: expected OperationsArgs, got {type(args).__name__}")
        super().__init__(f"{TYPE_PREFIX}:Operations", name, None, opts)
        if args.snapshot_retention_days:
            self._snapshots(name, args)
        if args.vpc_id is not None and args.flow_log_retention_days:
            self._flow_logs(name, args)
        self._alarms(name, args)
        self.register_outputs({})

    def _service_role(self, name: str, args: OperationsArgs, service: str, what: str) -> aws.iam.Role:
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        return aws.iam.Role(
            name,
            description=f"{args.cluster_name}: {what}",
            assume_role_policy=json.dumps(trust),
            tags=tags(args.cluster_name, name),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _snapshots(self, name: str, args: OperationsArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        role = self._service_role(f"{name}-dlm", args, f"dlm.{args.dns_suffix}", "EBS snapshots (DLM)")
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-dlm",
            role=role.name,
            policy_arn=f"arn:{args.partition}:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole",
            opts=child,
        )
        aws.dlm.LifecyclePolicy(
            f"{name}-snapshots",
            description=f"{args.cluster_name} data volumes, daily",
            execution_role_arn=role.arn,
            state="ENABLED",
            policy_details={
                "resource_types": ["VOLUME"],
                "target_tags": dict(args.snapshot_tags),
                "schedules": [
                    {
                        "name": "daily",
                        "create_rule": {"interval": 24, "interval_unit": "HOURS", "times": SNAPSHOT_TIME_UTC},
                        "retain_rule": {"count": args.snapshot_retention_days},
                        "copy_tags": True,
                    }
                ],
            },
            tags=tags(args.cluster_name, f"{args.cluster_name}-snapshots"),
            # DLM checks that it may assume the role when the policy is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
        )

    def _flow_logs(self, name: str, args: OperationsArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=args.flow_log_retention_days,
            tags=tags(args.cluster_name, f"{args.cluster_name}-flow-logs"),
            opts=child,
        )
        role = self._service_role(
            f"{name}-flow-logs", args, f"vpc-flow-logs.{args.dns_suffix}", "VPC flow logs to CloudWatch"
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": [arn, f"{arn}:*"],
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=args.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            tags=tags(args.cluster_name, f"{args.cluster_name}-flow-logs"),
            opts=child,
        )

    def _alarms(self, name: str, args: OperationsArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        notify = [args.alarm_topic_arn] if args.alarm_topic_arn else []
        recover = f"arn:{args.partition}:automate:{args.region}:ec2:recover"
        for node, instance_id in args.instance_ids.items():
            checks = [("system", "StatusCheckFailed_System", [recover, *notify])]
            if notify:
                checks.append(("instance", "StatusCheckFailed_Instance", notify))
            for what, metric, actions in checks:
                aws.cloudwatch.MetricAlarm(
                    f"{name}-{node}-{what}-check",
                    alarm_description=f"{args.cluster_name} {node}: EC2 {what} status check failed",
                    namespace="AWS/EC2",
                    metric_name=metric,
                    dimensions={"InstanceId": instance_id},
                    statistic="Maximum",
                    period=60,
                    evaluation_periods=2,
                    threshold=1,
                    comparison_operator="GreaterThanOrEqualToThreshold",
                    alarm_actions=actions,
                    ok_actions=notify,
                    tags=tags(args.cluster_name, f"{args.cluster_name}-{node}-{what}-check"),
                    opts=child,
                )
