"""Paths and helpers the tests share (imported by test modules; fixtures live in conftest.py).

Besides paths: :class:`Listener` (a loopback TCP listener that records every
connection, the target of attack IRIs) and the helpers that start and stop a
real ``policykg serve`` process on a free loopback port.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("POLICYKG_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seeds" / "000_9afd66eba2fc5c58.txt"
W3C = Path(os.environ.get("POLICYKG_W3C_TESTS", ROOT.parent / "shared" / "w3c-rdf-tests"))
POLICYKG = str(Path(sys.executable).with_name("policykg"))

sys.path.insert(0, str(ROOT / "bench"))
from loopback import free_port, get, stop  # noqa: E402,F401  (re-exported for the tests)


class Listener:
    """A loopback TCP listener that records every connection it gets.

    With ``hold=True`` it accepts and never answers (a tarpit): the
    connection stays open until :meth:`close`.
    """

    def __init__(self, hold: bool = False):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self.hold = hold
        self._held: list[socket.socket] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                if self.hold:
                    self._held.append(conn)
                else:
                    conn.close()
            except OSError:
                pass

    def close(self):
        self._stop = True
        self._thread.join()
        for conn in self._held:
            conn.close()
        self.sock.close()


def write_hostile(root: Path) -> Path:
    """A data folder whose graph holds hostile strings (script tags, javascript: IRIs) in every slot pages show."""
    (root / "graph").mkdir(parents=True)
    (root / "graph" / "hostile.ttl").write_text((ROOT / "tests" / "data" / "web-hostile.ttl").read_text(encoding="utf-8"),
                                                encoding="utf-8")
    return root


def plain_cell(term) -> str:
    """A result term as the expected-answer files write it: prefixed IRIs, bare literal values."""
    import pyoxigraph as ox

    from policykg.namespaces import shorten

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    return term.value


def port_is_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_ready(proc: subprocess.Popen, base: str, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited: {proc.stdout.read().decode(errors='replace')}")
        try:
            if get(base + "/sparql?query=ASK%7B%7D", timeout=2)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"{what} did not start within 60 s")


def start_server(*args: str) -> tuple[subprocess.Popen, str]:
    """``policykg serve ARGS`` on a free loopback port, once it answers: ``(process, base URL)``."""
    port = free_port()
    proc = subprocess.Popen([POLICYKG, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_ready(proc, base, "policykg serve")
    return proc, base


def start_app_server(data_dir: Path, *, timeout: float = 5.0, workers: int = 1) -> tuple[subprocess.Popen, str]:
    """The web app over ``data_dir`` *without* the data validation ``policykg serve`` runs first.

    For deliberately invalid test graphs (hostile strings in places the
    shapes forbid, like over-long evidence phrases): ``policykg serve``
    refuses to start on those, but the pages must still escape them.
    """
    port = free_port()
    code = ("import sys, uvicorn; from pathlib import Path; from policykg.web import create_app; "
            "uvicorn.run(create_app(Path(sys.argv[1]), query_timeout=float(sys.argv[2]), workers=int(sys.argv[3])), "
            "host='127.0.0.1', port=int(sys.argv[4]), log_level='warning', access_log=False)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(data_dir), str(timeout), str(workers), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait_ready(proc, base, "the web app")
    return proc, base


def stop_server(proc: subprocess.Popen) -> None:
    stop(proc)


def import_bench(name: str):
    """A module from bench/ (the tests reuse the benchmarks' code for short runs)."""
    import pytest

    path = ROOT / "bench" / f"{name}.py"
    if not path.is_file():
        pytest.skip(f"bench/{name}.py is not there (installed package?)")
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[name]


def require_shared(path: Path, what: str) -> None:
    """Skip a test whose shared input is missing, except in CI, where ../shared is always there."""
    if path.exists():
        return
    import pytest

    message = f"{what} not found at {path}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI always has ../shared: a missing file is an error there)")
    pytest.skip(message)
