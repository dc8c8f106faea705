#pragma once
// Q4_1: asymmetric 4-bit, 32-element blocks (ggml-org/ggml src/ggml-common.h block_q4_1,
// src/ggml-quants.c quantize_row_q4_1_ref / quantize_row_q4_1_impl; formats.md 3.2).
//
// Layout (20 bytes): d:f16 | m:f16 | qs[16] (nibble order as Q4_0). Value: x = d*q + m,
// q in [0, 15].
//
// Quantize without importance: min/max of the block (min not clamped), d = (max-min)/15,
//   id = d ? 1/d : 0, q = min(15, trunc((x-min)*id + 0.5)), m = f16(min).
// With importance qw: sigma2 = sum(x^2)/n over the row, w = qw*sqrt(sigma2 + x^2),
//   (d, -m) = makeQkxQuants(32, 15, w, rmin -0.9, rdelta 0.05, 36 steps, squared error),
//   so the stored m is the (<= 0) fitted offset.
// Dot partner: Q8_1 activations (as ggml: the offset term uses the stored s = d_a*sum(q_a)).
//   Block results are summed into 8 partial sums (block i -> i % 8) combined by reduce8
//   (quant_helpers.h), the order the AVX2 dot reproduces bit for bit.

#include <cstdint>

namespace condense::quant::q4_1 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8_1row, std::int64_t n);

} // namespace condense::quant::q4_1
