#pragma once
// The CPU's instruction-set extensions and the one dispatch level every optimized kernel in
// core is chosen by (core/quant's registry and core/model's Matmul alike). Detection runs at
// run time, never from compile flags: core is built for the baseline x86-64 ISA and the SIMD
// kernels are functions with target attributes (or units with their own flags).
//
// An extension counts only when the CPU reports it (cpuid) AND the OS saves the register state
// it needs (xgetbv: XCR0 bits 1-2 for the AVX family, 5-7 as well for AVX-512); an OS without
// that support would fault on the first instruction. Other architectures report nothing.
//
// Levels:
//   Scalar  portable C++: the reference every other level is tested against.
//   Avx2    AVX2 + FMA + F16C (Haswell, Zen 1 and later).
//   Avx512  AVX-512 F/BW/VL/VNNI (Ice Lake, Zen 4 and later) on top of Avx2.
// Best names the highest level; every chooser lowers it to what the CPU has, so
// "Best" = the fastest kernels this machine runs and "Scalar" = the reference, everywhere.
// A unit may need less than its level's full set (core/quant's AVX2 kernels use AVX2 and F16C
// but no FMA) and then asks CpuFeatures for exactly what it uses.

#include <cstdint>

namespace condense {

struct CpuFeatures {
    bool avx = false;
    bool avx2 = false;
    bool fma = false;
    bool f16c = false;
    bool avx512f = false;
    bool avx512bw = false;
    bool avx512dq = false;
    bool avx512vl = false;
    bool avx512vnni = false;

    // What this machine has (detected once, then cached).
    static const CpuFeatures& host() noexcept;
    // Runs the detection (cpuid + xgetbv) now.
    static CpuFeatures detect() noexcept;
};

enum class CpuLevel : std::uint8_t { Scalar, Avx2, Avx512, Best = Avx512 };

// The highest level `features` allows.
CpuLevel cpuLevelOf(const CpuFeatures& features) noexcept;
// The best level this CPU supports.
CpuLevel detectCpuLevel() noexcept;
// `wanted` lowered to what this CPU supports.
CpuLevel clampCpuLevel(CpuLevel wanted) noexcept;
// "scalar", "avx2", "avx512".
const char* cpuLevelName(CpuLevel level) noexcept;

} // namespace condense
