#pragma once
// Q2_K: 2-bit K-quant, 256-element super-blocks of 16 sub-blocks of 16 (ggml-org/ggml
// src/ggml-common.h block_q2_K, src/ggml-quants.c quantize_row_q2_K_ref / _impl;
// formats.md 3.3).
//
// Layout (84 bytes): scales[16] | qs[64] | d:f16 | dmin:f16.
//   scales[k]: low nibble = scale code sc_k, high nibble = min code m_k of sub-block k
//   (elements 16k..16k+15). qs: two halves of 128 elements; byte qs[32h + l] holds elements
//   128h + l (bits 0-1), +32 (bits 2-3), +64 (bits 4-5), +96 (bits 6-7).
// Value: x = d*sc_k*q - dmin*m_k, q in [0, 3].
//
// Quantize without importance: per sub-block, w = |x|,
//   (scale_k, min_k) = makeQkxQuants(16, 3, w, rmin -0.5, rdelta 0.1, 15 steps, abs error);
//   sc_k = nearestInt(15/max(scale)*scale_k), d = f16(max(scale)/15) (0 if max <= 0), same for
//   the mins with dmin; then re-quantize every element with the f16-rounded d*sc_k, dmin*m_k
//   (sub-blocks whose d*sc_k is 0 keep the search's levels).
// With importance qw: sigma2 = sum(x^2)/256 over the super-block, w = qw*sqrt(sigma2 + x^2),
//   makeQkxQuants(16, 3, w, -0.9, 0.05, 36, squared), sub-block codes by makeQpQuants(16, 15)
//   weighted by the sub-block sums of w, then the same re-quantization.
// Dot partner: Q8_K activations; one float update per super-block, in block order.

#include <cstdint>

namespace condense::quant::q2_k {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
// The same bytes with the AVX2 searches (quant_avx2.h); only when avx2::supported().
void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8krow, std::int64_t n);

} // namespace condense::quant::q2_k
