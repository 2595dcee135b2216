import os
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
