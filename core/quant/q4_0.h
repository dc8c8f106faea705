#pragma once
// Q4_0: symmetric 4-bit, 32-element blocks (ggml-org/ggml src/ggml-common.h block_q4_0,
// src/ggml-quants.c quantize_row_q4_0_ref / quantize_row_q4_0_impl; formats.md 3.2).
//
// Layout (18 bytes): d:f16 | qs[16]. qs[j]: low nibble = code of element j, high nibble =
// code of element j+16. Value: x = d * (q - 8), q in [0, 15].
//
// Quantize without importance: max = signed element of largest |x|, d = max / -8,
//   id = d ? 1/d : 0, q = min(15, trunc(x*id + 8.5)); d is stored as f16 after the codes are
//   computed with the unrounded id. The largest-magnitude element lands on q = 0.
// With importance qw (length n): sigma2 = sum(x^2)/n over the whole row,
//   w = qw * sqrt(sigma2 + x^2), d = makeQxQuants(32, nmax 8, w), q = its levels.
// Dot partner: Q8_0 activations (sum over blocks of d_w*d_a*sum(q_w-8)*q_a).
//   Block results are summed into 8 partial sums (block i -> i % 8) combined by reduce8
//   (quant_helpers.h), the order the AVX2 dot reproduces bit for bit.
//
// `n` is one row's length (a multiple of 32); the importance path uses row statistics.

#include <cstdint>

namespace condense::quant::q4_0 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8row, std::int64_t n);

} // namespace condense::quant::q4_0
