"""Label search: the label index against a scan of every name, and the label-search query, at 10k-1M triples.

The index and the scan do the same work: find the names that contain the
text after folding, and rank them (``policykg.rdf.textindex.rank_key``); the
scan baseline walks every normalised name (the first release's search).
The ``label-search`` canned query is timed both ways on the same store: as
``policykg.run_query(name="label-search")`` answers it (from the label
index, ``policykg.sparql.indexed``) and as its SPARQL text (CONTAINS over
every label, in a query worker: the baseline), with their rows checked
equal. Reconciliation (one OpenRefine query) and full-text find and
autocomplete read the same index. Graphs come from ``bench/generate.py``
(shared with query_bench.py); times are medians of several runs after one
warm-up.

    python bench/search_bench.py                    # writes its section of bench/RESULTS.md
    python bench/search_bench.py --sizes 10k --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_file import command_line  # noqa: E402

HEADING = "## Label search"
TEXTS = ["Baidu", "百度", "北京", "partner", "Shanghai", "の", "digital economy"]


def scan(names: list, priority: dict, wanted_text: str, limit: int = 50) -> list:
    """The baseline: every normalised name tested, ranked the same way (the same function as the index's)."""
    from policykg.rdf.labels import best_matches, normalise

    return best_matches(normalise(wanted_text), names, priority, limit)


def median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(data_dir: Path | None, runs: int) -> dict:
    import policykg
    from policykg.rdf.labels import normalise
    from policykg.rdf.textindex import WEIGHTS, name_field
    from policykg.sparql.canned import find_query
    from policykg.web.reconcile import Reconciler

    kg = policykg.load(data_dir)
    labels = kg.labels
    start = time.perf_counter()
    entries = labels._search_index[0]
    build = time.perf_counter() - start
    names = [(normalise(label), iri, label, lang, WEIGHTS[name_field(prop)])
             for iri, ls in labels.labels.items() for label, lang, prop in ls]
    priority = labels.priority
    query = find_query("label-search")
    reconciler = Reconciler(kg)
    start = time.perf_counter()
    labels.text_index  # the full-text index behind /search and /complete, built once on first use
    text_build = time.perf_counter() - start
    rows = []
    for text in TEXTS:
        indexed = labels.search(text)
        assert indexed == scan(names, priority, text), f"index and scan disagree on {text!r}"
        sparql = query.bind({"text": text}, lang="en")
        by_index = policykg.run_query(kg, name="label-search", params={"text": text})
        by_sparql = policykg.run_query(kg, sparql=sparql, timeout=300)
        lowered = text.lower()
        assert [r for r in by_index.rows if lowered in r[2].value.lower()] == by_sparql.rows, \
            f"label-search from the index and from SPARQL disagree on {text!r}"
        few = max(3, runs // 4)
        rows.append({"text": text, "hits": len(indexed), "rows": len(by_index.rows),
                     "index_ms": median_ms(lambda: labels.search(text), runs),
                     "find_ms": median_ms(lambda: labels.find(text), runs),
                     "complete_ms": median_ms(lambda: labels.complete(text), runs),
                     "reconcile_ms": median_ms(lambda: reconciler.candidates({"query": text}), runs),
                     "scan_ms": median_ms(lambda: scan(names, priority, text), few),
                     "query_index_ms": median_ms(lambda: policykg.run_query(kg, name="label-search",
                                                                            params={"text": text}), runs),
                     "query_ms": median_ms(lambda: policykg.run_query(kg, sparql=sparql, timeout=300), few)})
    return {"triples": len(kg), "names": len(entries), "build_s": build, "text_build_s": text_build, "rows": rows}


def section(results: dict, runs: int) -> str:
    lines = [HEADING, "",
             "`LabelIndex.search` (an index of characters and character pairs over every normalised name) "
             "against a scan of every name with the same matching and ranking; the canned `label-search` query "
             "as `policykg.run_query(name=\"label-search\")` answers it (from the label index) against its "
             "SPARQL text (CONTAINS over every label, in a query worker); one reconciliation query, full-text "
             "find and autocomplete over the same index. Answers are checked equal between index and scan, and "
             "label-search's rows between index and SPARQL (the index also finds names that only its folding "
             "matches).", "",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
             f"- command: `{command_line('search_bench.py')}`", ""]
    for size, r in results.items():
        lines += [f"### {size}: {r['triples']:,} asserted triples, {r['names']:,} names; index built in "
                  f"{r['build_s']:.2f} s, full-text index in {r['text_build_s']:.2f} s (once per process; `serve` "
                  "builds both after start-up, see policykg.web.warmup)", "",
                  "| text | hits | index (ms) | scan (ms) | scan / index | label-search rows "
                  "| label-search, index (ms) | label-search, SPARQL (ms) | SPARQL / index "
                  "| reconcile (ms) | full-text find (ms) | complete (ms) |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row in r["rows"]:
            lines.append(f"| {row['text']} | {row['hits']} | {row['index_ms']:.3f} | {row['scan_ms']:.1f} | "
                         f"{row['scan_ms'] / row['index_ms']:.0f}x | {row['rows']} | {row['query_index_ms']:.2f} | "
                         f"{row['query_ms']:.0f} | {row['query_ms'] / row['query_index_ms']:.0f}x | "
                         f"{row['reconcile_ms']:.2f} | {row['find_ms']:.2f} | {row['complete_ms']:.2f} |")
        worst = max(row["index_ms"] for row in r["rows"])
        page = [row for row in r["rows"] if row["rows"] <= 200]
        big = [row for row in r["rows"] if row["rows"] > 200]
        summary = f"Slowest indexed lookup: {worst:.2f} ms (target: under 10 ms at 1M triples)."
        if page:
            slowest = max(page, key=lambda row: row["query_index_ms"])
            summary += (f" label-search from the index, answers of up to 200 rows (a page): slowest "
                        f"{slowest['query_index_ms']:.2f} ms ({slowest['text']}, {slowest['rows']} rows).")
        if big:
            per_row = max(row["query_index_ms"] / row["rows"] for row in big)
            summary += (f" Larger answers cost at most {per_row * 1000:.0f} µs a row (writing the rows, not "
                        "finding them), against the SPARQL's scan of every name.")
        lines += ["", summary, ""]
    return "\n".join(lines)


def main() -> None:
    from query_bench import ensure_graph, parse_size, size_name

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,10k,100k,1M")
    parser.add_argument("--out-root", type=Path, default=Path("/tmp/pkg-bench"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = {}
    for size in args.sizes.split(","):
        if size == "shipped":
            results["shipped graph"] = measure(None, args.runs)
        else:
            n = parse_size(size)
            results[size_name(n)] = measure(ensure_graph(n, args.out_root, 1), args.runs)
        print(f"{size}: done", file=sys.stderr)
    text = section(results, args.runs)
    print(text)
    if not args.no_write:
        from results_file import replace_section

        replace_section(HERE / "RESULTS.md", HEADING, text)


if __name__ == "__main__":
    main()
