"""Filters of the host_prep role: thin entry points over module_utils.tool_output."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.kafkakit.kafka.plugins.module_utils import tool_output


def kafka_installed_packages(dpkg_query_output: str) -> list[str]:
    """The packages installed on the host, from host_prep's dpkg-query."""
    try:
        return tool_output.installed_packages(dpkg_query_output)
    except tool_output.ToolOutputError as error:
        raise AnsibleFilterError(f"kafka_installed_packages: {error}") from error


class FilterModule:
    def filters(self):
        return {"kafka_installed_packages": kafka_installed_packages}
