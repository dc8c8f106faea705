#pragma once
// Q5_K: 5-bit K-quant, 256-element super-blocks of 8 sub-blocks of 32 (ggml-org/ggml
// src/ggml-common.h block_q5_K, src/ggml-quants.c quantize_row_q5_K_ref / _impl;
// formats.md 3.3).
//
// Layout (176 bytes): d:f16 | dmin:f16 | scales[12] | qh[32] | qs[128].
//   scales and the low 4 bits in qs exactly as Q4_K; bit 4 of element 64c+l is bit 2c of
//   qh[l], of element 64c+32+l bit 2c+1 of qh[l].
// Value: x = d*ls_j*q - dmin*lm_j, q in [0, 31].
//
// Quantize: as Q4_K with nmax 31; the search without importance uses
//   (rmin, rdelta, steps) = (-0.5, 0.1, 15); with importance (-0.9, 0.05, 36) and
//   makeQpQuants(8, 63) for the codes.
// Dot partner: Q8_K activations; one float update per super-block, in block order.

#include <cstdint>

namespace condense::quant::q5_k {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
// The same bytes with the AVX2 search (quant_avx2.h); only when avx2::supported().
void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8krow, std::int64_t n);

} // namespace condense::quant::q5_k
