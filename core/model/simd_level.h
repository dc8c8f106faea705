#pragma once
// Which instruction-set level the forward pass runs its kernels at, chosen at run time from
// the CPU's features (__builtin_cpu_supports), never from compile flags: core is built for the
// baseline x86-64 ISA and the AVX2 / AVX-512 kernels are functions with target attributes.
//
//   Scalar  portable C++ (and core/quant's scalar dots): the reference every other level is
//           tested against.
//   Avx2    AVX2 + FMA + F16C (Haswell, Zen 1 and later).
//   Avx512  AVX-512 F/BW/VL/VNNI (Ice Lake, Zen 4 and later) on top of Avx2.

#include <cstdint>

namespace condense::model {

enum class SimdLevel : std::uint8_t { Scalar, Avx2, Avx512 };

// The best level this CPU supports (and this build compiled in).
SimdLevel detectSimdLevel() noexcept;
// `wanted` lowered to what the CPU supports.
SimdLevel clampSimdLevel(SimdLevel wanted) noexcept;
const char* simdLevelName(SimdLevel level) noexcept;

} // namespace condense::model
