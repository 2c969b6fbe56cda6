"""Java .properties text: module_utils/properties.py (render, spelled, parse) and its filters
(plugins/filter/properties.py: java_properties, java_properties_values) for server.properties and
zoo.cfg."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.kafkakit.kafka.plugins.filter.properties import (
    FilterModule,
    java_properties,
    java_properties_values,
)
from ansible_collections.kafkakit.kafka.plugins.module_utils import properties
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("data", "rendered"),
    [
        (
            {"num.io.threads": 8, "broker.rack": "a", "log.dirs": ["/d1", "/d2"]},
            "broker.rack=a\nlog.dirs=/d1,/d2\nnum.io.threads=8\n",
        ),
        (
            {"tickTime": 2000, "dataDir": "/data/zookeeper/data", "4lw.commands.whitelist": ["ruok", "srvr"]},
            "4lw.commands.whitelist=ruok,srvr\ndataDir=/data/zookeeper/data\ntickTime=2000\n",
        ),
    ],
    ids=["server.properties", "zoo.cfg"],
)
def test_properties_are_sorted_so_the_same_data_renders_the_same_bytes(data, rendered):
    assert properties.render(data) == rendered
    assert properties.render(dict(reversed(list(data.items())))) == rendered
    assert java_properties(data) == rendered


@pytest.mark.parametrize("key", ["auto.create.topics.enable", "admin.enableServer"])
def test_booleans_are_written_as_java_spells_them(key):
    assert java_properties({key: False}) == f"{key}=false\n"
    assert java_properties({key: True}) == f"{key}=true\n"


@pytest.mark.parametrize(
    ("data", "rendered"),
    [
        ({"a key:x": "C:\\dir\nnext"}, "a\\ key\\:x=C:\\\\dir\\nnext\n"),
        ({"odd key": "a\\b\nc"}, "odd\\ key=a\\\\b\\nc\n"),
        ({"k=v": "tab\there\rcr"}, "k\\=v=tab\\there\\rcr\n"),
    ],
)
def test_what_would_break_a_line_or_a_key_is_escaped(data, rendered):
    assert java_properties(data) == rendered


def test_an_empty_dict_renders_nothing():
    assert java_properties({}) == ""
    assert java_properties_values({}) == {}


@pytest.mark.parametrize("key", ["broker.rack", "tickTime"])
def test_null_values_are_refused_naming_the_key(key):
    with pytest.raises(
        properties.PropertiesError, match=f"^{key}: null is not a value; remove the key instead$"
    ):
        properties.render({key: None})
    with pytest.raises(AnsibleFilterError, match=f"{key}: null is not a value"):
        java_properties({key: None})


def test_a_nested_mapping_is_refused_with_what_to_write_instead():
    data = {"listener.name.internal": {"ssl.client.auth": "required"}}
    with pytest.raises(AnsibleFilterError) as raised:
        java_properties(data)
    assert str(raised.value) == (
        "listener.name.internal: a nested mapping is not a value; write each entry as its own dotted key "
        "(e.g. listener.name.internal.ssl.client.auth)"
    )
    with pytest.raises(AnsibleFilterError, match=r"listener.name.internal: a nested mapping is not a value"):
        java_properties_values(data)


def test_a_nested_mapping_inside_a_list_is_refused_too():
    with pytest.raises(properties.PropertiesError, match=r"^log.dirs: a nested mapping is not a value"):
        properties.spell(["/d1", {"x": 1}], "log.dirs")


def test_spell_without_a_key_still_says_what_it_refuses():
    with pytest.raises(properties.PropertiesError, match=r"^a .properties value: null is not a value"):
        properties.spell(None)


@pytest.mark.parametrize(("data", "kind"), [(["a=b"], "list"), ("tickTime=2000", "str")])
def test_anything_but_a_dict_is_refused(data, kind):
    with pytest.raises(AnsibleFilterError, match=f"^render expects a dict, got {kind}$"):
        java_properties(data)
    with pytest.raises(AnsibleFilterError, match=f"^spelled expects a dict, got {kind}$"):
        java_properties_values(data)


def test_values_for_key_value_tools_are_spelled_as_in_the_file_but_unescaped():
    values = java_properties_values({"b.list": ["A", "B"], "a.flag": True, "c.path": "C:\\x"})
    assert values == {"a.flag": "true", "b.list": "A,B", "c.path": "C:\\x"}
    assert list(values) == ["a.flag", "b.list", "c.path"]
    with pytest.raises(AnsibleFilterError, match=r"log.cleaner.threads: null is not a value"):
        java_properties_values({"log.cleaner.threads": None})


def test_parse_skips_comments_and_blank_lines_and_splits_at_the_first_equals():
    assert properties.parse("# c\n! c\n\na = 1\nb=2=3\nno separator\n") == {"a": "1", "b": "2=3"}
    assert properties.parse(None) == {}


def test_parse_reads_the_meta_properties_kafka_writes():
    text = "#\n#Tue Dec 01 12:13:43 UTC 2026\nnode.id=1\ndirectory.id=opd7Iz12sU901E9Du_vmYg\nversion=1\n"
    assert properties.parse(text) == {
        "node.id": "1",
        "directory.id": "opd7Iz12sU901E9Du_vmYg",
        "version": "1",
    }


def test_the_filters_are_registered_under_their_names():
    assert FilterModule().filters() == {
        "java_properties": java_properties,
        "java_properties_values": java_properties_values,
    }


_KEYS = st.from_regex(r"[a-z][a-z0-9.]{0,20}", fullmatch=True)
_VALUES = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.from_regex(r"[A-Za-z0-9/_.:=-]{1,20}", fullmatch=True),
    st.lists(st.from_regex(r"[A-Za-z0-9/_.-]{1,8}", fullmatch=True), min_size=1, max_size=4),
)


@given(st.dictionaries(_KEYS, _VALUES, max_size=12))
def test_what_render_writes_parse_reads_back_as_spelled(data):
    assert properties.parse(properties.render(data)) == properties.spelled(data)
