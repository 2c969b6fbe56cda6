"""Check variables against the roles' own argument specs (meta/argument_specs.yml), before any host
is touched: the types every role declares apply to the whole inventory at once.

Unlike Ansible's own argument validation, which runs when each role starts (after validation, and
on the hosts of that play only), this reports every problem with the host, the variable and the
value as given, and it refuses a string where a list belongs instead of splitting it on commas
(the roles loop over the raw variable: a string would be looped over character by character).
Values that are whole numbers written as strings (`kafka_node_id: "2"`) are accepted and
converted, as Ansible converts them.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class SpecError(ValueError):
    pass


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _string(value, name):
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise SpecError(f"{name} {_shown(value)} must be a string")


def _integer(value, name):
    if isinstance(value, bool):
        raise SpecError(f"{name} {_shown(value)} must be a whole number, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise SpecError(f"{name} {_shown(value)} must be a whole number")


def _number(value, name):
    if isinstance(value, bool):
        raise SpecError(f"{name} {_shown(value)} must be a number, not a boolean")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SpecError(f"{name} {_shown(value)} must be a number") from None


def _boolean(value, name):
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in _TRUE:
        return True
    if str(value).strip().lower() in _FALSE:
        return False
    raise SpecError(f"{name} {_shown(value)} must be true or false")


def _list(value, name):
    if isinstance(value, list | tuple):
        return list(value)
    raise SpecError(f"{name} {_shown(value)} must be a list (write it as [item, ...])")


def _mapping(value, name):
    if isinstance(value, Mapping):
        return dict(value)
    raise SpecError(f"{name} {_shown(value)} must be a mapping (key: value)")


_CONVERTERS = {
    "raw": lambda value, name: value,
    "str": _string,
    "path": _string,
    "int": _integer,
    "float": _number,
    "bool": _boolean,
    "list": _list,
    "dict": _mapping,
}


def _convert(value, kind: str, name: str):
    """`value` as `kind` (an argument spec type), or SpecError naming what was given."""
    converter = _CONVERTERS.get(kind or "raw")
    if converter is None:
        raise SpecError(f"{name}: unknown type {kind} in the argument specs")
    return converter(value, name)


def check_value(value, spec: dict, name: str) -> tuple[object, list[str]]:
    """`value` converted to what `spec` (one option of an argument spec) says, and the problems."""
    try:
        converted = _convert(value, spec.get("type", "str"), name)
    except SpecError as error:
        return value, [str(error)]
    problems: list[str] = []
    choices = spec.get("choices")
    if choices is not None and converted not in choices:
        problems.append(f"{name} {_shown(value)} must be one of {', '.join(map(str, choices))}")
    if spec.get("type") == "list" and spec.get("elements"):
        element_spec = {
            "type": spec["elements"],
            "options": spec.get("options"),
            "choices": spec.get("choices"),
        }
        items = []
        for index, item in enumerate(converted):
            checked, item_problems = check_value(item, element_spec, f"{name}[{index}]")
            items.append(checked)
            problems += item_problems
        converted = items
    elif spec.get("type") == "dict" and spec.get("options"):
        converted, sub_problems = check_options(converted, spec["options"], name)
        problems += sub_problems
    return converted, problems


def check_options(values: Mapping, options: dict, prefix: str = "") -> tuple[dict, list[str]]:
    """Every option of `values` checked against `options` (an argument spec's options): required
    ones present, unknown ones reported with the nearest known name."""
    checked, problems = {}, []
    for key, value in values.items():
        label = f"{prefix}.{key}" if prefix else key
        spec = options.get(key)
        if spec is None:
            if prefix:  # a sub-option: the mapping's keys are all known
                problems.append(f"{label} is not a known key{nearest(key, options)}")
            continue
        checked[key], found = check_value(value, spec, label)
        problems += found
    for key, spec in options.items():
        if spec.get("required") and key not in values:
            label = f"{prefix}.{key}" if prefix else key
            problems.append(f"{label} is required")
    return checked, problems


def nearest(name: str, known) -> str:
    """`; did you mean X?` when a known name is close, else nothing."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]}?" if close else ""


def unknown_variables(names, known: set[str], prefixes: tuple[str, ...]) -> list[str]:
    """Variables that carry one of the roles' prefixes but that no role defines: a misspelt name
    would otherwise be silently ignored."""
    return sorted(name for name in names if name.startswith(prefixes) and name not in known)
