#pragma once
// The analysis's inner loop over one all-finite row (internal to core/analysis): moments,
// min/max, zeros, histogram slots, tail-band counts and candidates, per-column maxima and squares.
//
// Moments: blocks of 64 values summed in 8 float lanes (lane = index mod 8) of d = w - m,
// d^2, d^3, d^4, each block's lanes then added into 8 double lane accumulators; a block whose
// float d^4 sums overflow, and the values after the last full block, go straight into double
// sums. The scalar kernel is the reference; the AVX2 kernel performs the same IEEE operations
// in the same order (no FMA), so both give the same bits (tests/core/analysis_test.cpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/common/cpu_features.h"

namespace condense::analysis::detail {

inline constexpr std::size_t kSlots = 258; // 0 under, 1..256 bins, 257 over

struct RowParams {
    float ms = 0;            // provisional mean (moments are of w - ms)
    float lo = 0, scale = 0; // histogram: t = (w - lo) * scale
    float lo3 = 0, hi3 = 0, lo6 = 0, hi6 = 0; // |w - ms| candidate bands; beyond hi: surely beyond
};

struct RowSums {
    std::array<double, 8> d1{}, d2{}, d3{}, d4{}; // lane accumulators
    double t1 = 0, t2 = 0, t3 = 0, t4 = 0;        // straight double sums
    float mn = 3.4028235e38f, mx = -3.4028235e38f;
    std::uint64_t zeros = 0, finite = 0;
    // Eight interleaved 32-bit histograms (consecutive values in one bin would otherwise wait on
    // each other's increments), added into `total` before they could overflow.
    std::array<std::array<std::uint32_t, kSlots>, 8> hist{};
    std::array<std::uint64_t, kSlots> total{};
    std::array<std::uint64_t, 2> beyond{};
    std::array<std::vector<float>, 2> candidates;

    std::uint64_t sinceFlush = 0; // values counted in hist since it was added into total

    // Adds hist into total (before the 32-bit counters could overflow).
    void flushHistogram();
    std::array<std::uint64_t, kSlots> slotCounts() const;
    double s1() const;
    double s2() const;
    double s3() const;
    double s4() const;
};

// Processes w[0, n) (all finite); slots: n ints of scratch; cellRowMax[c] = max(.., |w_c|),
// colSq[c] += w_c^2 (double). Returns max |w| of the row.
using FiniteRowFn = float (*)(const float* w, std::uint64_t n, const RowParams& p, RowSums& s, std::int32_t* slots,
                              float* cellRowMax, double* colSq);

FiniteRowFn finiteRowKernel(CpuLevel level = CpuLevel::Best) noexcept;

// Shared by both kernels: one value in straight double sums (and everything else).
float finiteValue(float x, std::uint64_t c, const RowParams& p, RowSums& s, std::int32_t* slots, float* cellRowMax,
                  double* colSq);
// Moments of a block in straight double sums (the overflow path).
void blockMomentsDouble(const float* w, std::uint64_t n, float ms, RowSums& s);
// The histogram increments of a row's slots.
void countSlots(const std::int32_t* slots, std::uint64_t n, RowSums& s);
// Histogram slot of a finite value.
inline std::int32_t binSlot(float x, float lo, float scale)
{
    const float t = (x - lo) * scale;
    const float a = t < -1.0f ? -1.0f : t;
    const float tc = a > 256.0f ? 256.0f : a;
    return t < 0.0f ? 0 : static_cast<std::int32_t>(tc) + 1;
}

// Quantization error of a row: w the input, y its dequantized round trip, imp the importance
// (or null). Sums in kErrorLanes double lanes (lane = index mod 16: independent chains of
// additions, enough to hide the adds' latency), added in lane order at the end. A round trip value that is NaN counts as an
// infinite error; an importance of 0 weighs nothing, even an infinite error.
inline constexpr std::size_t kErrorLanes = 16;
struct ErrorSums {
    double errSq = 0, refSq = 0, weightedErrSq = 0, weightedRefSq = 0, maxAbs = 0;
};
using RowErrorFn = void (*)(const float* w, const float* y, const float* imp, std::uint64_t n, ErrorSums& s);
RowErrorFn rowErrorKernel(CpuLevel level = CpuLevel::Best) noexcept;
// The lanes' tail and final sums, shared by both kernels.
void errorTail(const float* w, const float* y, const float* imp, std::uint64_t from, std::uint64_t n, double (&lanes)[5][kErrorLanes],
               ErrorSums& s);

// 16-bit float tensors (F16, BF16): the pass counts every stored code (65536 counters) and
// derives the statistics, histogram and tail shares from the counts afterwards, so the
// per-value work is one counter increment plus the column figures, done on the codes:
// max |w| is the largest code with the sign bit cleared (sign-magnitude codes order as their
// magnitudes), w^2 is exact in float and summed in double per column, as the float path does.
// Non-finite codes (|code| >= nonFinite) are counted and left out of everything else.
struct Code16Format {
    std::uint16_t nonFinite = 0x7c00; // |code| at or above: Inf (equal) or NaN
    bool bf16 = false;
    const float* table = nullptr;     // F16: every code's value
    float decode(std::uint16_t code) const // exact
    {
        if (bf16) {
            const std::uint32_t u = static_cast<std::uint32_t>(code) << 16;
            float f;
            std::memcpy(&f, &u, 4);
            return f;
        }
        return table[code];
    }
};
Code16Format code16Format(bool bf16) noexcept;
// A row of codes: counts[code] += 1 for every value; for the finite ones cellRowMax[c] =
// max(.., |code_c|) and colSq[c] += w_c^2 (double). Returns the largest finite |code| (0 if
// none); sets nonFinite when the row has a non-finite value.
using Code16RowFn = std::uint16_t (*)(const std::byte* w, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                                      std::uint16_t* cellRowMax, double* colSq, bool& nonFinite);
void code16Pool(std::uint16_t* rowMax, std::uint64_t cols, const std::uint32_t* colBegin, std::uint32_t cellCols,
                std::uint16_t* cellMax, std::uint16_t* colMax);
// Up to kTileRows rows of one cell row at once (rows[i], i < k): what code16Row does to each,
// in row order, so the same bits; rowMax[i] gets row i's largest finite |code|. A kernel that
// holds the column sums in registers across the rows reads and writes them once a tile.
inline constexpr int kTileRows = 4;
using Code16TileFn = void (*)(const std::byte* const* rows, int k, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                              std::uint16_t* cellRowMax, double* colSq, bool& nonFinite, std::uint16_t* rowMax);
Code16TileFn code16TileKernel(CpuLevel level = CpuLevel::Best) noexcept;
void countCodesOf(const std::byte* w, std::uint64_t n, std::uint32_t* counts);
// Whether a row of n codes holds a non-finite value (|code| >= nonFinite).
using NonFiniteCodesFn = bool (*)(const std::byte* w, std::uint64_t n, std::uint16_t nonFinite);
NonFiniteCodesFn nonFiniteCodesKernel(CpuLevel level = CpuLevel::Best) noexcept;
Code16RowFn code16RowKernel(CpuLevel level = CpuLevel::Best) noexcept;
// Closes a cell row of the outlier map on codes: cellMax[j] = max of rowMax over the columns
// [colBegin[j], colBegin[j + 1]) (j < cellCols), colMax[c] = max(.., rowMax[c]), rowMax[c] = 0
// (c < cols).
using Code16PoolFn = void (*)(std::uint16_t* rowMax, std::uint64_t cols, const std::uint32_t* colBegin, std::uint32_t cellCols,
                              std::uint16_t* cellMax, std::uint16_t* colMax);
Code16PoolFn code16PoolKernel(CpuLevel level = CpuLevel::Best) noexcept;

namespace avx2 {
bool supported() noexcept;
bool hasNonFiniteCode(const std::byte* w, std::uint64_t n, std::uint16_t nonFinite);
void code16Tile(const std::byte* const* rows, int k, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                std::uint16_t* cellRowMax, double* colSq, bool& nonFinite, std::uint16_t* rowMax);
std::uint16_t code16Row(const std::byte* w, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                        std::uint16_t* cellRowMax, double* colSq, bool& nonFinite);
void code16Pool(std::uint16_t* rowMax, std::uint64_t cols, const std::uint32_t* colBegin, std::uint32_t cellCols,
                std::uint16_t* cellMax, std::uint16_t* colMax);
void rowError(const float* w, const float* y, const float* imp, std::uint64_t n, ErrorSums& s);
float finiteRow(const float* w, std::uint64_t n, const RowParams& p, RowSums& s, std::int32_t* slots, float* cellRowMax,
                double* colSq);
} // namespace avx2

// AVX-512 (F, BW): the 16-bit code row and the preview error (functions with target
// attributes inside the AVX2 unit).
namespace avx512 {
bool supported() noexcept;
void code16Tile(const std::byte* const* rows, int k, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                std::uint16_t* cellRowMax, double* colSq, bool& nonFinite, std::uint16_t* rowMax);
void rowError(const float* w, const float* y, const float* imp, std::uint64_t n, ErrorSums& s);
std::uint16_t code16Row(const std::byte* w, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                        std::uint16_t* cellRowMax, double* colSq, bool& nonFinite);
} // namespace avx512

} // namespace condense::analysis::detail
