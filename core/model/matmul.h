#pragma once
// Matmul: y = W x for a batch of activation rows, W in its stored type.
//
//   y[t * ldy + r] = sum_k W[r, k] * x_t[k]      r < W.rows, t < x.n(), k < W.cols
//
// Float weights (F32/F16/BF16) multiply float activations (F16/BF16 widened to F32 in
// registers or in an L1-sized packed block; never a converted copy of the model). Block-
// quantized weights (every type core/quant has a dot for) stay quantized: the activation rows
// are quantized once per batch into the weight type's activation format (Q8_0, Q8_1 or Q8_K,
// exactly as ggml does) and integer dot products run on the blocks, with the block scales
// applied in float.
//
// Kernels are chosen at run time (core/common/cpu_features.h; gemm_kernels.h has the details):
//   Avx512  float: blocked outer-product GEMM (n >= 8) / dot tiles (n < 8);
//           Q4_0 Q5_0 Q8_0 IQ4_NL Q2_K..Q6_K IQ4_XS: VNNI outer-product tiles on unpacked
//           rows (weight_unpack.h) for 8+ tokens, dot kernels reading the blocks directly
//           for one to seven; Q4_1, Q5_1: core/quant's dots.
//   Avx2    float: dot tiles; block types: core/quant's dots (AVX2 there).
//   Scalar  plain loops and core/quant's dots (the reference the others are tested against).
// Weights are streamed once per batch: tiles cover several rows and several tokens.
//
// Determinism: rows are split between threads, never the sum of one output, so the thread
// count changes nothing. For block types an output is also bit-identical whatever the batch
// size: the few-token kernels perform the same float operations as the outer-product tiles
// (weight_unpack.h). That matters because quantized activations make the model a step
// function of its activations: a last-bit difference can flip an int8 code. Float weights use
// a different summation order for n < 8 and n >= 8 (differences in the last bits only).
// Different levels agree only up to such float-order effects (and the flips they cause).
//
// multiply() splits W's rows into chunks and runs them with oneTBB in the caller's arena.

#include <cstdint>

#include "core/common/cpu_features.h"
#include "core/model/activation_batch.h"
#include "core/model/gemm_kernels.h"
#include "core/model/weight_view.h"
#include "core/quant/quant_registry.h"

namespace condense::model {

class Matmul {
public:
    // level: the GEMM kernels; quantLevel: the core/quant kernels (dots, activation quantizers).
    explicit Matmul(CpuLevel level = detectCpuLevel(), CpuLevel quantLevel = CpuLevel::Best);

    CpuLevel level() const { return m_level; }
    CpuLevel quantLevel() const { return m_quantLevel; }

    // Whether weights of `type` can be multiplied (F32/F16/BF16 and the block types with a dot).
    static bool supports(DType type);

    // y[t * ldy + r] for all rows r of w and tokens t of x. x.k() must equal w.cols.
    void multiply(const WeightView& w, ActivationBatch& x, float* y, std::int64_t ldy) const;

    const kernels::VecOps& vecOps() const { return *m_vec; }

private:
    CpuLevel m_level;
    CpuLevel m_quantLevel;
    const kernels::VecOps* m_vec;
};

} // namespace condense::model
