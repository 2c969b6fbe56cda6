"""Filters that write Java .properties files: thin entry points over module_utils/properties.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.kafkakit.kafka.plugins.module_utils import properties


def java_properties(data: dict) -> str:
    """The .properties body of `data`, sorted by key (server.properties, zoo.cfg)."""
    try:
        return properties.render(data)
    except properties.PropertiesError as error:
        raise AnsibleFilterError(str(error)) from error


def java_properties_values(data: dict) -> dict:
    """Each value of `data` as a .properties file spells it (for kafka-configs --add-config)."""
    try:
        return properties.spelled(data)
    except properties.PropertiesError as error:
        raise AnsibleFilterError(str(error)) from error


class FilterModule:
    def filters(self):
        return {"java_properties": java_properties, "java_properties_values": java_properties_values}
