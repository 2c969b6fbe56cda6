"""Read the stack's raw configuration for settings.parse_settings.

Values come back as Pulumi stores them: strings (numbers and booleans as text, lists as JSON).
Every key set in the project's namespace is returned, including misspelt ones, so the parser can
point at typos instead of silently using a default.
"""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from .settings import KEYS


def _keys_in_namespace(namespace: str) -> set[str]:
    prefix = f"{namespace}:"
    names = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    return {name[len(prefix) :] for name in names if name.startswith(prefix)}


def read_stack_config() -> dict[str, object]:
    config = pulumi.Config()
    keys = set(KEYS) | _keys_in_namespace(config.name)
    raw = {key: config.get(key) for key in sorted(keys)}
    return {key: value for key, value in raw.items() if value is not None}
