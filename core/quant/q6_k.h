#pragma once
// Q6_K: 6-bit K-quant, 256-element super-blocks of 16 sub-blocks of 16 (ggml-org/ggml
// src/ggml-common.h block_q6_K, src/ggml-quants.c quantize_row_q6_K_ref / _impl;
// formats.md 3.3).
//
// Layout (210 bytes): ql[128] | qh[64] | scales[16]:int8 | d:f16.
//   Codes q in [0, 63] (signed level q - 32). For half t in {0, 1} (elements 128t..128t+127)
//   and l in [0, 32): ql[64t+l] = (q[128t+l] & 15) | (q[128t+l+64] & 15) << 4,
//   ql[64t+l+32] = (q[128t+l+32] & 15) | (q[128t+l+96] & 15) << 4,
//   qh[32t+l] = q[128t+l]>>4 | (q[128t+l+32]>>4)<<2 | (q[128t+l+64]>>4)<<4 | (q[128t+l+96]>>4)<<6.
// Value: x = d*scales[k]*(q - 32) for element in sub-block k (16k..16k+15).
//
// Quantize: scale_k = makeQxQuants(16, 32) with weights x^2 (no importance) or the raw
//   importance values (ggml's Q6_K does not apply the sqrt(sigma2 + x^2) factor);
//   max = signed scale of largest |.|; if |max| < 1e-15 the block is all zero bytes;
//   iscale = -128/max, d = f16(1/iscale), scales[k] = min(127, nearestInt(iscale*scale_k));
//   re-quantize q = clamp(nearestInt(x/(d*scales[k])), -32, 31) + 32 with the f16 d.
// Dot partner: Q8_K activations; one float update per super-block, in block order.

#include <cstdint>

namespace condense::quant::q6_k {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
// The same bytes with the AVX2 search (quant_avx2.h); only when avx2::supported().
void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8krow, std::int64_t n);

} // namespace condense::quant::q6_k
