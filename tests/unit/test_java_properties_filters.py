"""The java_properties filter: server.properties (kafka role) and zoo.cfg (zookeeper role)."""

import pytest
from ansible.errors import AnsibleFilterError
from java_properties import java_properties, java_properties_values


@pytest.mark.parametrize(
    ("properties", "rendered"),
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
def test_properties_are_sorted_so_the_same_data_renders_the_same_bytes(properties, rendered):
    assert java_properties(properties) == rendered
    assert java_properties(dict(reversed(list(properties.items())))) == rendered


@pytest.mark.parametrize("key", ["auto.create.topics.enable", "admin.enableServer"])
def test_booleans_are_written_as_java_spells_them(key):
    assert java_properties({key: False}) == f"{key}=false\n"
    assert java_properties({key: True}) == f"{key}=true\n"


@pytest.mark.parametrize(
    ("properties", "rendered"),
    [
        ({"a key:x": "C:\\dir\nnext"}, "a\\ key\\:x=C:\\\\dir\\nnext\n"),
        ({"odd key": "a\\b\nc"}, "odd\\ key=a\\\\b\\nc\n"),
    ],
)
def test_what_would_break_a_line_or_a_key_is_escaped(properties, rendered):
    assert java_properties(properties) == rendered


def test_an_empty_dict_renders_nothing():
    assert java_properties({}) == ""


@pytest.mark.parametrize("key", ["broker.rack", "tickTime"])
def test_null_values_are_refused(key):
    with pytest.raises(AnsibleFilterError, match="cannot be null"):
        java_properties({key: None})


@pytest.mark.parametrize("data", [["a=b"], "tickTime=2000"])
def test_anything_but_a_dict_is_refused(data):
    with pytest.raises(AnsibleFilterError, match="expects a dict"):
        java_properties(data)


def test_values_for_key_value_tools_are_spelled_as_in_the_file_but_unescaped():
    values = java_properties_values({"b.list": ["A", "B"], "a.flag": True, "c.path": "C:\\x"})
    assert values == {"a.flag": "true", "b.list": "A,B", "c.path": "C:\\x"}
    assert list(values) == ["a.flag", "b.list", "c.path"]
    with pytest.raises(AnsibleFilterError, match="cannot be null"):
        java_properties_values({"log.cleaner.threads": None})
