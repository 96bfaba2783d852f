"""Benchmark of the locality report on a generated place (20,000 people unless told).

    python benchmarks/report_bench.py [--people N] [--seed S] [--runs K]
                                      [--cache FILE] [--analysis-json FILE]
                                      [--no-pdf] [--write]

Prints, and with ``--write`` records in ``benchmarks/README.md`` (between the
``report-bench`` markers):

1. analysis time (lisa.analyse; reported separately, it is not the report's);
2. report generation time: build_report + HTML written (target < 30 s), and
   the PDF separately;
3. the HTML file's size (target < 25 MB);
4. time to map-interactive in Debian's chromium (target < 5 s), measured by the
   browser itself: the ``lisa-map-interactive`` performance mark that the
   report's script sets when sigma.js has first rendered the map, as ms since
   navigation start (so it includes reading and parsing the file). Also the
   ``lisa-map-links-first`` mark (the first step of links drawn) and
   ``lisa-map-links-drawn`` (every link the combined view draws), how many
   links that is of how many, and the browser's memory: the peak JS heap
   (CDP ``Performance.getMetrics``, sampled while the links load) and the peak
   resident memory of all chromium processes together.

``--cache FILE`` keeps the analysis (and its time) in a pickle so later runs
skip it; ``--analysis-json FILE`` reads an analysis written by
``AnalysisResult.write_json`` (or ``lisa analyse --json``) of the same
generated place instead, for places whose analysis takes minutes.
"""

from __future__ import annotations

import argparse
import pickle
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
TARGETS = {"generation_s": 30.0, "html_mb": 25.0, "interactive_s": 5.0}


def machine() -> str:
    sys.path.insert(0, str(HERE))
    try:
        from run import machine as describe  # the main benchmark's description

        return str(describe())
    except Exception:  # pragma: no cover - only a label
        return platform.platform()


def analysis(
    people: int, seed: int, cache: Path | None, stored_json: Path | None = None
) -> tuple[Any, float | None]:
    if stored_json:
        from lisa.analysis import AnalysisResult
        from lisa.synth import generate

        return AnalysisResult.from_json(stored_json, generate(people, seed=seed)), None
    if cache and cache.exists():
        with cache.open("rb") as f:
            stored = pickle.load(f)
        return stored if isinstance(stored, tuple) else (stored, None)
    from lisa.analysis import analyse
    from lisa.synth import generate

    study = generate(people, seed=seed)
    started = time.perf_counter()
    result = analyse(study)
    seconds = time.perf_counter() - started
    if cache:
        with cache.open("wb") as f:
            pickle.dump((result, seconds), f)
    return result, seconds


def _rss_mb() -> float:
    """Resident memory of every chromium process this benchmark started, summed, MB."""
    import psutil

    total = 0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name().lower():
                total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total / 1e6


def _wait_sampling(page: Any, cdp: Any, condition: str, peak: dict[str, float]) -> None:
    """Wait for ``condition`` in the page, sampling the JS heap and resident memory."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        peak["heap_mb"] = max(peak["heap_mb"], metrics.get("JSHeapUsedSize", 0) / 1e6)
        peak["rss_mb"] = max(peak["rss_mb"], _rss_mb())
        if page.evaluate(f"!!({condition})"):
            return
        time.sleep(0.2)
    raise TimeoutError(condition)


MARKS = ("lisa-map-interactive", "lisa-map-links-first", "lisa-map-links-drawn")


def browser_timings(html: Path, runs: int) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        for _ in range(runs):  # a fresh browser each time: a cold open, as a reader has
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--enable-unsafe-swiftshader"],
                headless=True,
            )
            context = browser.new_context(viewport={"width": 1366, "height": 768}, offline=True)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            peak = {"heap_mb": 0.0, "rss_mb": 0.0}
            page.goto(html.as_uri(), timeout=120_000)
            _wait_sampling(page, cdp, "window.lisaMap && window.lisaMap.ready", peak)
            _wait_sampling(page, cdp, "window.lisaMap.linksLoaded", peak)
            marks = page.evaluate(
                f"""() => Object.fromEntries({list(MARKS)}
                    .map(n => [n, (performance.getEntriesByName(n)[0] || {{}}).startTime || null]))"""
            )
            interactive = marks["lisa-map-interactive"] / 1000
            out.append(
                {
                    "interactive_s": interactive,
                    "first_links_s": (marks["lisa-map-links-first"] or 0) / 1000 or interactive,
                    "links_s": (marks["lisa-map-links-drawn"] or 0) / 1000 or interactive,
                    "links": page.evaluate("window.lisaMap.drawn()"),
                    "total_links": page.evaluate("window.lisaMap.total()"),
                    **peak,
                }
            )
            context.close()
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="browser runs (median reported)")
    parser.add_argument("--cache", type=Path, help="pickle of the analysis, reused if present")
    parser.add_argument("--analysis-json", type=Path, help="stored analysis of the same place")
    parser.add_argument("--no-pdf", action="store_true", help="leave out the PDF")
    parser.add_argument("--keep", type=Path, help="also keep the HTML report here")
    parser.add_argument("--write", action="store_true", help="record in benchmarks/README.md")
    args = parser.parse_args(argv)

    result, analysis_s = analysis(args.people, args.seed, args.cache, args.analysis_json)
    figures = generate_report(result, args.no_pdf, args.keep)
    timings = browser_timings(figures.pop("html"), args.runs)  # type: ignore[arg-type]
    table = results_table(result.study.n_people, analysis_s, figures, timings)
    print(table)
    if args.write:
        record(table, timings, args.people)
    return 0


def generate_report(result: Any, no_pdf: bool, keep: Path | None) -> dict[str, Any]:
    """Build and write the report; its timings and size (and the HTML's path)."""
    from lisa.report import build_report, write_html, write_pdf

    tmp = Path(tempfile.mkdtemp(prefix="lisa-report-bench-"))
    html = keep or tmp / "report.html"
    started = time.perf_counter()
    model = build_report(result)
    model_s = time.perf_counter() - started
    write_html(model, html)
    generation_s = time.perf_counter() - started
    pdf_s = None
    if not no_pdf:
        started = time.perf_counter()
        write_pdf(model, tmp / "report.pdf")
        pdf_s = time.perf_counter() - started
    return {
        "html": html,
        "model_s": model_s,
        "generation_s": generation_s,
        "pdf_s": pdf_s,
        "size_mb": html.stat().st_size / 1e6,
    }


def results_table(
    people: int, analysis_s: float | None, f: dict[str, Any], timings: list[dict[str, float]]
) -> str:
    def med(key: str) -> float:
        return statistics.median(t[key] for t in timings)

    interactive = med("interactive_s")
    rows = [
        ("people", f"{people:,}", "", ""),
        (
            "links drawn / in the place (combined view)",
            f"{timings[0]['links']:,} / {timings[0]['total_links']:,}",
            "",
            "",
        ),
        (
            "analysis (lisa.analyse, separate)",
            "not measured (stored)" if analysis_s is None else f"{analysis_s:.1f} s",
            "",
            "",
        ),
        (
            "report generation (model + HTML)",
            f"{f['generation_s']:.1f} s",
            "< 30 s",
            _ok(f["generation_s"], "generation_s"),
        ),
        ("  of which the model and map layout", f"{f['model_s']:.1f} s", "", ""),
        ("PDF (WeasyPrint)", "not run" if f["pdf_s"] is None else f"{f['pdf_s']:.1f} s", "", ""),
        ("HTML size", f"{f['size_mb']:.1f} MB", "< 25 MB", _ok(f["size_mb"], "html_mb")),
        (
            f"map interactive in chromium (median of {len(timings)})",
            f"{interactive:.2f} s",
            "< 5 s",
            _ok(interactive, "interactive_s"),
        ),
        ("first links drawn", f"{med('first_links_s'):.2f} s", "", ""),
        ("every drawn link in (combined view)", f"{med('links_s'):.2f} s", "", ""),
        ("browser peak JS heap", f"{med('heap_mb'):.0f} MB", "", ""),
        ("browser peak resident memory (all processes)", f"{med('rss_mb'):.0f} MB", "", ""),
    ]
    return "| measure | result | target | |\n| --- | --- | --- | --- |\n" + "\n".join(
        f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows
    )


def record(table: str, timings: list[dict[str, float]], people: int) -> None:
    """Put the table in benchmarks/README.md, between this size's markers."""
    target = HERE / "README.md"
    text = target.read_text("utf-8")
    tag = "report-bench" if people == 20_000 else f"report-bench-{people}"
    start, end = f"<!-- {tag}:start -->", f"<!-- {tag}:end -->"
    block = f"{start}\n{readme(table, timings, people)}{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        anchor = "<!-- report-bench:end -->"
        at = text.index(anchor) + len(anchor) if anchor in text else len(text)
        text = text[:at].rstrip("\n") + "\n\n" + block + "\n" + text[at:]
    target.write_text(text, "utf-8")
    print(f"\nWritten to {target}")


def _ok(value: float, key: str) -> str:
    return "met" if value < TARGETS[key] else "MISSED"


def readme(table: str, timings: list[dict[str, float]], people: int) -> str:
    runs = ", ".join(f"{t['interactive_s']:.2f} s" for t in timings)
    load = ", ".join(f"{x:.1f}" for x in __import__("os").getloadavg())
    flag = "" if people == 20_000 else f" --people {people}"
    return f"""### Report benchmark, {people:,} people

`python benchmarks/report_bench.py{flag} --write` on a generated {people:,}-person place
(`lisa.generate({people}, seed=1)`, seven relations), {time.strftime("%Y-%m-%d %H:%M")} UTC.

Machine: {machine()}; Debian chromium, headless, software WebGL (SwiftShader).
Load average when written: {load} (the machine is shared; figures under load are upper bounds).

{table}

Map interactive, each run: {runs}.
"""


if __name__ == "__main__":
    sys.exit(main())
