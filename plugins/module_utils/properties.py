"""The one reader and writer of Java .properties text (server.properties, zoo.cfg, meta.properties,
client configs), for every role, module and script of the kit.

Rendering is sorted by key and spells values the way Java reads them, so the same data always gives
the same bytes: a re-run changes nothing and restarts nothing.
"""

from __future__ import annotations

# java.util.Properties escapes: backslash first, then what would end a key or a line.
_VALUE_ESCAPES = [("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")]
_KEY_ESCAPES = [*_VALUE_ESCAPES, ("=", "\\="), (":", "\\:"), (" ", "\\ ")]


class PropertiesError(ValueError):
    """Data that cannot be written as a .properties entry."""


def _escape(text: str, escapes: list[tuple[str, str]]) -> str:
    for raw, escaped in escapes:
        text = text.replace(raw, escaped)
    return text


def spell(value, key: str = "") -> str:
    """A value as a .properties file spells it: Java booleans, lists comma-separated."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(spell(item, key) for item in value)
    if value is None:
        raise PropertiesError(f"{key or 'a .properties value'}: null is not a value; remove the key instead")
    if isinstance(value, dict):
        raise PropertiesError(
            f"{key or 'a .properties value'}: a nested mapping is not a value; write each entry as "
            "its own dotted key (e.g. listener.name.internal.ssl.client.auth)"
        )
    return str(value)


def _require_dict(properties, what: str) -> None:
    if not isinstance(properties, dict):
        raise PropertiesError(f"{what} expects a dict, got {type(properties).__name__}")


def spelled(properties: dict) -> dict[str, str]:
    """Each value as a .properties file spells it, unescaped, sorted by key: for tools that take
    `key=value` pairs (kafka-configs --add-config) and must agree with the rendered file."""
    _require_dict(properties, "spelled")
    return {
        str(key): spell(value, str(key))
        for key, value in sorted(properties.items(), key=lambda item: str(item[0]))
    }


def add_config_changes(current: dict[str, str], desired: dict) -> str:
    """The `key=value,...` that `kafka-configs --alter --add-config` needs to bring `current` (as
    ConfigCommand describes it) to `desired`; empty when they already match."""
    changes = [(key, value) for key, value in spelled(desired).items() if current.get(key) != value]
    # Values with commas go in square brackets, as kafka-configs expects.
    return ",".join(f"{key}=[{value}]" if "," in value else f"{key}={value}" for key, value in changes)


def render(properties: dict) -> str:
    """A dict as a Java .properties body, sorted by key, one `key=value` a line."""
    _require_dict(properties, "render")
    lines = [
        f"{_escape(key, _KEY_ESCAPES)}={_escape(value, _VALUE_ESCAPES)}"
        for key, value in spelled(properties).items()
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def parse(text: str) -> dict[str, str]:
    """The `key=value` entries of a .properties text that Kafka writes itself (meta.properties)."""
    parsed = {}
    for raw in (text or "").splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", "!")):
            key, sep, value = line.partition("=")
            if sep:
                parsed[key.strip()] = value.strip()
    return parsed
