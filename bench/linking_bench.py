"""Entity linking speed: find_mentions against regex baselines, same names, same text, same run.

policykg's matcher (``policykg.mentions.find_mentions``: NFKC + casefold of
the text with an offset map, one Aho-Corasick pass, word-boundary and
whole-character checks, longest match wins on overlaps) on a synthetic
document of about ``--megabytes`` MB with ``--aliases`` names (the shipped
graph's names plus synthetic Chinese, katakana and Latin ones).

Baselines, timed in the same runs (round-robin, one call of each in turn),
over the same NFKC + casefolded text and the same normalised names:

* **one alternation regex** (the headline baseline): every name, escaped,
  longest first, joined with ``|`` into ONE compiled pattern (compiled
  outside the timing; its compile time is reported beside the automaton's
  build time); timed: ``len(ALT.findall(unicodedata.normalize("NFKC",
  text).casefold()))``. No ``re.IGNORECASE``: the text is already folded.
* **trie regex** (extra): the same names as one pattern shaped like a trie
  (``ab(?:c|d)?``), which lets ``re`` skip most alternatives at once; same
  longest-at-each-position semantics.
* **one regex per alias** (extra, the old baseline, clearly not the same
  work: it scans the text once per name): ``re.findall(re.escape(name), text,
  re.IGNORECASE)`` for each name, only on a ``--slice-kb`` slice because it
  takes minutes on the whole document.

The regexes do no boundary checks, so their match counts are compared with
find_mentions' and the difference is reported.

Streaming (issue 15: linear time, memory independent of the document's
size): documents of 100 KB, 1 MB and 10 MB (``--stream-sizes``) made the
same way are written to files, and each is linked in a fresh child process
(``--child``), which builds the same dictionary, then times one pass over
the file and reports its peak RSS (VmHWM: interpreter, graph and dictionary
included; not ``ru_maxrss``, which Linux keeps across exec from the parent)
and the RSS the pass added on top of what the process held before it. Rows, run round-robin: ``link_chunks(read_chunks(file))``
counting what it gives (measured: the streaming linker, sentences and
candidate statements included); ``link_document`` (diagnostic: the same,
keeping every mention and candidate in lists, as the CLI does); and the
baseline, a plain pyahocorasick scan of the same automaton over the whole
file read at once and NFKC + casefolded (no boundary checks, no offsets).

    python bench/linking_bench.py [--runs 5] [--aliases 10000] [--megabytes 1] [--slice-kb 50]
                                  [--stream-sizes 0.1,1,10] [--stream-runs 3] [--no-write]

Writes the section "## Entity linking" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_file import command_line, loadavg, machine_line, now, replace_section  # noqa: E402

import policykg  # noqa: E402
from policykg.mentions import Dictionary, Entry, build_dictionary, find_mentions  # noqa: E402
from policykg.rdf.textindex import EXACT_NAME, rank_key  # noqa: E402

SECTION = "## Entity linking"
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロワン"
HAN = "北京上海深圳广州科技数据智能信息网络计算云创新产业发展研究中心集团银行证券投资管理有限公司"
FILLER = "今年の政策は企業の研究開発を支援し、地域の産業を育てる。" + "The program supports research and industry. "


def synthetic_names(n: int, rng: random.Random) -> list[str]:
    names = set()
    while len(names) < n:
        kind = rng.random()
        if kind < 0.4:
            names.add("".join(rng.choice(HAN) for _ in range(rng.randint(3, 8))))
        elif kind < 0.7:
            names.add("".join(rng.choice(KANA) for _ in range(rng.randint(3, 7))))
        else:
            names.add(" ".join(rng.choice(["Alpha", "Beta", "Data", "Cloud", "Tech", "Smart", "Capital", "Quantum",
                                           "Vision", "Labs", "Group", "Digital"]) + str(rng.randint(1, 999))
                               for _ in range(rng.randint(1, 2))))
    return sorted(names)


def build(kg, n_aliases: int, rng: random.Random) -> tuple[Dictionary, list[str], float]:
    d = build_dictionary(kg)
    real = sorted(d.entries)
    for i, name in enumerate(synthetic_names(n_aliases - len(real), rng)):
        iri = f"https://w3id.org/policykg/id/synthetic-{i}"
        d.add(name, Entry(iri, "organization", name, rank_key(EXACT_NAME, 0, 0, 3, len(name), iri)))
    t = time.perf_counter()
    d.compile()
    return d, sorted(d.entries), time.perf_counter() - t


def document(names: list[str], size: int, rng: random.Random) -> str:
    parts, length = [], 0
    while length < size:
        piece = rng.choice(names) if rng.random() < 0.35 else FILLER[: rng.randint(10, len(FILLER))]
        parts.append(piece)
        parts.append("、" if rng.random() < 0.5 else " ")
        length += len(piece.encode("utf-8")) + 1
    return "".join(parts)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def alternation(names: list[str]) -> re.Pattern:
    return re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))


def trie_pattern(names: list[str]) -> re.Pattern:
    trie: dict = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:  # greedy: the longer name first, this one if that fails
            return ("(?:" + body + ")?") if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return re.compile(emit(trie))


def per_alias(text: str, names: list[str]) -> int:
    return sum(len(re.findall(re.escape(name), text, flags=re.IGNORECASE)) for name in names)


def timed_round_robin(fns: dict, runs: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    counts = {name: fn() for name, fn in fns.items()}  # warm-up, and the counts
    samples: dict[str, list[float]] = {name: [] for name in fns}
    items = list(fns.items())
    for i in range(runs):
        for name, fn in (items if i % 2 == 0 else items[::-1]):
            t = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t)
    return samples, counts


STREAM_MODES = {
    "stream": ("`link_chunks(read_chunks(file))`, counting", "measured"),
    "link_document": ("`link_document` (keeps the mentions and candidates)", "diagnostic"),
    "plain": ("plain pyahocorasick: whole file read, NFKC + casefold, `automaton.iter`", "baseline"),
}


def status_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` (peak RSS) of this process, in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> bool:
    """Start this process's peak RSS (VmHWM) again from its current RSS (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def child(mode: str, path: Path, aliases: int) -> None:
    """One timed pass over ``path`` in this (fresh) process; prints a JSON line."""
    import json

    from policykg.mentions import link_chunks, link_document, read_chunks

    kg = policykg.load()
    d, _, _ = build(kg, aliases, random.Random(7))
    before, peak_before = status_mb("VmRSS"), status_mb("VmHWM")
    peak_reset = reset_peak()  # so that VmHWM after the pass is the pass's own peak
    t = time.perf_counter()
    if mode == "stream":
        mentions = candidates = 0
        for found, pairs in link_chunks(read_chunks(path), d):
            mentions += len(found)
            candidates += len(pairs)
    elif mode == "link_document":
        result = link_document(kg, path, dictionary=d)
        mentions, candidates = len(result.mentions), len(result.candidates)
    else:
        mentions = sum(1 for _ in d.automaton.iter(fold(path.read_text(encoding="utf-8"))))
        candidates = 0
    seconds = time.perf_counter() - t
    # Not ru_maxrss: Linux keeps it across exec, so it would include the bench process this child was forked from.
    pass_peak = status_mb("VmHWM")
    peak = max(peak_before, pass_peak) if peak_reset else pass_peak
    print(json.dumps({"seconds": seconds, "mentions": mentions, "candidates": candidates, "peak_mb": peak,
                      "added_mb": pass_peak - before, "peak_reset": peak_reset}))


def streaming(names: list[str], sizes: list[float], runs: int, aliases: int, work: Path) -> list[dict]:
    import json
    import subprocess

    rows = []
    for size in sizes:
        path = work / f"doc-{size:g}MB.txt"
        text = document(names, int(size * 1_000_000), random.Random(11))
        path.write_text(text, encoding="utf-8")
        nbytes = path.stat().st_size
        del text
        got: dict[str, list[dict]] = {m: [] for m in STREAM_MODES}
        order = list(STREAM_MODES)
        for i in range(runs):
            for mode in (order if i % 2 == 0 else order[::-1]):
                out = subprocess.run([sys.executable, __file__, "--child", mode, str(path), "--aliases", str(aliases)],
                                     capture_output=True, text=True, check=True)
                got[mode].append(json.loads(out.stdout.strip().splitlines()[-1]))
        for mode, samples in got.items():
            secs = statistics.median(x["seconds"] for x in samples)
            rows.append({"size": size, "bytes": nbytes, "mode": mode, "seconds": secs, "mb_s": nbytes / 1e6 / secs,
                         "peak_mb": max(x["peak_mb"] for x in samples),
                         "added_mb": max(x["added_mb"] for x in samples),
                         "peak_reset": all(x["peak_reset"] for x in samples),
                         "mentions": samples[0]["mentions"], "candidates": samples[0]["candidates"]})
    return rows


def streaming_lines(rows: list[dict], runs: int) -> list[str]:
    how = ("the peak RSS during the pass (VmHWM, reset through /proc/self/clear_refs just before it) minus the RSS "
           "before it" if all(r["peak_reset"] for r in rows) else
           "the process's peak RSS minus the RSS before the pass (VmHWM could not be reset here: an upper bound)")
    L = [f"### Streaming: 100 KB to 10 MB, each pass in a fresh child process, median of {runs} runs",
         "",
         f"Peak RSS is the child's own peak (VmHWM: interpreter, graph, dictionary and pass; the largest of the runs); "
         f"\"added by the pass\" is {how}.",
         "",
         "| document | matcher | role | median (s) | MB/s | peak RSS (MB) | added by the pass (MB) | mentions "
         "| candidates | time x baseline |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    base = {r["size"]: r["seconds"] for r in rows if r["mode"] == "plain"}
    for r in rows:
        label, role = STREAM_MODES[r["mode"]]
        L.append(f"| {r['bytes'] / 1e6:.2f} MB | {label} | {role} | {r['seconds']:.3f} | {r['mb_s']:.1f} | "
                 f"{r['peak_mb']:.0f} | {r['added_mb']:.1f} | {r['mentions']:,} | "
                 f"{r['candidates']:,} | {r['seconds'] / base[r['size']]:.2f} |")
    stream = [r for r in rows if r["mode"] == "stream"]
    if len(stream) >= 2:
        small, large = stream[0], stream[-1]
        growth = (large["seconds"] / small["seconds"]) / (large["bytes"] / small["bytes"])
        slowest = min(r["mb_s"] for r in stream)
        L += ["",
              f"Streaming linker: slowest {slowest:.1f} MB/s (target 1 MB/s: {'PASS' if slowest >= 1 else 'FAIL'}); "
              f"time per byte from {small['bytes'] / 1e6:.1f} MB to {large['bytes'] / 1e6:.1f} MB: {growth:.2f}x "
              f"(1.0 is linear); RSS added by the pass: "
              + ", ".join(f"{r['bytes'] / 1e6:.1f} MB: {r['added_mb']:.1f} MB" for r in stream)
              + "; the plain scan's: "
              + ", ".join(f"{r['bytes'] / 1e6:.1f} MB: {r['added_mb']:.1f} MB" for r in rows if r["mode"] == "plain")
              + "."]
    return L


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), int(sys.argv[5]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--aliases", type=int, default=10_000)
    ap.add_argument("--megabytes", type=float, default=1.0)
    ap.add_argument("--slice-kb", type=int, default=50, help="text slice for the one-regex-per-alias extra row")
    ap.add_argument("--slice-runs", type=int, default=3)
    ap.add_argument("--stream-sizes", default="0.1,1,10", help="document sizes (MB) for the streaming rows")
    ap.add_argument("--stream-runs", type=int, default=3)
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true", help="print the section only")
    args = ap.parse_args()
    t_start = time.perf_counter()
    load_start = loadavg()
    rng = random.Random(7)
    kg = policykg.load()
    shipped_names = len(build_dictionary(kg))
    d, names, build_s = build(kg, args.aliases, rng)
    text = document(names, int(args.megabytes * 1_000_000), rng)
    size_mb = len(text.encode("utf-8")) / 1e6

    t = time.perf_counter()
    alt = alternation(names)
    alt_compile = time.perf_counter() - t
    t = time.perf_counter()
    trie = trie_pattern(names)
    trie_compile = time.perf_counter() - t

    full, counts = timed_round_robin({
        "ac": lambda: len(find_mentions(text, d)),
        "alt": lambda: len(alt.findall(fold(text))),
        "trie": lambda: len(trie.findall(fold(text))),
    }, args.runs)
    med = {k: statistics.median(v) for k, v in full.items()}

    sample = text[: args.slice_kb * 1000]
    sl, sl_counts = timed_round_robin({
        "ac": lambda: len(find_mentions(sample, d)),
        "alt": lambda: len(alt.findall(fold(sample))),
        "per_alias": lambda: per_alias(sample, names),
    }, args.slice_runs)
    smed = {k: statistics.median(v) for k, v in sl.items()}
    import tempfile

    with tempfile.TemporaryDirectory(prefix="policykg-linking-") as work:
        stream_rows = streaming(names, [float(x) for x in args.stream_sizes.split(",") if x],
                                args.stream_runs, args.aliases, Path(work))
    total = time.perf_counter() - t_start

    def row(label, role, key, s, c, base):
        return (f"| {label} | {role} | {statistics.median(s[key]):.3f} | {min(s[key]):.3f} | {max(s[key]):.3f} | "
                f"{c[key]:,} | {statistics.median(s[key]) / base:.1f} |")

    ratio = med["alt"] / med["ac"]
    L = [SECTION, "",
         "policykg's matcher (`policykg.mentions.find_mentions`: NFKC + casefold of the text with an offset map, "
         "one Aho-Corasick pass, word-boundary and whole-character checks, longest match wins) against regex "
         "baselines over the same NFKC + casefolded text and the same normalised names (the dictionary's keys). "
         "The headline baseline is ONE compiled alternation of all names, longest first, without `re.IGNORECASE` "
         "(the text is folded first, inside the timing, as find_mentions folds it). Extra rows: a trie-shaped "
         "regex of the same names, and the old per-alias baseline (one `re.findall(re.escape(name), text, "
         "re.IGNORECASE)` per name, which scans the text once per name: not the same work, on a slice only). "
         "Round-robin runs (one call of each in turn, order alternating), medians. The regexes do no boundary "
         "checks, so their match counts can exceed find_mentions' mentions.",
         "",
         f"- machine: {machine_line()}",
         f"- load average at start: {load_start}; the machine is shared with a test suite, so other processes add "
         "noise (round-robin order spreads it over all matchers)",
         f"- date: {now()}",
         f"- command: `{command_line('linking_bench.py')}` (total {total:.0f} s)",
         f"- names: {len(d):,} normalised names ({shipped_names:,} from the shipped graph, the rest "
         f"synthetic, seed 7); document {size_mb:.2f} MB UTF-8 ({len(text):,} characters)",
         f"- build time (outside the timing): Aho-Corasick automaton {build_s:.2f} s; alternation regex compile "
         f"{alt_compile:.2f} s; trie regex build + compile {trie_compile:.2f} s",
         "",
         f"### Whole document ({size_mb:.2f} MB), median of {args.runs} runs",
         "",
         "| matcher | role | median (s) | min (s) | max (s) | matches | x find_mentions |",
         "| --- | --- | --- | --- | --- | --- | --- |",
         row("`find_mentions` (Aho-Corasick)", "measured", "ac", full, counts, med["ac"]),
         row("one alternation regex, longest first, folded text", "baseline (same work)", "alt", full, counts,
             med["ac"]),
         row("trie-shaped regex, folded text", "extra baseline", "trie", full, counts, med["ac"]),
         "",
         f"find_mentions: {counts['ac'] / med['ac']:,.0f} mentions/s, {size_mb / med['ac']:.1f} MB/s. "
         f"Matches: find_mentions {counts['ac']:,}, alternation {counts['alt']:,}, trie {counts['trie']:,}"
         + (" (the same count)." if counts["ac"] == counts["alt"] == counts["trie"] else
            " (the regexes also count matches inside longer Latin or katakana words, which find_mentions rejects)."),
         "",
         f"### {args.slice_kb} kB slice, median of {args.slice_runs} runs",
         "",
         "| matcher | role | median (s) | min (s) | max (s) | matches | x find_mentions |",
         "| --- | --- | --- | --- | --- | --- | --- |",
         row("`find_mentions` (Aho-Corasick)", "measured", "ac", sl, sl_counts, smed["ac"]),
         row("one alternation regex, longest first, folded text", "baseline (same work)", "alt", sl, sl_counts,
             smed["ac"]),
         row(f"one regex per alias ({len(names):,} scans, `re.IGNORECASE`)", "extra, NOT the same work",
             "per_alias", sl, sl_counts, smed["ac"]),
         "",
         f"Summary: on {size_mb:.2f} MB with {len(d):,} names, `find_mentions` {med['ac']:.3f} s against one "
         f"alternation regex {med['alt']:.3f} s ({ratio:.1f}x) and a trie regex {med['trie']:.3f} s "
         f"({med['trie'] / med['ac']:.2f}x); one regex per alias on a {args.slice_kb} kB slice "
         f"{smed['per_alias'] / smed['ac']:.0f}x.",
         "",
         *streaming_lines(stream_rows, args.stream_runs),
         ]
    text_out = "\n".join(L) + "\n"
    print(text_out)
    if not args.no_write:
        replace_section(args.results, SECTION, text_out)


if __name__ == "__main__":
    main()
