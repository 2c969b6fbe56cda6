"""The one renderer of Java .properties files (server.properties, zoo.cfg) for every role.

A plugin-only role: the roles that render such a file list it under `dependencies:` in their
meta/main.yml, which puts this filter on their plugin path (filter plugins of one role cannot
import another's). Tests: tests/unit/test_java_properties_filters.py.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# java.util.Properties escapes: backslash first, then what would end a key or a line.
_VALUE_ESCAPES = [("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")]
_KEY_ESCAPES = [*_VALUE_ESCAPES, ("=", "\\="), (":", "\\:"), (" ", "\\ ")]


def _escape(text: str, escapes: list[tuple[str, str]]) -> str:
    for raw, escaped in escapes:
        text = text.replace(raw, escaped)
    return text


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(_value(item) for item in value)
    if value is None:
        raise AnsibleFilterError("a .properties value cannot be null; remove the key instead")
    return str(value)


def _require_dict(properties, name: str) -> None:
    if not isinstance(properties, dict):
        raise AnsibleFilterError(f"{name} expects a dict, got {type(properties).__name__}")


def java_properties_values(properties: dict) -> dict:
    """Each value as a .properties file spells it, unescaped, sorted by key: for tools that take
    `key=value` pairs (kafka-configs --add-config) and must agree with the rendered file."""
    _require_dict(properties, "java_properties_values")
    return {
        str(key): _value(value) for key, value in sorted(properties.items(), key=lambda item: str(item[0]))
    }


def java_properties(properties: dict) -> str:
    """Render a dict as a Java .properties body, sorted by key, one `key=value` a line.

    Booleans are written as Java spells them, lists comma-separated; sorted so that the same data
    always renders the same bytes (and restarts nothing).
    """
    _require_dict(properties, "java_properties")
    lines = [
        f"{_escape(key, _KEY_ESCAPES)}={_escape(value, _VALUE_ESCAPES)}"
        for key, value in java_properties_values(properties).items()
    ]
    return "\n".join(lines) + ("\n" if lines else "")


class FilterModule:
    def filters(self):
        return {"java_properties": java_properties, "java_properties_values": java_properties_values}
