"""NodeIam: the nodes' instance role and profile (SSM management only) and the private,
encrypted S3 bucket Ansible's amazon.aws.aws_ssm connection moves files through."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ._common import TYPE_PREFIX, require, tags

TRANSFER_OBJECT_DAYS = 1
"""aws_ssm deletes its transfer files itself; anything an interrupted run leaves behind (module
arguments can hold secrets) expires after this many days."""


@dataclass(frozen=True)
class NodeIamArgs:
    cluster_name: str
    partition: str = "aws"
    dns_suffix: str = "amazonaws.com"

    def __post_init__(self) -> None:
        where = "NodeIamArgs"
        require(bool(re.fullmatch(r"aws[a-z-]*", self.partition)), where, "bad partition")
        require(bool(self.dns_suffix), where, "dns_suffix is required")


class NodeIam(pulumi.ComponentResource):
    instance_profile_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]

    def __init__(self, name: str, args: NodeIamArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(args, NodeIamArgs):
            raise TypeError(f"{name}: expected NodeIamArgs, got {type(args).__name__}")
        super().__init__(f"{TYPE_PREFIX}:NodeIam", name, None, opts)
        cluster = args.cluster_name
        child = pulumi.ResourceOptions(parent=self)

        role = aws.iam.Role(
            f"{name}-node",
            description=f"{cluster} Kafka nodes: Systems Manager management only",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": f"ec2.{args.dns_suffix}"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            tags=tags(cluster, f"{cluster}-node"),
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-ssm-core",
            role=role.name,
            policy_arn=f"arn:{args.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore",
            opts=child,
        )
        profile = aws.iam.InstanceProfile(
            f"{name}-node", role=role.name, tags=tags(cluster, f"{cluster}-node"), opts=child
        )
        self.instance_profile_name = profile.name
        self.role_arn = role.arn

        bucket = aws.s3.Bucket(
            f"{name}-ssm-transfer",
            # Scratch space for in-flight file transfers, never data: let `pulumi destroy`
            # empty it instead of failing on leftovers.
            force_destroy=True,
            tags=tags(cluster, f"{cluster}-ssm-transfer"),
            opts=child,
        )
        access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-ssm-transfer",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ssm-transfer",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-ssm-transfer",
            bucket=bucket.id,
            # SSE-S3: presigned URLs the hosts fetch with curl need no KMS grants.
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-ssm-transfer",
            bucket=bucket.id,
            rules=[
                {
                    "id": "expire-transfer-leftovers",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": TRANSFER_OBJECT_DAYS},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
                }
            ],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-ssm-transfer",
            bucket=bucket.id,
            policy=bucket.arn.apply(_tls_only_policy),
            # S3 rejects bucket policies while the public access block is being changed.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[access_block]),
        )
        self.bucket_name = bucket.bucket

        self.register_outputs(
            {
                "instance_profile_name": self.instance_profile_name,
                "role_arn": self.role_arn,
                "bucket_name": self.bucket_name,
            }
        )


def _tls_only_policy(bucket_arn: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )
