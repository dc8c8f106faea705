#include "core/quant/float_rows.h"

#include <cstring>

#include "core/tensor/float_convert.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CONDENSE_F16C_PATH 1
#include <immintrin.h>
#endif

namespace condense::quant {

namespace {

#ifdef CONDENSE_F16C_PATH
__attribute__((target("avx,f16c"))) void f16ToF32F16c(const std::uint16_t* in, float* out, std::size_t n) noexcept
{
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    for (; i < n; ++i) out[i] = fp16ToFp32(in[i]);
}

bool haveF16c() noexcept
{
    static const bool have = __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
    return have;
}
#endif

void f16ToF32(const void* in, float* out, std::size_t n) noexcept
{
    const auto* p = static_cast<const std::uint16_t*>(in);
#ifdef CONDENSE_F16C_PATH
    if (haveF16c()) {
        f16ToF32F16c(p, out, n);
        return;
    }
#endif
    for (std::size_t i = 0; i < n; ++i) out[i] = fp16ToFp32(p[i]);
}

void bf16ToF32(const void* in, float* out, std::size_t n) noexcept
{
    const auto* p = static_cast<const std::uint16_t*>(in);
    auto* o = reinterpret_cast<std::uint32_t*>(out);
    for (std::size_t i = 0; i < n; ++i) o[i] = static_cast<std::uint32_t>(p[i]) << 16; // exact; the compiler vectorizes it
}

} // namespace

bool rowToF32(DType src, const void* in, float* out, std::size_t n) noexcept
{
    switch (src) {
    case DType::F32: std::memcpy(out, in, n * sizeof(float)); return true;
    case DType::F16: f16ToF32(in, out, n); return true;
    case DType::BF16: bf16ToF32(in, out, n); return true;
    case DType::F64: return convertToF32(src, in, out, n);
    default: return false;
    }
}

std::size_t firstNonFinite(const float* x, std::size_t n) noexcept
{
    // Branch-free scan of the exponent bits (vectorizes); the exact index only when needed.
    constexpr std::size_t kBlock = 1024;
    for (std::size_t b = 0; b < n; b += kBlock) {
        const std::size_t e = b + kBlock < n ? b + kBlock : n;
        std::uint32_t bad = 0;
        for (std::size_t i = b; i < e; ++i) {
            std::uint32_t u;
            std::memcpy(&u, x + i, 4);
            bad |= static_cast<std::uint32_t>((u & 0x7f800000u) == 0x7f800000u);
        }
        if (bad)
            for (std::size_t i = b; i < e; ++i) {
                std::uint32_t u;
                std::memcpy(&u, x + i, 4);
                if ((u & 0x7f800000u) == 0x7f800000u) return i;
            }
    }
    return n;
}

} // namespace condense::quant
