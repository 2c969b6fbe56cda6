"""bench/run.py's pure logic: parsing, percentiles, medians and spread, ratios, the tables."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_parse_properties_skips_comments_and_keeps_equals_in_values():
    text = "# bench lab, bootstrap.servers=x\n\nsecurity.protocol = SASL_SSL\nsasl.password=a=b==\n!x=1\n"
    assert bench.properties.parse(text) == {"security.protocol": "SASL_SSL", "sasl.password": "a=b=="}


def test_parse_bootstrap_takes_the_last_line():
    output = "client_properties=/x\nprometheus=http://127.0.0.1:9590\nbootstrap.servers=127.0.0.1:9592,127.0.0.1:9593"
    assert bench.parse_bootstrap(output) == "127.0.0.1:9592,127.0.0.1:9593"
    with pytest.raises(ValueError):
        bench.parse_bootstrap("prometheus=http://x\n")


def test_parse_dd_computes_the_rate_from_bytes_and_seconds():
    output = (
        "512+0 records in\n512+0 records out\n536870912 bytes (537 MB, 512 MiB) copied, 2.5 s, 215 MB/s\n"
    )
    assert bench.parse_dd(output) == {"bytes": 536870912, "seconds": 2.5, "mb_per_sec": 214.7}
    with pytest.raises(ValueError):
        bench.parse_dd("dd: failed to open: Invalid argument")


def test_percentile_interpolates_between_ranks():
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert bench.percentile(values, 50) == 3.0
    assert bench.percentile(values, 0) == 1.0
    assert bench.percentile(values, 100) == 5.0
    assert bench.percentile(values, 25) == 2.0
    assert bench.percentile([10.0, 20.0], 99) == pytest.approx(19.9)
    assert bench.percentile(list(range(1, 1001)), 99) == pytest.approx(990.01)


def test_throughput_in_records_and_megabytes():
    assert bench.throughput(20_000, 1024, 2.0) == {
        "records": 20_000,
        "seconds": 2.0,
        "records_per_sec": 10_000.0,
        "mb_per_sec": 10.24,
    }


def test_spread_is_median_min_max():
    assert bench.spread([3.0, 1.0, 10.0]) == {"median": 3.0, "min": 1.0, "max": 10.0, "n": 3}
    assert bench.spread([1.0, 2.0, 3.0, 4.0])["median"] == 2.5


def test_alternation_interleaves_configs():
    assert bench.alternation(["tuned", "stock"], 3) == ["tuned", "stock"] * 3


def fake_round(config, mb, consume_mb, p99):
    return {
        "config": config,
        "produce": {
            "records_per_sec": mb * 1000,
            "mb_per_sec": mb,
            "p50_ms": p99 / 2,
            "p99_ms": p99,
            "cpu_per_wall": 0.5,
        },
        "paced": {"p50_ms": 5.0, "p99_ms": p99 / 10},
        "consume": {"records_per_sec": consume_mb * 1000, "mb_per_sec": consume_mb, "cpu_per_wall": 0.8},
        "load": {"start": "1.00 1.00 1.00", "end": "2.00 1.50 1.10"},
    }


ROUNDS = [
    fake_round("tuned", 20.0, 200.0, 100.0),
    fake_round("stock", 10.0, 100.0, 50.0),
    fake_round("tuned", 30.0, 300.0, 300.0),
    fake_round("stock", 12.0, 120.0, 60.0),
    fake_round("tuned", 25.0, 250.0, 200.0),
    fake_round("stock", 11.0, 80.0, 70.0),
]
LIMIT = {
    "one_node": {"broker": 1, "produce": {"mb_per_sec": 50.0}, "consume": {"mb_per_sec": 500.0}},
}


def test_summary_ratios_and_shares_use_each_configs_own_rounds():
    summary = bench.summarize(ROUNDS)
    assert summary["tuned"]["produce.mb_per_sec"] == {"median": 25.0, "min": 20.0, "max": 30.0, "n": 3}
    assert summary["stock"]["consume.mb_per_sec"] == {"median": 100.0, "min": 80.0, "max": 120.0, "n": 3}
    ratio_of = bench.ratios(summary)
    assert ratio_of["produce.mb_per_sec"] == pytest.approx(25.0 / 11.0, abs=0.005)
    assert ratio_of["produce.p99_ms"] == pytest.approx(200.0 / 60.0, abs=0.005)
    share_of = bench.shares(summary, LIMIT)
    assert share_of["tuned"]["produce.mb_per_sec"] == 0.5
    assert share_of["stock"]["consume.mb_per_sec"] == 0.2


def test_ratio_of_zero_is_none():
    assert bench.ratio(1.0, 0) is None
    assert bench.number(None) == "n/a"


def test_settings_diff_lists_only_differences():
    tuned = {"num.io.threads": "4", "log.dirs": "/data", "only.tuned": "1"}
    stock = {"num.io.threads": "8", "log.dirs": "/data"}
    assert bench.settings_diff(tuned, stock) == {
        "num.io.threads": ("4", "8"),
        "only.tuned": ("1", "(default)"),
    }


def test_number_formatting():
    assert bench.number(12345.6) == "12,346"
    assert bench.number(25.0) == "25"
    assert bench.number(1.5) == "1.5"
    assert bench.number(0.123) == "0.12"


def test_metric_table_row_has_median_spread_ratio_and_share():
    summary = bench.summarize(ROUNDS)
    lines = bench.metric_table(summary, bench.ratios(summary), bench.shares(summary, LIMIT))
    row = next(line for line in lines if line.startswith("| Produce, full speed: MB/s"))
    assert row == "| Produce, full speed: MB/s | 25 | 20 - 30 | 11 | 10 - 12 | 2.27 | 50 % | 22 % |"
    assert len(lines) == 2 + len(bench.METRICS)


def test_rounds_table_keeps_order_and_load():
    lines = bench.rounds_table(ROUNDS)
    assert [line.split(" | ")[1] for line in lines[2:]] == ["tuned", "stock"] * 3
    assert "1.00 1.00 1.00 | 2.00 1.50 1.10" in lines[2]


def test_public_settings_never_show_the_password():
    conf = {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.password": "s3cret"}
    shown = bench.public_settings(conf)
    assert "s3cret" not in shown
    assert shown == "security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512"


def test_the_committed_report_is_what_its_results_render_to():
    """results.md is written by the bench, never by hand: `bench/run.py --render` rewrites it."""
    results = ROOT / "results" / "bench"
    data = json.loads((results / "results.json").read_text())
    assert (results / "results.md").read_text() == bench.markdown(data)


def test_the_readme_table_is_what_the_results_render_to():
    """The README's bench table is written by the bench too (between its bench-table markers)."""
    data = json.loads((ROOT / "results" / "bench" / "results.json").read_text())
    readme = (ROOT / "README.md").read_text()
    assert bench.readme_with_table(readme, data) == readme


def test_a_readme_without_the_table_markers_is_refused():
    with pytest.raises(SystemExit, match="bench-table"):
        bench.readme_with_table("# README\n", {"rounds": []})


def test_render_without_a_run_says_what_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "RESULTS", tmp_path / "results" / "bench")
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    monkeypatch.setattr("sys.argv", ["run.py", "--render"])
    assert bench.main() == 2
    assert "results/bench/results.json is missing (make bench writes it)" in capsys.readouterr().err
