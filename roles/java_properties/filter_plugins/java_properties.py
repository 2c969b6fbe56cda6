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


def java_properties(properties: dict) -> str:
    """Render a dict as a Java .properties body, sorted by key, one `key=value` a line.

    Booleans are written as Java spells them, lists comma-separated; sorted so that the same data
    always renders the same bytes (and restarts nothing).
    """
    if not isinstance(properties, dict):
        raise AnsibleFilterError(f"java_properties expects a dict, got {type(properties).__name__}")
    lines = [
        f"{_escape(str(key), _KEY_ESCAPES)}={_escape(_value(value), _VALUE_ESCAPES)}"
        for key, value in sorted(properties.items(), key=lambda item: str(item[0]))
    ]
    return "\n".join(lines) + ("\n" if lines else "")


class FilterModule:
    def filters(self):
        return {"java_properties": java_properties}
