import json
import subprocess
import sys

import pandas as pd
import pytest

import factbench as fb
from factbench import schema
from factbench.ingest.parse import ParseCache

from conftest import ROOT, SAMPLE

BOILERPLATE = ["cookies", "Related posts", "Related Sources", "Source 1", "preview-domain.com", "By Vafa Guliyeva",
               "opt-out if you wish", "Austrias Controversial Deportations"]


def claim(corpus, fragment):
    rows = corpus.claims[corpus.claims["text"].str.contains(fragment, regex=False)]
    assert len(rows) == 1, f"{fragment!r} matched {len(rows)} claims"
    return rows.iloc[0]


def test_seeds_load_into_five_articles_with_manifest_metadata(corpus):
    a = corpus.articles
    assert len(a) == 5
    assert sorted(a["outlet"]) == sorted(["unknown outlet 1", "london-news-net.preview-domain.com",
                                          "unknown outlet 2", "unknown outlet 3", "Caliber.Az"])
    assert a.set_index("article_id").loc["001_a97892f4b89e12de", "title"] == \
        "Russia and Ukraine Facilitate Latest Prisoner Exchange Amid Ongoing Conflict"
    assert corpus.skipped.empty


def test_boilerplate_and_repeated_titles_absent_from_sentences(corpus):
    text = "\n".join(corpus.sentences["text"])
    for b in BOILERPLATE:
        assert b not in text, b
    for title in corpus.articles["title"]:
        if title:
            assert not (corpus.sentences["text"] == title).any(), title
    # the title of 001 stood three times (site header + twice); none of it is a sentence
    assert "Facilitate Latest Prisoner Exchange" not in text
    assert "\u00a0" not in "".join(corpus.articles["text"])


def test_offsets_exact(corpus):
    texts = corpus.articles.set_index("article_id")["text"]
    s = corpus.sentences
    assert len(s) > 50
    assert all(texts[r.article_id][r.start:r.end] == r.text for r in s.itertuples())
    c = corpus.claims
    assert all(texts[r.article_id][r.start:r.end] == r.text for r in c.itertuples())
    for r in c.itertuples():
        for e in r.entities:
            assert texts[r.article_id][e["start"]:e["end"]] == e["text"]


def test_sentence_splitting_repairs(corpus):
    s = corpus.sentences["text"]
    assert s.str.contains("Caliber.Az reports, citing Russian Defence Ministry", regex=False).any()
    assert s.str.startswith("“These individuals have endured").any()
    assert not s.str.endswith("“").any()


def test_tables_match_schema(corpus):
    for name, df in (("articles", corpus.articles), ("sentences", corpus.sentences), ("claims", corpus.claims)):
        assert list(df.columns) == list(schema.TABLES[name])
        for col, dtype in schema.TABLES[name].items():
            if dtype != "object":
                assert str(df[col].dtype) == dtype, (name, col)
    assert corpus.sentences["checkworthiness"].between(0, 1).all()
    assert (corpus.claims["checkworthiness"] >= fb.DEFAULT_THRESHOLD).all()
    assert set(corpus.claims["sourcing"]) <= set(schema.SOURCING)


def test_sourcing_labels(corpus):
    assert claim(corpus, "said a spokesperson, who declined to be named")["sourcing"] == "anonymous"
    assert claim(corpus, "citing an unnamed source")["sourcing"] == "anonymous"
    assert claim(corpus, "According to a source within the agency")["sourcing"] == "anonymous"
    r = claim(corpus, "it has been reported that")
    assert r["sourcing"] == "anonymous" and r["hedged"]  # "it was reported": an unnamed source (basil_dev GUIDE.md)
    r = claim(corpus, "Zelensky posted on Telegram")
    assert r["sourcing"] == "named" and r["speaker"] == "Volodymyr Zelensky"  # the fullest mention of the name
    r = claim(corpus, "Peskov stated")
    assert r["speaker"] == "Dmitry Peskov" and r["quote"].startswith("Russia and Ukraine are continuing")
    assert claim(corpus, "as confirmed by the Russian Ministry of Defense")["sourcing"] == "named"


def test_claim_facts(corpus):
    r = claim(corpus, "took place on Friday, June 20")
    assert r["dates"] == ["--06-20"]
    r = claim(corpus, "over 1,000 prisoners of war")
    assert 1000.0 in r["numbers"] and 6000.0 not in r["numbers"]
    assert {"text": "Istanbul", "label": "GPE"}.items() <= next(e for e in claim(corpus, "In Istanbul, Moscow")["entities"]
                                                                  if e["text"] == "Istanbul").items()


def test_claim_ids_are_stable(corpus):
    again = fb.load(SAMPLE, progress=False)
    assert list(again.claims["claim_id"]) == list(corpus.claims["claim_id"])
    assert corpus.claims["claim_id"].is_unique
    assert again.fingerprint == corpus.fingerprint


def test_checkworthiness_ranks_facts_above_opinion_greeting_question(nlp):
    facts = ["The unemployment rate fell to 3.9 percent in 2018, the lowest level in 18 years.",
             "Russia returned 84 soldiers to Ukraine on June 19, the defence ministry said."]
    other = ["Thank you very much, it is great to be here tonight.", "What do you think about that?",
             "I believe we can do better together."]
    s = fb.score_checkworthiness(facts + other, nlp=nlp)
    assert s[:2].min() > s[2:].max()
    top = dict(fb.explain(facts[0], nlp=nlp))
    assert top["percent"] > 0 and sum(v for k, v in top.items() if k.startswith("word: ")) != 0
    assert dict(fb.explain(other[1], nlp=nlp))["question"] < 0


def _write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


GOOD = "The ministry said 40 prisoners were released on June 3.\n\nThe exchange took place near Sumy."


def test_bad_inputs_in_a_batch_are_skipped_and_reported(tmp_path):
    _write(tmp_path, "good.txt", GOOD.encode())
    _write(tmp_path, "empty.txt", b"")
    _write(tmp_path, "blank.txt", b"   \n\n ")
    _write(tmp_path, "binary.txt", bytes(range(256)) * 20)
    (tmp_path / "broken.txt").symlink_to(tmp_path / "gone.txt")
    c = fb.load(tmp_path, progress=False)
    assert list(c.articles["article_id"]) == ["good"]
    problems = dict(zip(c.skipped["source"].map(lambda s: s.rsplit("/", 1)[-1]), c.skipped["problem"]))
    assert problems["empty.txt"] == "empty file"
    assert problems["blank.txt"] == "empty file"
    assert "binary" in problems["binary.txt"]
    assert "no such file" in problems["broken.txt"]
    assert "skipped 4 input(s)" in c.summary()


@pytest.mark.parametrize("name,data,message", [
    ("empty.txt", b"", "empty file"),
    ("bin.txt", b"\x00\x01\x02binary\x00" * 50, "binary file"),
])
def test_a_single_bad_file_raises_naming_file_and_problem(tmp_path, name, data, message):
    p = _write(tmp_path, name, data)
    with pytest.raises(fb.InputError) as e:
        fb.load(p, progress=False)
    assert str(p) in str(e.value) and message in str(e.value)


def test_unreadable_path_and_missing_text_column(tmp_path):
    with pytest.raises(fb.InputError, match="no such file or folder"):
        fb.load(tmp_path / "nope", progress=False)
    p = tmp_path / "t.csv"
    pd.DataFrame({"headline": ["x"], "outlet": ["y"]}).to_csv(p, index=False)
    with pytest.raises(fb.InputError, match=r"t\.csv: no text column.*headline, outlet"):
        fb.load(p, progress=False)
    with pytest.raises(fb.InputError, match="no text column"):
        fb.load(pd.DataFrame({"headline": ["x"]}), progress=False)


def test_legacy_encodings(tmp_path):
    ru = "Министерство обороны России сообщило, что 84 военнослужащих вернулись домой 19 июня. " * 3
    _write(tmp_path, "ru.txt", ru.encode("cp1251"))
    en = "The minister’s “final” figure — 1,200 soldiers — was confirmed on Friday. Café owners agreed."
    _write(tmp_path, "en.txt", en.encode("cp1252"))
    _write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + GOOD.encode())
    c = fb.load(tmp_path, progress=False)
    texts = c.articles.set_index("article_id")["text"]
    assert "Министерство обороны" in texts["ru"]
    assert "“final” figure — 1,200" in texts["en"] and "Café" in texts["en"]
    assert texts["bom"].startswith("The ministry")


def test_html_goes_through_main_text_extraction(tmp_path):
    html = """<!DOCTYPE html><html><head><title>Swap | Daily</title><meta property="og:site_name" content="Daily Example"></head>
    <body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>Swap confirmed</h1>
    <p>The Russian Ministry of Defense said on June 19 that 84 soldiers had been returned from Ukraine in the latest exchange.</p>
    <p>Ukrainian President Volodymyr Zelensky confirmed the exchange on Telegram, saying that most had been held since 2022.</p>
    <p>The swap was the sixth since the talks in Istanbul, where both sides agreed to release over 1,000 prisoners each.</p>
    </article><footer>Copyright 2025 Daily Example. All rights reserved. Cookie policy.</footer><script>var x = "<b>";</script></body></html>"""
    _write(tmp_path, "page.html", html.encode())
    c = fb.load(tmp_path / "page.html", progress=False)
    text = c.articles.loc[0, "text"]
    assert "84 soldiers had been returned" in text and "over 1,000 prisoners" in text
    for junk in ("Home", "Copyright", "var x", "Cookie"):
        assert junk not in text
    assert c.articles.loc[0, "outlet"] == "Daily Example"


def test_tables_and_dataframes(tmp_path):
    df = pd.DataFrame({"article_id": ["x1", "x2", "x3"], "outlet": ["A", "B", "C"], "published": ["2025-07-04", "5 July 2025", ""],
                       "body": [GOOD, "Kyiv said 84 soldiers came home on July 4.", ""]})
    c1 = fb.load(df, progress=False)
    assert list(c1.articles["article_id"]) == ["x1", "x2"]
    assert list(c1.articles["published"]) == ["2025-07-04", "2025-07-05"]
    assert c1.skipped.iloc[0]["problem"] == "empty text"
    for name, write in (("t.csv", lambda p: df.to_csv(p, index=False)),
                        ("t.jsonl", lambda p: df.to_json(p, orient="records", lines=True)),
                        ("t.parquet", lambda p: df.to_parquet(p))):
        p = tmp_path / name
        write(p)
        c = fb.load(p, progress=False)
        assert list(c.articles["article_id"]) == ["x1", "x2"], name
        assert list(c.claims["claim_id"]) == list(c1.claims["claim_id"]), name


def test_parse_cache_is_used_on_reload(tmp_path, monkeypatch):
    from factbench.ingest import nlp as nlp_mod

    db = tmp_path / "cache.sqlite"
    c1 = fb.load(SAMPLE, cache=db, progress=False)
    assert len(ParseCache(db).get_many([])) == 0
    real = nlp_mod.get_nlp()

    class NoParse:
        pipe_names = real.pipe_names
        meta = real.meta

        def pipe(self, *a, **k):
            raise AssertionError("parsed again instead of reading the cache")

    c2 = fb.load(SAMPLE, cache=db, nlp=NoParse(), progress=False)
    pd.testing.assert_frame_equal(c1.claims, c2.claims)


def test_cli_claims_and_bad_input(tmp_path):
    out = tmp_path / "claims.csv"
    r = subprocess.run([sys.executable, "-m", "factbench.cli", "claims", str(SAMPLE), "-o", str(out)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "5 articles from 5 outlets" in r.stdout
    df = pd.read_csv(out)
    assert len(df) > 40 and json.loads(df.loc[0, "dates"]) == ["--07-04"]
    r = subprocess.run([sys.executable, "-m", "factbench.cli", "claims", str(tmp_path / "missing")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "missing: no such file or folder" in r.stderr
    r = subprocess.run([sys.executable, "-m", "factbench.cli", "claims", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--threshold" in r.stdout


def test_readme_and_ci_agree():
    readme = (ROOT / "README.md").read_text()
    lines = readme.splitlines()
    test_cmd = lines[lines.index("# 2. run the tests") + 1]
    assert test_cmd == ".venv/bin/python -m pytest"
    assert "README.md" in (ROOT / ".ci" / "run").read_text()


def test_ci_builds_the_environment_as_readme_command_1_does():
    import tomllib

    ci = (ROOT / ".ci" / "run").read_text()
    assert "upgrade pip" not in ci and "--upgrade" not in ci  # a stock pip, as a newcomer has
    r = subprocess.run(["bash", "-c", "sed -n '/^# 1\\. /{n;p;q}' README.md | "
                        "sed 's| && \\.venv/bin/factbench workbench$||'"], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.strip() == 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]"'
    assert "install_cmd=\"$(sed -n '/^# 1\\. /{n;p;q}' README.md" in ci and 'eval "$install_cmd"' in ci
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["license"] == "MIT"  # an SPDX string: no setuptools deprecation warning
    assert "setuptools>=77" in meta["build-system"]["requires"]
    import lxml_html_clean  # noqa: F401  (trafilatura's HTML cleaning; a stock pip needs it declared)
