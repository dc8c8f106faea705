#pragma once
// subtractProduct: C -= A B on column-major double matrices, the trailing update of GPTQ's
// column sweep (the lazy batch's error times the factor's rows). Every entry becomes
// c - (sum over p of a_p b_p), the sum formed with fused multiply-adds in order p = 0, 1, ...
// from zero, so each CPU level (scalar std::fma, AVX2, AVX-512) gives the same bits.
// Parallel over column chunks inside the caller's arena when the work is large.

#include <cstdint>

#include "core/common/cpu_features.h"

namespace condense::quant {

// c: rows x n (column stride ldc), a: rows x depth (lda), b: depth x n (ldb).
void subtractProduct(double* c, std::int64_t ldc, const double* a, std::int64_t lda, const double* b, std::int64_t ldb,
                     std::int64_t rows, std::int64_t n, std::int64_t depth, CpuLevel level = CpuLevel::Best);

} // namespace condense::quant
