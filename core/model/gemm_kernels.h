#pragma once
// Internal to core/model: the per-instruction-set kernels behind Matmul (matmul.h) and the
// small vector helpers of the forward pass. Not a public API.
//
// A GEMM kernel computes, for weight rows r in [r0, r1) and activation rows t in [0, n),
//     y[t * ldy + r] = sum_k W[r, k] * x_t[k]
// where W rows are stored in the weight's own type (a view into the file mapping) and the
// activation rows were prepared once per batch in the layout the kernel asked for:
//   F32           the float rows themselves (float weights: F32/F16/BF16);
//   GgmlQ8_0/1/K  ggml's activation block formats (core/quant), as ggml's vec_dot expects;
//   F32Panel      the float rows transposed in panels of kFloatPanel (12) tokens: panel p holds,
//                 for each k, the 12 values x_{12p..12p+11}[k] (zero past the last token). The
//                 outer-product kernel broadcasts them against vectors of packed weight rows.
//   Q8_0Panel     per panel of 16 tokens, per 32-element block: the Q8_0 quantization of
//                 each token's block (same values as GgmlQ8_0) as unsigned q + 128, interleaved
//                 4 bytes per token (8 x 64 bytes), then the 16 block scales (floats).
//   Q8_KPanel     per panel, per 256-element super-block: the Q8_K quantization (same values as
//                 GgmlQ8_K), unsigned q + 128, interleaved 4 bytes per token (64 x 64 bytes),
//                 the 16 scales d, and the sums of q of the 16-element groups as int16 pairs
//                 (groups 2j, 2j+1) per token: 8 x 16 x 2 int16.
// Panel layouts describe all n rows at once (a "row" of actRowBytes is one panel); a kernel
// that uses them gets x = the first panel and xRowBytes = the bytes of one panel.
// Kernels run on one thread; Matmul splits rows into chunks and runs chunks in parallel.

#include <cstddef>
#include <cstdint>

#include "core/common/cpu_features.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/dtype.h"

namespace condense::model::kernels {

enum class ActLayout : std::uint8_t { F32, GgmlQ8_0, GgmlQ8_1, GgmlQ8_K, F32Panel, Q8_0Panel, Q8_KPanel, Count };

// Tokens per activation panel: kFloatPanel for F32Panel (the float micro-tile's width),
// kPanel for the int8 panels (one AVX-512 vector of int32 lanes).
constexpr std::int64_t kFloatPanel = 12;
constexpr std::int64_t kPanel = 16;

struct GemmTask {
    const std::byte* w = nullptr;
    std::size_t wRowBytes = 0;
    const std::byte* x = nullptr;
    std::size_t xRowBytes = 0;
    std::int64_t k = 0;
    std::int64_t r0 = 0, r1 = 0;
    std::int64_t n = 0;
    float* y = nullptr;
    std::int64_t ldy = 0;
    DType type = DType::F32;
    const quant::QuantKernels* quant = nullptr; // for the generic kernels
};

using GemmFn = void (*)(const GemmTask&);

struct GemmChoice {
    ActLayout act = ActLayout::F32;
    GemmFn fn = nullptr;
};

// Preparation of one activation row (row layouts: k floats -> one row) or of one panel (panel
// layouts: up to kPanel rows of ldx floats -> one panel; `rows` says how many are real).
using PrepareActFn = void (*)(const float* x, std::int64_t ldx, std::int64_t rows, std::byte* dst, std::int64_t k);

bool isPanelLayout(ActLayout layout);
// Bytes of one row (row layouts) or one panel (panel layouts).
std::size_t actRowBytes(ActLayout layout, std::int64_t k);

// Kernels of each level for weights of `type` and n tokens; fn == nullptr when the level has
// none (the caller then falls back to a lower level).
GemmChoice gemmScalar(DType type);
GemmChoice gemmAvx2(DType type, std::int64_t n);
GemmChoice gemmAvx512(DType type, std::int64_t n);

// Preparation functions; nullptr when the level has none for the layout (F32 needs none).
PrepareActFn prepareScalar(ActLayout layout, CpuLevel quantLevel);
PrepareActFn prepareAvx2(ActLayout layout);
PrepareActFn prepareAvx512(ActLayout layout);

// Float vector helpers of the attention and the element-wise steps.
//
// Attention arithmetic (the SIMD levels compute exactly this, whichever helper runs, so a
// query's result does not depend on how many queries were batched; keys stored transposed,
// Kt[d * ldk + j]):
//   s_j = scale * fma-chain over d = 0.. of q_d * k_jd        (acc = fma(q_d, k_jd, acc), acc0 = 0)
//   m = max_j s_j,  e_j = exp(s_j - m)  (Cephes polynomial, exp8/exp16)
//   sum = e_0 + e_1 + ... (in key order),  out_d = (fma-chain over j of e_j * v_jd) * (1 / sum)
struct VecOps {
    float (*dot)(const float* a, const float* b, std::int64_t n);
    void (*axpy)(float a, const float* x, float* y, std::int64_t n); // y += a * x
    void (*scale)(float a, float* y, std::int64_t n);                // y *= a
    // out[j] = scale * fma-chain over d of q[d] * kt[d * ldk + j], for j < nKeys, d < n.
    void (*scoresT)(const float* q, const float* kt, std::int64_t ldk, std::int64_t nKeys, std::int64_t n, float scale,
                    float* out);
    double (*sumSquares)(const float* x, std::int64_t n);
    // x[i] = exp(x[i] - shift); returns x[0] + x[1] + ... added in order.
    float (*expShift)(float* x, float shift, std::int64_t n);
    // g[i] = silu(g[i]) * u[i], silu(v) = v / (1 + exp(-v)).
    void (*siluMul)(float* g, const float* u, std::int64_t n);
    // out[0..n) = sum_j w[j] * rows[j * n + i] for j < nRows (the attention's weighted values).
    void (*weightedRows)(const float* w, const float* rows, std::int64_t nRows, std::int64_t n, float* out);
    // Causal softmax attention of one head for a block of up to 16 queries, the arithmetic
    // above in the vector lanes (nullptr when the level has none): query i (row q + i * ldq,
    // position pos0 + i) attends to keys [max(0, pos - window + 1) if window else 0, pos];
    // keys transposed (Kt[d * ldk + j]), values [position][headDim]; out row i at
    // out + i * ldo. headDim must be a multiple of 16. scratch: 16 * (pos0 + nq + headDim) floats.
    void (*attentionBlock)(const float* q, std::int64_t ldq, std::int64_t nq, std::int64_t pos0, const float* kt,
                           std::int64_t ldk, const float* v, std::int64_t headDim, std::int64_t window, float scale,
                           float* out, std::int64_t ldo, float* scratch);
};
const VecOps& vecOpsScalar();
const VecOps& vecOpsAvx2();
const VecOps& vecOpsAvx512();

} // namespace condense::model::kernels
