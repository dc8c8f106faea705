#pragma once
// Q8_1: the activation format for the Q4_1 / Q5_1 dot products (ggml-org/ggml
// src/ggml-common.h block_q8_1, src/ggml-quants.c quantize_row_q8_1_ref; formats.md 3.1).
// Never written to a file by llama-quantize.
//
// Layout (36 bytes): d:f16 | s:f16 | qs[32]:int8, with s = f16(d * sum(q)) so the dot with an
// asymmetric weight block gets its offset term without a second pass.
// Quantize: as Q8_0 (d = amax/127, q = roundf(x/d)).

#include <cstdint>

namespace condense::quant::q8_1 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);

} // namespace condense::quant::q8_1
