"""The generated pages (docs/variables.md, docs/server-properties.md, each role's variables table)
must not drift from the code, and every role documents and validates its whole interface."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from role_docs import BEGIN, END, documented_variables

ROOT = Path(__file__).resolve().parents[2]


def test_variables_page_matches_the_role_defaults():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "role_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_role_default_is_documented_with_a_comment():
    for defaults in sorted(ROOT.glob("roles/*/defaults/main.yml")):
        role = defaults.parent.parent.name
        for name, comment, _ in documented_variables(defaults, role):
            assert name == role or name.startswith(f"{role}_"), f"{defaults}: {name} lacks the role prefix"
            assert comment, f"{defaults}: {name} has no comment"


ROLES = sorted(path.parent.parent for path in ROOT.glob("roles/*/defaults/main.yml"))


@pytest.mark.parametrize("role", ROLES, ids=lambda path: path.name)
def test_every_role_has_a_readme_of_the_usual_shape(role):
    readme = (role / "README.md").read_text()
    for heading in ("## Requirements", "## Role Variables", "## Dependencies", "## Example Playbook"):
        assert heading in readme, f"{role.name}/README.md lacks {heading}"
    assert BEGIN in readme and END in readme, f"{role.name}/README.md lacks the generated variables table"


@pytest.mark.parametrize("role", ROLES, ids=lambda path: path.name)
def test_every_default_is_validated_by_the_argument_specs_and_every_option_is_documented(role):
    """Defaults are the documented interface, argument specs check it: the same names on both sides
    (plus the host variables, documented as commented examples)."""
    defaults = set(yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {})
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]
    options = set(specs.get("options") or {})
    documented = {name for name, _, _ in documented_variables(role / "defaults" / "main.yml", role.name)}
    assert defaults <= options, f"{role.name}: defaults without a spec: {sorted(defaults - options)}"
    assert options <= documented, f"{role.name}: specs without documentation: {sorted(options - documented)}"


MODULES = sorted((ROOT / "plugins" / "modules").glob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.stem)
def test_every_module_documents_itself_in_yaml_ansible_can_read(module):
    # ansible-doc and ansible-lint parse these strings; a stray "key: value" in a sentence breaks both.
    strings = {
        node.targets[0].id: node.value.value
        for node in ast.parse(module.read_text()).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }  # fmt: skip
    for name in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
        assert name in strings, f"{module.name} has no {name}"
        yaml.safe_load(strings[name])
    documentation = yaml.safe_load(strings["DOCUMENTATION"])
    assert documentation["module"] == module.stem
    # A sentence with "key: value" in it parses as a mapping, which ansible-doc cannot print.
    texts = [documentation["description"]] + [o["description"] for o in documentation["options"].values()]
    for text in texts:
        for sentence in text if isinstance(text, list) else [text]:
            assert isinstance(sentence, str), f"{module.name}: not a sentence: {sentence!r}"


def test_ansible_doc_renders_every_module_with_its_fragments():
    names = [f"kafkakit.kafka.{module.stem}" for module in MODULES]
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-doc"), "--json", *names],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "collections")},
    )
    assert result.returncode == 0, result.stderr
    rendered = json.loads(result.stdout)
    assert sorted(rendered) == sorted(names), result.stderr
    # The modules that run Kafka's admin tools share their connection options through one fragment.
    extending = [
        f"kafkakit.kafka.{module.stem}" for module in MODULES
        if "extends_documentation_fragment: kafkakit.kafka.admin_tools" in module.read_text()
    ]  # fmt: skip
    assert "kafkakit.kafka.kafka_topics" in extending
    for name in extending:
        assert "command_config" in rendered[name]["doc"]["options"], name
