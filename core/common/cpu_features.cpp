#include "core/common/cpu_features.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define CONDENSE_X86_CPUID 1
#include <cpuid.h>
#endif

namespace condense {

namespace {

#ifdef CONDENSE_X86_CPUID
constexpr bool bit(unsigned reg, int n) { return ((reg >> n) & 1u) != 0; }

// XCR0 through xgetbv, as inline assembly: the _xgetbv intrinsic would need the unit (or the
// function) compiled with -mxsave.
std::uint64_t readXcr0()
{
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0u));
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
}
#endif

} // namespace

CpuFeatures CpuFeatures::detect() noexcept
{
    CpuFeatures f;
#ifdef CONDENSE_X86_CPUID
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool osxsave = bit(c, 27);
    const bool cpuAvx = bit(c, 28);
    const bool cpuFma = bit(c, 12);
    const bool cpuF16c = bit(c, 29);
    if (!osxsave || !cpuAvx) return f;
    const std::uint64_t xcr0 = readXcr0();
    const bool ymmState = (xcr0 & 0x6u) == 0x6u;             // SSE + AVX state
    const bool zmmState = ymmState && (xcr0 & 0xe0u) == 0xe0u; // + opmask, ZMM0-15 upper, ZMM16-31
    if (!ymmState) return f;
    f.avx = true;
    f.fma = cpuFma;
    f.f16c = cpuF16c;
    if (__get_cpuid_max(0, nullptr) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = bit(b, 5);
    if (zmmState) {
        f.avx512f = bit(b, 16);
        f.avx512dq = bit(b, 17);
        f.avx512bw = bit(b, 30);
        f.avx512vl = bit(b, 31);
        f.avx512vnni = bit(c, 11);
    }
#endif
    return f;
}

const CpuFeatures& CpuFeatures::host() noexcept
{
    static const CpuFeatures features = detect();
    return features;
}

CpuLevel cpuLevelOf(const CpuFeatures& f) noexcept
{
    if (!(f.avx2 && f.fma && f.f16c)) return CpuLevel::Scalar;
    const bool avx512 = f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
    return avx512 ? CpuLevel::Avx512 : CpuLevel::Avx2;
}

CpuLevel detectCpuLevel() noexcept
{
    static const CpuLevel level = cpuLevelOf(CpuFeatures::host());
    return level;
}

CpuLevel clampCpuLevel(CpuLevel wanted) noexcept
{
    const CpuLevel best = detectCpuLevel();
    return wanted < best ? wanted : best;
}

const char* cpuLevelName(CpuLevel level) noexcept
{
    switch (level) {
    case CpuLevel::Scalar: return "scalar";
    case CpuLevel::Avx2: return "avx2";
    case CpuLevel::Avx512: return "avx512";
    }
    return "unknown";
}

} // namespace condense
