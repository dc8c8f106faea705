#pragma once
// Q8_0: symmetric 8-bit, 32-element blocks; a weight type and the activation format for the
// Q4_0 / Q5_0 / Q8_0 / IQ4_NL dot products (ggml-org/ggml src/ggml-common.h block_q8_0,
// src/ggml-quants.c quantize_row_q8_0_ref; formats.md 3.2).
//
// Layout (34 bytes): d:f16 | qs[32]:int8. Value: x = d*q.
// Quantize: amax = max |x|, d = amax/127, id = d ? 1/d : 0, q = roundf(x*id) (half away
//   from zero, unlike the other types' round-half-even), f16(d). Importance is ignored, as
//   in ggml's quantize_q8_0.
// Dot partner: Q8_0 activations.
//   Block results are summed into 8 partial sums (block i -> i % 8) combined by reduce8
//   (quant_helpers.h), the order the AVX2 dot reproduces bit for bit.

#include <cstdint>

namespace condense::quant::q8_0 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8row, std::int64_t n);

} // namespace condense::quant::q8_0
