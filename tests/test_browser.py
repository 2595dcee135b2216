"""The real thing: JupyterLab in headless Chromium, driven by Playwright.

Runs the workbench notebook, clicks a verdict for the current claim, moves to the next claim, marks
it with the keyboard, undoes once, and checks that the SQLite store and the exported CSV on disk hold
exactly that, in JupyterLab 4 and in Notebook 7. Screenshots of the panel are saved to
test-artifacts/review-panel-jupyterlab4.png and test-artifacts/review-panel-notebook7.png.

Needs Debian's ``chromium`` (``.ci/run`` installs it); Playwright drives it through
``executable_path`` (no browser download).
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import factbench as fb
from factbench.review.session import ReviewSession
from factbench.storage.store import VerdictStore

from conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

pytestmark = pytest.mark.browser


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is needed for the browser test: apt-get install chromium "
                    "(.ci/run installs it)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def lab(tmp_path):
    with jupyterlab(tmp_path) as info:
        yield info


@contextlib.contextmanager
def jupyterlab(tmp_path: Path):
    """A JupyterLab server on a free local port, with a throwaway configuration and a copy of the project."""
    work = tmp_path / "work"
    shutil.copytree(ROOT / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns("*.db*", "*.csv"))
    shutil.copytree(ROOT / "sample_data", work / "sample_data")
    conf = tmp_path / "jupyter"
    settings = conf / "lab-settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"autoStartDefaultKernel": True}))
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(conf / "config"), "JUPYTER_RUNTIME_DIR": str(conf / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(conf / "workspaces"),
           "FACTBENCH_REVIEWS": str(work / "reviews.db"), "FACTBENCH_EXPORT": str(work / "verdicts.csv"),
           "FACTBENCH_REVIEWER": "browser-test"}
    log = open(tmp_path / "jupyter.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((tmp_path / "jupyter.log").read_text()[-3000:])
                time.sleep(0.5)
        else:
            raise RuntimeError("JupyterLab did not start: " + (tmp_path / "jupyter.log").read_text()[-3000:])
        yield {"base": base, "token": token, "work": work}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _rows(db: Path):
    if not db.exists():
        return []
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT claim_id, verdict, action FROM verdicts ORDER BY verdict_id").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def _wait_rows(db: Path, n: int, timeout: float = 30.0):
    end = time.time() + timeout
    while time.time() < end:
        rows = _rows(db)
        if len(rows) >= n:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"expected {n} verdict rows in {db}, found {_rows(db)}")


APPS = {"jupyterlab4": "/lab/tree/notebooks/workbench.ipynb", "notebook7": "/notebooks/notebooks/workbench.ipynb"}


@pytest.mark.parametrize("app", list(APPS))
def test_review_in_jupyter_with_chromium(lab, app):
    from playwright.sync_api import sync_playwright

    work = lab["work"]
    # the order the panel will show: by check-worthiness, as the session computes it
    corpus = fb.load(work / "sample_data", progress=False)
    queue = ReviewSession(corpus, store=VerdictStore(":memory:"), reviewer="x").queue
    db, csv = work / "reviews.db", work / "verdicts.csv"
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{lab['base']}{APPS[app]}?token={lab['token']}")
            page.wait_for_selector(".jp-Notebook", timeout=90_000)
            # the kernel has started (not "No Kernel") and is idle
            page.wait_for_function(
                """() => {
                    const name = document.querySelector('.jp-Toolbar-kernelName');
                    const busy = document.querySelector('.jp-Notebook-ExecutionIndicator');
                    return name && !/No Kernel/.test(name.textContent) && busy && busy.getAttribute('data-status') === 'idle';
                }""", timeout=90_000)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            panel = page.locator(".fb-review")
            panel.wait_for(state="visible", timeout=120_000)
            page.wait_for_selector(".fb-keys", timeout=30_000)  # the keyboard widget (anywidget) rendered
            panel.scroll_into_view_if_needed()
            time.sleep(1.0)

            # 1. click a verdict for the current claim
            panel.locator("button", has_text="Supported · key 1").click()
            rows = _wait_rows(db, 1)
            assert rows == [(queue[0], "supported", "set")]

            # 2. move to the next claim (the panel advanced to queue[1]; "Next" goes to queue[2])
            time.sleep(0.6)
            panel.locator("button", has_text="Next · key j").click()
            time.sleep(0.8)

            # 3. mark it with the keyboard
            panel.locator(".fb-panel").first.click()
            page.keyboard.press("2")
            rows = _wait_rows(db, 2)
            assert rows[1] == (queue[2], "contradicted", "set")

            # 4. undo once (keyboard)
            time.sleep(0.8)
            page.keyboard.press("u")
            rows = _wait_rows(db, 3)
            assert rows[2] == (queue[2], None, "undo")
            time.sleep(1.0)
            panel.screenshot(path=str(ARTIFACTS / f"review-panel-{app}.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"browser-failure-{app}.png"), full_page=True)
            raise
        finally:
            browser.close()

    # exactly what was clicked, in the store and in the CSV the panel keeps current
    assert _rows(db) == [(queue[0], "supported", "set"), (queue[2], "contradicted", "set"), (queue[2], None, "undo")]
    with VerdictStore(db) as store:
        assert store.current("browser-test") == {queue[0]: "supported"}
    df = pd.read_csv(csv, keep_default_na=False)
    decided = df[df["verdict"] != ""]
    assert decided[["claim_id", "verdict", "reviewer"]].values.tolist() == [[queue[0], "supported", "browser-test"]]
    assert len(df) == len(corpus.claims)
    assert (ARTIFACTS / f"review-panel-{app}.png").stat().st_size > 10_000
