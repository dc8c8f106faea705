#pragma once
// Q3_K: 3-bit K-quant, 256-element super-blocks of 16 sub-blocks of 16 (ggml-org/ggml
// src/ggml-common.h block_q3_K, src/ggml-quants.c quantize_row_q3_K_ref / _impl;
// formats.md 3.3).
//
// Layout (110 bytes): hmask[32] | qs[64] | scales[12] | d:f16.
//   Code q in [0, 7] per element e; its low 2 bits sit in qs (same plane layout as Q2_K), its
//   high bit is bit e/32 of hmask[e % 32]. Signed value v = q - 4 in [-4, 3].
//   scales: 16 six-bit codes s_k (= signed scale + 32): low nibble of s_k in byte k (k < 8)
//   or the high nibble of byte k-8 (k >= 8); top 2 bits of s_k at bits 2*(k/4) of byte 8+k%4.
// Value: x = d*(s_k - 32)*v.
//
// Quantize without importance: scale_k = makeQ3Quants(16, 4) (x^2 weights, coordinate
//   descent); max = signed scale of largest |.|; iscale = -32/max;
//   s_k = clamp(nearestInt(iscale*scale_k), -32, 31) + 32; d = f16(1/iscale); re-quantize
//   v = clamp(nearestInt(x/(d*(s_k-32))), -4, 3) with the f16 d.
// With importance qw: sigma2 = 2*sum(x^2)/256, w = qw*sqrt(sigma2 + x^2),
//   scale_k = makeQxQuants(16, 4, w); codes s_k and d from makeQxQuants(16, 32) over the
//   scales weighted by the sub-block sums of w; same re-quantization.
// Dot partner: Q8_K activations; one float update per super-block, in block order.

#include <cstdint>

namespace condense::quant::q3_k {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
// The same bytes with the AVX2 searches (quant_avx2.h); only when avx2::supported().
void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8krow, std::int64_t n);

} // namespace condense::quant::q3_k
