// AVX2 image of row_kernels.cpp's finiteRowScalar: the same operations lane for lane.
#include "core/analysis/row_kernels.h"

#include <cmath>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace condense::analysis::detail::avx2 {

#if defined(__AVX2__)

bool supported() noexcept
{
    return CpuFeatures::host().avx2;
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

void rowError(const float* w, const float* y, const float* imp, std::uint64_t n, ErrorSums& s)
{
    const __m256d signMask = _mm256_set1_pd(-0.0);
    __m256d e2 = _mm256_setzero_pd(), r2 = e2, we2 = e2, wr2 = e2, mx = e2;
    std::uint64_t c = 0;
    for (; c + 4 <= n; c += 4) {
        const __m256d x = _mm256_cvtps_pd(_mm_loadu_ps(w + c));
        const __m256d e = _mm256_sub_pd(x, _mm256_cvtps_pd(_mm_loadu_ps(y + c)));
        e2 = _mm256_add_pd(e2, _mm256_mul_pd(e, e));
        r2 = _mm256_add_pd(r2, _mm256_mul_pd(x, x));
        mx = _mm256_max_pd(mx, _mm256_andnot_pd(signMask, e));
        if (imp) {
            const __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(imp + c));
            we2 = _mm256_add_pd(we2, _mm256_mul_pd(_mm256_mul_pd(v, e), e));
            wr2 = _mm256_add_pd(wr2, _mm256_mul_pd(_mm256_mul_pd(v, x), x));
        }
    }
    double lanes[5][4];
    _mm256_storeu_pd(lanes[0], e2);
    _mm256_storeu_pd(lanes[1], r2);
    _mm256_storeu_pd(lanes[2], we2);
    _mm256_storeu_pd(lanes[3], wr2);
    _mm256_storeu_pd(lanes[4], mx);
    errorTail(w, y, imp, c, n, lanes, s);
}

#else

void rowError(const float*, const float*, const float*, std::uint64_t, ErrorSums&) {}

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
