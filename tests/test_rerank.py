"""The pair scorer (cross-encoder) and reranking in match(claims, against=reference)."""

import numpy as np
import pandas as pd
import pytest

import factbench as fb
from factbench.ingest import encoder
from factbench.matching import match as match_mod
from factbench.matching import rerank

from conftest import run_offline


def test_shipped_pair_scorer_loads_without_network(no_network):
    encoder.load.cache_clear()
    folder = encoder.MODELS_DIR / encoder.PAIR_MODEL
    assert {"model.onnx", "tokenizer.json", "LICENSE", "README.md"} <= {p.name for p in folder.iterdir()}
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert (folder / "model.onnx").stat().st_size < 30_000_000
    z = encoder.pair_logits(["The ministry said 84 soldiers came home."] * 2,
                            ["Eighty-four soldiers returned home, the ministry said.", "Oil prices rose sharply on Monday."],
                            progress=False)
    assert z.shape == (2,) and z.dtype == np.float32 and z[0] > z[1] + 2
    assert encoder.load(encoder.PAIR_MODEL) is encoder.load(encoder.PAIR_MODEL)  # loaded once


def test_loading_in_a_fresh_process_opens_no_socket():
    r = run_offline("from factbench.matching.rerank import cross_scores\n"
                    "print(cross_scores(['Masks do not work.'], ['Face masks are useless.']).shape)\n")
    assert r.returncode == 0, r.stderr
    assert "(1,)" in r.stdout


def test_a_relevant_pair_scores_above_unrelated_ones():
    claim = "Drinking hot water every 15 minutes kills the coronavirus."
    s = rerank.cross_scores([claim] * 3, [
        "Drinking warm water frequently will cure COVID-19.",
        "The Eiffel Tower was sold twice by a con man.",
        "Bill Gates owns the patent on the coronavirus."])
    assert s[0] == s.max() and s[0] > 40 and s[1] < 10 and s[0] > s[2] + 20
    assert np.all((s >= 0) & (s <= 100))
    # one pair per model run: a pair's score does not depend on the pairs scored beside it
    assert rerank.cross_scores([claim], ["Drinking warm water frequently will cure COVID-19."])[0] == pytest.approx(s[0])
    # texts are cleaned as the matcher cleans them (links and a tweet's signature do not count)
    tweet = claim + " https://t.co/abc — Jo Doe (@jodoe) May 1, 2020"
    assert rerank.cross_scores([tweet], ["Drinking warm water frequently will cure COVID-19."])[0] == pytest.approx(s[0])


REFERENCE = pd.DataFrame({"claim_id": ["fc1", "fc2", "fc3", "fc4"], "text": [
    "Drinking hot water kills the coronavirus.",
    "The coronavirus cannot survive in hot weather.",
    "Holding your breath for 10 seconds is a test for the coronavirus.",
    "Joe Biden said he would ban fracking on day one."]})
CLAIM = pd.DataFrame({"claim_id": ["t1"], "text": ["Summer heat will end the coronavirus."]})


def test_the_pair_scorer_reads_what_the_embedding_misses():
    # the calibrated score ranks "hot water" above "hot weather" for a claim about summer heat;
    # read together, the pair scorer prefers the right one
    plain = fb.match(CLAIM, against=REFERENCE, threshold=0, top=4, rerank=False, progress=False)
    assert plain["claim_id_r"].tolist()[:2] == ["fc1", "fc2"]
    cross = rerank.cross_scores(CLAIM["text"].tolist() * 4, REFERENCE["text"].tolist())
    assert cross.argmax() == 1 and cross[3] < 10


def test_reranking_orders_by_the_combined_score(monkeypatch):
    plain = fb.match(CLAIM, against=REFERENCE, threshold=0, top=4, rerank=False, progress=False)
    ranked = fb.match(CLAIM, against=REFERENCE, threshold=0, top=4, progress=False)
    assert list(ranked.columns) == list(plain.columns) == match_mod.AGAINST_COLUMNS
    assert [str(t) for t in ranked.dtypes] == [str(t) for t in plain.dtypes]
    assert ranked["method"].iloc[0] == f"semantic:{encoder.DEFAULT_MODEL}+rerank:{encoder.PAIR_MODEL}"
    assert plain["method"].iloc[0] == f"semantic:{encoder.DEFAULT_MODEL}"
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1)) and ranked["score"].is_monotonic_decreasing
    # the score is the geometric mean of the calibrated score and the pair scorer's
    cal = plain.set_index("claim_id_r")["score"]
    cross = rerank.cross_scores(ranked["text_l"].tolist(), ranked["text_r"].tolist())
    want = np.sqrt(cal[ranked["claim_id_r"]].to_numpy() * cross)
    assert np.allclose(ranked["score"].to_numpy(), want, atol=0.006)
    # a pair scorer sure of fc2 and of nothing else reorders the candidates
    sure = {"The coronavirus cannot survive in hot weather.": 100.0}
    monkeypatch.setattr(rerank, "rerank_pairs", lambda i, j, a, b, **kw: np.array([sure.get(b[k], 1.0) for k in j]))
    flipped = fb.match(CLAIM, against=REFERENCE, threshold=0, top=4, progress=False)
    assert flipped["claim_id_r"].iloc[0] == "fc2" and plain["claim_id_r"].iloc[0] == "fc1"
    # a pair that cannot reach the threshold is not sent to the pair scorer
    seen = []
    monkeypatch.setattr(rerank, "rerank_pairs", lambda i, j, a, b, **kw: seen.extend(j) or np.full(len(j), 100.0))
    kept = fb.match(CLAIM, against=REFERENCE, threshold=55, progress=False)
    sent = {REFERENCE["text"].iloc[k] for k in seen}
    assert sent == set(plain.loc[plain["score"] >= 30.25, "text_r"])
    assert set(kept["claim_id_r"]) <= set(plain.loc[plain["score"] >= 30.25, "claim_id_r"])


def test_rerank_false_is_the_calibrated_score():
    claims = pd.DataFrame({"claim_id": ["c1", "c2"], "text": [
        "Ukraine and Russia exchanged 84 prisoners of war on Friday.",
        "The city council approved a new budget for public parks."]})
    ref = pd.DataFrame({"text": ["Russia and Ukraine swapped 84 prisoners of war.", "Vaccines cause autism.",
                                 "The moon landing was staged."]}, index=[10, 11, 12])
    plain = fb.match(claims, against=ref, threshold=0, top=3, rerank=False, progress=False)
    # the calibrated score of the same pairs, as fb.similarity gives it
    want = fb.similarity(plain["text_l"].tolist(), plain["text_r"].tolist())
    assert np.allclose(plain["score"].to_numpy(), want, atol=0.011)
    ranked = fb.match(claims, against=ref, progress=False)
    assert ranked[["claim_id_l", "claim_id_r"]].values.tolist() == [["c1", "10"]]
    empty = fb.match(claims.head(0), against=ref, progress=False)
    assert list(empty.columns) == match_mod.AGAINST_COLUMNS and empty.empty


def test_missing_pair_scorer_names_the_fix(tmp_path, monkeypatch):
    with pytest.raises(encoder.EncoderError, match="not found.*reinstall"):
        encoder.pair_logits(["a"], ["b"], model="no-such-model")
    with pytest.raises(encoder.EncoderError, match="not a pair scorer"):
        encoder.pair_logits(["a"], ["b"], model=encoder.DEFAULT_MODEL)
    with pytest.raises(encoder.EncoderError, match="not a sentence encoder"):
        encoder.encode(["a"], model=encoder.PAIR_MODEL)
    with pytest.raises(ValueError, match="aligned"):
        encoder.pair_logits(["a", "b"], ["c"])
    # as if the package's models folder held the sentence encoder but not the pair scorer
    (tmp_path / encoder.DEFAULT_MODEL).symlink_to(encoder.MODELS_DIR / encoder.DEFAULT_MODEL)
    monkeypatch.setattr(encoder, "MODELS_DIR", tmp_path)
    encoder.load.cache_clear()
    try:
        with pytest.raises(encoder.EncoderError, match="minilm-l6-cross-int8.*pip install --force-reinstall"):
            fb.match(pd.DataFrame({"claim_id": ["c"], "text": ["Masks do not work."]}),
                     against=pd.DataFrame({"text": ["Masks are useless."]}), threshold=0, progress=False)
    finally:
        encoder.load.cache_clear()
