#pragma once
// Q4_K: 4-bit K-quant, 256-element super-blocks of 8 sub-blocks of 32 (ggml-org/ggml
// src/ggml-common.h block_q4_K, src/ggml-quants.c quantize_row_q4_K_ref / _impl;
// formats.md 3.3).
//
// Layout (144 bytes): d:f16 | dmin:f16 | scales[12] | qs[128].
//   scales: 8 six-bit scale codes ls_j and 8 six-bit min codes lm_j (getScaleMinK4):
//   j < 4: byte j bits 0-5 = ls_j, byte j+4 bits 0-5 = lm_j; j >= 4: byte j+4 =
//   (ls_j & 15) | (lm_j & 15) << 4, byte j-4 bits 6-7 = ls_j >> 4, byte j bits 6-7 = lm_j >> 4.
//   qs: chunk c (64 elements) = qs[32c .. 32c+31]; low nibble of qs[32c+l] = element 64c+l
//   (sub-block 2c), high nibble = element 64c+32+l (sub-block 2c+1).
// Value: x = d*ls_j*q - dmin*lm_j, q in [0, 15].
//
// Quantize without importance: per sub-block av = sqrt(sum(x^2)/32), w = av + |x|,
//   (scale_j, min_j) = makeQkxQuants(32, 15, w, rmin -1, rdelta 0.1, 20 steps, squared);
//   ls_j = min(63, nearestInt(63/max(scale)*scale_j)), lm_j likewise with the mins;
//   d = f16(max(scale)/63), dmin = f16(max(min)/63); re-quantize
//   q = clamp(nearestInt((x + dmin*lm_j)/(d*ls_j)), 0, 15) with the f16 values.
// With importance qw: sigma2 = 2*sum(x^2)/256, w = qw*sqrt(sigma2 + x^2),
//   makeQkxQuants(32, 15, w, -0.9, 0.05, 36), codes from makeQpQuants(8, 63) over the scales
//   and the mins weighted by the sub-block sums of w; same re-quantization.
// Dot partner: Q8_K activations; one float update per super-block, in block order.

#include <cstdint>

namespace condense::quant::q4_k {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
// The same bytes with the AVX2 search (quant_avx2.h); only when avx2::supported().
void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8krow, std::int64_t n);

} // namespace condense::quant::q4_k
