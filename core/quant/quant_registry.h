#pragma once
// One table from a ggml block type to its kernels, plus row-parallel helpers.
// Types: Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_NL IQ4_XS (weights) and the
// activation formats Q8_0, Q8_1, Q8_K (formats.md 3.1-3.4). Activation pairing follows
// ggml-cpu's type traits: Q8_0 for Q4_0/Q5_0/Q8_0/IQ4_NL, Q8_1 for Q4_1/Q5_1, Q8_K for the
// K-quants and IQ4_XS.
//
// Kernels are chosen by core's one dispatch level (core/common/cpu_features.h): CpuLevel::Scalar
// is the reference; Avx2 and above (Best) swap in, when the CPU has AVX2 and F16C, the AVX2 quantizers of Q2_K..Q6_K, Q8_0, IQ4_NL, IQ4_XS and the AVX2 dots of every weight type
// (quant_avx2.h): the same bytes and the same dot results, bit for bit.
//
// Every quantizer treats its input as ONE row: the importance paths use row (or super-block)
// statistics, so quantizing rows independently is exact and rows can run in parallel.

#include <cstdint>
#include <stop_token>

#include "core/common/cpu_features.h"
#include "core/tensor/dtype.h"

namespace condense::quant {

// x: nPerRow floats; dst: the row's blocks; importance: nPerRow weights or nullptr.
using QuantizeRowFn = void (*)(const float* x, void* dst, std::int64_t n, const float* importance);
using DequantizeRowFn = void (*)(const void* src, float* y, std::int64_t n);
// Dot of a quantized weight row with the same-length row of activations in `activation` format.
using DotFn = float (*)(const void* qrow, const void* activationRow, std::int64_t n);

struct QuantKernels {
    DType type;
    QuantizeRowFn quantizeRow;
    DequantizeRowFn dequantizeRow;
    DType activation; // format the activations must be quantized to for `dot`
    DotFn dot;        // nullptr for the activation-only formats (Q8_1, Q8_K)
    bool requiresImportance;
};

// The kernels of `type` at `level` lowered to what the CPU supports (Best: AVX2 where the CPU has
// it); every level writes the same bytes as Scalar, the reference. nullptr when we have no
// kernels for `type`.
const QuantKernels* quantKernels(DType type, CpuLevel level = CpuLevel::Best) noexcept;

// Quantizes nrows rows of nPerRow floats, rows in parallel (core/jobs parallelFor, inside the
// caller's arena). `importance` (nPerRow values, shared by every row) may be nullptr. Returns
// false without writing when the type has no kernels, nPerRow is not a multiple of the
// block size, or an importance matrix is required but missing; false as well when `stop` was
// requested (the output is then incomplete).
bool quantizeRows(DType type, const float* src, void* dst, std::int64_t nrows, std::int64_t nPerRow,
                  const float* importance, std::stop_token stop = {}, CpuLevel level = CpuLevel::Best);
bool dequantizeRows(DType type, const void* src, float* dst, std::int64_t nrows, std::int64_t nPerRow,
                    std::stop_token stop = {}, CpuLevel level = CpuLevel::Best);

} // namespace condense::quant
