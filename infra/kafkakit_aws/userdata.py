"""First-boot script for the nodes.

Debian's AMIs do not ship the AWS Systems Manager agent, which both the management posture
(no inbound access) and Ansible's amazon.aws.aws_ssm connection need. The script installs it from
the regional S3 bucket AWS publishes it in; without NAT the hosts reach that bucket through the
VPC's S3 gateway endpoint. It retries for about ten minutes because the instance can boot before
the endpoint's routes are in place. The agent is started last, after curl (which the SSM
connection moves files with) is in place, so a node that SSM reports online is ready for Ansible
(infra/wait_for_ssm.py waits for exactly that). With an apt proxy, apt uses it from the start;
host_prep writes the same file. Everything else about the host is Ansible's job.
"""

from __future__ import annotations

from typing import Final

SSM_AGENT_URL: Final = (
    "https://s3.{region}.{dns_suffix}/amazon-ssm-{region}/latest/debian_${{arch}}/amazon-ssm-agent.deb"
)
APT_PROXY_FILE: Final = "/etc/apt/apt.conf.d/80kafka-kit-proxy"

_SCRIPT: Final = """#!/bin/bash
# kafka-kit first boot: install and start the AWS SSM agent.
set -euo pipefail
if systemctl is-active --quiet amazon-ssm-agent; then
  exit 0
fi
{apt_proxy}arch="$(dpkg --print-architecture)"
url="{url}"
deb=/run/amazon-ssm-agent.deb
fetch='import shutil, sys, urllib.request as u
with u.urlopen(sys.argv[1], timeout=30) as r, open(sys.argv[2], "wb") as f:
    shutil.copyfileobj(r, f)'
for attempt in $(seq 1 40); do
  if python3 -c "$fetch" "$url" "$deb"; then
    break
  fi
  echo "kafka-kit: SSM agent download failed (attempt $attempt), retrying" >&2
  sleep 15
done
# Ansible's aws_ssm connection moves files with curl: in place before the agent reports online.
command -v curl >/dev/null || {{ apt-get update -qq && apt-get install -y curl; }} || \\
  echo "kafka-kit: curl is missing and could not be installed" >&2
dpkg -i "$deb"
systemctl enable --now amazon-ssm-agent
"""


def ssm_agent_user_data(
    region: str, dns_suffix: str = "amazonaws.com", apt_proxy_url: str | None = None
) -> str:
    url = SSM_AGENT_URL.format(region=region, dns_suffix=dns_suffix)
    proxy = ""
    if apt_proxy_url:
        proxy = (
            f'printf \'Acquire::http::Proxy "%s";\\nAcquire::https::Proxy "%s";\\n\' '
            f"'{apt_proxy_url}' '{apt_proxy_url}' > {APT_PROXY_FILE}\n"
        )
    return _SCRIPT.format(url=url, apt_proxy=proxy)
