#pragma once
// Scalar float conversions used everywhere bytes are reinterpreted.
// fp32 -> fp16: IEEE round-to-nearest-even with subnormals; NaN -> 0x7E00 (as ggml's
// ggml_compute_fp32_to_fp16). fp32 -> bf16: round-to-nearest-even, NaN -> quiet NaN keeping
// the sign (as ggml's ggml_compute_fp32_to_bf16). See ../shared/reference/formats.md 3.0.

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/common/result.h"
#include "core/tensor/dtype.h"

namespace condense {

inline float bitsToFloat(std::uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
inline std::uint32_t floatToBits(float f) { std::uint32_t u; std::memcpy(&u, &f, 4); return u; }

float fp16ToFp32(std::uint16_t h) noexcept;
std::uint16_t fp32ToFp16(float f) noexcept;

inline float bf16ToFp32(std::uint16_t h) noexcept { return bitsToFloat(static_cast<std::uint32_t>(h) << 16); }
inline std::uint16_t fp32ToBf16(float f) noexcept
{
    std::uint32_t u = floatToBits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 64); // NaN
    return static_cast<std::uint16_t>((u + (0x7fffu + ((u >> 16) & 1u))) >> 16);
}

// Converts n elements of a plain float/int type (F32, F16, BF16, F64, I8..I64, U8..U64, BOOL)
// to float. Returns false for block types (dequantization lives in core/quant). The one row
// converter of core (the quantizer's inner loop included): F16 runs through F16C where the CPU
// has it (core/common/cpu_features.h), with exactly fp16ToFp32's bits, NaN payloads included.
bool convertToF32(DType src, const void* in, float* out, std::size_t n) noexcept;
// Converts n floats to F32/F16/BF16 bytes. Returns false for any other type.
bool convertFromF32(DType dst, const float* in, void* out, std::size_t n) noexcept;

// Direct conversion between F32/F16/BF16 without a float round trip where it is exact.
bool convertFloatRow(DType src, const void* in, DType dst, void* out, std::size_t n) noexcept;

// Index of the first NaN or +-Inf in x[0, n), or n when all are finite.
std::size_t firstNonFinite(const float* x, std::size_t n) noexcept;

} // namespace condense
