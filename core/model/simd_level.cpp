#include "core/model/simd_level.h"

namespace condense::model {

SimdLevel detectSimdLevel() noexcept
{
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    if (!avx2) return SimdLevel::Scalar;
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    return avx512 ? SimdLevel::Avx512 : SimdLevel::Avx2;
#else
    return SimdLevel::Scalar;
#endif
}

SimdLevel clampSimdLevel(SimdLevel wanted) noexcept
{
    const SimdLevel best = detectSimdLevel();
    return static_cast<std::uint8_t>(wanted) < static_cast<std::uint8_t>(best) ? wanted : best;
}

const char* simdLevelName(SimdLevel level) noexcept
{
    switch (level) {
    case SimdLevel::Scalar: return "scalar";
    case SimdLevel::Avx2: return "avx2";
    case SimdLevel::Avx512: return "avx512";
    }
    return "unknown";
}

} // namespace condense::model
