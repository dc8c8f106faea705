#pragma once
// Q5_0: symmetric 5-bit, 32-element blocks (ggml-org/ggml src/ggml-common.h block_q5_0,
// src/ggml-quants.c quantize_row_q5_0_ref / quantize_row_q5_0_impl; formats.md 3.2).
//
// Layout (22 bytes): d:f16 | qh[4] | qs[16]. The low 4 bits of each code sit in qs (nibble
// order as Q4_0); bit 4 of element e (0..31) is bit e of the little-endian u32 qh.
// Value: x = d * (q - 16), q in [0, 31].
//
// Quantize without importance: max = signed element of largest |x|, d = max / -16,
//   q = min(31, trunc(x*id + 16.5)), f16(d).
// With importance: as Q4_0 with makeQxQuants(32, nmax 16).
// Dot partner: Q8_0 activations.
//   Block results are summed into 8 partial sums (block i -> i % 8) combined by reduce8
//   (quant_helpers.h), the order the AVX2 dot reproduces bit for bit.

#include <cstdint>

namespace condense::quant::q5_0 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8row, std::int64_t n);

} // namespace condense::quant::q5_0
