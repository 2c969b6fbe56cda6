"""Wait until Systems Manager reports every node of an inventory online, bounded.

    python infra/wait_for_ssm.py --inventory inventories/aws/hosts.yml --timeout 900

`pulumi up` returns when the instances exist, not when their first boot has installed the SSM
agent (the user data retries its download for up to ten minutes and starts the agent last, so
"online" means first boot is done). Ansible's SSM connection fails on a node whose agent is not
registered yet. This polls ssm:DescribeInstanceInformation for the inventory's instance ids until
all are Online, or gives up after --timeout seconds naming the nodes still missing and what to
look at. An inventory that connects over SSH has nothing to wait for here. Exit status: 0 all
online (or SSH), 1 timed out, 2 usage or AWS error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

SSM_CONNECTION = "amazon.aws.aws_ssm"
FILTER_CHUNK = 50
"""DescribeInstanceInformation takes at most 50 values in its InstanceIds filter."""


def ssm_targets(inventory: Mapping[str, Any]) -> tuple[str | None, dict[str, str]]:
    """(region, instance id by host) of an inventory's SSM hosts; an SSH inventory gives none."""
    all_group = inventory.get("all") or {}
    all_vars = all_group.get("vars") or {}
    targets: dict[str, str] = {}
    region = all_vars.get("ansible_aws_ssm_region")
    for group in (all_group.get("children") or {}).values():
        for host, hvars in ((group or {}).get("hosts") or {}).items():
            merged = {**all_vars, **(hvars or {})}
            if merged.get("ansible_connection") == SSM_CONNECTION:
                targets[host] = merged.get("ansible_aws_ssm_instance_id") or merged["ansible_host"]
                region = region or merged.get("ansible_aws_ssm_region")
    return region, targets


def ping_status(client: Any, instance_ids: Iterable[str]) -> dict[str, str]:
    """PingStatus (Online, ConnectionLost, Inactive) by instance id, for those SSM knows."""
    ids = sorted(set(instance_ids))
    out: dict[str, str] = {}
    for start in range(0, len(ids), FILTER_CHUNK):
        chunk = ids[start : start + FILTER_CHUNK]
        token = None
        while True:
            kwargs: dict[str, Any] = {"Filters": [{"Key": "InstanceIds", "Values": chunk}]}
            if token:
                kwargs["NextToken"] = token
            page = client.describe_instance_information(**kwargs)
            for info in page.get("InstanceInformationList", []):
                out[info["InstanceId"]] = info.get("PingStatus", "Unknown")
            token = page.get("NextToken")
            if not token:
                break
    return out


def wait_online(
    client: Any,
    targets: Mapping[str, str],
    *,
    timeout: float,
    interval: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
) -> dict[str, str]:
    """Poll until every target is Online or `timeout` passes; the hosts not online, with their
    status ("not registered" when SSM has never heard of the instance)."""
    deadline = clock() + timeout
    while True:
        status = ping_status(client, targets.values())
        missing = {
            host: status.get(instance_id, "not registered")
            for host, instance_id in targets.items()
            if status.get(instance_id) != "Online"
        }
        if not missing or clock() + interval > deadline:
            return missing
        online = len(targets) - len(missing)
        say(f"wait_for_ssm: {online}/{len(targets)} online; waiting for {', '.join(missing)}")
        sleep(interval)


def main(argv: list[str] | None = None, client_factory: Callable[[str], Any] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inventory", type=Path, required=True, help="the YAML inventory (make inventory)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait in all (%(default)s)")
    parser.add_argument("--interval", type=float, default=15, help="seconds between polls (%(default)s)")
    args = parser.parse_args(argv)
    try:
        inventory = yaml.safe_load(args.inventory.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        print(f"wait_for_ssm: cannot read {args.inventory}: {error}", file=sys.stderr)
        return 2
    region, targets = ssm_targets(inventory)
    if not targets:
        print(f"wait_for_ssm: {args.inventory} has no SSM hosts (SSH connection): nothing to wait for")
        return 0
    try:
        client = (client_factory or _ssm_client)(region or "")
        missing = wait_online(client, targets, timeout=args.timeout, interval=args.interval)
    except Exception as error:  # botocore's ClientError, NoCredentialsError, EndpointConnectionError...
        print(f"wait_for_ssm: asking Systems Manager failed: {error}", file=sys.stderr)
        return 2
    if missing:
        listed = ", ".join(f"{host} ({targets[host]}: {state})" for host, state in missing.items())
        print(
            f"wait_for_ssm: after {args.timeout:.0f} s, Systems Manager still does not report "
            f"{len(missing)} of {len(targets)} nodes online: {listed}.\n"
            "  The first boot installs the SSM agent from S3 and starts it last; see the instance's "
            "console output (aws ec2 get-console-output --instance-id ...) for 'kafka-kit:' lines, "
            "and check its routes to S3 and to Systems Manager (VPC endpoints or NAT).",
            file=sys.stderr,
        )
        return 1
    print(f"wait_for_ssm: all {len(targets)} nodes are online in Systems Manager")
    return 0


def _ssm_client(region: str) -> Any:
    import boto3  # noqa: PLC0415 (only a real run needs it)

    return boto3.client("ssm", region_name=region or None)


if __name__ == "__main__":
    sys.exit(main())
