"""The offline sentence encoder and the semantic matcher: no network, containment, facts, against=."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import factbench as fb
from factbench.ingest import encoder
from factbench.matching import semantic

from conftest import ROOT, run_offline


@pytest.mark.parametrize("model,dim", [(encoder.DEFAULT_MODEL, 384), (encoder.STATIC_MODEL, 256)])
def test_models_load_and_encode_without_network(no_network, model, dim):
    encoder.load.cache_clear()
    v = encoder.encode(["The ministry said 84 soldiers came home.", "Eighty-four soldiers returned, the ministry said.",
                        "Oil prices rose sharply on Monday.", ""], model=model, progress=False)
    assert v.shape == (4, dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1, atol=1e-5)
    assert not v[3].any()  # an empty text is a zero row
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert encoder.load(model) is encoder.load(model)  # loaded once


def test_loading_in_a_fresh_process_opens_no_socket():
    r = run_offline("from factbench.ingest.encoder import encode\n"
                    "print(encode(['a sentence about prisoners'], progress=False).shape)\n")
    assert r.returncode == 0, r.stderr
    assert "(1, 384)" in r.stdout


def test_missing_model_and_runtime_give_the_fix(tmp_path, monkeypatch):
    with pytest.raises(encoder.EncoderError, match="not found.*reinstall"):
        encoder.encode(["x"], model="no-such-model")
    (tmp_path / "model.onnx").write_bytes(b"")
    with pytest.raises(encoder.EncoderError, match="tokenizer.json.*reinstall"):
        encoder.load.__wrapped__(str(tmp_path))
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    with pytest.raises(encoder.EncoderError, match="pip install .*onnxruntime"):
        encoder.OnnxEncoder(encoder.MODELS_DIR / encoder.DEFAULT_MODEL)


def test_similarity_scale_and_paraphrase():
    a = ["Zelensky subsequently confirmed the exchange.", "Russia and Ukraine swapped 84 prisoners on Friday."]
    b = ["Zelenskyy has confirmed the recent prisoner exchange.", "The central bank raised interest rates on Friday."]
    s = fb.similarity(a, b)
    assert s.shape == (2,) and ((0 <= s) & (s <= 100)).all()
    assert s[0] >= semantic.THRESHOLD > s[1]
    with pytest.raises(ValueError, match="aligned"):
        fb.similarity(["a"], ["b", "c"])


def test_containment_a_fact_inside_a_longer_sentence_matches():
    short = "The Russian servicemen were transferred to Belarus for medical care."
    long = ("Russia's defence ministry said the servicemen were transferred to Belarus for medical care, and added "
            "that talks on a further exchange of bodies would continue next week after the holiday.")
    e = semantic.embed([short, long], model=encoder.DEFAULT_MODEL, progress=False)
    x = semantic.features(e, e, np.array([0]), np.array([1]), semantic.LazyNorm([short, long]),
                          semantic.LazyNorm([short, long]), semantic.LazyFacts([short, long]),
                          semantic.LazyFacts([short, long]))
    assert x[0, 1] > x[0, 0] + 0.05  # the clause carries the fact better than the whole sentence
    assert fb.similarity([short], [long])[0] >= semantic.THRESHOLD


def test_no_pair_on_a_shared_date_or_number_alone():
    claims = pd.DataFrame({"claim_id": list("abcd"), "article_id": list("1234"), "outlet": list("WXYZ"), "text": [
        "Talks between the two delegations were held in Istanbul on June 2.",
        "Oil prices fell by 25 percent on June 2, traders said.",
        "Police said 25 people were injured when the stadium roof collapsed.",
        "The museum received 25 paintings from a private collector."]})
    for method in ("semantic", "lexical"):
        assert fb.match(claims, method=method, progress=False).empty, method
    assert semantic.facts("Dozens of prisoners and thousands of civilians were freed.") == set()
    assert semantic.facts("1,212 prisoners were freed on June 2.") == {"num:1212", "date:06-02"}


def test_blocking_never_builds_the_full_matrix_and_agrees_with_exact():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(400, 32)).astype(np.float32)
    v[200:] = v[:200] + rng.normal(scale=0.2, size=(200, 32)).astype(np.float32)  # planted near duplicates
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    i, j = semantic.neighbour_pairs(v, floor=0.8, chunk=64)
    exact = {(a, b) for a, b in zip(*np.nonzero(np.triu(v @ v.T >= 0.8, 1)))}
    assert {(int(a), int(b)) for a, b in zip(i, j)} == exact
    old = semantic.EXACT_MAX
    try:
        semantic.EXACT_MAX = 100  # force the faiss index
        fi, fj = semantic.neighbour_pairs(v, floor=0.8, chunk=64)
    finally:
        semantic.EXACT_MAX = old
    got = {(int(a), int(b)) for a, b in zip(fi, fj)}
    assert len(got & exact) / len(exact) >= 0.95


def test_match_against_a_reference_table(tmp_path):
    claims = pd.DataFrame({"claim_id": ["c1", "c2"], "text": [
        "Ukraine and Russia exchanged 84 prisoners of war on Friday.",
        "The city council approved a new budget for public parks."]})
    ref = pd.DataFrame({"text": ["Russia and Ukraine swapped 84 prisoners of war.", "Vaccines cause autism.",
                                 "The moon landing was staged."]}, index=[10, 11, 12])
    found = fb.match(claims, against=ref, progress=False)
    assert list(found.columns[:3]) == ["claim_id_l", "claim_id_r", "score"]
    assert found[["claim_id_l", "claim_id_r"]].values.tolist() == [["c1", "10"]]  # the index names the row
    ref2 = ref.assign(claim_id=["r1", "r2", "r3"])
    assert fb.match(claims, against=ref2, progress=False)["claim_id_r"].tolist() == ["r1"]
    everything = fb.match(claims, against=ref2, threshold=0, top=2, progress=False)
    assert everything.groupby("claim_id_l").size().max() <= 2 and set(everything["rank"]) <= {1, 2}
    with pytest.raises(fb.SchemaError, match="text column"):
        fb.match(claims, against=pd.DataFrame({"body": ["x"]}), progress=False)
    # the command line, with the reference as a file
    path = tmp_path / "checked.csv"
    ref2.to_csv(path, index=False)
    out = tmp_path / "found.csv"
    r = subprocess.run([sys.executable, "-m", "factbench.cli", "match", str(ROOT / "sample_data"), "--against",
                        str(path), "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "checked before" in r.stdout
    got = pd.read_csv(out)
    assert list(got.columns[:3]) == ["claim_id_l", "claim_id_r", "score"]
    assert got["method"].str.contains("+rerank:", regex=False).all()
    r = subprocess.run([sys.executable, "-m", "factbench.cli", "match", str(ROOT / "sample_data"), "--against",
                        str(path), "--no-rerank", "-o", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert not pd.read_csv(out)["method"].str.contains("rerank").any()


def test_lexical_path_is_kept():
    claims = pd.DataFrame({"claim_id": ["a", "b"], "article_id": ["1", "2"], "outlet": ["X", "Y"], "text": [
        "Russia and Ukraine swapped 84 prisoners on June 19.", "On June 19 Russia and Ukraine swapped 84 prisoners."]})
    p = fb.match(claims, method="lexical", progress=False)
    assert p["method"].str.startswith("tfidf-block+token_sort_ratio").all() and p["score"].iloc[0] == 100
    assert fb.match(claims, progress=False)["method"].iloc[0] == f"semantic:{encoder.DEFAULT_MODEL}"
    with pytest.raises(ValueError, match="method"):
        fb.match(claims, method="magic", progress=False)


def test_review_shows_checked_before(corpus, tmp_path):
    from factbench.review.render import claim_view, render_claim
    from factbench.review.session import ReviewSession

    first = corpus.claims.iloc[0]
    ref = pd.DataFrame({"claim_id": ["fc1"], "text": [str(first["text"])]})
    checked = fb.match(corpus, against=ref, progress=False)
    assert first["claim_id"] in set(checked["claim_id_l"])
    s = ReviewSession(corpus, store=fb.VerdictStore(tmp_path / "r.db"), reviewer="ana", checked=checked)
    assert s.goto(first["claim_id"])
    html = render_claim(claim_view(s))
    assert "checked before: " + first["text"][:20] in html.replace("&#x27;", "'").replace("&quot;", '"')
    others = [c for c in s.queue if c not in set(checked["claim_id_l"])]
    assert others and s.goto(others[0]) and "checked before" not in render_claim(claim_view(s))
