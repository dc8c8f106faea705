#include "core/analysis/row_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "core/tensor/float_convert.h"

namespace condense::analysis::detail {

namespace {

// Everything but the moments for one finite value x in column c, with ad = |x - p.ms|: range,
// zeros, histogram slot, tail shares (and the values near their thresholds), outlier-map cell
// and column sums. Returns |x|. Shared by the scalar block loop and finiteValue.
inline float tallyValue(float x, float ad, std::uint64_t c, const RowParams& p, RowSums& s, std::int32_t* slots,
                        float* cellRowMax, double* colSq)
{
    s.mn = std::min(s.mn, x);
    s.mx = std::max(s.mx, x);
    s.zeros += x == 0.0f;
    slots[c] = binSlot(x, p.lo, p.scale);
    s.beyond[0] += ad > p.hi3;
    s.beyond[1] += ad > p.hi6;
    if (ad >= p.lo3 && ad <= p.hi3) s.candidates[0].push_back(x);
    if (ad >= p.lo6 && ad <= p.hi6) s.candidates[1].push_back(x);
    const float a = std::fabs(x);
    cellRowMax[c] = std::max(cellRowMax[c], a);
    colSq[c] += static_cast<double>(x) * static_cast<double>(x);
    return a;
}

double laneSum(const std::array<double, 8>& d, double t)
{
    double s = 0;
    for (double v : d) s += v;
    return s + t;
}

float finiteRowScalar(const float* w, std::uint64_t n, const RowParams& p, RowSums& s, std::int32_t* slots,
                      float* cellRowMax, double* colSq)
{
    float rowMax = 0.0f;
    std::uint64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        float a1[8] = {}, a2[8] = {}, a3[8] = {}, a4[8] = {};
        for (std::uint64_t j = 0; j < 64; ++j) {
            const std::uint64_t c = i + j, l = j % 8;
            const float x = w[c];
            const float d = x - p.ms;
            const float q = d * d;
            a1[l] += d;
            a2[l] += q;
            a3[l] += q * d;
            a4[l] += q * q;
            rowMax = std::max(rowMax, tallyValue(x, std::fabs(d), c, p, s, slots, cellRowMax, colSq));
        }
        bool finite = true;
        for (float v : a4) finite = finite && v <= 3.4028235e38f;
        if (finite) {
            for (int l = 0; l < 8; ++l) {
                s.d1[l] += static_cast<double>(a1[l]);
                s.d2[l] += static_cast<double>(a2[l]);
                s.d3[l] += static_cast<double>(a3[l]);
                s.d4[l] += static_cast<double>(a4[l]);
            }
        } else {
            blockMomentsDouble(w + i, 64, p.ms, s);
        }
    }
    for (; i < n; ++i) rowMax = std::max(rowMax, finiteValue(w[i], i, p, s, slots, cellRowMax, colSq));
    s.finite += n;
    countSlots(slots, n, s);
    return rowMax;
}

std::uint16_t code16RowScalar(const std::byte* w, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                              std::uint16_t* cellRowMax, double* colSq, bool& nonFinite)
{
    std::uint16_t m = 0;
    for (std::uint64_t c = 0; c < n; ++c) {
        std::uint16_t v;
        std::memcpy(&v, w + 2 * c, 2);
        ++counts[v];
        const auto a = static_cast<std::uint16_t>(v & 0x7fff);
        if (a >= fmt.nonFinite) {
            nonFinite = true;
            continue;
        }
        m = std::max(m, a);
        cellRowMax[c] = std::max(cellRowMax[c], a);
        const float x = fmt.decode(v);
        colSq[c] += static_cast<double>(x * x); // exact: at most 2 x 11 significant bits
    }
    return m;
}

void code16PoolScalar(std::uint16_t* rowMax, std::uint64_t cols, const std::uint32_t* colBegin, std::uint32_t cellCols,
                      std::uint16_t* cellMax, std::uint16_t* colMax)
{
    for (std::uint32_t j = 0; j < cellCols; ++j) {
        std::uint16_t m = 0;
        for (std::uint32_t c = colBegin[j]; c < colBegin[j + 1]; ++c) m = std::max(m, rowMax[c]);
        cellMax[j] = m;
    }
    for (std::uint64_t c = 0; c < cols; ++c) {
        colMax[c] = std::max(colMax[c], rowMax[c]);
        rowMax[c] = 0;
    }
}

void rowErrorScalar(const float* w, const float* y, const float* imp, std::uint64_t n, ErrorSums& s)
{
    double lanes[5][kErrorLanes] = {};
    errorTail(w, y, imp, 0, n, lanes, s);
}

} // namespace

void errorTail(const float* w, const float* y, const float* imp, std::uint64_t from, std::uint64_t n, double (&lanes)[5][kErrorLanes],
               ErrorSums& s)
{
    for (std::uint64_t c = from; c < n; ++c) {
        const std::uint64_t l = c % kErrorLanes;
        const double x = static_cast<double>(w[c]);
        double e = x - static_cast<double>(y[c]);
        if (std::isnan(e)) e = std::numeric_limits<double>::infinity(); // a NaN round trip: error without bound
        lanes[0][l] += e * e;
        lanes[1][l] += x * x;
        lanes[4][l] = std::max(lanes[4][l], std::fabs(e));
        if (imp) {
            const double v = static_cast<double>(imp[c]);
            lanes[2][l] += v == 0.0 ? 0.0 : v * e * e; // importance 0: no weight, even on an infinite error
            lanes[3][l] += v * x * x;
        }
    }
    for (std::size_t l = 0; l < kErrorLanes; ++l) {
        s.errSq += lanes[0][l];
        s.refSq += lanes[1][l];
        s.weightedErrSq += lanes[2][l];
        s.weightedRefSq += lanes[3][l];
        s.maxAbs = std::max(s.maxAbs, lanes[4][l]);
    }
}

RowErrorFn rowErrorKernel(CpuLevel level) noexcept
{
    if (clampCpuLevel(level) >= CpuLevel::Avx512 && avx512::supported()) return avx512::rowError;
    if (clampCpuLevel(level) >= CpuLevel::Avx2 && avx2::supported()) return avx2::rowError;
    return rowErrorScalar;
}

double RowSums::s1() const { return laneSum(d1, t1); }
double RowSums::s2() const { return laneSum(d2, t2); }
double RowSums::s3() const { return laneSum(d3, t3); }
double RowSums::s4() const { return laneSum(d4, t4); }

void blockMomentsDouble(const float* w, std::uint64_t n, float ms, RowSums& s)
{
    for (std::uint64_t i = 0; i < n; ++i) {
        const double d = static_cast<double>(w[i]) - static_cast<double>(ms);
        s.t1 += d;
        s.t2 += d * d;
        s.t3 += d * d * d;
        s.t4 += d * d * d * d;
    }
}

float finiteValue(float x, std::uint64_t c, const RowParams& p, RowSums& s, std::int32_t* slots, float* cellRowMax,
                  double* colSq)
{
    blockMomentsDouble(&x, 1, p.ms, s);
    return tallyValue(x, std::fabs(x - p.ms), c, p, s, slots, cellRowMax, colSq);
}

void RowSums::flushHistogram()
{
    for (auto& h : hist)
        for (std::size_t i = 0; i < kSlots; ++i) {
            total[i] += h[i];
            h[i] = 0;
        }
    sinceFlush = 0;
}

std::array<std::uint64_t, kSlots> RowSums::slotCounts() const
{
    std::array<std::uint64_t, kSlots> r = total;
    for (const auto& h : hist)
        for (std::size_t i = 0; i < kSlots; ++i) r[i] += h[i];
    return r;
}

void countSlots(const std::int32_t* slots, std::uint64_t n, RowSums& s)
{
    if (s.sinceFlush + n >= (1ull << 31)) s.flushHistogram();
    s.sinceFlush += n;
    std::uint64_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (std::size_t k = 0; k < 8; ++k) ++s.hist[k][static_cast<std::size_t>(slots[c + k])];
    for (; c < n; ++c) ++s.hist[0][static_cast<std::size_t>(slots[c])];
}

namespace {

// Every F16 code's value (256 KiB, built on first use).
const float* f16Table()
{
    static const std::unique_ptr<float[]> table = [] {
        auto t = std::make_unique<float[]>(65536);
        for (std::uint32_t c = 0; c < 65536; ++c) t[c] = fp16ToFp32(static_cast<std::uint16_t>(c));
        return t;
    }();
    return table.get();
}

} // namespace

Code16Format code16Format(bool bf16) noexcept
{
    Code16Format f;
    f.bf16 = bf16;
    f.nonFinite = bf16 ? 0x7f80 : 0x7c00;
    f.table = f16Table();
    return f;
}

Code16RowFn code16RowKernel(CpuLevel level) noexcept
{
    if (clampCpuLevel(level) >= CpuLevel::Avx512 && avx512::supported()) return avx512::code16Row;
    if (clampCpuLevel(level) >= CpuLevel::Avx2 && avx2::supported()) return avx2::code16Row;
    return code16RowScalar;
}

namespace {

// A tile as its rows one after the other.
template <Code16RowFn Row>
void code16TileByRows(const std::byte* const* rows, int k, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                      std::uint16_t* cellRowMax, double* colSq, bool& nonFinite, std::uint16_t* rowMax)
{
    for (int i = 0; i < k; ++i) rowMax[i] = Row(rows[i], n, fmt, counts, cellRowMax, colSq, nonFinite);
}

} // namespace

namespace {

bool hasNonFiniteCodeScalar(const std::byte* w, std::uint64_t n, std::uint16_t nonFinite)
{
    bool bad = false;
    for (std::uint64_t c = 0; c < n; ++c) {
        std::uint16_t v;
        std::memcpy(&v, w + 2 * c, 2);
        bad = bad || (v & 0x7fff) >= nonFinite;
    }
    return bad;
}

} // namespace

NonFiniteCodesFn nonFiniteCodesKernel(CpuLevel level) noexcept
{
    if (clampCpuLevel(level) >= CpuLevel::Avx2 && avx2::supported()) return avx2::hasNonFiniteCode;
    return hasNonFiniteCodeScalar;
}

Code16TileFn code16TileKernel(CpuLevel level) noexcept
{
    if (clampCpuLevel(level) >= CpuLevel::Avx512 && avx512::supported()) return avx512::code16Tile;
    if (clampCpuLevel(level) >= CpuLevel::Avx2 && avx2::supported()) return avx2::code16Tile;
    return code16TileByRows<code16RowScalar>;
}

Code16PoolFn code16PoolKernel(CpuLevel level) noexcept
{
    if (clampCpuLevel(level) >= CpuLevel::Avx2 && avx2::supported()) return avx2::code16Pool;
    return code16PoolScalar;
}

FiniteRowFn finiteRowKernel(CpuLevel level) noexcept
{
    if (clampCpuLevel(level) >= CpuLevel::Avx2 && avx2::supported()) return avx2::finiteRow;
    return finiteRowScalar;
}

} // namespace condense::analysis::detail
