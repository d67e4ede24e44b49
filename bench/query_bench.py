"""SPARQL engine benchmark: policykg against raw pyoxigraph and rdflib.

    python bench/query_bench.py [--sizes 10k,100k,1M] [--out-root /tmp/pkg-bench]

For each size it generates (or reuses) a synthetic graph with
``bench/generate.py``, then measures

* loading: ``policykg.load(dir)`` + ``kg.store``, raw ``Store().bulk_load`` of
  the same files (also with the two SPARQL updates policykg's loader runs:
  the entailed types and the display labels), and
  rdflib ``Graph().parse`` of the same files: wall time and peak RSS of a
  fresh process per measurement (``ru_maxrss``);
* every canned query (``policykg.sparql.canned.canned_queries()`` at run time, each
  parameter bound to its ``example=``, ``lang`` = en): the policykg path
  (``policykg.run_query``: a worker process per query, as the CLI and library run it), raw pyoxigraph (``store.query``
  with the same text and ``substitutions=`` on a raw ``bulk_load`` store plus
  the same two updates; rows must match), and rdflib
  (``graph.query`` with ``initBindings``, at the sizes of ``--rdflib-queries-max``;
  a query that runs past ``--rdflib-timeout`` is stopped and recorded as such);

* one extra, non-canned query (``EXTRA_QUERIES``): a GROUP BY aggregate over
  memberships with type patterns on two variables, through
  ``policykg.run_query(kg, sparql=...)`` (safety walk + worker), raw
  ``store.query`` and rdflib ``graph.query`` (forked, stopped at
  ``--rdflib-timeout``), rows compared;

and, on the shipped graph, the whole-process time of ``policykg query NAME``
beside ``python -c "import pyoxigraph"`` (a floor, not a same-work baseline;
``bench/startup_bench.py`` has the same measurement on its own).

The results replace the section "## SPARQL engine" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import select
import shlex
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling modules, also when the tests import this
from results_file import cpu_model, replace_section, versions  # noqa: E402

HERE = Path(__file__).resolve().parent
PY = sys.executable
SECTION = "## SPARQL engine"
ENTAILED_CONSTRUCT = """
CONSTRUCT { ?s a ?super }
WHERE {
  ?s a ?class . ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?super .
  FILTER(isIRI(?super))
  FILTER NOT EXISTS { ?s a ?super }
}
"""

# Extra (non-canned) queries, run through the same three paths as the canned ones.
EXTRA_QUERIES = {
    "groupby-typed-memberships": (
        "PREFIX org: <http://www.w3.org/ns/org#>\n"
        "SELECT ?program (COUNT(DISTINCT ?org) AS ?n) WHERE {\n"
        "  ?m a org:Membership ; org:organization ?program ; org:member ?org .\n"
        "  ?program a org:Organization . ?org a org:Organization .\n"
        "} GROUP BY ?program ORDER BY DESC(?n) ?program"),
}

# Targets of the brief.
QUERY_VS_RAW_MAX = 1.5
RDFLIB_VS_QUERY_MIN = 20.0
LOAD_VS_RAW_MAX = 1.5
LOAD_PEAK_MB_MAX = 700
CLI_VS_IMPORT_MAX = 3.0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def parse_size(text: str) -> int:
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


def size_name(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --------------------------------------------------------------------------- files

def ontology_files() -> list[Path]:
    """The packaged ontology and vocabularies: what policykg.load adds to a data dir without ontology/."""
    from policykg import paths
    onto = paths.data_root() / "ontology"
    pick = lambda d: sorted(p for p in d.glob("*") if p.suffix in (".ttl", ".nt") and p.is_file())  # noqa: E731
    return pick(onto) + pick(onto / "vocab")


def graph_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "graph").rglob("*") if p.suffix in (".ttl", ".nt") and p.is_file())


def all_files(data_dir: Path) -> list[Path]:
    return ontology_files() + graph_files(data_dir)


def rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def raw_store(data_dir: Path, entail: bool = True):
    """bulk_load of the same files; with ``entail``, plus the two updates policykg's loader runs
    (the entailed types, then the display labels, the text of ``policykg.rdf.labels.DISPLAY_LABELS``)."""
    import pyoxigraph as ox
    store = ox.Store()
    for f in all_files(data_dir):
        fmt = ox.RdfFormat.N_TRIPLES if f.suffix == ".nt" else ox.RdfFormat.TURTLE
        store.bulk_load(path=str(f), format=fmt)
    if entail:
        from policykg.rdf.labels import DISPLAY_LABELS
        from policykg.rdf.loading import ENTAIL_TYPES

        store.update(ENTAIL_TYPES)
        store.update(DISPLAY_LABELS)
    return store


DERIVED = "derived.nt"  # the entailed types and display labels, for rdflib


def write_derived(data_dir: Path) -> None:
    """The triples the loader's updates add (entailed types, display labels) as N-Triples, so the
    rdflib graph for queries holds exactly what the stores hold."""
    import pyoxigraph as ox
    from policykg.rdf.labels import DISPLAY_LABEL
    derived = data_dir / DERIVED
    if derived.exists():
        return
    plain = raw_store(data_dir, entail=False)
    full = raw_store(data_dir)
    triples = list(plain.query(ENTAILED_CONSTRUCT))
    triples += [q.triple for q in full.quads_for_pattern(None, ox.NamedNode(DISPLAY_LABEL), None)]
    tmp = derived.with_suffix(".tmp")
    ox.serialize(triples, str(tmp), ox.RdfFormat.N_TRIPLES)
    tmp.rename(derived)


# --------------------------------------------------------------------------- workers (fresh processes)

def worker_load(engine: str, data_dir: Path) -> dict:
    """One load measurement in this (fresh) process."""
    if engine == "policykg":
        import policykg  # noqa: F401
        import pyoxigraph  # noqa: F401
        base = current_rss_mb()
        t0 = time.perf_counter()
        kg = policykg.load(data_dir)
        store = kg.store
        seconds = time.perf_counter() - t0
        return {"seconds": seconds, "peak_mb": rss_mb(), "base_mb": base, "quads": len(store)}
    if engine in ("oxigraph", "oxigraph+entail"):
        import pyoxigraph  # noqa: F401
        files = all_files(data_dir)
        base = current_rss_mb()
        t0 = time.perf_counter()
        store = raw_store(data_dir, entail=engine == "oxigraph+entail")
        seconds = time.perf_counter() - t0
        return {"seconds": seconds, "peak_mb": rss_mb(), "base_mb": base, "quads": len(store), "files": len(files)}
    if engine == "rdflib":
        import rdflib
        files = all_files(data_dir)
        base = current_rss_mb()
        t0 = time.perf_counter()
        g = rdflib.Graph()
        for f in files:
            g.parse(str(f), format="nt" if f.suffix == ".nt" else "turtle")
        seconds = time.perf_counter() - t0
        return {"seconds": seconds, "peak_mb": rss_mb(), "base_mb": base, "quads": len(g)}
    raise ValueError(engine)


def bench_queries(queries_root: Path | None):
    """(query, params) for every canned query; params from each parameter's example=, lang = en."""
    from policykg.sparql.canned import canned_queries
    out = []
    for q in canned_queries(queries_root):
        params, missing = {}, []
        for p in q.params:
            if p.name == "lang":
                continue  # prepare(lang="en") fills it
            if p.example is None:
                missing.append(p.name)
            else:
                params[p.name] = p.example
        out.append((q, params, missing))
    return out


def timed_runs(fns: dict, runs: int, min_batch: float = 0.05) -> dict:
    """Median seconds per call of each fn over `runs` runs, after a warm-up call of each.

    A run calls the fns alternately (a, b, a, b, ...) until it has taken about `min_batch`
    seconds, timing each call, so that load from other processes hits them alike.
    """
    warm = {}
    for name, fn in fns.items():
        t0 = time.perf_counter()
        fn()
        warm[name] = time.perf_counter() - t0
    number = max(1, min(2000, math.ceil(min_batch / max(sum(warm.values()), 1e-7))))
    samples = {name: [] for name in fns}
    items = list(fns.items())
    for i in range(runs):
        total = dict.fromkeys(fns, 0.0)
        for k in range(number):
            for name, fn in (items if (i + k) % 2 == 0 else items[::-1]):
                t0 = time.perf_counter()
                fn()
                total[name] += time.perf_counter() - t0
        for name in fns:
            samples[name].append(total[name] / number)
    return {name: {"median": statistics.median(s), "min": min(s), "max": max(s), "warm": warm[name],
                   "number": number, "runs": runs} for name, s in samples.items()}


def timed_in_child(fns: dict, runs: int) -> dict:
    """timed_runs(fns, runs) in a forked child, so that what fns import or cache stays out of this
    process (policykg's worker forks from it and would otherwise inherit a warm state)."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            out = json.dumps(timed_runs(fns, runs)).encode()
        except BaseException as e:  # noqa: BLE001
            out = json.dumps({"error": f"{type(e).__name__}: {e}"}).encode()
        view = memoryview(out)
        while view:
            view = view[os.write(wfd, view):]
        os._exit(0)
    os.close(wfd)
    chunks = []
    while True:
        chunk = os.read(rfd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(rfd)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks))


def _canon(rows):
    """Rows as comparable text, in order (bag semantics; the queries order their results)."""
    if isinstance(rows, bool):
        return rows
    return [["" if t is None else str(t) for t in (r if isinstance(r, tuple) else (r,))] for r in rows]


class RawPeer:
    """Raw pyoxigraph in a process of its own, forked before policykg's graph is loaded.

    policykg.run_query forks a worker from the calling process, and fork costs more the more
    memory that process maps; so the raw store must not live in the process policykg forks
    from (a user's process holds only policykg's store). The peer times its own calls
    (``perf_counter`` around ``store.query`` and reading the solutions); the parent asks it
    for one call at a time, so the two paths still alternate call by call.
    """

    def __init__(self, data_dir: Path, queries_root: Path | None):
        r1, w1 = os.pipe()  # parent -> peer
        r2, w2 = os.pipe()  # peer -> parent
        self.pid = os.fork()
        if self.pid == 0:
            os.close(w1)
            os.close(r2)
            code = 0
            try:
                self._serve(data_dir, queries_root, os.fdopen(r1, "r"), os.fdopen(w2, "w"))
            except BaseException as e:  # noqa: BLE001
                print(f"raw peer failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        os.close(r1)
        os.close(w2)
        self._out = os.fdopen(w1, "w")
        self._in = os.fdopen(r2, "r")
        self.info = self._ask({"op": "info"})

    def _ask(self, msg: dict) -> dict:
        self._out.write(json.dumps(msg) + "\n")
        self._out.flush()
        line = self._in.readline()
        if not line:
            raise RuntimeError("the raw pyoxigraph peer died")
        return json.loads(line)

    def time(self, name: str) -> float:
        return self._ask({"op": "time", "name": name})["seconds"]

    def close(self) -> None:
        self._ask({"op": "quit"})
        os.waitpid(self.pid, 0)

    @staticmethod
    def _serve(data_dir: Path, queries_root: Path | None, inp, out) -> None:
        import pyoxigraph as ox
        from policykg.namespaces import PREFIXES
        from policykg.sparql.params import bind_values

        write_derived(data_dir)  # for the rdflib worker (raw stores, so here and not in the parent)
        rstore = raw_store(data_dir)
        fns, meta = {}, {}

        def make(text, subs, prefixes):
            def via_raw():
                r = rstore.query(text, prefixes=prefixes, substitutions=subs)
                if isinstance(r, ox.QuerySolutions):
                    return [tuple(s) for s in r]
                if isinstance(r, ox.QueryBoolean):
                    return bool(r)
                return list(r)
            return via_raw

        for q, params, missing in bench_queries(queries_root):
            if missing:
                continue
            values = dict(params, **({"lang": "en"} if any(p.name == "lang" for p in q.params) else {}))
            bound = {ox.Variable(k): v for k, v in bind_values(q.name, q.params, values).items()}
            text, subs = q.text, (bound or None)
            m = {"mode": "substitutions=" if subs else "none",
                 "bindings": {k.value: str(v) for k, v in (bound or {}).items()}}
            if subs:
                try:
                    rstore.query(text, prefixes=PREFIXES, substitutions=subs)
                except RuntimeError as e:
                    # Oxigraph's substitutions= only takes projected variables: run the text
                    # with the parameters bound as policykg binds them (outside the timing).
                    m["substitutions_error"] = str(e)
                    text, subs, m["mode"] = q.bind(values), None, "bound text"
            fns[q.name] = make(text, subs, PREFIXES)
            meta[q.name] = m
        for name, text in EXTRA_QUERIES.items():
            fns[name] = make(text, None, None)
            meta[name] = {"mode": "none", "bindings": {}}
        for name, fn in fns.items():
            rows = fn()
            meta[name]["rows"] = _canon(rows)
            meta[name]["n"] = len(rows) if isinstance(rows, list) else int(rows)
        for line in inp:
            msg = json.loads(line)
            if msg["op"] == "info":
                reply = {"quads": len(rstore), "queries": meta}
            elif msg["op"] == "time":
                fn = fns[msg["name"]]
                t0 = time.perf_counter()
                fn()
                reply = {"seconds": time.perf_counter() - t0}
            else:
                out.write("{}\n")
                out.flush()
                return
            out.write(json.dumps(reply) + "\n")
            out.flush()


def timed_against_peer(fn, peer: RawPeer, name: str, runs: int, min_batch: float = 0.05) -> dict:
    """timed_runs with "raw" answered by the peer process: the same alternation, call by call."""
    t0 = time.perf_counter()
    fn()
    warm = {"policykg": time.perf_counter() - t0, "raw": peer.time(name)}
    number = max(1, min(2000, math.ceil(min_batch / max(sum(warm.values()), 1e-7))))
    samples = {"policykg": [], "raw": []}

    def local():
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    calls = [("policykg", local), ("raw", lambda: peer.time(name))]
    for i in range(runs):
        total = {"policykg": 0.0, "raw": 0.0}
        for k in range(number):
            for key, call in (calls if (i + k) % 2 == 0 else calls[::-1]):
                total[key] += call()
        for key in total:
            samples[key].append(total[key] / number)
    return {k: {"median": statistics.median(v), "min": min(v), "max": max(v), "warm": warm[k], "number": number,
                "runs": runs} for k, v in samples.items()}


def worker_queries_ox(data_dir: Path, runs: int, queries_root: Path | None) -> dict:
    """policykg.run_query on kg (this process holds only policykg's store) vs raw store.query on a
    bulk_load store + the loader's two updates (in a RawPeer process); and, as a diagnostic, the
    same job evaluated without the worker (in a forked child)."""
    peer = RawPeer(data_dir, queries_root)  # forked before anything is loaded here
    import policykg
    from policykg.sparql.evaluation import evaluate
    from policykg.sparql.query import QueryResult, make_job
    from policykg.sparql.workers import reply_value

    kg = policykg.load(data_dir)
    kstore = kg.store
    raw_meta = peer.info["queries"]
    info = {"policykg_quads": len(kstore), "raw_quads": peer.info["quads"]}

    def rows_of(res):
        return res.rows if res.form == "SELECT" else res.boolean if res.form == "ASK" else res.triples

    def measure(name, job_kwargs):
        def via_policykg():
            res = policykg.run_query(kg, **job_kwargs)
            rows_of(res)  # read back into terms, as a caller gets them
            return res

        job = make_job(**job_kwargs)

        def in_process():
            res = QueryResult(*reply_value(evaluate(kstore, job)))
            rows_of(res)
            return res

        res = via_policykg()
        got = rows_of(res)
        m = raw_meta[name]
        n_policykg = len(got) if isinstance(got, list) else int(bool(got))
        row = {"form": res.form, "rows_policykg": n_policykg, "rows_raw": m["n"],
               "same_rows": _canon(got) == m["rows"], "raw_binding": m["mode"], "bindings": m["bindings"]}
        if "substitutions_error" in m:
            row["substitutions_error"] = m["substitutions_error"]
        row["timing"] = timed_against_peer(via_policykg, peer, name, runs)
        row["timing"].update(timed_in_child({"in_process": in_process}, runs))
        log(f"  {name}: {n_policykg} rows, policykg {row['timing']['policykg']['median'] * 1e3:.3f} ms, "
            f"raw {row['timing']['raw']['median'] * 1e3:.3f} ms")
        return row

    results = []
    for q, params, missing in bench_queries(queries_root):
        row = {"name": q.name, "params": params}
        if missing:
            row["skipped"] = f"no example for {', '.join(missing)}"
        else:
            row.update(measure(q.name, {"name": q.name, "params": params, "lang": "en"}))
        results.append(row)
    info["queries"] = results
    extras = []
    for name, text in EXTRA_QUERIES.items():
        row = {"name": name, "text": text}
        row.update(measure(name, {"sparql": text}))
        row["result"] = raw_meta[name]["rows"][:10]
        extras.append(row)
    info["extra"] = extras
    peer.close()
    return info


def _rdflib_term(term):
    import pyoxigraph as ox
    import rdflib
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    dtype = term.datatype.value
    if dtype == "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(dtype))


def worker_queries_rdflib(data_dir: Path, runs: int, timeout: float, queries_root: Path | None) -> dict:
    """rdflib graph.query with initBindings; each query in a forked child stopped at the deadline."""
    import rdflib
    from policykg.namespaces import PREFIXES
    from policykg.sparql.params import bind_values

    g = rdflib.Graph()
    for f in all_files(data_dir) + [data_dir / DERIVED]:
        g.parse(str(f), format="nt" if f.suffix == ".nt" else "turtle")
    ns = {k: rdflib.Namespace(v) for k, v in PREFIXES.items()}
    results = []
    for q, params, missing in bench_queries(queries_root):
        row = {"name": q.name}
        if missing:
            row["skipped"] = f"no example for {', '.join(missing)}"
            results.append(row)
            continue
        values = dict(params, **({"lang": "en"} if any(p.name == "lang" for p in q.params) else {}))
        bindings = {k: _rdflib_term(v) for k, v in bind_values(q.name, q.params, values).items()}

        def run_once():
            res = g.query(q.text, initBindings=bindings, initNs=ns)
            if res.type == "ASK":
                return int(bool(res.askAnswer))
            return len(list(res))

        row.update(_forked_timing(run_once, runs, timeout))
        results.append(row)
        shown = f"> {timeout:g} s (stopped)" if row.get("timeout") else f"{row['median'] * 1e3:.1f} ms"
        log(f"  {q.name}: rdflib {shown}, {row.get('rows')} rows")
    extras = []
    for name, text in EXTRA_QUERIES.items():
        def run_extra(text=text):
            return [["" if t is None else t.n3() for t in r]
                    for r in g.query(text)]

        row = {"name": name}
        row.update(_forked_timing(run_extra, runs, timeout))
        extras.append(row)
        shown = f"> {timeout:g} s (stopped)" if row.get("timeout") else f"{row['median'] * 1e3:.1f} ms"
        log(f"  {name}: rdflib {shown}")
    return {"quads": len(g), "queries": results, "extra": extras}


def _forked_timing(fn, runs: int, timeout: float) -> dict:
    """Warm-up and timed runs of fn in a forked child; the warm-up is stopped at `timeout`."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            t0 = time.perf_counter()
            rows = fn()
            warm = time.perf_counter() - t0
            os.write(wfd, (json.dumps({"warm": warm, "rows": rows}) + "\n").encode())
            n_runs = runs if warm < 2 else min(runs, 3) if warm < 12 else 1
            number = max(1, min(200, math.ceil(0.05 / max(warm, 1e-7))))
            samples = []
            for _ in range(n_runs):
                t0 = time.perf_counter()
                for _ in range(number):
                    fn()
                samples.append((time.perf_counter() - t0) / number)
            os.write(wfd, (json.dumps({"samples": samples, "number": number}) + "\n").encode())
        except BaseException as e:  # noqa: BLE001
            os.write(wfd, (json.dumps({"error": f"{type(e).__name__}: {e}"}) + "\n").encode())
        os._exit(0)
    os.close(wfd)
    buf, lines = b"", []
    start = time.monotonic()
    deadline = start + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([rfd], [], [], left)
            if not ready:
                continue
            chunk = os.read(rfd, 65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                lines.append(json.loads(line))
                if "warm" in lines[-1]:  # warm-up done in time: allow the timed runs
                    deadline = time.monotonic() + max(30.0, 8 * lines[-1]["warm"])
    finally:
        os.close(rfd)
        os.waitpid(pid, 0)
    out: dict = {}
    for item in lines:
        out.update(item)
    if "error" in out:
        return {"error": out["error"]}
    if "warm" not in out:
        return {"timeout": True}
    samples = out.get("samples") or [out["warm"]]
    return {"median": statistics.median(samples), "warm": out["warm"], "rows": out["rows"],
            "runs": len(samples), "number": out.get("number", 1)}


# --------------------------------------------------------------------------- parent side

def run_worker(args: list[str], timeout: float | None = None) -> dict | None:
    cmd = [PY, str(Path(__file__).resolve()), "--worker", *args]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        raise RuntimeError(f"worker failed ({p.returncode}): {shlex.join(cmd)}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def ensure_graph(n: int, out_root: Path, seed: int) -> Path:
    d = out_root / size_name(n)
    sys.path.insert(0, str(HERE))
    import generate
    info_file = d / "generated.json"
    if info_file.exists():
        info = json.loads(info_file.read_text())
        if (info.get("generator_version") == generate.GENERATOR_VERSION and info.get("target_triples") == n
                and info.get("seed") == seed and (d / "graph").is_dir()
                and info.get("inputs_sha256") == generate.inputs_digest()):
            log(f"{size_name(n)}: reusing {d} ({info['graph_triples']} graph triples)")
            return d
    log(f"{size_name(n)}: generating {d} (none there, or the shipped graph or vocabularies changed)")
    t0 = time.perf_counter()
    (d / "entailed.nt").unlink(missing_ok=True)
    (d / DERIVED).unlink(missing_ok=True)
    info = generate.generate(n, d, seed)
    log(f"{size_name(n)}: generated {info['graph_triples']} triples in {info['synthetic_files'] + 12} files "
        f"({time.perf_counter() - t0:.1f} s)")
    return d


def measure_loads(d: Path, n: int, runs: int, rdflib_limit: float, rdflib_rate: float | None) -> dict:
    """policykg and the two raw-pyoxigraph variants interleaved round-robin (so that load from other
    processes hits all three alike), then rdflib."""
    out: dict = {}
    engines = ["policykg", "oxigraph", "oxigraph+entail"]
    res: dict = {e: [] for e in engines}
    for _ in range(runs):
        for e in engines:
            res[e].append(run_worker(["load", "--engine", e, "--dir", str(d)]))
    if rdflib_rate is not None and n / rdflib_rate > rdflib_limit:
        out["rdflib"] = {"skipped": f"estimated {n / rdflib_rate:.0f} s from the smaller size (> {rdflib_limit:.0f} s)"}
    else:
        k = 1 if (rdflib_rate is None or n / rdflib_rate > 20) else runs
        timeout = rdflib_limit * 1.2
        res["rdflib"] = []
        for _ in range(k):
            r = run_worker(["load", "--engine", "rdflib", "--dir", str(d)], timeout=timeout)
            if r is None:
                out["rdflib"] = {"skipped": f"stopped after {timeout:.0f} s"}
                break
            res["rdflib"].append(r)
    for e, rs in res.items():
        if e in out or not rs:
            continue
        out[e] = {"seconds": statistics.median(r["seconds"] for r in rs), "min_seconds": min(r["seconds"] for r in rs),
                  "peak_mb": statistics.median(r["peak_mb"] for r in rs), "max_peak_mb": max(r["peak_mb"] for r in rs),
                  "base_mb": statistics.median(r["base_mb"] for r in rs), "quads": rs[0]["quads"], "runs": len(rs)}
    for e in engines + ["rdflib"]:
        r = out[e]
        if "skipped" in r:
            log(f"  load {e}: skipped ({r['skipped']})")
        else:
            log(f"  load {e}: median {r['seconds']:.2f} s (min {r['min_seconds']:.2f}), peak {r['peak_mb']:.0f} MB, "
                f"{r['quads']} quads ({r['runs']} run(s))")
    return out


def time_command(cmd: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def measure_cli(runs: int, queries_root: Path | None, pycache: Path) -> dict:
    """Whole-process times. Bytecode is cached (in `pycache`, outside the source tree) as an
    installed package has it, even where the environment sets PYTHONDONTWRITEBYTECODE."""
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(pycache)
    uncached = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    exe = str(Path(PY).parent / "policykg")
    queries = [(q, p) for q, p, missing in bench_queries(None) if not missing]
    preferred = ["members-by-role", "policies-by-issuer-and-date", "label-search", "organization-links",
                 "city-indicators", "cq-partnership-members-by-role", "cq-evidence-for-baidu-membership",
                 "cq-beijing-vs-shanghai-ranks"]
    by_name = {q.name: (q, p) for q, p in queries}
    picked = [by_name[n] for n in preferred if n in by_name][:3]
    picked += [qp for qp in queries if qp not in picked][: 3 - len(picked)]
    commands = {'python -c "import pyoxigraph"': [PY, "-c", "import pyoxigraph"]}
    for q, params in picked:
        cmd = [exe, "query", q.name] + [x for k, v in params.items() for x in ("-p", k, v)]
        commands[shlex.join(["policykg"] + cmd[1:])] = cmd
    diagnostics = {
        'python -c "import policykg.cli"': [PY, "-c", "import policykg.cli"],
        'python -c "import policykg; policykg.load().store"': [PY, "-c", "import policykg; policykg.load().store"],
        "policykg --help": [exe, "--help"],
    }
    first = next(k for k in commands if k.startswith("policykg query"))
    nocache = f"{first} (no bytecode cache: PYTHONDONTWRITEBYTECODE=1, as this environment sets)"
    allc = {**commands, **diagnostics, nocache: commands[first]}
    envs = {name: (uncached if name == nocache else cached) for name in allc}
    for name, cmd in allc.items():  # warm-up (page cache, .pyc)
        time_command(cmd, envs[name])
    samples = {name: [] for name in allc}
    for _ in range(runs):
        for name, cmd in allc.items():
            samples[name].append(time_command(cmd, envs[name]))
    out = {name: {"median": statistics.median(s), "min": min(s), "max": max(s),
                  "diagnostic": name in diagnostics or name == nocache} for name, s in samples.items()}
    for name, r in out.items():
        log(f"  {name}: {r['median'] * 1e3:.0f} ms")
    return out


# --------------------------------------------------------------------------- report

def machine() -> dict:
    mem = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return {"cores": os.cpu_count(), "memory": mem, "cpu": cpu_model(), "python": platform.python_version(),
            "platform": platform.platform(), "versions": versions("pyoxigraph", "rdflib")}


def fmt_ms(s: float | None) -> str:
    if s is None:
        return "-"
    ms = s * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(data: dict) -> str:
    m = data["machine"]
    L = [SECTION, ""]
    L.append("policykg's SPARQL path (`policykg.load` + `kg.store`; `policykg.run_query`, which runs each query in a "
             "forked worker process and returns the serialized result, read back into terms here) against "
             "raw pyoxigraph (`Store().bulk_load` of the same files, plus the two SPARQL updates policykg's loader runs, "
             "entailed types and display labels, where answers are compared) and plain rdflib (`Graph().parse`, "
             "`graph.query` with `initBindings`, over the same triples), on synthetic "
             "graphs from `bench/generate.py` (the shipped graph plus a seeded synthetic bulk under the real "
             "ontology, linked so that the canned queries' example IRIs fan out with size).")
    L.append("")
    L.append(f"- machine: {m['cores']} cores, {m['memory']}, {m['cpu']} ({m['platform']})")
    L.append(f"- Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()))
    L.append(f"- date: {data['date']}")
    L.append(f"- command: `{data['command']}` (total {data['total_seconds'] / 60:.1f} min)")
    L.append(f"- 1-minute load average at the start of each part: {data.get('loadavg', '?')} (the machine is "
             "shared with a test suite: other processes' load adds noise, which interleaving policykg and raw runs "
             "evens out)")
    L.append(f"- method: loads are one fresh process per measurement (median of {data['load_runs']} runs; "
             "peak = the process's `ru_maxrss`, interpreter and imports included; time excludes imports); "
             f"queries are medians of {data['query_runs']} runs after a warm-up run ({data['query_runs_1m']} at 1M), "
             "each run calling policykg and raw alternately, one call each in turn, until the run has taken at least 50 ms; "
             "raw pyoxigraph runs in a process of its own that times its own calls (the process policykg's workers "
             "fork from holds only policykg's store, as a user's does, since fork costs more the more memory is mapped); "
             f"rdflib queries run in a forked child stopped after {data['rdflib_timeout']:g} s. "
             "Query parameters are each query's `example=` values and `lang` = en.")
    L.append("")

    # Targets
    t = data["targets"]
    L.append("### Targets")
    L.append("")
    L.append("| target | measured | result |")
    L.append("| --- | --- | --- |")
    for row in t:
        L.append(f"| {row['target']} | {row['measured']} | {row['result']} |")
    L.append("")

    L.append("### Summary")
    L.append("")
    L.extend(f"- {line}" for line in summary_lines(data))
    L.append("")

    # Loads
    L.append("### Loading")
    L.append("")
    L.append("| size | graph triples | quads in store | policykg load + store (s) | raw bulk_load (s) | raw + the loader's updates (s) "
             "| rdflib parse (s) | policykg / raw | policykg peak (MB) | raw peak (MB) | rdflib peak (MB) |")
    L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for s in data["sizes"]:
        ld = s["load"]
        pk, ox_, oxe, rl = ld["policykg"], ld["oxigraph"], ld["oxigraph+entail"], ld["rdflib"]
        rl_s = f"{rl['seconds']:.2f}" if "seconds" in rl else f"skipped: {rl['skipped']}"
        rl_m = f"{rl['peak_mb']:.0f}" if "peak_mb" in rl else "-"
        L.append(f"| {s['size']} | {s['graph_triples']} | {pk['quads']} | {pk['seconds']:.2f} ({pk['min_seconds']:.2f}) | "
                 f"{ox_['seconds']:.2f} ({ox_['min_seconds']:.2f}) | {oxe['seconds']:.2f} ({oxe['min_seconds']:.2f}) | {rl_s} | "
                 f"{pk['seconds'] / ox_['seconds']:.2f} ({pk['min_seconds'] / ox_['min_seconds']:.2f}) | {pk['peak_mb']:.0f} | "
                 f"{ox_['peak_mb']:.0f} | {rl_m} |")
    L.append("")
    L.append("Times are medians, with the minimum in brackets; policykg / raw compares medians (minimums). Same "
             "work: raw bulk_load against rdflib parse (both parse only), and policykg against raw + the loader's "
             "updates (entailed types and display labels).")
    L.append("")
    L.append("Resident memory of a fresh process after importing the libraries, before loading (the floor "
             "under the peaks above): "
             + "; ".join(f"{s['size']}: policykg {s['load']['policykg']['base_mb']:.0f} MB, "
                         f"pyoxigraph {s['load']['oxigraph']['base_mb']:.0f} MB"
                         + (f", rdflib {s['load']['rdflib']['base_mb']:.0f} MB" if "base_mb" in s["load"]["rdflib"] else "")
                         for s in data["sizes"][:1]) + ".")
    L.append("")

    # Queries
    L.append("### Canned queries")
    L.append("")
    L.append("Median milliseconds per query; `rows` is the number of solutions (policykg and raw pyoxigraph "
             "return the same rows, compared term by term, or the table says MISMATCH). `in-process` (diagnostic) "
             "is policykg's evaluation of the same job without the worker (`policykg.sparql.evaluation.evaluate` "
             "+ reading the result back), timed in a forked child after the interleaved policykg/raw runs so it "
             "cannot warm the process policykg's workers fork from; `policykg - in-process` is the cost of the "
             "worker round trip (fork, a fresh interpreter state's lazy imports, the pipe).")
    L.append("")
    for s in data["sizes"]:
        L.append(f"#### {s['size']} ({s['graph_triples']} graph triples, {s['load']['policykg']['quads']} quads in the store)")
        L.append("")
        L.append("| query | params | rows | policykg (ms) | raw pyoxigraph (ms) | raw binding | policykg / raw | in-process (ms, diagnostic) | rdflib (ms) | rdflib / policykg | rdflib / raw |")
        L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        rd = {r["name"]: r for r in (s.get("rdflib_queries") or {}).get("queries", [])}
        for q in s["queries"]["queries"]:
            params = ", ".join(f"{k}={v}" for k, v in q.get("params", {}).items()) or "-"
            if "skipped" in q:
                L.append(f"| {q['name']} | {params} | skipped: {q['skipped']} | | | | | | | | |")
                continue
            tp, tr = q["timing"]["policykg"]["median"], q["timing"]["raw"]["median"]
            ti = q["timing"].get("in_process", {}).get("median")
            rows = str(q["rows_policykg"]) if q["rows_policykg"] == q["rows_raw"] and q.get("same_rows", True) else \
                f"MISMATCH {q['rows_policykg']} vs {q['rows_raw']}"
            r = rd.get(q["name"])
            if r is None:
                rl, ratio, ratio_raw = s.get("rdflib_note", "not run"), "-", "-"
            elif r.get("timeout"):
                rl, ratio = f"> {data['rdflib_timeout']:g} s", f"> {data['rdflib_timeout'] / tp:.0f}"
                ratio_raw = f"> {data['rdflib_timeout'] / tr:.0f}"
            elif "error" in r:
                rl, ratio, ratio_raw = f"error: {r['error']}", "-", "-"
            else:
                rl, ratio, ratio_raw = fmt_ms(r["median"]), f"{r['median'] / tp:.1f}", f"{r['median'] / tr:.0f}"
                if r["rows"] != q["rows_policykg"]:
                    rl += f" ({r['rows']} rows)"
            L.append(f"| {q['name']} | {params} | {rows} | {fmt_ms(tp)} | {fmt_ms(tr)} | {q.get('raw_binding', '-')} | {tp / tr:.2f} | {fmt_ms(ti)} | {rl} | {ratio} | {ratio_raw} |")
        L.append("")

    # Extra queries (GROUP BY)
    for name, text in EXTRA_QUERIES.items():
        L.append(f"### Extra query: {name}")
        L.append("")
        L.append("Not a canned query: a GROUP BY aggregate over memberships with type patterns on two variables "
                 "(where rdflib's evaluation goes quadratic). policykg runs it as an ad-hoc query "
                 "(`policykg.run_query(kg, sparql=...)`: safety walk, worker process, JSON result read back), raw "
                 "pyoxigraph as `store.query(text)` on the same triples, rdflib as `graph.query(text)` on the same "
                 f"triples in a forked child stopped after {data['rdflib_timeout']:g} s. Rows compared term by term.")
        L.append("")
        L.append("```sparql")
        L.append(text)
        L.append("```")
        L.append("")
        L.append("| size | graph triples | rows | policykg (ms) | raw pyoxigraph (ms) | policykg / raw | in-process (ms, diagnostic) | rdflib (ms) | rdflib / policykg | rdflib / raw |")
        L.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for s in data["sizes"]:
            x = next((e for e in s["queries"].get("extra", []) if e["name"] == name), None)
            if x is None:
                continue
            tp, tr = x["timing"]["policykg"]["median"], x["timing"]["raw"]["median"]
            rows = str(x["rows_policykg"]) if x["same_rows"] else f"MISMATCH {x['rows_policykg']} vs {x['rows_raw']}"
            r = next((e for e in (s.get("rdflib_queries") or {}).get("extra", []) if e["name"] == name), None)
            if r is None:
                rl, ratio, ratio_raw = s.get("rdflib_note", "not run"), "-", "-"
            elif r.get("timeout"):
                rl = f"> {data['rdflib_timeout']:g} s (stopped)"
                ratio, ratio_raw = f"> {data['rdflib_timeout'] / tp:,.0f}", f"> {data['rdflib_timeout'] / tr:,.0f}"
            elif "error" in r:
                rl, ratio, ratio_raw = f"error: {r['error']}", "-", "-"
            else:
                rl = fmt_ms(r["median"]) + (f" ({r['runs']} run(s))" if r.get("runs", 0) < 3 else "")
                ratio, ratio_raw = f"{r['median'] / tp:,.0f}", f"{r['median'] / tr:,.0f}"
                if len(r["rows"]) != x["rows_policykg"] or [tuple(v) for v in r["rows"]][:10] != [tuple(v) for v in x["result"]]:
                    rl += f" (rows differ: {len(r['rows'])})"
            ti = x["timing"].get("in_process", {}).get("median")
            L.append(f"| {s['size']} | {s['graph_triples']} | {rows} | {fmt_ms(tp)} | {fmt_ms(tr)} | {tp / tr:.2f} | {fmt_ms(ti)} | {rl} | {ratio} | {ratio_raw} |")
        L.append("")

    # CLI
    L.append("### `policykg query NAME` as a whole process (shipped graph)")
    L.append("")
    L.append(f"Median of {data['cli_runs']} runs each, interleaved, after one warm-up run; output to /dev/null. "
             "Bytecode is cached (`PYTHONPYCACHEPREFIX` under the output folder), as in an installed package, "
             "except in the row that says otherwise.")
    L.append("")
    L.append("`python -c \"import pyoxigraph\"` is a floor (it loads no graph and runs no query), not a same-work "
             "baseline; the ratio says how far above bare start-up a query process is.")
    L.append("")
    base = data["cli"]['python -c "import pyoxigraph"']["median"]
    L.append("| command | median (ms) | min (ms) | max (ms) | x `import pyoxigraph` (floor) |")
    L.append("| --- | --- | --- | --- | --- |")
    for name, r in data["cli"].items():
        label = f"`{name}`" + (" (diagnostic)" if r["diagnostic"] else "")
        L.append(f"| {label} | {r['median'] * 1e3:.0f} | {r['min'] * 1e3:.0f} | {r['max'] * 1e3:.0f} | {r['median'] / base:.1f} |")
    L.append("")
    if data.get("notes"):
        L.append("### Notes")
        L.append("")
        for n in data["notes"]:
            L.append(f"- {n}")
        L.append("")
    return "\n".join(L)


def summary_lines(data: dict) -> list[str]:
    """One line per figure worth quoting, each with its baseline."""
    out = []
    for s in data["sizes"]:
        ld = s["load"]
        pk, ox_, oxe, rl = ld["policykg"], ld["oxigraph"], ld["oxigraph+entail"], ld["rdflib"]
        line = (f"loading {s['size']} ({s['graph_triples']:,} triples): raw pyoxigraph bulk_load {ox_['seconds']:.2f} s")
        if "seconds" in rl:
            line += f" against rdflib parse {rl['seconds']:.2f} s ({rl['seconds'] / ox_['seconds']:.1f}x)"
        line += (f"; policykg.load {pk['seconds']:.2f} s against raw + the loader's updates {oxe['seconds']:.2f} s "
                 f"({pk['seconds'] / oxe['seconds']:.2f}x)")
        out.append(line)
    for s in data["sizes"]:
        rd = {r["name"]: r for r in (s.get("rdflib_queries") or {}).get("queries", [])}
        qs = [q for q in s["queries"]["queries"] if "timing" in q]
        pr = [q["timing"]["policykg"]["median"] / q["timing"]["raw"]["median"] for q in qs]
        vs_pk, vs_raw = [], []
        for q in qs:
            r = rd.get(q["name"])
            if r and "median" in r:
                vs_pk.append(r["median"] / q["timing"]["policykg"]["median"])
                vs_raw.append(r["median"] / q["timing"]["raw"]["median"])
        line = (f"{len(qs)} canned queries at {s['size']}: policykg.run_query / raw pyoxigraph "
                f"{min(pr):.2f}-{max(pr):.2f}x (median {statistics.median(pr):.2f}x)")
        if vs_pk:
            line += (f"; rdflib / raw pyoxigraph {min(vs_raw):.0f}-{max(vs_raw):.0f}x (median "
                     f"{statistics.median(vs_raw):.0f}x); rdflib / policykg.run_query {min(vs_pk):.1f}-{max(vs_pk):.1f}x "
                     f"(median {statistics.median(vs_pk):.1f}x)")
        else:
            line += "; rdflib not run"
        out.append(line)
    for name in EXTRA_QUERIES:
        parts = []
        for s in data["sizes"]:
            x = next((e for e in s["queries"].get("extra", []) if e["name"] == name), None)
            if x is None:
                continue
            r = next((e for e in (s.get("rdflib_queries") or {}).get("extra", []) if e["name"] == name), None)
            rl = ("not run" if r is None else f"> {data['rdflib_timeout']:g} s (stopped)" if r.get("timeout")
                  else "error" if "error" in r else f"{r['median']:.1f} s")
            parts.append(f"{s['size']}: raw pyoxigraph {fmt_ms(x['timing']['raw']['median'])} ms, policykg.run_query "
                         f"{fmt_ms(x['timing']['policykg']['median'])} ms, rdflib {rl}")
        out.append(f"{name}: " + "; ".join(parts))
    return out


def targets(data: dict) -> list[dict]:
    out = []
    by_size = {s["size"]: s for s in data["sizes"]}
    s100 = by_size.get("100k")
    if s100:
        qs = [q for q in s100["queries"]["queries"] if "timing" in q]
        worst = max(qs, key=lambda q: q["timing"]["policykg"]["median"] / q["timing"]["raw"]["median"])
        w = worst["timing"]["policykg"]["median"] / worst["timing"]["raw"]["median"]
        out.append({"target": f"every canned query through policykg within {QUERY_VS_RAW_MAX}x of raw pyoxigraph (100k)",
                    "measured": f"worst {w:.2f}x ({worst['name']}); {sum(1 for q in qs if q['timing']['policykg']['median'] / q['timing']['raw']['median'] <= QUERY_VS_RAW_MAX)}/{len(qs)} within",
                    "result": verdict(w <= QUERY_VS_RAW_MAX)})
        rd = {r["name"]: r for r in (s100.get("rdflib_queries") or {}).get("queries", [])}
        ratios = []
        for q in qs:
            r = rd.get(q["name"])
            if r and "median" in r:
                ratios.append((r["median"] / q["timing"]["policykg"]["median"], q["name"], ""))
            elif r and r.get("timeout"):
                ratios.append((data["rdflib_timeout"] / q["timing"]["policykg"]["median"], q["name"], ">"))
        if ratios:
            low = min(ratios)
            out.append({"target": f"every canned query through policykg at least {RDFLIB_VS_QUERY_MIN:g}x faster than rdflib (100k)",
                        "measured": f"lowest {low[2]}{low[0]:.1f}x ({low[1]}); {sum(1 for r in ratios if r[0] >= RDFLIB_VS_QUERY_MIN)}/{len(ratios)} at least {RDFLIB_VS_QUERY_MIN:g}x",
                        "result": verdict(low[0] >= RDFLIB_VS_QUERY_MIN)})
    big = by_size.get("1M")
    if big:
        pk, ox_ = big["load"]["policykg"], big["load"]["oxigraph"]
        ratio = pk["seconds"] / ox_["seconds"]
        out.append({"target": f"loading 1M within {LOAD_VS_RAW_MAX}x of raw pyoxigraph bulk_load",
                    "measured": f"median {pk['seconds']:.2f} s vs {ox_['seconds']:.2f} s = {ratio:.2f}x "
                                f"(minimums {pk['min_seconds'] / ox_['min_seconds']:.2f}x) "
                                f"(vs raw + the loader's updates {big['load']['oxigraph+entail']['seconds']:.2f} s: "
                                f"{pk['seconds'] / big['load']['oxigraph+entail']['seconds']:.2f}x)",
                    "result": verdict(ratio <= LOAD_VS_RAW_MAX)})
        out.append({"target": f"loading 1M under {LOAD_PEAK_MB_MAX} MB peak RSS",
                    "measured": f"{pk['peak_mb']:.0f} MB median, {pk['max_peak_mb']:.0f} MB max (raw pyoxigraph {ox_['peak_mb']:.0f} MB)",
                    "result": verdict(pk["peak_mb"] < LOAD_PEAK_MB_MAX)})
    cli = data["cli"]
    base = cli['python -c "import pyoxigraph"']["median"]
    worst = max((n for n, r in cli.items() if n.startswith("policykg query") and not r["diagnostic"]),
                key=lambda n: cli[n]["median"])
    ratio = cli[worst]["median"] / base
    out.append({"target": f"`policykg query NAME` within {CLI_VS_IMPORT_MAX:g}x of `python -c \"import pyoxigraph\"` (a floor, not same work)",
                "measured": f"slowest {cli[worst]['median'] * 1e3:.0f} ms vs {base * 1e3:.0f} ms = {ratio:.1f}x (`{worst}`)",
                "result": verdict(ratio <= CLI_VS_IMPORT_MAX)})
    return out


def write_results(path: Path, section: str) -> None:
    replace_section(path, SECTION, section)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k,100k,1M", help="comma-separated target triple counts")
    ap.add_argument("--out-root", type=Path, default=Path("/tmp/pkg-bench"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query (after a warm-up)")
    ap.add_argument("--runs-1m", type=int, default=3, help="timed runs per query at 1M triples and more")
    ap.add_argument("--load-runs", type=int, default=3, help="load measurements (processes) per engine and size")
    ap.add_argument("--cli-runs", type=int, default=10)
    ap.add_argument("--rdflib-queries-max", type=parse_size, default=100_000, help="largest size to run rdflib queries at")
    ap.add_argument("--rdflib-timeout", type=float, default=60.0, help="stop a single rdflib query after this many seconds")
    ap.add_argument("--rdflib-load-limit", type=float, default=180.0, help="skip rdflib loading when estimated above this (s)")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--no-write", action="store_true", help="print the section instead of writing RESULTS.md")
    ap.add_argument("--from-json", type=Path, help="only re-render the section from a previous run's query_bench.json")
    ap.add_argument("--queries-root", type=Path, help="(testing) a folder with queries/*.rq instead of the packaged ones")
    # worker mode
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        if args.worker == "load":
            res = worker_load(args.engine, args.dir)
        elif args.worker == "queries-ox":
            res = worker_queries_ox(args.dir, args.runs, args.queries_root)
        elif args.worker == "queries-rdflib":
            res = worker_queries_rdflib(args.dir, args.runs, args.rdflib_timeout, args.queries_root)
        else:
            raise SystemExit(f"unknown worker {args.worker}")
        print(json.dumps(res))
        return

    if args.from_json:
        data = json.loads(args.from_json.read_text())
        data["targets"] = targets(data)
        section = report(data)
        print(section) if args.no_write else write_results(args.results, section)
        return

    t_start = time.perf_counter()
    command = "python bench/query_bench.py" + "".join(f" {a}" for a in sys.argv[1:])
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    qr = ["--queries-root", str(args.queries_root)] if args.queries_root else []
    data = {"machine": machine(), "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "command": command, "load_runs": args.load_runs, "query_runs": args.runs, "query_runs_1m": args.runs_1m,
            "rdflib_timeout": args.rdflib_timeout, "cli_runs": args.cli_runs, "sizes": [], "notes": []}
    rdflib_rate = None
    loads = []

    def note_load(part: str) -> None:
        loads.append(f"{part} {os.getloadavg()[0]:.2f}")
        data["loadavg"] = ", ".join(loads)

    for n in sizes:
        note_load(size_name(n))
        name = size_name(n)
        d = ensure_graph(n, args.out_root, args.seed)
        info = json.loads((d / "generated.json").read_text())
        entry = {"size": name, "n": n, "graph_triples": info["graph_triples"], "dir": str(d)}
        log(f"{name}: loading ({args.load_runs} process(es) per engine)")
        entry["load"] = measure_loads(d, n, args.load_runs, args.rdflib_load_limit, rdflib_rate)
        if "seconds" in entry["load"]["rdflib"]:
            rdflib_rate = n / entry["load"]["rdflib"]["seconds"]
        elif "skipped" in entry["load"]["rdflib"]:
            data["notes"].append(f"rdflib loading at {name} skipped: {entry['load']['rdflib']['skipped']}.")
        runs = args.runs if n < 1_000_000 else args.runs_1m
        log(f"{name}: canned queries, policykg vs raw pyoxigraph ({runs} runs)")
        entry["queries"] = run_worker(["queries-ox", "--dir", str(d), "--runs", str(runs), *qr])
        if entry["queries"]["policykg_quads"] != entry["queries"]["raw_quads"]:
            data["notes"].append(f"{name}: the policykg store holds {entry['queries']['policykg_quads']} quads, "
                                 f"the raw store with the loader's updates {entry['queries']['raw_quads']}.")
        if n <= args.rdflib_queries_max:
            log(f"{name}: canned queries, rdflib")
            entry["rdflib_queries"] = run_worker(["queries-rdflib", "--dir", str(d), "--runs", str(runs),
                                                  "--rdflib-timeout", str(args.rdflib_timeout), *qr])
        else:
            entry["rdflib_note"] = f"not run above {size_name(args.rdflib_queries_max)}"
        data["sizes"].append(entry)
    note_load("CLI")
    log(f"CLI: policykg query vs python -c 'import pyoxigraph' ({args.cli_runs} runs)")
    data["cli"] = measure_cli(args.cli_runs, args.queries_root, args.out_root / "pycache")
    data["total_seconds"] = time.perf_counter() - t_start
    data["targets"] = targets(data)
    if any(q.get("raw_binding") == "bound text" for s in data["sizes"] for q in s["queries"]["queries"]):
        err = next(q["substitutions_error"] for s in data["sizes"] for q in s["queries"]["queries"] if "substitutions_error" in q)
        data["notes"].append("raw binding: `substitutions=` means raw pyoxigraph got the parameters through "
                             "`store.query(..., substitutions=)`; `bound text` means Oxigraph refused them "
                             f"(\"{err}\": substitutions= takes only projected variables, and `$lang` never is), "
                             "so the raw path runs the query text with the parameters bound as terms, as policykg "
                             "sends it (`CannedQuery.bind`, computed once, outside the timing). `none`: no parameters.")
    data["notes"].append("The rdflib graph for queries holds the same entailed types and display labels as the stores "
                         f"(parsed from an N-Triples file of them, `{DERIVED}`), so all three engines answer over the "
                         "same triples.")
    section = report(data)
    (args.out_root / "query_bench.json").write_text(json.dumps(data, indent=1, default=str))
    if args.no_write:
        print(section)
    else:
        write_results(args.results, section)
        log(f"wrote {args.results} (raw data: {args.out_root / 'query_bench.json'})")
    for row in data["targets"]:
        log(f"{row['result']}: {row['target']}: {row['measured']}")
    log(f"total {data['total_seconds'] / 60:.1f} min")


if __name__ == "__main__":
    main()
