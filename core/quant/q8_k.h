#pragma once
// Q8_K: the activation format for the K-quant and IQ4_XS dot products (ggml-org/ggml
// src/ggml-common.h block_q8_K, src/ggml-quants.c quantize_row_q8_K_ref; formats.md 3.3).
// Never written to a file by llama-quantize.
//
// Layout (292 bytes): d:f32 | qs[256]:int8 | bsums[16]:int16, bsums[k] = sum of qs[16k..16k+15]
// (lets the dot subtract the weights' per-sub-block minimum without touching qs again).
// Quantize: max = signed element of largest |x|; all zero -> d = 0, qs = bsums = 0; else
//   iscale = -127/max, q = min(127, nearestInt(iscale*x)), d = 1/iscale.

#include <cstdint>

namespace condense::quant::q8_k {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);

} // namespace condense::quant::q8_k
