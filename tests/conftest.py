import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
DEVDATA = ROOT.parent / "shared" / "devdata"

# every test run uses its own parse cache, never the user's
os.environ.setdefault("FACTBENCH_CACHE", tempfile.mkdtemp(prefix="factbench-cache-"))


@pytest.fixture(scope="session")
def corpus():
    import factbench as fb

    return fb.load(SAMPLE, progress=False)


@pytest.fixture(scope="session")
def nlp():
    from factbench.ingest.nlp import get_nlp

    return get_nlp()


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection in this test fails it."""
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def run_offline(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python process whose sockets refuse to connect (and with a hub's online
    switch set), from the repository root."""
    guard = ("import socket\n"
             "def refuse(*a, **k): raise SystemExit('network used')\n"
             "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n")
    return subprocess.run([sys.executable, "-c", guard + code], capture_output=True, text=True, cwd=ROOT,
                          env={"HF_HUB_OFFLINE": "0", "PATH": "/usr/bin:/bin"})
