// AVX2 image of row_kernels.cpp's kernels: the same operations lane for lane (and the AVX-512
// 16-bit code row, through target attributes).
#include "core/analysis/row_kernels.h"

#include <cmath>
#include <cstring>
#include <limits>

#if defined(__AVX2__)
#include <immintrin.h>
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_*() as the unused merge source, which
// -Wmaybe-uninitialized reports once they are inlined (a known false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#endif

namespace condense::analysis::detail::avx2 {

#if defined(__AVX2__)

bool supported() noexcept
{
    return CpuFeatures::host().avx2 && CpuFeatures::host().f16c;
}

void countCodesOf(const std::byte* w, std::uint64_t n, std::uint32_t* counts)
{
    const auto* p = reinterpret_cast<const unsigned char*>(w);
    std::uint64_t c = 0;
    for (; c + 4 <= n; c += 4) {
        std::uint16_t v0, v1, v2, v3;
        std::memcpy(&v0, p + 2 * c, 2);
        std::memcpy(&v1, p + 2 * c + 2, 2);
        std::memcpy(&v2, p + 2 * c + 4, 2);
        std::memcpy(&v3, p + 2 * c + 6, 2);
        ++counts[v0];
        ++counts[v1];
        ++counts[v2];
        ++counts[v3];
    }
    for (; c < n; ++c) {
        std::uint16_t v;
        std::memcpy(&v, p + 2 * c, 2);
        ++counts[v];
    }
}

namespace {

// 8 codes as floats (exact).
inline __m256 codesToFloat(__m128i h, bool bf16)
{
    if (bf16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    return _mm256_cvtph_ps(h);
}

inline void addSquares(__m256 x, double* colSq)
{
    const __m256 q = _mm256_mul_ps(x, x); // exact
    _mm256_storeu_pd(colSq, _mm256_add_pd(_mm256_loadu_pd(colSq), _mm256_cvtps_pd(_mm256_castps256_ps128(q))));
    _mm256_storeu_pd(colSq + 4, _mm256_add_pd(_mm256_loadu_pd(colSq + 4), _mm256_cvtps_pd(_mm256_extractf128_ps(q, 1))));
}

} // namespace

std::uint16_t code16Row(const std::byte* w, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                        std::uint16_t* cellRowMax, double* colSq, bool& nonFinite)
{
    const __m256i magnitude = _mm256_set1_epi16(0x7fff);
    const __m256i limit = _mm256_set1_epi16(static_cast<short>(fmt.nonFinite));
    const bool bf16 = fmt.bf16;
    __m256i mx = _mm256_setzero_si256(), bad = mx;
    std::uint64_t c = 0;
    for (; c + 16 <= n; c += 16) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 2 * c));
        const __m256i a = _mm256_and_si256(v, magnitude);
        const __m256i finite = _mm256_cmpgt_epi16(limit, a); // both at most 0x7fff: signed compare
        bad = _mm256_or_si256(bad, _mm256_andnot_si256(finite, magnitude));
        const __m256i af = _mm256_and_si256(a, finite), vf = _mm256_and_si256(v, finite); // non-finite -> 0
        mx = _mm256_max_epu16(mx, af);
        auto* cm = reinterpret_cast<__m256i*>(cellRowMax + c);
        _mm256_storeu_si256(cm, _mm256_max_epu16(_mm256_loadu_si256(cm), af));
        addSquares(codesToFloat(_mm256_castsi256_si128(vf), bf16), colSq + c);
        addSquares(codesToFloat(_mm256_extracti128_si256(vf, 1), bf16), colSq + c + 8);
    }
    // The increments as a loop of their own over the (now cached) row: code loads from memory
    // cost a load port each, where extracting them from the vector costs two shuffle uops.
    countCodesOf(w, c, counts);
    alignas(32) std::uint16_t k[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(k), mx);
    std::uint16_t m = 0;
    for (std::uint16_t v : k) m = v > m ? v : m;
    nonFinite = nonFinite || !_mm256_testz_si256(bad, bad);
    for (; c < n; ++c) {
        std::uint16_t v;
        std::memcpy(&v, w + 2 * c, 2);
        ++counts[v];
        const auto a = static_cast<std::uint16_t>(v & 0x7fff);
        if (a >= fmt.nonFinite) {
            nonFinite = true;
            continue;
        }
        m = a > m ? a : m;
        cellRowMax[c] = a > cellRowMax[c] ? a : cellRowMax[c];
        const float x = fmt.decode(v);
        colSq[c] += static_cast<double>(x * x);
    }
    return m;
}

bool hasNonFiniteCode(const std::byte* w, std::uint64_t n, std::uint16_t nonFinite)
{
    const __m256i magnitude = _mm256_set1_epi16(0x7fff);
    const __m256i limit = _mm256_set1_epi16(static_cast<short>(nonFinite));
    __m256i bad = _mm256_setzero_si256();
    std::uint64_t c = 0;
    for (; c + 16 <= n; c += 16) {
        const __m256i a = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 2 * c)), magnitude);
        bad = _mm256_or_si256(bad, _mm256_andnot_si256(_mm256_cmpgt_epi16(limit, a), magnitude)); // both <= 0x7fff: signed
    }
    bool any = !_mm256_testz_si256(bad, bad);
    for (; c < n; ++c) {
        std::uint16_t v;
        std::memcpy(&v, w + 2 * c, 2);
        any = any || (v & 0x7fff) >= nonFinite;
    }
    return any;
}

// code16Row's operations on up to kTileRows rows, 16 columns at a time: the cell maxima and
// column sums are loaded once, take the rows in order (the same bits as row after row), and
// are stored once.
void code16Tile(const std::byte* const* rows, int k, std::uint64_t n, const Code16Format& fmt, std::uint32_t* counts,
                std::uint16_t* cellRowMax, double* colSq, bool& nonFinite, std::uint16_t* rowMax)
{
    const __m256i magnitude = _mm256_set1_epi16(0x7fff);
    const __m256i limit = _mm256_set1_epi16(static_cast<short>(fmt.nonFinite));
    const bool bf16 = fmt.bf16;
    __m256i mx[kTileRows];
    for (__m256i& m : mx) m = _mm256_setzero_si256();
    __m256i bad = _mm256_setzero_si256();
    std::uint64_t c = 0;
    for (; c + 16 <= n; c += 16) {
        auto* cmp = reinterpret_cast<__m256i*>(cellRowMax + c);
        __m256i cm = _mm256_loadu_si256(cmp);
        __m256d s0 = _mm256_loadu_pd(colSq + c), s1 = _mm256_loadu_pd(colSq + c + 4);
        __m256d s2 = _mm256_loadu_pd(colSq + c + 8), s3 = _mm256_loadu_pd(colSq + c + 12);
        for (int i = 0; i < k; ++i) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[i] + 2 * c));
            const __m256i a = _mm256_and_si256(v, magnitude);
            const __m256i finite = _mm256_cmpgt_epi16(limit, a);
            bad = _mm256_or_si256(bad, _mm256_andnot_si256(finite, magnitude));
            const __m256i af = _mm256_and_si256(a, finite), vf = _mm256_and_si256(v, finite);
            mx[i] = _mm256_max_epu16(mx[i], af);
            cm = _mm256_max_epu16(cm, af);
            const __m256 xl = codesToFloat(_mm256_castsi256_si128(vf), bf16), xh = codesToFloat(_mm256_extracti128_si256(vf, 1), bf16);
            const __m256 ql = _mm256_mul_ps(xl, xl), qh = _mm256_mul_ps(xh, xh); // exact
            s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(ql)));
            s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(ql, 1)));
            s2 = _mm256_add_pd(s2, _mm256_cvtps_pd(_mm256_castps256_ps128(qh)));
            s3 = _mm256_add_pd(s3, _mm256_cvtps_pd(_mm256_extractf128_ps(qh, 1)));
        }
        _mm256_storeu_si256(cmp, cm);
        _mm256_storeu_pd(colSq + c, s0);
        _mm256_storeu_pd(colSq + c + 4, s1);
        _mm256_storeu_pd(colSq + c + 8, s2);
        _mm256_storeu_pd(colSq + c + 12, s3);
    }
    nonFinite = nonFinite || !_mm256_testz_si256(bad, bad);
    for (int i = 0; i < k; ++i) {
        countCodesOf(rows[i], c, counts);
        alignas(32) std::uint16_t lanes[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), mx[i]);
        std::uint16_t m = 0;
        for (std::uint16_t x : lanes) m = x > m ? x : m;
        const std::uint16_t rest = code16Row(rows[i] + 2 * c, n - c, fmt, counts, cellRowMax + c, colSq + c, nonFinite);
        rowMax[i] = rest > m ? rest : m;
    }
}

} // namespace condense::analysis::detail::avx2

namespace condense::analysis::detail::avx512 {

#define CONDENSE_ANALYSIS_AVX512 __attribute__((target("avx512f,avx512bw,avx2,f16c")))

bool supported() noexcept
{
    const CpuFeatures& f = CpuFeatures::host();
    return f.avx512f && f.avx512bw && f.avx2 && f.f16c;
}

namespace {

// 16 codes as floats (exact).
CONDENSE_ANALYSIS_AVX512 inline __m512 widen16(__m256i codes, bool bf16)
{
    return bf16 ? _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(codes), 16)) : _mm512_cvtph_ps(codes);
}

CONDENSE_ANALYSIS_AVX512 inline void addSquares16(__m256i codes, bool bf16, double* colSq)
{
    const __m512 x = bf16 ? _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(codes), 16)) : _mm512_cvtph_ps(codes);
    const __m512 q = _mm512_mul_ps(x, x); // exact
    _mm512_storeu_pd(colSq, _mm512_add_pd(_mm512_loadu_pd(colSq), _mm512_cvtps_pd(_mm512_castps512_ps256(q))));
    const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(q), 1));
    _mm512_storeu_pd(colSq + 8, _mm512_add_pd(_mm512_loadu_pd(colSq + 8), _mm512_cvtps_pd(hi)));
}

} // namespace

// The AVX2 kernel's operations on 32 codes at a time (vertical: the same bits).
CONDENSE_ANALYSIS_AVX512 std::uint16_t code16Row(const std::byte* w, std::uint64_t n, const Code16Format& fmt,
                                                 std::uint32_t* counts, std::uint16_t* cellRowMax, double* colSq,
                                                 bool& nonFinite)
{
    const __m512i magnitude = _mm512_set1_epi16(0x7fff);
    const __m512i limit = _mm512_set1_epi16(static_cast<short>(fmt.nonFinite));
    const bool bf16 = fmt.bf16;
    __m512i mx = _mm512_setzero_si512();
    __mmask32 bad = 0;
    std::uint64_t c = 0;
    for (; c + 32 <= n; c += 32) {
        const __m512i v = _mm512_loadu_si512(w + 2 * c);
        const __m512i a = _mm512_and_si512(v, magnitude);
        const __mmask32 finite = _mm512_cmplt_epu16_mask(a, limit);
        bad |= static_cast<__mmask32>(~finite);
        const __m512i af = _mm512_maskz_mov_epi16(finite, a), vf = _mm512_maskz_mov_epi16(finite, v);
        mx = _mm512_max_epu16(mx, af);
        _mm512_storeu_si512(cellRowMax + c, _mm512_max_epu16(_mm512_loadu_si512(cellRowMax + c), af));
        addSquares16(_mm512_castsi512_si256(vf), bf16, colSq + c);
        addSquares16(_mm512_extracti64x4_epi64(vf, 1), bf16, colSq + c + 16);
    }
    avx2::countCodesOf(w, c, counts);
    const __m256i m256 = _mm256_max_epu16(_mm512_castsi512_si256(mx), _mm512_extracti64x4_epi64(mx, 1));
    alignas(32) std::uint16_t k[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(k), m256);
    std::uint16_t m = 0;
    for (std::uint16_t x : k) m = x > m ? x : m;
    nonFinite = nonFinite || bad != 0;
    // The rest (fewer than 32 codes) as the AVX2 kernel does it.
    const std::uint16_t rest = avx2::code16Row(w + 2 * c, n - c, fmt, counts, cellRowMax + c, colSq + c, nonFinite);
    return rest > m ? rest : m;
}

// code16Row's operations on up to kTileRows rows: per 32 columns the cell maxima and the
// column sums are loaded once, take the rows in order (the same additions in the same order
// as row after row: the same bits), and are stored once.
CONDENSE_ANALYSIS_AVX512 void code16Tile(const std::byte* const* rows, int k, std::uint64_t n, const Code16Format& fmt,
                                         std::uint32_t* counts, std::uint16_t* cellRowMax, double* colSq, bool& nonFinite,
                                         std::uint16_t* rowMax)
{
    const __m512i magnitude = _mm512_set1_epi16(0x7fff);
    const __m512i limit = _mm512_set1_epi16(static_cast<short>(fmt.nonFinite));
    const bool bf16 = fmt.bf16;
    __m512i mx[kTileRows];
    for (__m512i& m : mx) m = _mm512_setzero_si512();
    __mmask32 bad = 0;
    std::uint64_t c = 0;
    for (; c + 32 <= n; c += 32) {
        __m512i cm = _mm512_loadu_si512(cellRowMax + c);
        __m512d s0 = _mm512_loadu_pd(colSq + c), s1 = _mm512_loadu_pd(colSq + c + 8);
        __m512d s2 = _mm512_loadu_pd(colSq + c + 16), s3 = _mm512_loadu_pd(colSq + c + 24);
        for (int i = 0; i < k; ++i) {
            const __m512i v = _mm512_loadu_si512(rows[i] + 2 * c);
            const __m512i a = _mm512_and_si512(v, magnitude);
            const __mmask32 finite = _mm512_cmplt_epu16_mask(a, limit);
            bad |= static_cast<__mmask32>(~finite);
            const __m512i af = _mm512_maskz_mov_epi16(finite, a), vf = _mm512_maskz_mov_epi16(finite, v);
            mx[i] = _mm512_max_epu16(mx[i], af);
            cm = _mm512_max_epu16(cm, af);
            const __m512 xl = widen16(_mm512_castsi512_si256(vf), bf16), xh = widen16(_mm512_extracti64x4_epi64(vf, 1), bf16);
            const __m512 ql = _mm512_mul_ps(xl, xl), qh = _mm512_mul_ps(xh, xh); // exact
            s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm512_castps512_ps256(ql)));
            s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(ql), 1))));
            s2 = _mm512_add_pd(s2, _mm512_cvtps_pd(_mm512_castps512_ps256(qh)));
            s3 = _mm512_add_pd(s3, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(qh), 1))));
        }
        _mm512_storeu_si512(cellRowMax + c, cm);
        _mm512_storeu_pd(colSq + c, s0);
        _mm512_storeu_pd(colSq + c + 8, s1);
        _mm512_storeu_pd(colSq + c + 16, s2);
        _mm512_storeu_pd(colSq + c + 24, s3);
    }
    nonFinite = nonFinite || bad != 0;
    for (int i = 0; i < k; ++i) {
        avx2::countCodesOf(rows[i], c, counts);
        const __m256i m256 = _mm256_max_epu16(_mm512_castsi512_si256(mx[i]), _mm512_extracti64x4_epi64(mx[i], 1));
        alignas(32) std::uint16_t lanes[16];
        _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), m256);
        std::uint16_t m = 0;
        for (std::uint16_t x : lanes) m = x > m ? x : m;
        // The rest (fewer than 32 columns) row after row, as the AVX2 kernel does it.
        const std::uint16_t rest = avx2::code16Row(rows[i] + 2 * c, n - c, fmt, counts, cellRowMax + c, colSq + c, nonFinite);
        rowMax[i] = rest > m ? rest : m;
    }
}

namespace {

// Eight lanes of rowError (values w[0..7]) into their registers: errorTail's operations.
CONDENSE_ANALYSIS_AVX512 inline void errorStep512(const float* w, const float* y, const float* imp, __m512d& e2, __m512d& r2,
                                                  __m512d& we2, __m512d& wr2, __m512d& mx)
{
    const __m512d inf = _mm512_set1_pd(std::numeric_limits<double>::infinity());
    const __m512d x = _mm512_cvtps_pd(_mm256_loadu_ps(w));
    __m512d e = _mm512_sub_pd(x, _mm512_cvtps_pd(_mm256_loadu_ps(y)));
    e = _mm512_mask_mov_pd(e, _mm512_cmp_pd_mask(e, e, _CMP_UNORD_Q), inf); // NaN -> inf (errorTail)
    e2 = _mm512_add_pd(e2, _mm512_mul_pd(e, e));
    r2 = _mm512_add_pd(r2, _mm512_mul_pd(x, x));
    mx = _mm512_max_pd(mx, _mm512_abs_pd(e));
    if (imp) {
        const __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(imp));
        const __mmask8 weighted = _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_NEQ_UQ);
        we2 = _mm512_add_pd(we2, _mm512_maskz_mov_pd(weighted, _mm512_mul_pd(_mm512_mul_pd(v, e), e)));
        wr2 = _mm512_add_pd(wr2, _mm512_mul_pd(_mm512_mul_pd(v, x), x));
    }
}

} // namespace

// rowError with lanes 8k .. 8k + 7 in register set k (lane l = value c + l): the scalar sums.
CONDENSE_ANALYSIS_AVX512 void rowError(const float* w, const float* y, const float* imp, std::uint64_t n, ErrorSums& s)
{
    __m512d e2[2], r2[2], we2[2], wr2[2], mx[2];
    for (int k = 0; k < 2; ++k) e2[k] = r2[k] = we2[k] = wr2[k] = mx[k] = _mm512_setzero_pd();
    std::uint64_t c = 0;
    for (; c + 16 <= n; c += 16)
        for (int k = 0; k < 2; ++k) { // lanes 8k .. 8k + 7
            const std::uint64_t at = c + 8 * static_cast<std::uint64_t>(k);
            errorStep512(w + at, y + at, imp ? imp + at : nullptr, e2[k], r2[k], we2[k], wr2[k], mx[k]);
        }
    double lanes[5][kErrorLanes];
    for (int k = 0; k < 2; ++k) {
        _mm512_storeu_pd(lanes[0] + 8 * k, e2[k]);
        _mm512_storeu_pd(lanes[1] + 8 * k, r2[k]);
        _mm512_storeu_pd(lanes[2] + 8 * k, we2[k]);
        _mm512_storeu_pd(lanes[3] + 8 * k, wr2[k]);
        _mm512_storeu_pd(lanes[4] + 8 * k, mx[k]);
    }
    errorTail(w, y, imp, c, n, lanes, s);
}

#undef CONDENSE_ANALYSIS_AVX512

} // namespace condense::analysis::detail::avx512

namespace condense::analysis::detail::avx2 {

namespace {

// Largest of 8 u16 lanes (minpos of the complement).
inline std::uint16_t hmax16(__m128i x)
{
    const __m128i ones = _mm_set1_epi16(-1);
    return static_cast<std::uint16_t>(~_mm_cvtsi128_si32(_mm_minpos_epu16(_mm_xor_si128(x, ones))));
}

} // namespace

void code16Pool(std::uint16_t* rowMax, std::uint64_t cols, const std::uint32_t* colBegin, std::uint32_t cellCols,
                std::uint16_t* cellMax, std::uint16_t* colMax)
{
    // Cells: overlapping loads inside a cell are harmless for a maximum.
    for (std::uint32_t j = 0; j < cellCols; ++j) {
        const std::uint32_t b = colBegin[j], e = colBegin[j + 1];
        if (e - b >= 16) {
            __m256i m = _mm256_setzero_si256();
            std::uint32_t c = b;
            for (; c + 16 <= e; c += 16) m = _mm256_max_epu16(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rowMax + c)));
            if (c < e) m = _mm256_max_epu16(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rowMax + e - 16)));
            cellMax[j] = hmax16(_mm_max_epu16(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1)));
        } else if (e - b >= 8) {
            cellMax[j] = hmax16(_mm_max_epu16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rowMax + b)),
                                              _mm_loadu_si128(reinterpret_cast<const __m128i*>(rowMax + e - 8))));
        } else {
            std::uint16_t m = 0;
            for (std::uint32_t c = b; c < e; ++c) m = rowMax[c] > m ? rowMax[c] : m;
            cellMax[j] = m;
        }
    }
    const __m256i zero = _mm256_setzero_si256();
    std::uint64_t c = 0;
    for (; c + 16 <= cols; c += 16) {
        auto* r = reinterpret_cast<__m256i*>(rowMax + c);
        auto* m = reinterpret_cast<__m256i*>(colMax + c);
        _mm256_storeu_si256(m, _mm256_max_epu16(_mm256_loadu_si256(m), _mm256_loadu_si256(r)));
        _mm256_storeu_si256(r, zero);
    }
    for (; c < cols; ++c) {
        colMax[c] = rowMax[c] > colMax[c] ? rowMax[c] : colMax[c];
        rowMax[c] = 0;
    }
}

float finiteRow(const float* w, std::uint64_t n, const RowParams& p, RowSums& s, std::int32_t* slots, float* cellRowMax,
                double* colSq)
{
    const __m256 ms = _mm256_set1_ps(p.ms), lo = _mm256_set1_ps(p.lo), scale = _mm256_set1_ps(p.scale);
    const __m256 lo3 = _mm256_set1_ps(p.lo3), hi3 = _mm256_set1_ps(p.hi3), lo6 = _mm256_set1_ps(p.lo6), hi6 = _mm256_set1_ps(p.hi6);
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 zero = _mm256_setzero_ps(), minusOne = _mm256_set1_ps(-1.0f), top = _mm256_set1_ps(256.0f);
    const __m256 fltMax = _mm256_set1_ps(3.4028235e38f);
    const __m256i one = _mm256_set1_epi32(1);
    __m256 mn = _mm256_set1_ps(s.mn), mx = _mm256_set1_ps(s.mx), rowMax = zero;
    __m256i zeros = _mm256_setzero_si256(), b3 = zeros, b6 = zeros;
    __m256d d1l = _mm256_loadu_pd(s.d1.data()), d1h = _mm256_loadu_pd(s.d1.data() + 4);
    __m256d d2l = _mm256_loadu_pd(s.d2.data()), d2h = _mm256_loadu_pd(s.d2.data() + 4);
    __m256d d3l = _mm256_loadu_pd(s.d3.data()), d3h = _mm256_loadu_pd(s.d3.data() + 4);
    __m256d d4l = _mm256_loadu_pd(s.d4.data()), d4h = _mm256_loadu_pd(s.d4.data() + 4);
    std::uint64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256 a1 = zero, a2 = zero, a3 = zero, a4 = zero;
        for (std::uint64_t j = 0; j < 64; j += 8) {
            const std::uint64_t c = i + j;
            const __m256 x = _mm256_loadu_ps(w + c);
            const __m256 d = _mm256_sub_ps(x, ms);
            const __m256 q = _mm256_mul_ps(d, d);
            a1 = _mm256_add_ps(a1, d);
            a2 = _mm256_add_ps(a2, q);
            a3 = _mm256_add_ps(a3, _mm256_mul_ps(q, d));
            a4 = _mm256_add_ps(a4, _mm256_mul_ps(q, q));
            mn = _mm256_min_ps(mn, x);
            mx = _mm256_max_ps(mx, x);
            zeros = _mm256_sub_epi32(zeros, _mm256_castps_si256(_mm256_cmp_ps(x, zero, _CMP_EQ_OQ)));
            const __m256 t = _mm256_mul_ps(_mm256_sub_ps(x, lo), scale);
            const __m256 tc = _mm256_min_ps(_mm256_max_ps(t, minusOne), top);
            const __m256i slot = _mm256_add_epi32(_mm256_cvttps_epi32(tc), one);
            const __m256i under = _mm256_castps_si256(_mm256_cmp_ps(t, zero, _CMP_LT_OQ));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(slots + c), _mm256_andnot_si256(under, slot));
            const __m256 ad = _mm256_and_ps(d, absMask);
            b3 = _mm256_sub_epi32(b3, _mm256_castps_si256(_mm256_cmp_ps(ad, hi3, _CMP_GT_OQ)));
            b6 = _mm256_sub_epi32(b6, _mm256_castps_si256(_mm256_cmp_ps(ad, hi6, _CMP_GT_OQ)));
            const int m3 = _mm256_movemask_ps(_mm256_and_ps(_mm256_cmp_ps(ad, lo3, _CMP_GE_OQ), _mm256_cmp_ps(ad, hi3, _CMP_LE_OQ)));
            const int m6 = _mm256_movemask_ps(_mm256_and_ps(_mm256_cmp_ps(ad, lo6, _CMP_GE_OQ), _mm256_cmp_ps(ad, hi6, _CMP_LE_OQ)));
            if (m3 | m6) {
                for (int l = 0; l < 8; ++l) {
                    if (m3 & (1 << l)) s.candidates[0].push_back(w[c + static_cast<std::uint64_t>(l)]);
                    if (m6 & (1 << l)) s.candidates[1].push_back(w[c + static_cast<std::uint64_t>(l)]);
                }
            }
            const __m256 a = _mm256_and_ps(x, absMask);
            _mm256_storeu_ps(cellRowMax + c, _mm256_max_ps(_mm256_loadu_ps(cellRowMax + c), a));
            const __m256d xl = _mm256_cvtps_pd(_mm256_castps256_ps128(x)), xh = _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1));
            _mm256_storeu_pd(colSq + c, _mm256_add_pd(_mm256_loadu_pd(colSq + c), _mm256_mul_pd(xl, xl)));
            _mm256_storeu_pd(colSq + c + 4, _mm256_add_pd(_mm256_loadu_pd(colSq + c + 4), _mm256_mul_pd(xh, xh)));
            rowMax = _mm256_max_ps(rowMax, a);
        }
        if (_mm256_movemask_ps(_mm256_cmp_ps(a4, fltMax, _CMP_LE_OQ)) == 0xff) {
            d1l = _mm256_add_pd(d1l, _mm256_cvtps_pd(_mm256_castps256_ps128(a1)));
            d1h = _mm256_add_pd(d1h, _mm256_cvtps_pd(_mm256_extractf128_ps(a1, 1)));
            d2l = _mm256_add_pd(d2l, _mm256_cvtps_pd(_mm256_castps256_ps128(a2)));
            d2h = _mm256_add_pd(d2h, _mm256_cvtps_pd(_mm256_extractf128_ps(a2, 1)));
            d3l = _mm256_add_pd(d3l, _mm256_cvtps_pd(_mm256_castps256_ps128(a3)));
            d3h = _mm256_add_pd(d3h, _mm256_cvtps_pd(_mm256_extractf128_ps(a3, 1)));
            d4l = _mm256_add_pd(d4l, _mm256_cvtps_pd(_mm256_castps256_ps128(a4)));
            d4h = _mm256_add_pd(d4h, _mm256_cvtps_pd(_mm256_extractf128_ps(a4, 1)));
        } else {
            blockMomentsDouble(w + i, 64, p.ms, s);
        }
    }
    _mm256_storeu_pd(s.d1.data(), d1l);
    _mm256_storeu_pd(s.d1.data() + 4, d1h);
    _mm256_storeu_pd(s.d2.data(), d2l);
    _mm256_storeu_pd(s.d2.data() + 4, d2h);
    _mm256_storeu_pd(s.d3.data(), d3l);
    _mm256_storeu_pd(s.d3.data() + 4, d3h);
    _mm256_storeu_pd(s.d4.data(), d4l);
    _mm256_storeu_pd(s.d4.data() + 4, d4h);
    alignas(32) float f[8];
    alignas(32) std::int32_t k[8];
    _mm256_store_ps(f, mn);
    for (float v : f) s.mn = v < s.mn ? v : s.mn;
    _mm256_store_ps(f, mx);
    for (float v : f) s.mx = v > s.mx ? v : s.mx;
    float rm = 0.0f;
    _mm256_store_ps(f, rowMax);
    for (float v : f) rm = v > rm ? v : rm;
    _mm256_store_si256(reinterpret_cast<__m256i*>(k), zeros);
    for (std::int32_t v : k) s.zeros += static_cast<std::uint64_t>(v);
    _mm256_store_si256(reinterpret_cast<__m256i*>(k), b3);
    for (std::int32_t v : k) s.beyond[0] += static_cast<std::uint64_t>(v);
    _mm256_store_si256(reinterpret_cast<__m256i*>(k), b6);
    for (std::int32_t v : k) s.beyond[1] += static_cast<std::uint64_t>(v);
    for (; i < n; ++i) {
        const float a = finiteValue(w[i], i, p, s, slots, cellRowMax, colSq);
        rm = a > rm ? a : rm;
    }
    s.finite += n;
    countSlots(slots, n, s);
    return rm;
}

namespace {

// Four lanes' worth of rowError: e, x, v (importance) of 4 values into the lane registers.
inline void errorStep(__m256d x, __m256d y, const float* imp, __m256d& e2, __m256d& r2, __m256d& we2, __m256d& wr2, __m256d& mx)
{
    const __m256d signMask = _mm256_set1_pd(-0.0), inf = _mm256_set1_pd(std::numeric_limits<double>::infinity());
    __m256d e = _mm256_sub_pd(x, y);
    e = _mm256_blendv_pd(e, inf, _mm256_cmp_pd(e, e, _CMP_UNORD_Q)); // NaN -> inf (errorTail)
    e2 = _mm256_add_pd(e2, _mm256_mul_pd(e, e));
    r2 = _mm256_add_pd(r2, _mm256_mul_pd(x, x));
    mx = _mm256_max_pd(mx, _mm256_andnot_pd(signMask, e));
    if (imp) {
        const __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(imp));
        const __m256d noWeight = _mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_EQ_OQ);
        we2 = _mm256_add_pd(we2, _mm256_andnot_pd(noWeight, _mm256_mul_pd(_mm256_mul_pd(v, e), e)));
        wr2 = _mm256_add_pd(wr2, _mm256_mul_pd(_mm256_mul_pd(v, x), x));
    }
}

} // namespace

// Lanes 4k .. 4k + 3 in register set k (lane l = value c + l).
void rowError(const float* w, const float* y, const float* imp, std::uint64_t n, ErrorSums& s)
{
    __m256d e2[4], r2[4], we2[4], wr2[4], mx[4];
    for (int k = 0; k < 4; ++k) e2[k] = r2[k] = we2[k] = wr2[k] = mx[k] = _mm256_setzero_pd();
    std::uint64_t c = 0;
    for (; c + 16 <= n; c += 16)
        for (int k = 0; k < 4; ++k) {
            const std::uint64_t at = c + 4 * static_cast<std::uint64_t>(k);
            errorStep(_mm256_cvtps_pd(_mm_loadu_ps(w + at)), _mm256_cvtps_pd(_mm_loadu_ps(y + at)), imp ? imp + at : nullptr, e2[k],
                      r2[k], we2[k], wr2[k], mx[k]);
        }
    double lanes[5][kErrorLanes];
    for (int k = 0; k < 4; ++k) {
        _mm256_storeu_pd(lanes[0] + 4 * k, e2[k]);
        _mm256_storeu_pd(lanes[1] + 4 * k, r2[k]);
        _mm256_storeu_pd(lanes[2] + 4 * k, we2[k]);
        _mm256_storeu_pd(lanes[3] + 4 * k, wr2[k]);
        _mm256_storeu_pd(lanes[4] + 4 * k, mx[k]);
    }
    errorTail(w, y, imp, c, n, lanes, s);
}

#else

std::uint16_t code16Row(const std::byte*, std::uint64_t, const Code16Format&, std::uint32_t*, std::uint16_t*, double*, bool&)
{
    return 0;
}

void rowError(const float*, const float*, const float*, std::uint64_t, ErrorSums&) {}

void code16Pool(std::uint16_t*, std::uint64_t, const std::uint32_t*, std::uint32_t, std::uint16_t*, std::uint16_t*) {}

bool hasNonFiniteCode(const std::byte*, std::uint64_t, std::uint16_t) { return false; }

void code16Tile(const std::byte* const*, int, std::uint64_t, const Code16Format&, std::uint32_t*, std::uint16_t*, double*, bool&,
                std::uint16_t*)
{
}

} // namespace condense::analysis::detail::avx2

namespace condense::analysis::detail::avx512 {

bool supported() noexcept
{
    return false;
}

std::uint16_t code16Row(const std::byte*, std::uint64_t, const Code16Format&, std::uint32_t*, std::uint16_t*, double*, bool&)
{
    return 0;
}

void rowError(const float*, const float*, const float*, std::uint64_t, ErrorSums&) {}

void code16Tile(const std::byte* const*, int, std::uint64_t, const Code16Format&, std::uint32_t*, std::uint16_t*, double*, bool&,
                std::uint16_t*)
{
}

} // namespace condense::analysis::detail::avx512

namespace condense::analysis::detail::avx2 {

bool supported() noexcept
{
    return false;
}

float finiteRow(const float*, std::uint64_t, const RowParams&, RowSums&, std::int32_t*, float*, double*)
{
    return 0.0f;
}

#endif

} // namespace condense::analysis::detail::avx2
