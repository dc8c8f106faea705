#pragma once
// Q5_1: asymmetric 5-bit, 32-element blocks (ggml-org/ggml src/ggml-common.h block_q5_1,
// src/ggml-quants.c quantize_row_q5_1_ref / quantize_row_q5_1_impl; formats.md 3.2).
//
// Layout (24 bytes): d:f16 | m:f16 | qh[4] | qs[16] (qh/qs as Q5_0). Value: x = d*q + m,
// q in [0, 31].
//
// Quantize without importance: min/max of the block, d = (max-min)/31,
//   q = trunc((x-min)*id + 0.5) (no clamp, as ggml), m = f16(min).
// With importance: as Q4_1 with makeQkxQuants(32, nmax 31, -0.9, 0.05, 36).
// Dot partner: Q8_1 activations.
//   Block results are summed into 8 partial sums (block i -> i % 8) combined by reduce8
//   (quant_helpers.h), the order the AVX2 dot reproduces bit for bit.

#include <cstdint>

namespace condense::quant::q5_1 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8_1row, std::int64_t n);

} // namespace condense::quant::q5_1
