#pragma once
// IQ4_NL: non-linear 4-bit, 32-element blocks (ggml-org/ggml src/ggml-common.h block_iq4_nl
// and kvalues_iq4nl, src/ggml-quants.c quantize_iq4_nl / quantize_row_iq4_nl_impl;
// formats.md 3.4).
//
// Layout (18 bytes): d:f16 | qs[16] (nibble order as Q4_0). Value: x = d*kIq4nlValues[q],
//   codebook {-127,-104,-83,-65,-49,-35,-22,-10,1,13,25,38,53,69,89,113}.
//
// Quantize (what llama-quantize runs, ggml_quantize_chunk -> quantize_iq4_nl with ntry 7 --
//   not quantize_row_iq4_nl_ref, which skips the search): weights w = x^2, or with importance
//   w = qw*sqrt(sigma2 + x^2) where sigma2 = 2*sum(x^2)/32 over the block; d = iq4BlockScale
//   (least squares over 16 candidate inverse scales); store f16(d) and re-derive every code as
//   the codebook entry nearest x/d (with the unrounded d). All-|x| < 1e-15 -> d = 0.
// Dot partner: Q8_0 activations.
//   Block results are summed into 8 partial sums (block i -> i % 8) combined by reduce8
//   (quant_helpers.h), the order the AVX2 dot reproduces bit for bit.

#include <cstdint>

namespace condense::quant::iq4_nl {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance);
// The same bytes with the AVX2 search (quant_avx2.h); only when avx2::supported().
void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance);
void dequantizeRow(const void* src, float* y, std::int64_t n);
float dot(const void* qrow, const void* q8row, std::int64_t n);

} // namespace condense::quant::iq4_nl
