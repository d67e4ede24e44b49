"""Label search: the label index against a scan of every name, and the label-search query, at 10k-1M triples.

All three do the same work: find the names that contain the text after NFKC
normalisation and case folding, and rank them (``policykg.rdf.labels.rank``).
The scan baseline walks every normalised name (the first release's search);
the query baseline is the canned ``label-search`` query (CONTAINS over every
label) on the same store. Graphs come from ``bench/generate.py`` (shared with
query_bench.py), queries are medians of several runs after one warm-up.

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


def scan(names: list, wanted_text: str, limit: int = 50) -> list:
    """The baseline: every normalised name tested, ranked the same way (the same function as the index's)."""
    from policykg.rdf.labels import best_matches, normalise

    return best_matches(normalise(wanted_text), names, limit)


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

    kg = policykg.load(data_dir)
    labels = kg.labels
    start = time.perf_counter()
    entries = labels._search_index[0]
    build = time.perf_counter() - start
    names = [(normalise(label), iri, label, lang) for iri, ls in labels.labels.items() for label, lang, _ in ls]
    start = time.perf_counter()
    labels.text_index  # the full-text index behind /search and /complete, built once on first use
    text_build = time.perf_counter() - start
    rows = []
    for text in TEXTS:
        indexed = labels.search(text)
        assert indexed == scan(names, text), f"index and scan disagree on {text!r}"
        query_ms = median_ms(lambda: policykg.run_query(kg, name="label-search", params={"text": text},
                                                        timeout=120), max(3, runs // 4))
        rows.append({"text": text, "hits": len(indexed), "index_ms": median_ms(lambda: labels.search(text), runs),
                     "find_ms": median_ms(lambda: labels.find(text), runs),
                     "complete_ms": median_ms(lambda: labels.complete(text), runs),
                     "scan_ms": median_ms(lambda: scan(names, text), max(3, runs // 4)), "query_ms": query_ms})
    return {"triples": len(kg), "names": len(entries), "build_s": build, "text_build_s": text_build, "rows": rows}


def section(results: dict, runs: int) -> str:
    lines = [HEADING, "",
             "`LabelIndex.search` (an index of characters and character pairs over every normalised name) "
             "against a scan of every name with the same matching and ranking, and the canned `label-search` "
             "query on the same store. Answers are checked equal between index and scan.", "",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
             f"- command: `{command_line('search_bench.py')}`", ""]
    for size, r in results.items():
        lines += [f"### {size}: {r['triples']:,} asserted triples, {r['names']:,} names; index built in "
                  f"{r['build_s']:.2f} s, full-text index in {r['text_build_s']:.2f} s (once per process; `serve` "
                  "builds both after start-up, see policykg.web.warmup)", "",
                  "| text | hits | index (ms) | scan (ms) | scan / index | label-search query (ms) "
                  "| full-text find (ms) | complete (ms) |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row in r["rows"]:
            lines.append(f"| {row['text']} | {row['hits']} | {row['index_ms']:.3f} | {row['scan_ms']:.1f} | "
                         f"{row['scan_ms'] / row['index_ms']:.0f}x | {row['query_ms']:.0f} | "
                         f"{row['find_ms']:.2f} | {row['complete_ms']:.2f} |")
        worst = max(row["index_ms"] for row in r["rows"])
        lines += ["", f"Slowest indexed lookup: {worst:.2f} ms (target: under 10 ms at 1M triples).", ""]
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
