"""Entity linking speed: mentions per second on a 1 MB document, 10,000 aliases.

Compares policykg's Aho-Corasick matcher with the naive baseline (one
compiled regex per alias, scanning the text once per alias) in the same run,
on the same text slice; medians of several runs.

    python bench/linking_bench.py [--runs 5] [--aliases 10000] [--megabytes 1]
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import statistics
import time

import policykg
from policykg.mentions import Dictionary, Entry, build_dictionary, find_mentions

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


def build(kg, n_aliases: int, rng: random.Random) -> tuple[Dictionary, list[str]]:
    d = build_dictionary(kg)
    real = sorted(d.entries)
    for i, name in enumerate(synthetic_names(n_aliases - len(real), rng)):
        d.add(name, Entry(f"https://w3id.org/policykg/id/synthetic-{i}", "organization", name))
    d.compile()
    return d, sorted(d.entries)


def document(names: list[str], size: int, rng: random.Random) -> str:
    parts, length = [], 0
    while length < size:
        piece = rng.choice(names) if rng.random() < 0.35 else FILLER[: rng.randint(10, len(FILLER))]
        parts.append(piece)
        parts.append("、" if rng.random() < 0.5 else " ")
        length += len(piece.encode("utf-8")) + 1
    return "".join(parts)


def regex_baseline(text: str, names: list[str]) -> int:
    count = 0
    for name in names:
        count += len(re.findall(re.escape(name), text, flags=re.IGNORECASE))
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--aliases", type=int, default=10_000)
    ap.add_argument("--megabytes", type=float, default=1.0)
    ap.add_argument("--slice-kb", type=int, default=50, help="text slice both matchers scan for the ratio")
    args = ap.parse_args()
    rng = random.Random(7)
    kg = policykg.load()
    t = time.perf_counter()
    d, names = build(kg, args.aliases, rng)
    build_s = time.perf_counter() - t
    text = document(names, int(args.megabytes * 1_000_000), rng)
    size_mb = len(text.encode("utf-8")) / 1e6

    times, mentions = [], 0
    for _ in range(args.runs):
        t = time.perf_counter()
        mentions = len(find_mentions(text, d))
        times.append(time.perf_counter() - t)
    full = statistics.median(times)

    sample = text[: args.slice_kb * 1000]
    ac, rx = [], []
    for _ in range(max(3, args.runs // 2)):
        t = time.perf_counter()
        find_mentions(sample, d)
        ac.append(time.perf_counter() - t)
        t = time.perf_counter()
        regex_baseline(sample, names)
        rx.append(time.perf_counter() - t)
    ac_s, rx_s = statistics.median(ac), statistics.median(rx)

    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"command: python bench/linking_bench.py --runs {args.runs} --aliases {args.aliases} --megabytes {args.megabytes}\n")
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| aliases in the automaton | {len(d)} |")
    print(f"| automaton build time (s) | {build_s:.2f} |")
    print(f"| document size (MB, UTF-8) | {size_mb:.2f} |")
    print(f"| mentions found | {mentions} |")
    print(f"| find_mentions, median of {args.runs} (s) | {full:.3f} |")
    print(f"| mentions per second | {mentions / full:,.0f} |")
    print(f"| MB per second | {size_mb / full:.2f} |")
    print(f"| {args.slice_kb} kB slice: Aho-Corasick (s) | {ac_s:.4f} |")
    print(f"| {args.slice_kb} kB slice: one regex per alias (s) | {rx_s:.3f} |")
    print(f"| speed-up over one regex per alias | {rx_s / ac_s:,.0f}x |")


if __name__ == "__main__":
    main()
