#!/usr/bin/env python3
"""Make tests/data/tiny-qwen2-bf16-sharded: a small random Qwen2ForCausalLM checkpoint saved
in bfloat16 as two safetensors shards plus model.safetensors.index.json, with the byte-level
BPE tokenizer of small-qwen2-bpe, and expected.json: what a converter must produce from it,
computed here with PyTorch (never with Condense's own code).

Usage: /usr/bin/python3 make_qwen2_sharded.py SMALL_QWEN2_BPE_DIR OUT_DIR
  SMALL_QWEN2_BPE_DIR: ../shared/models/small-qwen2-bpe (only its tokenizer files are read)

Needs PyTorch (Debian 12: apt-get install python3-torch, 1.13.1). Debian 12 has no
python3-safetensors, so the shards are written with the safetensors format as specified
(huggingface/safetensors README): u64 little-endian header length N, N bytes of JSON header
(tensor name -> dtype, shape, data_offsets; "__metadata__": {"format": "pt"}), space-padded
to a multiple of 8, then the raw little-endian tensor bytes in header order.
The output is deterministic (fixed seed, CPU).
"""
import hashlib
import json
import os
import shutil
import struct
import sys

import torch

HIDDEN, INTERMEDIATE, LAYERS, HEADS, KV_HEADS, VOCAB = 64, 128, 2, 4, 2, 8192
HEAD_DIM = HIDDEN // HEADS
SEED = 20261206


def make_weights():
    g = torch.Generator().manual_seed(SEED)

    def rnd(*shape, scale=0.05):
        return (torch.randn(*shape, generator=g) * scale).to(torch.bfloat16)

    def norm(n):
        return (1.0 + torch.randn(n, generator=g) * 0.1).to(torch.bfloat16)

    w = {"model.embed_tokens.weight": rnd(VOCAB, HIDDEN)}
    for i in range(LAYERS):
        p = "model.layers.%d." % i
        w[p + "input_layernorm.weight"] = norm(HIDDEN)
        w[p + "post_attention_layernorm.weight"] = norm(HIDDEN)
        w[p + "self_attn.q_proj.weight"] = rnd(HEADS * HEAD_DIM, HIDDEN)
        w[p + "self_attn.q_proj.bias"] = rnd(HEADS * HEAD_DIM)
        w[p + "self_attn.k_proj.weight"] = rnd(KV_HEADS * HEAD_DIM, HIDDEN)
        w[p + "self_attn.k_proj.bias"] = rnd(KV_HEADS * HEAD_DIM)
        w[p + "self_attn.v_proj.weight"] = rnd(KV_HEADS * HEAD_DIM, HIDDEN)
        w[p + "self_attn.v_proj.bias"] = rnd(KV_HEADS * HEAD_DIM)
        w[p + "self_attn.o_proj.weight"] = rnd(HIDDEN, HEADS * HEAD_DIM)
        w[p + "mlp.gate_proj.weight"] = rnd(INTERMEDIATE, HIDDEN)
        w[p + "mlp.up_proj.weight"] = rnd(INTERMEDIATE, HIDDEN)
        w[p + "mlp.down_proj.weight"] = rnd(HIDDEN, INTERMEDIATE)
    w["model.norm.weight"] = norm(HIDDEN)
    return w


def raw_bytes(t):
    # bfloat16 bits as little-endian int16 (x86-64 is little-endian)
    return t.contiguous().view(torch.int16).numpy().tobytes()


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        b = raw_bytes(tensors[name])
        header[name] = {"dtype": "BF16", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def gguf_name(hf):
    if hf == "model.embed_tokens.weight":
        return "token_embd.weight"
    if hf == "model.norm.weight":
        return "output_norm.weight"
    parts = hf.split(".")
    i, rest = parts[2], ".".join(parts[3:])
    m = {
        "input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
        "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
        "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
        "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
        "self_attn.o_proj.weight": "attn_output.weight", "mlp.gate_proj.weight": "ffn_gate.weight",
        "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight",
    }
    return "blk.%s.%s" % (i, m[rest])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(out, "golden"), exist_ok=True)
    w = make_weights()
    names = list(w)
    shard1 = {n: w[n] for n in names if n == "model.embed_tokens.weight"}
    shard2 = {n: w[n] for n in names if n not in shard1}
    files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    write_safetensors(os.path.join(out, files[0]), shard1)
    write_safetensors(os.path.join(out, files[1]), shard2)
    total = sum(t.numel() for t in w.values())
    index = {"metadata": {"total_parameters": total, "total_size": total * 2},
             "weight_map": {n: files[0] if n in shard1 else files[1] for n in sorted(names)}}
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    with open(os.path.join(src, "config.json")) as f:
        cfg = json.load(f)
    cfg.update({"hidden_size": HIDDEN, "intermediate_size": INTERMEDIATE, "num_hidden_layers": LAYERS,
                "num_attention_heads": HEADS, "num_key_value_heads": KV_HEADS,
                "layer_types": ["full_attention"] * LAYERS})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    for name in ["generation_config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"]:
        shutil.copyfile(os.path.join(src, name), os.path.join(out, name))
    shutil.copyfile(os.path.join(src, "golden", "tokenizer.json"), os.path.join(out, "golden", "tokenizer.json"))

    # What a GGUF converter must write: llama.cpp's names, ne = reversed shape, no Q/K permutation
    # for qwen2, token_embd only (tied output), data = the BF16 values (BF16 output) or the
    # values widened exactly to float32 (F32 output), in the order of the shards.
    expected = {"tool": "torch %s" % torch.__version__, "seed": SEED, "n_parameters": total, "tensors": []}
    for hf in [n for n in sorted(shard1)] + [n for n in sorted(shard2)]:
        t = w[hf]
        f32 = t.to(torch.float32).contiguous().numpy().tobytes()
        expected["tensors"].append({
            "hf_name": hf, "shard": files[0] if hf in shard1 else files[1], "gguf_name": gguf_name(hf),
            "shape": list(t.shape), "ne": list(reversed(t.shape)),
            "bf16_sha256": hashlib.sha256(raw_bytes(t)).hexdigest(),
            "f32_sha256": hashlib.sha256(f32).hexdigest(),
            "f32_first4": [float(x) for x in t.flatten()[:4].to(torch.float32)],
            "f32_sum": float(t.to(torch.float64).sum()),
        })
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
