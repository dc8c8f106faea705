#pragma once
// Fast row conversions for the quantizer's inner loop: F16/BF16/F32 -> F32 (exact in every
// implementation, so the F16C path and the scalar path give the same floats), and a finiteness
// scan. The F16C path is chosen at run time (x86-64 with F16C), compiled through function
// target attributes so the rest of the unit stays baseline x86-64.

#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"

namespace condense::quant {

// Converts n elements of F32, F16, BF16 or F64 to float. False for other types.
bool rowToF32(DType src, const void* in, float* out, std::size_t n) noexcept;

// Index of the first NaN or +-Inf in x[0, n), or n when all are finite.
std::size_t firstNonFinite(const float* x, std::size_t n) noexcept;

} // namespace condense::quant
