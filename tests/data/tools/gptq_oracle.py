#!/usr/bin/env python3
"""Runs the reference GPTQ (IST-DASLab/gptq gptq.py + quant.py, unmodified, from a folder
outside this repository) on small fixed layers and writes its codes, scales, zeros and g_idx
for tests/core/gptq_test.cpp.

    git -C <IST-DASLab/gptq clone> archive 2d65066 gptq.py quant.py | tar -x -C /tmp/gptq-ref
    /usr/bin/python3 tests/data/tools/gptq_oracle.py --ref /tmp/gptq-ref --out tests/data/gptq

Nothing of the algorithm is written here: the script makes the inputs, calls
GPTQ.fasterquant, and reads what the reference decided by wrapping its `quantize` function
(scale, zero and dequantized column of every step, in processing order) and torch.argsort
(the act-order permutation). The codes are recovered from the reference's dequantized values:
round(q / scale + zero).

Inputs (the same integer generator is in gptq_test.cpp, so no matrix is stored):
  lcg: s = s * 6364136223846793005 + 1442695040888963407 (mod 2^64), value = s >> 33
  uniform(lo, hi) = lo + value % (hi - lo + 1)
  W (64 x 256, seed 1, row-major): uniform(-32768, 32767) / 32768 * (1 + r % 4), and x4 when
      the next value % 64 == 0 (outliers); every value is exact in float32.
  X (512 tokens x 256, seed 2): latent L[t][k] = uniform(-8, 8) (16 factors, t-major), mixing
      M[k][j] = uniform(-4, 4) (k-major), noise N[t][j] = uniform(-3, 3) (t-major);
      X[t][j] = (1 + (7 j) % 5) * (sum_k L[t][k] M[k][j] + N[t][j]); columns 5 and 130 are 0
      (dead). H = X^T X, exact in int64, given to the reference as float32 (its own dtype).

Output per configuration, <name>.bin, little-endian:
  char[8] "GPTQORC1"; int32 rows, cols, bits, group_size, sym, act_order, static_groups, groups;
  float64 percdamp;
  int32 g_idx[cols]; float32 scales[groups][rows]; float32 zeros[groups][rows];
  uint8 codes[rows][cols] (original column order); float64 reference "error" (sum of Losses).
"""
import argparse
import contextlib
import io
import os
import struct
import sys
import types

import numpy as np
import torch
import torch.nn as nn

MASK = (1 << 64) - 1


class Lcg:
    def __init__(self, seed):
        self.s = seed

    def next(self):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) & MASK
        return self.s >> 33

    def uniform(self, lo, hi):
        return lo + self.next() % (hi - lo + 1)


def make_weight(rows, cols, seed):
    g = Lcg(seed)
    w = np.zeros((rows, cols), dtype=np.float32)
    for r in range(rows):
        for c in range(cols):
            v = g.uniform(-32768, 32767) / 32768.0 * (1 + r % 4)
            if g.next() % 64 == 0:
                v *= 4
            w[r, c] = v
    return w


def make_inputs(tokens, cols, seed, factors=16, dead=(5, 130)):
    g = Lcg(seed)
    lat = np.array([[g.uniform(-8, 8) for _ in range(factors)] for _ in range(tokens)], dtype=np.int64)
    mix = np.array([[g.uniform(-4, 4) for _ in range(cols)] for _ in range(factors)], dtype=np.int64)
    noise = np.array([[g.uniform(-3, 3) for _ in range(cols)] for _ in range(tokens)], dtype=np.int64)
    scale = np.array([1 + (7 * j) % 5 for j in range(cols)], dtype=np.int64)
    x = (lat @ mix + noise) * scale[None, :]
    for j in dead:
        x[:, j] = 0
    return x


CONFIGS = [
    # name, bits, group, sym, act_order, static, percdamp
    ("b4_g128_sym", 4, 128, True, False, False, 0.01),
    ("b4_g32_asym_act", 4, 32, False, True, False, 0.01),
    ("b3_row_sym", 3, -1, True, False, False, 0.01),
    ("b8_g64_asym", 8, 64, False, False, False, 0.01),
    ("b8_g64_asym_damp10", 8, 64, False, False, False, 0.1),
    ("b4_g32_sym_act_static", 4, 32, True, True, True, 0.01),
    ("b2_g64_asym_act", 2, 64, False, True, False, 0.01),
]


def run(ref_dir, out_dir):
    # gptq.py imports transformers only for isinstance(layer, transformers.Conv1D).
    sys.modules.setdefault("transformers", types.SimpleNamespace(Conv1D=type("Conv1D", (), {})))
    sys.path.insert(0, ref_dir)
    with contextlib.redirect_stdout(io.StringIO()):
        import gptq as ref  # noqa: E402
        import quant as refquant  # noqa: E402
    torch.cuda.synchronize = lambda *a, **k: None  # fasterquant calls it; CPU run

    rows, cols, tokens = 64, 256, 512
    w = make_weight(rows, cols, 1)
    x = make_inputs(tokens, cols, 2)
    h = (x.T @ x).astype(np.float64)
    diag = np.diag(h).astype(np.float32)
    live = diag[diag != 0]
    assert len(np.unique(live)) == len(live), "tied diagonal: act-order would depend on tie order"
    os.makedirs(out_dir, exist_ok=True)

    for name, bits, group, sym, act, static, damp in CONFIGS:
        layer = nn.Linear(cols, rows, bias=False)
        layer.weight.data = torch.from_numpy(w.copy())
        g = ref.GPTQ(layer)
        g.H = torch.from_numpy(h).float()
        g.quantizer = refquant.Quantizer()
        g.quantizer.configure(bits, perchannel=True, sym=sym, mse=False)

        steps = []
        orig_quantize = ref.quantize

        def recording_quantize(xv, scale, zero, maxq):
            q = orig_quantize(xv, scale, zero, maxq)
            steps.append((scale.flatten().clone(), zero.flatten().clone(), q.flatten().clone()))
            return q

        perms = []
        orig_argsort = torch.argsort

        def recording_argsort(*a, **k):
            r = orig_argsort(*a, **k)
            perms.append(r.clone())
            return r

        ref.quantize = recording_quantize
        torch.argsort = recording_argsort
        log = io.StringIO()
        try:
            with contextlib.redirect_stdout(log):
                g.fasterquant(blocksize=128, percdamp=damp, groupsize=group, actorder=act, static_groups=static)
        finally:
            ref.quantize = orig_quantize
            torch.argsort = orig_argsort
        error = float([l for l in log.getvalue().splitlines() if l.startswith("error")][0].split()[1])
        assert len(steps) == cols
        perm = perms[0].numpy() if act else np.arange(cols)
        groups = (cols + group - 1) // group if group > 0 else 1
        scales = np.full((groups, rows), np.nan, dtype=np.float64)
        zeros = np.full((groups, rows), np.nan, dtype=np.float64)
        gidx = np.zeros(cols, dtype=np.int32)
        codes = np.zeros((rows, cols), dtype=np.uint8)
        qfinal = layer.weight.data.numpy()
        for p, (scale, zero, q) in enumerate(steps):
            c = int(perm[p])
            gid = (c // group if static else p // group) if group > 0 else 0
            s, z = scale.numpy(), zero.numpy()
            if np.isnan(scales[gid, 0]):
                scales[gid], zeros[gid] = s, z
            assert np.array_equal(scales[gid], s) and np.array_equal(zeros[gid], z)
            gidx[c] = gid
            code = np.rint(q.double().numpy() / s.astype(np.float64) + z.astype(np.float64))
            assert code.min() >= 0 and code.max() <= 2**bits - 1
            codes[:, c] = code.astype(np.uint8)
            assert np.array_equal(qfinal[:, c], q.numpy().astype(qfinal.dtype))
        assert not np.isnan(scales).any()
        with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
            f.write(b"GPTQORC1")
            f.write(struct.pack("<8i", rows, cols, bits, group, int(sym), int(act), int(static), groups))
            f.write(struct.pack("<d", damp))
            f.write(gidx.astype("<i4").tobytes())
            f.write(scales.astype("<f4").tobytes())
            f.write(zeros.astype("<f4").tobytes())
            f.write(codes.tobytes())
            f.write(struct.pack("<d", error))
        print(name, "error", error, "first perm", perm[:4].tolist())


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True, help="folder holding IST-DASLab/gptq's gptq.py and quant.py")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    run(a.ref, a.out)
