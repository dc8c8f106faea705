#pragma once
// AVX2 versions of the quantizer searches and of the dot products, identical to the scalar
// reference bit for bit by construction. The unit is compiled with -mavx2 -mf16c and
// -ffp-contract=off, never -mfma, so every float operation is a plain IEEE operation.
//
// Quantizers: instead of vectorizing along a block (which would reorder the float sums the
// scale searches accumulate), each of the 8 lanes runs one independent sub-block through
// exactly the scalar sequence of operations (same operands, same order). Element i of 8
// sub-blocks is one vector, so the searches of a whole super-block run at once. Comparisons use
// the scalar predicates, and min/max the operand order whose tie behaviour matches the scalar
// code. Data-dependent exits become per-lane masks.
// Dots: the integer block sums are vectorized (exact in any order); the float updates follow
// the scalar order (for the 32-element formats: 8 partial sums by block index, reduce8).
//
// Only call these when supported() is true. Builds without AVX2 code get scalar fallbacks for
// the quantizer pieces (and supported() is false).

#include <cstdint>

#include "core/quant/quant_helpers.h"

namespace condense::quant::avx2 {

// Compiled in and the CPU has AVX2 and F16C (every AVX2 CPU has both).
bool supported() noexcept;

// The K-quant super-block searches (quant_helpers.h SearchKernels), 8 sub-blocks per vector.
// Falls back to scalarSearches() when AVX2 is not compiled in.
const SearchKernels& searches() noexcept;

// Whole-row Q8_0 quantizer (elementwise; same bytes as q8_0::quantizeRow).
void quantizeRowQ8_0(const float* x, void* dst, std::int64_t n, const float* importance);

// Dequantizers with the same floats as q4_k::dequantizeRow and q6_k::dequantizeRow.
void dequantizeRowQ4_K(const void* src, float* y, std::int64_t n);
void dequantizeRowQ6_K(const void* src, float* y, std::int64_t n);

// Dot products with the same contract and the same float result, bit for bit, as the scalar
// dots of the type units (the integer block sums are vectorized; the float updates are not).
float dotQ4_0(const void* qrow, const void* q8row, std::int64_t n);
float dotQ4_1(const void* qrow, const void* q8_1row, std::int64_t n);
float dotQ5_0(const void* qrow, const void* q8row, std::int64_t n);
float dotQ5_1(const void* qrow, const void* q8_1row, std::int64_t n);
float dotQ8_0(const void* qrow, const void* q8row, std::int64_t n);
float dotIQ4_NL(const void* qrow, const void* q8row, std::int64_t n);
float dotQ2_K(const void* qrow, const void* q8krow, std::int64_t n);
float dotQ3_K(const void* qrow, const void* q8krow, std::int64_t n);
float dotQ4_K(const void* qrow, const void* q8krow, std::int64_t n);
float dotQ5_K(const void* qrow, const void* q8krow, std::int64_t n);
float dotQ6_K(const void* qrow, const void* q8krow, std::int64_t n);
float dotIQ4_XS(const void* qrow, const void* q8krow, std::int64_t n);

} // namespace condense::quant::avx2
