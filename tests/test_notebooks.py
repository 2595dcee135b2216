"""Every notebook in notebooks/ runs top to bottom in a real kernel; so does the %factbench magic."""

import os
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def run(nb, cwd: Path, env: dict) -> nbformat.NotebookNode:
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def outputs(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        text = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise AssertionError(f"{o['ename']}: {o['evalue']}")
            data = o.get("data", {})
            text.append(o.get("text", "") or data.get("text/html", "") or data.get("text/plain", ""))
        out.append("\n".join(text))
    return out


@pytest.fixture()
def workdir(tmp_path):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "sample_data", tmp_path / "sample_data")
    return tmp_path


def test_there_is_a_workbench_notebook():
    assert ROOT / "notebooks" / "workbench.ipynb" in NOTEBOOKS


PLOT_CHECK = """
import matplotlib
fig_bars.canvas.draw()
_bars = [p for ax in fig_bars.axes for p in ax.patches]
_legends = [ax.get_legend() for ax in fig_bars.axes if ax.get_legend() is not None]
_overlaps = sum(leg.get_window_extent().overlaps(p.get_window_extent()) for leg in _legends for p in _bars)
_labels = ["".join(t.get_text().split()) for ax in fig_heat.axes for t in ax.get_yticklabels()]
_dark = []
for ax in fig_heat.axes:
    image = ax.images[0]
    for t in ax.texts:
        x, y = (round(v) for v in t.get_position())
        r, g, b, _ = image.cmap(image.norm(image.get_array()[y, x]))
        if 0.299 * r + 0.587 * g + 0.114 * b < 0.5:
            _dark.append(matplotlib.colors.to_hex(t.get_color()))
print("legend overlaps", _overlaps, "| dark cells", len(_dark), "all white", all(c == "#ffffff" for c in _dark))
print("labels", sorted(set(_labels)) == sorted({"".join(o.split()) for o in outlets}))
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_and_again_the_same(path, workdir):
    env = {"FACTBENCH_REVIEWS": "", "FACTBENCH_EXPORT": "", "FACTBENCH_OUT": ""}
    for k in env:
        os.environ.pop(k, None)
    nb = nbformat.read(path, as_version=4)
    if path.name == "workbench.ipynb":
        nb.cells.append(nbformat.v4.new_code_cell(PLOT_CHECK))
    first = outputs(run(nb, workdir / "notebooks", {}))
    nb = nbformat.read(path, as_version=4)
    second = outputs(run(nb, workdir / "notebooks", {}))
    if path.name == "workbench.ipynb":
        joined = "\n".join(first)
        assert "factbench corpus" in joined and "statement groups" in joined
        assert "ordinal" in joined and "June 19" in joined  # the sample's two real conflicts (issue 11)
        # every output in one folder beside sample_data (git-ignored), none beside the notebook
        out = workdir / "workbench-out"
        assert (out / "verdicts.csv").exists() and (out / "reviews.db").exists()
        assert sorted(p.name for p in (workdir / "notebooks").iterdir() if not p.name.startswith(".")) == \
            sorted(p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith("."))
        assert sorted(p.name for p in workdir.iterdir()) == ["notebooks", "sample_data", "workbench-out"]
        assert "workbench-out/" in (ROOT / ".gitignore").read_text().splitlines()
        # plots: no legend over a bar, whole outlet names, white numbers on dark cells
        assert "legend overlaps 0 |" in first[-1] and "all white True" in first[-1], first[-1]
        assert "labels True" in first[-1] and "dark cells 0 " not in first[-1], first[-1]
        # same tables on a re-run (ids, groups, flags): every text output but the figures' addresses
        strip = [o for o in first[:-1] if "<Figure" not in o]
        assert strip == [o for o in second if "<Figure" not in o]


def test_notebook_and_readme_describe_the_sample_as_three_exchanges():
    nb = nbformat.read(ROOT / "notebooks" / "workbench.ipynb", as_version=4)
    for text in (nb.cells[0].source, (ROOT / "README.md").read_text()):
        flat = " ".join(text.split())
        assert "five reports of one prisoner exchange" not in flat
        assert "three" in flat and "000, 001 and 004 the July 4 exchange" in flat
        assert "003 the June 19–20" in flat and "002 an earlier June" in flat


def test_magic_loads_and_reviews(workdir):
    db = workdir / "magic.db"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%load_ext factbench"),
        nbformat.v4.new_code_cell(f"%factbench load {workdir / 'sample_data'}"),
        nbformat.v4.new_code_cell(f"%factbench analyse {workdir / 'sample_data'}"),
        nbformat.v4.new_code_cell(f"panel = %factbench review {workdir / 'sample_data'} --store {db} --reviewer ana\npanel"),
        nbformat.v4.new_code_cell("import time; time.sleep(0.5)\nfirst = panel.session.current_id\n"
                                  "panel.buttons['contradicted'].click()\nprint(first)"),
    ])
    out = outputs(run(nb, workdir, {}))
    assert "factbench corpus" in out[1] and "5 articles from 5 outlets" in out[1]
    assert "statement groups" in out[2]
    assert "ReviewPanel" in out[3] or "VBox" in out[3] or "model_id" in out[3]
    first = out[4].strip()
    rows = sqlite3.connect(db).execute("SELECT claim_id, verdict, reviewer FROM verdicts").fetchall()
    assert rows == [(first, "contradicted", "ana")]


def test_rich_displays_escape_text():
    import pandas as pd

    import factbench as fb

    c = fb.load(pd.DataFrame({"article_id": ["x"], "outlet": ["<script>alert(1)</script>"],
                              "text": ["Officials said 84 <b>soldiers</b> came home on June 20 after the talks in Istanbul."]}),
                cache=False, progress=False)
    h = c._repr_html_()
    assert "<script>alert" not in h and "&lt;script&gt;" in h and "<b>soldiers" not in h
    g = fb.StatementGroups(fb.group(fb.match(c, progress=False), c), c)
    assert "<script>alert" not in g._repr_html_()


def test_workbench_command_names_a_missing_notebook(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "factbench.cli", "workbench", str(tmp_path / "none.ipynb")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "none.ipynb: no such notebook" in r.stderr
