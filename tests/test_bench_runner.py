"""``make bench`` (bench/run_all.py): the table it builds from the benches' BENCH-FIGURE lines, and that no bench
under bench/ is left out of it (each calls ``figure()`` and is registered in the runner)."""

import ast
import contextlib
import io
from pathlib import Path

import pytest

from bench import figures, run_all

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def printed(*args, **kwargs) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        figures.figure(*args, **kwargs)
    return out.getvalue()


def result(bench, lines, **kwargs):
    records = [r for r in (run_all.parse(line) for line in lines) if r is not None]
    return run_all.Result(bench, figures=records, seconds=12.0, load_before=1.5, load_after=2.25, **kwargs)


def test_a_figure_prints_one_line_the_runner_parses_back():
    line = printed("whole run", 5.4, "s", target=6, baseline=1995)
    assert line.startswith("BENCH-FIGURE ") and line.count("\n") == 1
    assert run_all.parse(line.strip()) == {
        "name": "whole run", "value": 5.4, "unit": "s", "target": 6.0, "baseline": 1995.0, "better": "lower",
    }  # fmt: skip
    assert run_all.parse("whole run: 5.4 s") is None  # the bench's own output is not a figure
    assert run_all.parse(printed("x", float("nan"), "s").strip())["value"] is None
    with pytest.raises(ValueError, match="better"):
        figures.figure("x", 1, "s", better="faster")


def test_the_table_gives_ratio_gain_and_verdict_per_figure():
    lines = [
        "score: phases …",  # human output, ignored
        printed("scoring run", 9.25, "s", target=6, baseline=1800).strip(),
        printed("scoring run ÷ floor", 1.2, "×", target=1.5).strip(),
        printed("peak RSS", 517, "MiB").strip(),
        printed("lookups per second", 240, "req/s", target=300, baseline=60, better="higher").strip(),
    ]
    rows = run_all.table_rows([result("score", lines)])
    by_name = {row[1]: dict(zip(run_all.COLUMNS, row, strict=True)) for row in rows}

    run = by_name["scoring run"]
    assert (run["value"], run["target"], run["÷ target"], run["baseline"]) == ("9.25 s", "6 s", "1.54", "1,800 s")
    assert run["vs baseline"] == "195×" and run["status"] == "OVER"
    assert (run["wall"], run["load"]) == ("12 s", "1.5 → 2.2")  # on the bench's first row only
    floor = by_name["scoring run ÷ floor"]
    assert (floor["÷ target"], floor["status"], floor["wall"], floor["load"]) == ("0.80", "ok", "", "")
    rss = by_name["peak RSS"]
    assert (rss["target"], rss["÷ target"], rss["vs baseline"], rss["status"]) == ("—", "—", "—", "")
    rps = by_name["lookups per second"]  # higher is better: under its floor, 4x the baseline
    assert (rps["status"], rps["vs baseline"], rps["÷ target"]) == ("UNDER", "4×", "0.80")
    assert run_all.failed([result("score", lines)]) == []
    assert run_all.failed([result("score", lines)], strict=True) == ["score"]


def test_a_zero_target_has_no_ratio_but_a_verdict():
    rows = run_all.table_rows([result("load", [printed("errors", 0, "", target=0).strip()])])
    assert rows[0][2:8] == ["0", "0", "—", "—", "—", "ok"]
    rows = run_all.table_rows([result("load", [printed("errors", 3, "", target=0).strip()])])
    assert rows[0][7] == "OVER"


def test_failed_skipped_and_silent_benches_are_shown_and_fail_the_run():
    ok = result("signin", [printed("sign-in CPU", 60, "ms", target=150, baseline=500).strip()])
    crashed = result("push", [printed("push, one process", 17, "s", target=25).strip()], status="failed",
                     detail="exit 1")  # fmt: skip
    silent = result("dashboard", ["page times …"])
    skipped = run_all.Result("api", status="skipped", detail="needs wrk (not installed)")
    results = [ok, crashed, silent, skipped]
    rows = run_all.table_rows(results)
    assert [(row[0], row[1], row[7]) for row in rows] == [
        ("signin", "sign-in CPU", "ok"),
        ("push", "push, one process", "ok"),  # what it printed before failing is kept
        ("push", "exit 1", "FAILED"),
        ("dashboard", "no BENCH-FIGURE line printed", "FAILED"),
        ("api", "needs wrk (not installed)", "skipped"),
    ]
    assert run_all.failed(results) == ["push", "dashboard"]

    text, markdown = run_all.render_text(rows), run_all.render_markdown(rows)
    assert len(text.splitlines()) == len(rows) + 2 and "FAILED" in text
    assert markdown.splitlines()[0].startswith("| bench | figure | value | target |")
    assert markdown.count("\n") == len(rows) + 1


def test_only_skip_and_the_load_scenario_select_benches():
    def chosen(*argv):
        parser = run_all.argparse.ArgumentParser()
        parser.add_argument("--only", type=run_all.names)
        parser.add_argument("--skip", type=run_all.names)
        parser.add_argument("--with-load", action="store_true")
        return [b.name for b in run_all.selected(parser.parse_args(argv))]

    every = [b.name for b in run_all.BENCHES]
    assert chosen() == [name for name in every if name != "load"]
    assert chosen("--with-load")[-1] == "load"
    assert chosen("--only", "score, signin") == ["signin", "score"]  # in the runner's order
    assert "api" not in chosen("--skip", "api")
    with pytest.raises(SystemExit, match="unknown bench nope"):
        chosen("--only", "nope")


def _calls_figure(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "figure"
        for node in ast.walk(tree)
    )


def test_every_bench_script_calls_figure_and_is_run_by_make_bench():
    scripts = {path.relative_to(BENCH).as_posix() for path in BENCH.rglob("*.py")}
    registered = {b.script for b in run_all.BENCHES}
    assert registered <= scripts, f"the runner names scripts that do not exist: {registered - scripts}"
    assert set(run_all.NOT_BENCHES) <= scripts, "a documented exception no longer exists"
    benches = scripts - set(run_all.NOT_BENCHES)
    silent = sorted(s for s in benches if not _calls_figure(BENCH / s))
    assert not silent, f"bench scripts without a figure() call (bench/figures.py): {silent}"
    assert benches == registered, f"bench scripts that make bench does not run: {sorted(benches - registered)}"


def test_the_runner_gives_each_bench_its_database_and_no_broker(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
    url = "postgres://postgres@127.0.0.1:5432/ipp_bench"
    by_name = {b.name: b for b in run_all.BENCHES}
    assert run_all.bench_env(by_name["score"], url)["DATABASE_URL"] == url
    assert "CELERY_BROKER_URL" not in run_all.bench_env(by_name["score"], url)  # in-process tasks
    assert run_all.bench_env(by_name["import"], url)["DATABASE_URL"].endswith("/ipp_bench_import")
    assert "DATABASE_URL" not in run_all.bench_env(by_name["signin"], url)
    assert run_all.bench_env(by_name["load"], url)["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/8"
