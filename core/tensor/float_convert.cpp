#include "core/tensor/float_convert.h"

#include <cmath>

#include "core/common/cpu_features.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CONDENSE_F16C_PATH 1
#include <immintrin.h>
#endif

namespace condense {

float fp16ToFp32(std::uint16_t h) noexcept
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    std::uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: normalize
            int e = -1;
            do { ++e; mant <<= 1; } while ((mant & 0x400u) == 0);
            mant &= 0x3ffu;
            bits = sign | (static_cast<std::uint32_t>(127 - 15 - e) << 23) | (mant << 13);
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else {
        bits = sign | ((exp + (127 - 15)) << 23) | (mant << 13);
    }
    return bitsToFloat(bits);
}

std::uint16_t fp32ToFp16(float f) noexcept
{
    const std::uint32_t x = floatToBits(f);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return 0x7e00; // NaN (ggml: sign dropped)
    if (ax < 0x38800000u) { // below the smallest normal half (2^-14): subnormal or zero
        if (ax < 0x33000000u) return sign; // < 2^-25: rounds to zero (2^-25 exactly ties to even 0)
        const std::uint32_t e = ax >> 23;                  // biased float exponent
        const std::uint32_t m = (ax & 0x7fffffu) | 0x800000u; // 24-bit significand
        const std::uint32_t shift = 126 - e;               // bring to units of 2^-24
        // value = m * 2^(e-150); in half subnormal units (2^-24): m * 2^(e-126) = m >> (126-e)
        std::uint32_t q = m >> shift;
        const std::uint32_t rem = m & ((1u << shift) - 1u);
        const std::uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1u))) ++q;
        return static_cast<std::uint16_t>(sign | q);
    }
    // normal: rebias exponent, round mantissa from 23 to 10 bits (RNE); carry may bump exponent
    std::uint32_t r = ax - 0x38000000u; // exponent -= 112
    const std::uint32_t lsb = (r >> 13) & 1u;
    r += 0xfffu + lsb;
    r >>= 13;
    if (r >= 0x7c00u) r = 0x7c00u; // overflow to inf
    return static_cast<std::uint16_t>(sign | r);
}

namespace {

void f16ToF32Scalar(const unsigned char* p, float* out, std::size_t n) noexcept
{
    for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        out[i] = fp16ToFp32(h);
    }
}

#ifdef CONDENSE_F16C_PATH
// F16C converts every half exactly, as fp16ToFp32 does, except that it quiets a signaling NaN;
// groups holding a NaN take the software path so the bits match it everywhere. A function
// with a target attribute: the rest of the unit stays baseline x86-64.
__attribute__((target("avx,f16c"))) void f16ToF32F16c(const unsigned char* p, float* out, std::size_t n) noexcept
{
    const __m128i magnitude = _mm_set1_epi16(0x7fff);
    const __m128i infinity = _mm_set1_epi16(0x7c00);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2 * i));
        if (_mm_movemask_epi8(_mm_cmpgt_epi16(_mm_and_si128(h, magnitude), infinity)) != 0)
            f16ToF32Scalar(p + 2 * i, out + i, 8);
        else
            _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    f16ToF32Scalar(p + 2 * i, out + i, n - i);
}
#endif

void f16ToF32(const unsigned char* p, float* out, std::size_t n) noexcept
{
#ifdef CONDENSE_F16C_PATH
    const CpuFeatures& cpu = CpuFeatures::host();
    if (cpu.avx && cpu.f16c) {
        f16ToF32F16c(p, out, n);
        return;
    }
#endif
    f16ToF32Scalar(p, out, n);
}

template <typename T>
void toF32(const void* in, float* out, std::size_t n)
{
    const auto* p = static_cast<const unsigned char*>(in);
    for (std::size_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, p + i * sizeof(T), sizeof(T));
        out[i] = static_cast<float>(v);
    }
}
} // namespace

bool convertToF32(DType src, const void* in, float* out, std::size_t n) noexcept
{
    const auto* p = static_cast<const unsigned char*>(in);
    switch (src) {
    case DType::F32: std::memcpy(out, in, n * 4); return true;
    case DType::F16: f16ToF32(p, out, n); return true;
    case DType::BF16:
        for (std::size_t i = 0; i < n; ++i) { // exact; the compiler vectorizes it
            std::uint16_t h; std::memcpy(&h, p + 2 * i, 2); out[i] = bf16ToFp32(h);
        }
        return true;
    case DType::F64: toF32<double>(in, out, n); return true;
    case DType::I8: toF32<std::int8_t>(in, out, n); return true;
    case DType::I16: toF32<std::int16_t>(in, out, n); return true;
    case DType::I32: toF32<std::int32_t>(in, out, n); return true;
    case DType::I64: toF32<std::int64_t>(in, out, n); return true;
    case DType::U8: case DType::Bool: toF32<std::uint8_t>(in, out, n); return true;
    case DType::U16: toF32<std::uint16_t>(in, out, n); return true;
    case DType::U32: toF32<std::uint32_t>(in, out, n); return true;
    case DType::U64: toF32<std::uint64_t>(in, out, n); return true;
    default: return false;
    }
}

bool convertFromF32(DType dst, const float* in, void* out, std::size_t n) noexcept
{
    auto* p = static_cast<unsigned char*>(out);
    switch (dst) {
    case DType::F32: std::memcpy(out, in, n * 4); return true;
    case DType::F16:
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint16_t h = fp32ToFp16(in[i]); std::memcpy(p + 2 * i, &h, 2);
        }
        return true;
    case DType::BF16:
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint16_t h = fp32ToBf16(in[i]); std::memcpy(p + 2 * i, &h, 2);
        }
        return true;
    default: return false;
    }
}

bool convertFloatRow(DType src, const void* in, DType dst, void* out, std::size_t n) noexcept
{
    if (src == dst) {
        const DTypeTraits* t = dtypeTraits(src);
        if (!t || t->isQuantized) return false;
        std::memcpy(out, in, n * t->blockBytes);
        return true;
    }
    constexpr std::size_t kChunk = 1024;
    float tmp[kChunk];
    const auto* ip = static_cast<const unsigned char*>(in);
    auto* op = static_cast<unsigned char*>(out);
    const DTypeTraits* st = dtypeTraits(src);
    const DTypeTraits* dt = dtypeTraits(dst);
    if (!st || !dt) return false;
    for (std::size_t i = 0; i < n; i += kChunk) {
        const std::size_t m = std::min(kChunk, n - i);
        if (!convertToF32(src, ip + i * st->blockBytes, tmp, m)) return false;
        if (!convertFromF32(dst, tmp, op + i * dt->blockBytes, m)) return false;
    }
    return true;
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

} // namespace condense
