#pragma once
// IQ4_XS: non-linear 4-bit with 6-bit sub-block scales, 256-element super-blocks of 8
// sub-blocks of 32 (ggml-org/ggml src/ggml-common.h block_iq4_xs, src/ggml-quants.c
// quantize_iq4_xs / quantize_row_iq4_nl_impl; formats.md 3.4).
//
// Layout (136 bytes): d:f16 | scales_h:u16 | scales_l[4] | qs[128].
//   Sub-block ib has a 6-bit code ls (signed scale + 32): low 4 bits in scales_l[ib/2] (even
//   ib: low nibble, odd ib: high nibble), high 2 bits at bits 2*ib of scales_h. qs: 16 bytes
//   per sub-block, nibble order as Q4_0.
// Value: x = d*(ls - 32)*kIq4nlValues[q].
//
// Quantize: sigma2 = 2*sum(x^2)/256; per sub-block w = x^2 (or qw*sqrt(sigma2 + x^2) with
//   importance) and scale_ib = iq4BlockScale; max = signed scale of largest |.|,
//   D = -max/32, store f16(D) (an all-zero super-block stores -0); per sub-block
//   l = clamp(nearestInt(scale_ib/D), -32, 31), dl = D*l with the unrounded D, codes = nearest
//   codebook entry to x/dl (0 input when dl = 0), ls = l + 32.
// Dot partner: Q8_K activations; one float update per super-block, in block order.

#include <cstdint>

namespace condense::quant::iq4_xs {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
// The same bytes with the AVX2 search (quant_avx2.h); only when avx2::supported().
void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8krow, std::int64_t n);

} // namespace condense::quant::iq4_xs
