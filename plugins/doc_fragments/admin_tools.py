"""The options every module that runs Kafka's admin tools shares (module_utils/tools.py has their
argument spec, ADMIN_TOOL_ARGUMENTS)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  bootstrap_server:
    description: Brokers to ask (host:port,...).
    type: str
  command_config:
    description: Client configuration of the admin tools (security settings).
    type: path
    default: ""
  runner:
    description: The command that runs a Kafka class with the node's installation.
    type: path
    default: /usr/local/bin/kafka-run-class
  timeout:
    description: Seconds each admin tool may run.
    type: int
    default: 120
"""
