#pragma once
// GPTQ (Frantar, Ashkboos, Hoefler, Alistarh, "GPTQ: Accurate Post-Training Quantization for
// Generative Pre-trained Transformers", ICLR 2023) for one linear weight, as the reference
// implementation runs it (IST-DASLab/gptq gptq.py fasterquant + quant.py Quantizer at 2d65066;
// ../shared/reference/formats.md section 6.1):
//
//   W: rows x cols floats, row-major, row = output channel, column = input channel.
//   H: cols x cols doubles, row-major, X^T X of the layer's calibration inputs (any positive
//      scale: HessianAccumulator::take gives the unscaled sum; the result does not depend on it).
//
//   1. if groupSize < 0: one grid per row from the whole original W;
//   2. dead columns (H_ii == 0): H_ii = 1, W[:, i] = 0;
//   3. static groups: one grid per group of groupSize ORIGINAL columns, from W after step 2;
//   4. act-order: process columns by descending H_ii (ties: lower index first);
//   5. H += percDamp * mean(diag H) * I; U = upper Cholesky factor of H^-1 (computed as the
//      inverse of the upper-lower factor of H, one factorisation instead of the reference's
//      two and an inversion; same matrix);
//   6. sweep the columns in blocks of blockSize: quantize column c with its row's grid,
//      err = (w - q) / U_cc, update the rest of the block with err * U[c, c+1:], then the
//      later blocks at once (lazy batch update). Without static groups, a group's grid is
//      found when the sweep reaches its first column, from the weights as updated up to the
//      start of the current block (the reference's behaviour; with groupSize == blockSize
//      that is every update so far).
//
// Grid (per output row, over the group's columns): xmin = min(0, min w), xmax = max(0, max w);
// symmetric: xmax = max(-xmin, xmax), xmin = -xmax when xmin < 0; both 0 -> [-1, 1];
// scale = (xmax - xmin) / maxq (maxq = 2^bits - 1), zero = (maxq + 1) / 2 when symmetric,
// else round(-xmin / scale); code = clamp(round(w / scale) + zero, 0, maxq), value =
// scale * (code - zero). Rounding is half to even. Scales are rounded to float before use, so
// `dequantized` is exactly what a checkpoint with float scales decodes.
//
// Arithmetic is double throughout (the reference runs float32 on the GPU); results agree with
// the reference up to rare one-step code differences where a value sits on a rounding
// boundary (tests/core/gptq_test.cpp measures it against the reference's own output).
//
// Cost, one thread: about n^3 / 1.5 multiply-adds for U (n = cols) plus rows * n^2 for the
// sweep (2048 x 5632, TinyLlama's ffn_down shape: 14.5 s on the 2-core dev machine). Memory
// beyond the caller's W and H: two n x n double matrices at peak, plus W as doubles (one n x n
// matrix less with the overload that consumes H).
//
// Errors (never a crash): shapes that do not match, bits not 2/3/4/8, a bad group or block
// size, static groups without groups, a negative damping, non-finite W or H, an H that is not
// symmetric positive definite after damping (and its increments, when asked)
// (ErrorCode::InvalidArgument, the detail says which). A caller that wants the issue's
// "raise damping, warn, fall back to RTN" compares percDampUsed with percDamp, and calls
// rtnQuantize when this fails.

#include <cstdint>
#include <span>
#include <stop_token>
#include <vector>

#include "core/common/result.h"

namespace condense::quant {

struct GptqOptions {
    int bits = 4;                  // 2, 3, 4 or 8
    std::int64_t groupSize = -1;   // -1: one group per row; > 0: columns per group (32/64/128 usual)
    bool symmetric = true;
    bool actOrder = false;         // desc_act
    bool staticGroups = false;     // grids from the original weights, per natural column group
    double percDamp = 0.01;        // damping as a fraction of mean(diag H)
    double dampIncrement = 0.0;    // > 0: when H + damping is not positive definite, add this to
                                   // percDamp and retry while it stays below 1 (GPTQModel's
                                   // damp_auto_increment); 0: fail at once
    std::int64_t blockSize = 128;  // lazy batch width (does not change the result beyond rounding)
};

struct GptqResult {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::int64_t groups = 0;              // ceil(cols / groupSize), 1 without groups
    std::vector<std::uint8_t> codes;      // rows x cols, row-major, original column order
    std::vector<float> scales;            // groups x rows (group-major, like a checkpoint's scales)
    std::vector<std::uint8_t> zeros;      // groups x rows, the zero point itself (not "zero - 1")
    std::vector<std::int32_t> gIdx;       // cols: group of each original column (row of scales)
    std::vector<std::int32_t> order;      // cols: original column processed at each step
    std::vector<float> dequantized;       // rows x cols: scales[g][r] * (codes - zeros[g][r])
    double damp = 0.0;                    // value added to the diagonal of H
    double percDampUsed = 0.0;            // damping fraction that worked (> percDamp after retries)
    double loss = 0.0;                    // the reference's "error": sum (w - q)^2 / (2 U_cc^2)
    std::int64_t deadColumns = 0;         // columns with H_ii == 0 (quantized as 0)
};

// `stop`: checked between panels of the factorisation and between blocks of the sweep
// (ErrorCode::Cancelled).
Result<GptqResult> gptqQuantize(std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                                std::span<const double> hessian, const GptqOptions& options,
                                std::stop_token stop = {});

// The layer-output error GPTQ minimises: tr((W - Wq) H (W - Wq)^T), in double.
double gptqOutputError(std::span<const float> weight, std::span<const float> quantized, std::int64_t rows,
                       std::int64_t cols, std::span<const double> hessian);

// The same, taking the Hessian's buffer as its working copy (freed before the sweep): one
// cols x cols double matrix less at peak (TinyLlama's ffn_down: 254 MB) for a caller that does
// not need H afterwards. The moved-from vector is left empty.
Result<GptqResult> gptqQuantizeConsuming(std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                                         std::vector<double>&& hessian, const GptqOptions& options,
                                         std::stop_token stop = {});

// Round-to-nearest on the same grids (the per-row / per-group grid of the original W, natural
// column groups), the baseline GPTQ is compared with. Same option checks as gptqQuantize;
// blockSize, percDamp, actOrder and staticGroups are ignored.
Result<GptqResult> rtnQuantize(std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                               const GptqOptions& options);

} // namespace condense::quant
