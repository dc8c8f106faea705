#include "core/quant/quant_avx2.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "core/common/cpu_features.h"
#include "core/quant/block_types.h"
#include "core/quant/q8_0.h"
#include "core/tensor/float_convert.h"

#if defined(__AVX2__) && defined(__F16C__)
#include <immintrin.h>
#else
#include "core/quant/iq4_nl.h"
#include "core/quant/iq4_xs.h"
#include "core/quant/q2_k.h"
#include "core/quant/q3_k.h"
#include "core/quant/q4_0.h"
#include "core/quant/q4_1.h"
#include "core/quant/q4_k.h"
#include "core/quant/q5_0.h"
#include "core/quant/q5_1.h"
#include "core/quant/q5_k.h"
#include "core/quant/q6_k.h"
#endif

namespace condense::quant::avx2 {

#if defined(__AVX2__) && defined(__F16C__)

namespace {

// ---- lane primitives, each the exact vector image of a scalar step --------------------------

inline __m256 ld(const float* p)
{
    return _mm256_loadu_ps(p);
}
inline __m256 splat(float v)
{
    return _mm256_set1_ps(v);
}
inline __m256 absPs(__m256 v)
{
    return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}
inline __m256 negPs(__m256 v)
{
    return _mm256_xor_ps(_mm256_set1_ps(-0.0f), v);
}
inline __m256 select(__m256 a, __m256 b, __m256 mask)
{
    return _mm256_blendv_ps(a, b, mask);
} // mask ? b : a
inline __m256i selectI(__m256i a, __m256i b, __m256 mask)
{
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), mask));
}
inline __m256 gt(__m256 a, __m256 b)
{
    return _mm256_cmp_ps(a, b, _CMP_GT_OQ);
}
inline __m256 lt(__m256 a, __m256 b)
{
    return _mm256_cmp_ps(a, b, _CMP_LT_OQ);
}

// nearestInt(): add 1.5*2^23, keep the low mantissa bits.
inline __m256i nearestInt8(__m256 f)
{
    const __m256i bits = _mm256_castps_si256(_mm256_add_ps(f, splat(12582912.0f)));
    return _mm256_sub_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x00400000));
}
inline __m256i clampI(__m256i v, int lo, int hi)
{
    return _mm256_max_epi32(_mm256_set1_epi32(lo), _mm256_min_epi32(_mm256_set1_epi32(hi), v));
}
inline __m256 toF(__m256i v)
{
    return _mm256_cvtepi32_ps(v);
}

// makeQkxQuants for 8 independent sub-blocks at once. xt/wt: n rows of 8 lanes (row i holds
// element i of every sub-block). Lt: n rows of 8 levels. Mirrors quant_helpers.cpp line by line.
void makeQkxQuantsX8(int n, int nmax, const float* xt, const float* wt, __m256i* Lt, float* scaleOut, float* theMinOut,
                     float rmin, float rdelta, int nstep, bool useMad)
{
    const __m256 zero = _mm256_setzero_ps();
    __m256 mn = ld(xt), mx = mn;
    __m256 sumW = ld(wt);
    __m256 sumX = _mm256_mul_ps(sumW, ld(xt));
    for (int i = 1; i < n; ++i) {
        const __m256 x = ld(xt + 8 * i), w = ld(wt + 8 * i);
        mn = _mm256_min_ps(x, mn); // (x < min) ? x : min
        mx = _mm256_max_ps(x, mx); // (x > max) ? x : max
        sumW = _mm256_add_ps(sumW, w);
        sumX = _mm256_add_ps(sumX, _mm256_mul_ps(w, x));
    }
    mn = select(mn, zero, gt(mn, zero));
    const __m256 degenerate = _mm256_cmp_ps(mx, mn, _CMP_LE_OQ);
    auto err = [useMad](__m256 d) { return useMad ? absPs(d) : _mm256_mul_ps(d, d); };

    __m256 iscale = _mm256_div_ps(splat(static_cast<float>(nmax)), _mm256_sub_ps(mx, mn));
    __m256 scale = _mm256_div_ps(splat(1.0f), iscale);
    __m256 bestErr = zero;
    for (int i = 0; i < n; ++i) {
        const __m256 x = ld(xt + 8 * i), w = ld(wt + 8 * i);
        Lt[i] = clampI(nearestInt8(_mm256_mul_ps(iscale, _mm256_sub_ps(x, mn))), 0, nmax);
        const __m256 diff = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(scale, toF(Lt[i])), mn), x);
        bestErr = _mm256_add_ps(bestErr, _mm256_mul_ps(w, err(diff)));
    }
    __m256i Laux[32];
    for (int is = 0; nstep >= 1 && is <= nstep; ++is) {
        const float num = rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax);
        iscale = _mm256_div_ps(splat(num), _mm256_sub_ps(mx, mn)); // min may have moved
        __m256 sumL = zero, sumL2 = zero, sumXL = zero;
        for (int i = 0; i < n; ++i) {
            const __m256 x = ld(xt + 8 * i), w = ld(wt + 8 * i);
            Laux[i] = clampI(nearestInt8(_mm256_mul_ps(iscale, _mm256_sub_ps(x, mn))), 0, nmax);
            const __m256 wl = _mm256_mul_ps(w, toF(Laux[i]));
            sumL = _mm256_add_ps(sumL, wl);
            sumL2 = _mm256_add_ps(sumL2, _mm256_mul_ps(wl, toF(Laux[i])));
            sumXL = _mm256_add_ps(sumXL, _mm256_mul_ps(wl, x));
        }
        const __m256 D = _mm256_sub_ps(_mm256_mul_ps(sumW, sumL2), _mm256_mul_ps(sumL, sumL));
        __m256 thisScale = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sumW, sumXL), _mm256_mul_ps(sumX, sumL)), D);
        __m256 thisMin = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sumL2, sumX), _mm256_mul_ps(sumL, sumXL)), D);
        const __m256 positive = gt(thisMin, zero);
        thisMin = select(thisMin, zero, positive);
        thisScale = select(thisScale, _mm256_div_ps(sumXL, sumL2), positive);
        __m256 curErr = zero;
        for (int i = 0; i < n; ++i) {
            const __m256 x = ld(xt + 8 * i), w = ld(wt + 8 * i);
            const __m256 diff = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(thisScale, toF(Laux[i])), thisMin), x);
            curErr = _mm256_add_ps(curErr, _mm256_mul_ps(w, err(diff)));
        }
        const __m256 accept = _mm256_and_ps(gt(D, zero), lt(curErr, bestErr));
        if (_mm256_movemask_ps(accept) == 0) continue;
        for (int i = 0; i < n; ++i)
            Lt[i] = selectI(Lt[i], Laux[i], accept);
        bestErr = select(bestErr, curErr, accept);
        scale = select(scale, thisScale, accept);
        mn = select(mn, thisMin, accept);
    }
    // Degenerate lanes returned early in the scalar code: L = 0, scale 0, the_min = -min.
    for (int i = 0; i < n; ++i)
        Lt[i] = selectI(Lt[i], _mm256_setzero_si256(), degenerate);
    _mm256_storeu_ps(scaleOut, select(scale, zero, degenerate));
    _mm256_storeu_ps(theMinOut, negPs(mn));
}

// makeQxQuants (rmse_type 1) for 8 independent sub-blocks; wt == nullptr means w = x^2.
// Lt receives the levels already offset by nmax.
void makeQxQuantsX8(int n, int nmax, const float* xt, const float* wt, __m256i* Lt, float* scaleOut)
{
    const __m256 zero = _mm256_setzero_ps();
    __m256 mx = zero, amax = zero;
    for (int i = 0; i < n; ++i) {
        const __m256 x = ld(xt + 8 * i), ax = absPs(x);
        const __m256 bigger = gt(ax, amax);
        amax = select(amax, ax, bigger);
        mx = select(mx, x, bigger);
    }
    const __m256 allZero = lt(amax, splat(kGroupMaxEps));
    auto weight = [&](int i, __m256 x) { return wt ? ld(wt + 8 * i) : _mm256_mul_ps(x, x); };
    // Accumulates the least-squares sums for inverse scale `iscale`, writing the levels to L.
    auto fit = [&](__m256 iscale, __m256i* L, __m256& sumlx, __m256& suml2) {
        sumlx = zero;
        suml2 = zero;
        for (int i = 0; i < n; ++i) {
            const __m256 x = ld(xt + 8 * i), w = weight(i, x);
            const __m256i l = clampI(nearestInt8(_mm256_mul_ps(iscale, x)), -nmax, nmax - 1);
            L[i] = _mm256_add_epi32(l, _mm256_set1_epi32(nmax));
            const __m256 fl = toF(l);
            sumlx = _mm256_add_ps(sumlx, _mm256_mul_ps(_mm256_mul_ps(w, x), fl));
            suml2 = _mm256_add_ps(suml2, _mm256_mul_ps(_mm256_mul_ps(w, fl), fl));
        }
    };
    __m256 sumlx, suml2;
    fit(_mm256_div_ps(splat(static_cast<float>(-nmax)), mx), Lt, sumlx, suml2);
    __m256 scale = select(zero, _mm256_div_ps(sumlx, suml2), _mm256_cmp_ps(suml2, zero, _CMP_NEQ_UQ));
    __m256 best = _mm256_mul_ps(scale, sumlx);
    __m256i Laux[16];
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        const float num = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is));
        fit(_mm256_div_ps(splat(num), mx), Laux, sumlx, suml2);
        const __m256 accept =
            _mm256_and_ps(gt(suml2, zero), gt(_mm256_mul_ps(sumlx, sumlx), _mm256_mul_ps(best, suml2)));
        if (_mm256_movemask_ps(accept) == 0) continue;
        for (int i = 0; i < n; ++i)
            Lt[i] = selectI(Lt[i], Laux[i], accept);
        const __m256 newScale = _mm256_div_ps(sumlx, suml2);
        scale = select(scale, newScale, accept);
        best = select(best, _mm256_mul_ps(newScale, sumlx), accept);
    }
    for (int i = 0; i < n; ++i)
        Lt[i] = selectI(Lt[i], _mm256_setzero_si256(), allZero);
    _mm256_storeu_ps(scaleOut, select(scale, zero, allZero));
}

// Low byte of each int32 (C's int -> int8 conversion), 32 values -> 32 bytes in order.
inline void storeLowBytes(const __m256i v[4], void* out)
{
    const __m256i m = _mm256_set1_epi32(0xFF);
    const __m256i a = _mm256_packus_epi32(_mm256_and_si256(v[0], m), _mm256_and_si256(v[1], m));
    const __m256i b = _mm256_packus_epi32(_mm256_and_si256(v[2], m), _mm256_and_si256(v[3], m));
    const __m256i c = _mm256_packus_epi16(a, b);
    _mm256_storeu_si256(static_cast<__m256i*>(out),
                        _mm256_permutevar8x32_epi32(c, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}

void scaleMinSuperBlock(const float* x, const float* qw, const ScaleMinParams& p, std::uint8_t* scales12,
                        std::uint16_t* d, std::uint16_t* dmin, std::uint8_t* L)
{
    // Transpose: row l holds element l of the 8 sub-blocks.
    alignas(32) float xt[32 * 8], wt[32 * 8];
    for (int j = 0; j < 8; ++j)
        for (int l = 0; l < 32; ++l)
            xt[8 * l + j] = x[32 * j + l];

    __m256i Lt[32];
    alignas(32) float scales[8], mins[8];
    std::uint8_t ls[8], lm[8];
    if (!qw) {
        __m256 sumX2 = _mm256_setzero_ps();
        for (int l = 0; l < 32; ++l)
            sumX2 = _mm256_add_ps(sumX2, _mm256_mul_ps(ld(xt + 8 * l), ld(xt + 8 * l)));
        const __m256 av = _mm256_sqrt_ps(_mm256_div_ps(sumX2, splat(32.0f)));
        for (int l = 0; l < 32; ++l)
            _mm256_storeu_ps(wt + 8 * l, _mm256_add_ps(av, absPs(ld(xt + 8 * l))));
        makeQkxQuantsX8(32, p.nmax, xt, wt, Lt, scales, mins, p.rmin, p.rdelta, p.nstep, false);
        float maxScale = 0.0f, maxMin = 0.0f;
        for (int j = 0; j < 8; ++j) {
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        const float invScale = maxScale > 0.0f ? 63.0f / maxScale : 0.0f;
        const float invMin = maxMin > 0.0f ? 63.0f / maxMin : 0.0f;
        for (int j = 0; j < 8; ++j) {
            ls[j] = std::min<std::uint8_t>(63, static_cast<std::uint8_t>(nearestInt(invScale * scales[j])));
            lm[j] = std::min<std::uint8_t>(63, static_cast<std::uint8_t>(nearestInt(invMin * mins[j])));
        }
        *d = fp32ToFp16(maxScale / 63.0f);
        *dmin = fp32ToFp16(maxMin / 63.0f);
    } else {
        float sumX2 = 0.0f; // one sequential sum over the super-block, as in the scalar code
        for (int l = 0; l < kQKK; ++l)
            sumX2 += x[l] * x[l];
        const float sigma2 = 2.0f * sumX2 / static_cast<float>(kQKK);
        for (int j = 0; j < 8; ++j)
            for (int l = 0; l < 32; ++l)
                wt[8 * l + j] = qw[32 * j + l];
        __m256 sw = _mm256_setzero_ps();
        for (int l = 0; l < 32; ++l) {
            const __m256 xv = ld(xt + 8 * l);
            const __m256 w =
                _mm256_mul_ps(ld(wt + 8 * l), _mm256_sqrt_ps(_mm256_add_ps(splat(sigma2), _mm256_mul_ps(xv, xv))));
            _mm256_storeu_ps(wt + 8 * l, w);
            sw = _mm256_add_ps(sw, w);
        }
        alignas(32) float swArr[8];
        _mm256_storeu_ps(swArr, sw);
        makeQkxQuantsX8(32, p.nmax, xt, wt, Lt, scales, mins, -0.9f, 0.05f, 36, false);
        const float dBlock = makeQpQuants(8, 63, scales, ls, swArr);
        const float mBlock = makeQpQuants(8, 63, mins, lm, swArr);
        if (p.clampImportanceCodes) {
            for (int j = 0; j < 8; ++j) {
                ls[j] = std::min<std::uint8_t>(63, ls[j]);
                lm[j] = std::min<std::uint8_t>(63, lm[j]);
            }
        }
        *d = fp32ToFp16(dBlock);
        *dmin = fp32ToFp16(mBlock);
    }
    packScaleMinK4(ls, lm, scales12);

    // Untranspose the search's levels, then re-derive them from the stored scales.
    alignas(32) std::int32_t row[8];
    for (int l = 0; l < 32; ++l) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(row), Lt[l]);
        for (int j = 0; j < 8; ++j)
            L[32 * j + l] = static_cast<std::uint8_t>(row[j]);
    }
    const float df = fp16ToFp32(*d);
    const float dminf = fp16ToFp32(*dmin);
    for (int j = 0; j < 8; ++j) {
        std::uint8_t sc, m;
        getScaleMinK4(j, scales12, &sc, &m);
        const float dl = df * static_cast<float>(sc);
        if (dl == 0.0f) continue;
        const __m256 dlv = splat(dl), mlv = splat(dminf * static_cast<float>(m));
        __m256i q[4];
        for (int k = 0; k < 4; ++k)
            q[k] = clampI(nearestInt8(_mm256_div_ps(_mm256_add_ps(ld(x + 32 * j + 8 * k), mlv), dlv)), 0, p.nmax);
        storeLowBytes(q, L + 32 * j);
    }
}

// Copies the 8 sub-blocks of group g (sub-blocks 8g..8g+7 of 16 elements) into lane order.
void transpose16(const float* src, int g, float* dst)
{
    for (int k = 0; k < 8; ++k)
        for (int i = 0; i < 16; ++i)
            dst[8 * i + k] = src[16 * (8 * g + k) + i];
}

template <typename T> void untranspose16(const __m256i* Lt, int g, T* L)
{
    alignas(32) std::int32_t row[8];
    for (int i = 0; i < 16; ++i) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(row), Lt[i]);
        for (int k = 0; k < 8; ++k)
            L[16 * (8 * g + k) + i] = static_cast<T>(row[k]);
    }
}

void qx16x16(const float* x, int nmax, const float* w, std::int8_t* L, float* scales)
{
    for (int g = 0; g < 2; ++g) {
        alignas(32) float xt[16 * 8], wt[16 * 8];
        transpose16(x, g, xt);
        if (w) transpose16(w, g, wt);
        __m256i Lt[16];
        makeQxQuantsX8(16, nmax, xt, w ? wt : nullptr, Lt, scales + 8 * g);
        untranspose16(Lt, g, L);
    }
}

// makeQ3Quants (x^2 weights, coordinate descent) for 8 independent sub-blocks. A lane whose
// pass changed nothing would change nothing in further passes either (same state, same
// decisions), so running the other lanes' extra passes leaves it exactly as the scalar code's
// early exit does.
void makeQ3QuantsX8(int n, int nmax, const float* xt, __m256i* Lt, float* scaleOut)
{
    const __m256 zero = _mm256_setzero_ps();
    __m256 mx = zero, amax = zero;
    for (int i = 0; i < n; ++i) {
        const __m256 x = ld(xt + 8 * i), ax = absPs(x);
        const __m256 bigger = gt(ax, amax);
        amax = select(amax, ax, bigger);
        mx = select(mx, x, bigger);
    }
    const __m256 allZero = lt(amax, splat(kGroupMaxEps));
    const __m256 iscale = _mm256_div_ps(splat(static_cast<float>(-nmax)), mx);
    __m256 sumlx = zero, suml2 = zero;
    for (int i = 0; i < n; ++i) {
        const __m256 x = ld(xt + 8 * i), w = _mm256_mul_ps(x, x);
        Lt[i] = clampI(nearestInt8(_mm256_mul_ps(iscale, x)), -nmax, nmax - 1);
        const __m256 fl = toF(Lt[i]);
        sumlx = _mm256_add_ps(sumlx, _mm256_mul_ps(_mm256_mul_ps(w, x), fl));
        suml2 = _mm256_add_ps(suml2, _mm256_mul_ps(_mm256_mul_ps(w, fl), fl));
    }
    for (int pass = 0; pass < 5; ++pass) {
        __m256 changed = zero;
        for (int i = 0; i < n; ++i) {
            const __m256 x = ld(xt + 8 * i), w = _mm256_mul_ps(x, x);
            const __m256 li = toF(Lt[i]);
            const __m256 wx = _mm256_mul_ps(w, x);
            // Scalar: slx = sumlx - w*x*L; if (slx > 0) { sl2 = ...; new level; if it differs,
            // add it back and accept when sl2 > 0 and slx^2*suml2 > sumlx^2*sl2 }.
            const __m256 slx0 = _mm256_sub_ps(sumlx, _mm256_mul_ps(wx, li));
            const __m256 sl20 = _mm256_sub_ps(suml2, _mm256_mul_ps(_mm256_mul_ps(w, li), li));
            const __m256i newL = clampI(nearestInt8(_mm256_div_ps(_mm256_mul_ps(x, sl20), slx0)), -nmax, nmax - 1);
            const __m256 differs =
                _mm256_castsi256_ps(_mm256_xor_si256(_mm256_cmpeq_epi32(newL, Lt[i]), _mm256_set1_epi32(-1)));
            const __m256 nl = toF(newL);
            const __m256 slx = _mm256_add_ps(slx0, _mm256_mul_ps(wx, nl));
            const __m256 sl2 = _mm256_add_ps(sl20, _mm256_mul_ps(_mm256_mul_ps(w, nl), nl));
            const __m256 better =
                gt(_mm256_mul_ps(_mm256_mul_ps(slx, slx), suml2), _mm256_mul_ps(_mm256_mul_ps(sumlx, sumlx), sl2));
            const __m256 accept =
                _mm256_and_ps(_mm256_and_ps(gt(slx0, zero), differs), _mm256_and_ps(gt(sl2, zero), better));
            Lt[i] = selectI(Lt[i], newL, accept);
            sumlx = select(sumlx, slx, accept);
            suml2 = select(suml2, sl2, accept);
            changed = _mm256_or_ps(changed, accept);
        }
        if (_mm256_movemask_ps(_mm256_andnot_ps(allZero, changed)) == 0) break;
    }
    for (int i = 0; i < n; ++i)
        Lt[i] = selectI(_mm256_add_epi32(Lt[i], _mm256_set1_epi32(nmax)), _mm256_setzero_si256(), allZero);
    const __m256 scale = select(zero, _mm256_div_ps(sumlx, suml2), gt(suml2, zero));
    _mm256_storeu_ps(scaleOut, select(scale, zero, allZero));
}

void q316x16(const float* x, int nmax, std::int8_t* L, float* scales)
{
    for (int g = 0; g < 2; ++g) {
        alignas(32) float xt[16 * 8];
        transpose16(x, g, xt);
        __m256i Lt[16];
        makeQ3QuantsX8(16, nmax, xt, Lt, scales + 8 * g);
        untranspose16(Lt, g, L);
    }
}

void qkx16x16(const float* x, const float* w, int nmax, std::uint8_t* L, float* scales, float* mins, float rmin,
              float rdelta, int nstep, bool useMad)
{
    for (int g = 0; g < 2; ++g) {
        alignas(32) float xt[16 * 8], wt[16 * 8];
        transpose16(x, g, xt);
        transpose16(w, g, wt);
        __m256i Lt[16];
        makeQkxQuantsX8(16, nmax, xt, wt, Lt, scales + 8 * g, mins + 8 * g, rmin, rdelta, nstep, useMad);
        untranspose16(Lt, g, L);
    }
}

// The codebook entry nearest to a, per lane, as iq4BestIndex picks it: inside the codebook's
// range the bracket v[mu-1] <= a < v[mu] is found by counting thresholds (the binary search
// finds the same bracket), then the same "a - lo < hi - a" test; below v[0] and above v[15]
// that test already yields the end values; NaN goes to v[15] like the scalar search.
inline __m256 iq4Lookup(__m256i idx)
{
    const __m256 lo = _mm256_setr_ps(-127, -104, -83, -65, -49, -35, -22, -10);
    const __m256 hi = _mm256_setr_ps(1, 13, 25, 38, 53, 69, 89, 113);
    return select(_mm256_permutevar8x32_ps(lo, idx), _mm256_permutevar8x32_ps(hi, idx),
                  _mm256_castsi256_ps(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(7))));
}

inline __m256i iq4NearestIndex(__m256 a)
{
    __m256i mu = _mm256_set1_epi32(1);
    for (int k = 1; k < 15; ++k)
        mu = _mm256_sub_epi32(
            mu, _mm256_castps_si256(_mm256_cmp_ps(a, splat(static_cast<float>(kIq4nlValues[k])), _CMP_GE_OQ)));
    const __m256i below = _mm256_sub_epi32(mu, _mm256_set1_epi32(1));
    const __m256 pickLow = lt(_mm256_sub_ps(a, iq4Lookup(below)), _mm256_sub_ps(iq4Lookup(mu), a));
    const __m256i idx = selectI(mu, below, pickLow);
    return selectI(idx, _mm256_set1_epi32(15), _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
}

// iq4BlockScale for 8 blocks, one per lane (xt/wt: 32 rows of 8 lanes).
void iq4BlockScaleX8(const float* xt, const float* wt, float* scaleOut)
{
    const __m256 zero = _mm256_setzero_ps();
    __m256 mx = zero, amax = zero;
    for (int j = 0; j < 32; ++j) {
        const __m256 x = ld(xt + 8 * j), ax = absPs(x);
        const __m256 bigger = gt(ax, amax);
        amax = select(amax, ax, bigger);
        mx = select(mx, x, bigger);
    }
    const __m256 allZero = lt(amax, splat(kGroupMaxEps));
    auto fit = [&](__m256 id, __m256& sumqx, __m256& sumq2) {
        sumqx = zero;
        sumq2 = zero;
        for (int j = 0; j < 32; ++j) {
            const __m256 x = ld(xt + 8 * j);
            const __m256 q = iq4Lookup(iq4NearestIndex(_mm256_mul_ps(id, x)));
            const __m256 wq = _mm256_mul_ps(ld(wt + 8 * j), q);
            sumqx = _mm256_add_ps(sumqx, _mm256_mul_ps(wq, x));
            sumq2 = _mm256_add_ps(sumq2, _mm256_mul_ps(wq, q));
        }
    };
    const float v0 = static_cast<float>(kIq4nlValues[0]);
    const __m256 d0 = _mm256_div_ps(negPs(mx), splat(v0));
    __m256 sumqx, sumq2;
    fit(_mm256_div_ps(splat(1.0f), d0), sumqx, sumq2);
    __m256 d = select(zero, _mm256_div_ps(sumqx, sumq2), gt(sumq2, zero));
    __m256 best = _mm256_mul_ps(d, sumqx);
    for (int itry = -7; itry <= 7; ++itry) {
        fit(_mm256_div_ps(splat(static_cast<float>(itry + kIq4nlValues[0])), mx), sumqx, sumq2);
        const __m256 accept =
            _mm256_and_ps(gt(sumq2, zero), gt(_mm256_mul_ps(sumqx, sumqx), _mm256_mul_ps(best, sumq2)));
        const __m256 newD = _mm256_div_ps(sumqx, sumq2);
        d = select(d, newD, accept);
        best = select(best, _mm256_mul_ps(newD, sumqx), accept);
    }
    _mm256_storeu_ps(scaleOut, select(d, zero, allZero));
}

void iq4Scales8(const float* x, const float* w, float* scales)
{
    alignas(32) float xt[32 * 8], wt[32 * 8];
    for (int b = 0; b < 8; ++b)
        for (int j = 0; j < 32; ++j) {
            xt[8 * j + b] = x[32 * b + j];
            wt[8 * j + b] = w[32 * b + j];
        }
    iq4BlockScaleX8(xt, wt, scales);
}

} // namespace

bool supported() noexcept
{
    const CpuFeatures& f = CpuFeatures::host();
    return f.avx2 && f.f16c;
}

const SearchKernels& searches() noexcept
{
    static constexpr SearchKernels kAvx2{scaleMinSuperBlock, qx16x16, q316x16, qkx16x16, iq4Scales8};
    return kAvx2;
}

void quantizeRowQ8_0(const float* x, void* dst, std::int64_t n, const float* /*importance*/)
{
    auto* y = static_cast<BlockQ8_0*>(dst);
    const std::int64_t nb = n / kQK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float* xb = x + i * kQK;
        __m256 v[4];
        for (int k = 0; k < 4; ++k)
            v[k] = ld(xb + 8 * k);
        // max |x| is exact in any order (all operands are >= +0).
        __m256 m = _mm256_max_ps(_mm256_max_ps(absPs(v[0]), absPs(v[1])), _mm256_max_ps(absPs(v[2]), absPs(v[3])));
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        const float amax = _mm_cvtss_f32(h);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        __m256i q[4];
        for (int k = 0; k < 4; ++k) {
            // roundf (half away from zero): truncate, then step away from zero when the dropped
            // fraction is >= 0.5; y - trunc(y) is exact, so this equals roundf for every float.
            const __m256 s = _mm256_mul_ps(v[k], splat(id));
            const __m256 t = _mm256_round_ps(s, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            const __m256 away = _mm256_cmp_ps(absPs(_mm256_sub_ps(s, t)), splat(0.5f), _CMP_GE_OQ);
            const __m256 one = _mm256_or_ps(splat(1.0f), _mm256_and_ps(s, splat(-0.0f)));
            q[k] = _mm256_cvttps_epi32(
                _mm256_add_ps(t, _mm256_and_ps(away, one))); // INT_MIN when out of range, as cvttss2si
        }
        storeLowBytes(q, y[i].qs);
    }
}

// ---- dot products --------------------------------------------------------------------------
// Only the integer block sums are vectorized (exact in any order); each block's float update
// is the scalar expression, in the scalar order, so the result equals the scalar dot bit for
// bit. Activation bytes are never -128 (our Q8 quantizers round into [-127, 127]), which keeps
// the sign trick and maddubs_epi16 free of saturation.

inline int hsum(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}
inline __m256i ldi(const void* p)
{
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}
inline __m256i ones16()
{
    return _mm256_set1_epi16(1);
}
// Pairwise int16 products u*a (u unsigned bytes <= 128, a signed bytes).
inline __m256i mulU8S8(__m256i u, __m256i a)
{
    return _mm256_maddubs_epi16(u, a);
}
// Products of two signed byte vectors as int16 pairs (|w| via the sign trick).
inline __m256i mulS8S8(__m256i w, __m256i a)
{
    return _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(a, w));
}
// 16 bytes of nibbles -> 32 bytes: low nibbles (elements 0..15), then high nibbles (16..31).
inline __m256i unpackNibbles(const std::uint8_t* qs)
{
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m128i m = _mm_set1_epi8(0x0F);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(b, 4), m), _mm_and_si128(b, m));
}
// Byte e = 0x10 where bit e of the little-endian u32 at p is set.
inline __m256i fifthBits(const std::uint8_t* p)
{
    std::uint32_t bits;
    std::memcpy(&bits, p, 4);
    const __m256i shuf = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3,
                                          3, 3, 3, 3, 3, 3);
    const __m256i sel = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
    const __m256i v = _mm256_and_si256(_mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), shuf), sel);
    return _mm256_and_si256(_mm256_cmpeq_epi8(v, sel), _mm256_set1_epi8(0x10));
}
inline __m256i iq4Table()
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
}

// 8 x int32 partials of 8 blocks -> the 8 block totals, in block order.
inline __m256i hsum8(const __m256i* v)
{
    const __m256i u0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i u1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}

// The f16 field at byte offset `off` of 8 consecutive blocks of `stride` bytes, as floats
// (F16C conversion: exact, like fp16ToFp32).
inline __m256 halves8(const void* base, std::size_t stride, std::size_t off)
{
    alignas(16) std::uint16_t h[8];
    const auto* p = static_cast<const unsigned char*>(base) + off;
    for (int b = 0; b < 8; ++b)
        std::memcpy(&h[b], p + b * stride, 2);
    return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(h)));
}

// Dot over the 32-element formats: block i's value goes to lane i % 8 (8 blocks per step), the
// tail into the same partial sums, and reduce8 combines them: the scalar dots' exact order.
// intSum(i): 8 int32 partials of block i; value8(i, totals): values of blocks i..i+7;
// value1(i, total): the scalar value of block i.
template <class IntSum, class Value8, class Value1>
float dot32(std::int64_t nb, IntSum intSum, Value8 value8, Value1 value1)
{
    __m256 acc = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i + 8 <= nb; i += 8) {
        __m256i v[8];
        for (int b = 0; b < 8; ++b)
            v[b] = intSum(i + b);
        acc = _mm256_add_ps(acc, value8(i, _mm256_cvtepi32_ps(hsum8(v))));
    }
    alignas(32) float part[8];
    _mm256_store_ps(part, acc);
    for (; i < nb; ++i)
        part[i % 8] += value1(i, hsum(intSum(i)));
    return reduce8(part);
}

float dotQ4_0(const void* qrow, const void* q8row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ4_0*>(qrow);
    const auto* a = static_cast<const BlockQ8_0*>(q8row);
    return dot32(
        n / kQK,
        [&](std::int64_t i) {
            const __m256i w = _mm256_sub_epi8(unpackNibbles(x[i].qs), _mm256_set1_epi8(8));
            return _mm256_madd_epi16(mulS8S8(w, ldi(a[i].qs)), ones16());
        },
        [&](std::int64_t i, __m256 isum) {
            return _mm256_mul_ps(isum, _mm256_mul_ps(halves8(x + i, sizeof *x, offsetof(BlockQ4_0, d)),
                                                     halves8(a + i, sizeof *a, offsetof(BlockQ8_0, d))));
        },
        [&](std::int64_t i, int isum) { return static_cast<float>(isum) * (fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d)); });
}

float dotQ4_1(const void* qrow, const void* q8_1row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ4_1*>(qrow);
    const auto* a = static_cast<const BlockQ8_1*>(q8_1row);
    return dot32(
        n / kQK,
        [&](std::int64_t i) { return _mm256_madd_epi16(mulU8S8(unpackNibbles(x[i].qs), ldi(a[i].qs)), ones16()); },
        [&](std::int64_t i, __m256 isum) {
            const __m256 dd = _mm256_mul_ps(halves8(x + i, sizeof *x, offsetof(BlockQ4_1, d)),
                                            halves8(a + i, sizeof *a, offsetof(BlockQ8_1, d)));
            const __m256 ms = _mm256_mul_ps(halves8(x + i, sizeof *x, offsetof(BlockQ4_1, m)),
                                            halves8(a + i, sizeof *a, offsetof(BlockQ8_1, s)));
            return _mm256_add_ps(_mm256_mul_ps(dd, isum), ms);
        },
        [&](std::int64_t i, int isum) {
            return fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d) * static_cast<float>(isum) +
                   fp16ToFp32(x[i].m) * fp16ToFp32(a[i].s);
        });
}

float dotQ5_0(const void* qrow, const void* q8row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ5_0*>(qrow);
    const auto* a = static_cast<const BlockQ8_0*>(q8row);
    return dot32(
        n / kQK,
        [&](std::int64_t i) {
            const __m256i w =
                _mm256_sub_epi8(_mm256_or_si256(unpackNibbles(x[i].qs), fifthBits(x[i].qh)), _mm256_set1_epi8(16));
            return _mm256_madd_epi16(mulS8S8(w, ldi(a[i].qs)), ones16());
        },
        [&](std::int64_t i, __m256 isum) {
            return _mm256_mul_ps(isum, _mm256_mul_ps(halves8(x + i, sizeof *x, offsetof(BlockQ5_0, d)),
                                                     halves8(a + i, sizeof *a, offsetof(BlockQ8_0, d))));
        },
        [&](std::int64_t i, int isum) { return static_cast<float>(isum) * (fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d)); });
}

float dotQ5_1(const void* qrow, const void* q8_1row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ5_1*>(qrow);
    const auto* a = static_cast<const BlockQ8_1*>(q8_1row);
    return dot32(
        n / kQK,
        [&](std::int64_t i) {
            const __m256i u = _mm256_or_si256(unpackNibbles(x[i].qs), fifthBits(x[i].qh));
            return _mm256_madd_epi16(mulU8S8(u, ldi(a[i].qs)), ones16());
        },
        [&](std::int64_t i, __m256 isum) {
            const __m256 dd = _mm256_mul_ps(halves8(x + i, sizeof *x, offsetof(BlockQ5_1, d)),
                                            halves8(a + i, sizeof *a, offsetof(BlockQ8_1, d)));
            const __m256 ms = _mm256_mul_ps(halves8(x + i, sizeof *x, offsetof(BlockQ5_1, m)),
                                            halves8(a + i, sizeof *a, offsetof(BlockQ8_1, s)));
            return _mm256_add_ps(_mm256_mul_ps(dd, isum), ms);
        },
        [&](std::int64_t i, int isum) {
            return fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d) * static_cast<float>(isum) +
                   fp16ToFp32(x[i].m) * fp16ToFp32(a[i].s);
        });
}

float dotQ8_0(const void* qrow, const void* q8row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ8_0*>(qrow);
    const auto* a = static_cast<const BlockQ8_0*>(q8row);
    return dot32(
        n / kQK, [&](std::int64_t i) { return _mm256_madd_epi16(mulS8S8(ldi(x[i].qs), ldi(a[i].qs)), ones16()); },
        [&](std::int64_t i, __m256 isum) {
            return _mm256_mul_ps(isum, _mm256_mul_ps(halves8(x + i, sizeof *x, offsetof(BlockQ8_0, d)),
                                                     halves8(a + i, sizeof *a, offsetof(BlockQ8_0, d))));
        },
        [&](std::int64_t i, int isum) { return static_cast<float>(isum) * (fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d)); });
}

float dotIQ4_NL(const void* qrow, const void* q8row, std::int64_t n)
{
    const auto* x = static_cast<const BlockIQ4_NL*>(qrow);
    const auto* a = static_cast<const BlockQ8_0*>(q8row);
    const __m256i table = iq4Table();
    return dot32(
        n / kQK,
        [&](std::int64_t i) {
            const __m256i w = _mm256_shuffle_epi8(table, unpackNibbles(x[i].qs));
            return _mm256_madd_epi16(mulS8S8(w, ldi(a[i].qs)), ones16());
        },
        [&](std::int64_t i, __m256 isum) {
            return _mm256_mul_ps(_mm256_mul_ps(halves8(x + i, sizeof *x, offsetof(BlockIQ4_NL, d)),
                                               halves8(a + i, sizeof *a, offsetof(BlockQ8_0, d))),
                                 isum);
        },
        [&](std::int64_t i, int isum) { return fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d) * static_cast<float>(isum); });
}

// Int16 scales for one 32-element group covering sub-blocks k, k+1: [s_k x8 | s_k+1 x8],
// from 16 signed byte scales.
inline __m256i scalePairOf(__m128i scales16, int k)
{
    const __m128i ctrl = _mm_setr_epi8(
        static_cast<char>(k), static_cast<char>(k), static_cast<char>(k), static_cast<char>(k), static_cast<char>(k),
        static_cast<char>(k), static_cast<char>(k), static_cast<char>(k), static_cast<char>(k + 1),
        static_cast<char>(k + 1), static_cast<char>(k + 1), static_cast<char>(k + 1), static_cast<char>(k + 1),
        static_cast<char>(k + 1), static_cast<char>(k + 1), static_cast<char>(k + 1));
    return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales16, ctrl));
}
// sum_k scales16[k] * bsums[k] (16 signed byte scales, 16 int16 bsums), exact.
inline int weightedBsums(__m128i scales16, const std::int16_t* bsums)
{
    return hsum(_mm256_madd_epi16(_mm256_cvtepi8_epi16(scales16), ldi(bsums)));
}

float dotQ2_K(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ2_K*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const __m256i m3 = _mm256_set1_epi8(3);
    const __m128i m4 = _mm_set1_epi8(0x0F);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQKK; ++i) {
        const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].scales));
        const __m128i scales = _mm_and_si128(packed, m4);                  // 0..15
        const __m128i mins = _mm_and_si128(_mm_srli_epi16(packed, 4), m4); // 0..15
        __m256i acc = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i q = ldi(x[i].qs + 32 * h);
            for (int j = 0; j < 4; ++j) { // elements 128h + 32j + l: sub-blocks 8h+2j, 8h+2j+1
                const __m256i u = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), m3);
                const __m256i p = mulU8S8(u, ldi(a[i].qs + 128 * h + 32 * j));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, scalePairOf(scales, 8 * h + 2 * j)));
            }
        }
        const int isum = hsum(acc);
        const int minSum = weightedBsums(mins, a[i].bsums);
        sum += a[i].d * fp16ToFp32(x[i].d) * static_cast<float>(isum) -
               a[i].d * fp16ToFp32(x[i].dmin) * static_cast<float>(minSum);
    }
    return sum;
}

// The 16 signed scale codes (s_k - 32) of a Q3_K block: low nibbles from bytes 0-7, top two
// bits from bytes 8-11 (q3_k.h), decoded four at a time in 32-bit words.
inline __m128i q3kScales(const std::uint8_t* s12)
{
    std::uint32_t w[3];
    std::memcpy(w, s12, 12);
    const std::uint32_t lo4 = 0x0F0F0F0Fu, hi2 = 0x03030303u;
    const std::uint32_t k0 = (w[0] & lo4) | ((w[2] & hi2) << 4);
    const std::uint32_t k1 = (w[1] & lo4) | (((w[2] >> 2) & hi2) << 4);
    const std::uint32_t k2 = ((w[0] >> 4) & lo4) | (((w[2] >> 4) & hi2) << 4);
    const std::uint32_t k3 = ((w[1] >> 4) & lo4) | (((w[2] >> 6) & hi2) << 4);
    return _mm_sub_epi8(
        _mm_setr_epi32(static_cast<int>(k0), static_cast<int>(k1), static_cast<int>(k2), static_cast<int>(k3)),
        _mm_set1_epi8(32));
}

float dotQ3_K(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ3_K*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const __m256i m3 = _mm256_set1_epi8(3), m1 = _mm256_set1_epi8(1);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQKK; ++i) {
        const __m128i scales = q3kScales(x[i].scales);
        // v = u - 4 with u = low2 | high << 2 in [0, 7]: sum(v*a) = sum(u*a) - 4*bsums.
        const __m256i hm = ldi(x[i].hmask);
        __m256i acc = _mm256_setzero_si256();
        for (int h = 0; h < 2; ++h) {
            const __m256i q = ldi(x[i].qs + 32 * h);
            for (int j = 0; j < 4; ++j) {
                const __m256i low = _mm256_and_si256(_mm256_srli_epi16(q, 2 * j), m3);
                const __m256i high = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * h + j), m1);
                const __m256i u = _mm256_or_si256(low, _mm256_slli_epi16(high, 2));
                const __m256i p = mulU8S8(u, ldi(a[i].qs + 128 * h + 32 * j));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, scalePairOf(scales, 8 * h + 2 * j)));
            }
        }
        const int isum = hsum(acc) - 4 * weightedBsums(scales, a[i].bsums);
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum);
    }
    return sum;
}

// Scales (bytes 0-7) and mins (bytes 8-15) of a Q4_K/Q5_K block: getScaleMinK4 for all eight
// pairs, four at a time in 32-bit words.
inline __m128i kScalesMins(const std::uint8_t* s12)
{
    std::uint32_t w[3];
    std::memcpy(w, s12, 12);
    const std::uint32_t lo6 = 0x3F3F3F3Fu, lo4 = 0x0F0F0F0Fu, hi2 = 0x03030303u;
    const std::uint32_t sc03 = w[0] & lo6, m03 = w[1] & lo6;
    const std::uint32_t sc47 = (w[2] & lo4) | (((w[0] >> 6) & hi2) << 4);
    const std::uint32_t m47 = ((w[2] >> 4) & lo4) | (((w[1] >> 6) & hi2) << 4);
    return _mm_setr_epi32(static_cast<int>(sc03), static_cast<int>(sc47), static_cast<int>(m03), static_cast<int>(m47));
}

// sum_j mins[j] * (bsums[2j] + bsums[2j+1]) for 8 unsigned byte mins in the high half of sm.
inline int minsTimesBsums(__m128i sm, const std::int16_t* bsums)
{
    const __m256i pairSums = _mm256_madd_epi16(ldi(bsums), ones16()); // 8 sub-block sums of 32
    const __m256i mins = _mm256_cvtepu8_epi32(_mm_srli_si128(sm, 8));
    return hsum(_mm256_mullo_epi32(pairSums, mins));
}

float dotQ4_K(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ4_K*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQKK; ++i) {
        const __m128i sm = kScalesMins(x[i].scales);
        alignas(16) std::uint8_t sc[16];
        _mm_store_si128(reinterpret_cast<__m128i*>(sc), sm);
        __m256i acc = _mm256_setzero_si256();
        for (int c = 0; c < 4; ++c) {
            const __m256i q = ldi(x[i].qs + 32 * c);
            const __m256i p0 = mulU8S8(_mm256_and_si256(q, m4), ldi(a[i].qs + 64 * c));
            const __m256i p1 = mulU8S8(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), ldi(a[i].qs + 64 * c + 32));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p0, _mm256_set1_epi16(sc[2 * c])));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * c + 1])));
        }
        const int isum = hsum(acc);
        const int minSum = minsTimesBsums(sm, a[i].bsums);
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum) -
               fp16ToFp32(x[i].dmin) * a[i].d * static_cast<float>(minSum);
    }
    return sum;
}

float dotQ5_K(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ5_K*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const __m256i m4 = _mm256_set1_epi8(0x0F), m1 = _mm256_set1_epi8(1);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQKK; ++i) {
        const __m128i sm = kScalesMins(x[i].scales);
        alignas(16) std::uint8_t sc[16];
        _mm_store_si128(reinterpret_cast<__m128i*>(sc), sm);
        const __m256i qh = ldi(x[i].qh);
        __m256i acc = _mm256_setzero_si256();
        for (int c = 0; c < 4; ++c) {
            const __m256i q = ldi(x[i].qs + 32 * c);
            const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), m1), 4);
            const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), m1), 4);
            const __m256i u0 = _mm256_or_si256(_mm256_and_si256(q, m4), h0);
            const __m256i u1 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), h1);
            acc = _mm256_add_epi32(acc,
                                   _mm256_madd_epi16(mulU8S8(u0, ldi(a[i].qs + 64 * c)), _mm256_set1_epi16(sc[2 * c])));
            acc = _mm256_add_epi32(
                acc, _mm256_madd_epi16(mulU8S8(u1, ldi(a[i].qs + 64 * c + 32)), _mm256_set1_epi16(sc[2 * c + 1])));
        }
        const int isum = hsum(acc);
        const int minSum = minsTimesBsums(sm, a[i].bsums);
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum) -
               fp16ToFp32(x[i].dmin) * a[i].d * static_cast<float>(minSum);
    }
    return sum;
}

float dotQ6_K(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ6_K*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQKK; ++i) {
        const __m128i scales = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].scales));
        // v = u - 32 with u in [0, 63]: sum(v*a) = sum(u*a) - 32*bsums.
        __m256i acc = _mm256_setzero_si256();
        for (int t = 0; t < 2; ++t) {
            const __m256i l0 = ldi(x[i].ql + 64 * t), l1 = ldi(x[i].ql + 64 * t + 32), h = ldi(x[i].qh + 32 * t);
            const __m256i u[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_slli_epi16(_mm256_and_si256(h, m3), 4)),
                _mm256_or_si256(_mm256_and_si256(l1, m4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), m3), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), m3), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), m3), 4)),
            };
            for (int m = 0; m < 4; ++m) { // elements 128t + 32m + l: sub-blocks 8t+2m, 8t+2m+1
                const __m256i p = mulU8S8(u[m], ldi(a[i].qs + 128 * t + 32 * m));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, scalePairOf(scales, 8 * t + 2 * m)));
            }
        }
        const int isum = hsum(acc) - 32 * weightedBsums(scales, a[i].bsums);
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum);
    }
    return sum;
}

float dotIQ4_XS(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockIQ4_XS*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const __m256i table = iq4Table();
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n / kQKK; ++i) {
        __m256i acc = _mm256_setzero_si256();
        for (int ib = 0; ib < 8; ++ib) {
            const int ls = ((x[i].scalesL[ib / 2] >> (4 * (ib % 2))) & 0xF) | (((x[i].scalesH >> (2 * ib)) & 3) << 4);
            const __m256i w = _mm256_shuffle_epi8(table, unpackNibbles(x[i].qs + 16 * ib));
            const __m256i p = mulS8S8(w, ldi(a[i].qs + 32 * ib));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, _mm256_set1_epi16(static_cast<short>(ls - 32))));
        }
        const int isum = hsum(acc);
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum);
    }
    return sum;
}

// Dequantizers: the scalar expressions lane for lane (y = d1 * q - m1 for Q4_K,
// y = (d * scale) * v for Q6_K; a multiply then a subtract, no FMA), so the same floats.
namespace {

inline void storeNibbleScaled(__m128i bytes8, __m256 d, __m256 m, float* out) // 8 values 0..15
{
    const __m256 q = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes8));
    _mm256_storeu_ps(out, _mm256_sub_ps(_mm256_mul_ps(d, q), m));
}

} // namespace

void dequantizeRowQ4_K(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ4_K*>(src);
    const std::int64_t nb = n / kQKK;
    const __m128i lowNibbles = _mm_set1_epi8(0x0F);
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const float dmin = fp16ToFp32(b[i].dmin);
        float* out = y + i * kQKK;
        for (int c = 0; c < 4; ++c) {
            std::uint8_t sc, m;
            getScaleMinK4(2 * c, b[i].scales, &sc, &m);
            const __m256 d1 = _mm256_set1_ps(d * static_cast<float>(sc)), m1 = _mm256_set1_ps(dmin * static_cast<float>(m));
            getScaleMinK4(2 * c + 1, b[i].scales, &sc, &m);
            const __m256 d2 = _mm256_set1_ps(d * static_cast<float>(sc)), m2 = _mm256_set1_ps(dmin * static_cast<float>(m));
            const std::uint8_t* q = b[i].qs + 32 * c;
            for (int h = 0; h < 2; ++h) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * h));
                const __m128i lo = _mm_and_si128(v, lowNibbles), hi = _mm_and_si128(_mm_srli_epi16(v, 4), lowNibbles);
                float* o = out + 64 * c + 16 * h;
                storeNibbleScaled(lo, d1, m1, o);
                storeNibbleScaled(_mm_srli_si128(lo, 8), d1, m1, o + 8);
                storeNibbleScaled(hi, d2, m2, o + 32);
                storeNibbleScaled(_mm_srli_si128(hi, 8), d2, m2, o + 40);
            }
        }
    }
}

void dequantizeRowQ6_K(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ6_K*>(src);
    const std::int64_t nb = n / kQKK;
    const __m128i low4 = _mm_set1_epi8(0x0F), low2 = _mm_set1_epi8(0x03), bias = _mm_set1_epi8(32);
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        float* out = y + i * kQKK;
        for (int t = 0; t < 2; ++t)
            for (int l = 0; l < 32; l += 16) {
                const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qh + 32 * t + l));
                const __m128i lo0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].ql + 64 * t + l));
                const __m128i lo1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].ql + 64 * t + l + 32));
                // Levels 0..63 minus 32, as signed bytes, for the four quarters of the 128.
                const __m128i v[4] = {
                    _mm_sub_epi8(_mm_or_si128(_mm_and_si128(lo0, low4), _mm_slli_epi16(_mm_and_si128(h, low2), 4)), bias),
                    _mm_sub_epi8(_mm_or_si128(_mm_and_si128(lo1, low4), _mm_slli_epi16(_mm_and_si128(_mm_srli_epi16(h, 2), low2), 4)), bias),
                    _mm_sub_epi8(_mm_or_si128(_mm_and_si128(_mm_srli_epi16(lo0, 4), low4), _mm_slli_epi16(_mm_and_si128(_mm_srli_epi16(h, 4), low2), 4)), bias),
                    _mm_sub_epi8(_mm_or_si128(_mm_and_si128(_mm_srli_epi16(lo1, 4), low4), _mm_slli_epi16(_mm_and_si128(_mm_srli_epi16(h, 6), low2), 4)), bias),
                };
                for (int k = 0; k < 4; ++k) {
                    const int e = 128 * t + 32 * k + l; // 16 values e .. e + 15, one scale
                    const __m256 ds = _mm256_set1_ps(d * static_cast<float>(b[i].scales[e / 16]));
                    const __m256 a = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(v[k]));
                    const __m256 c = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(v[k], 8)));
                    _mm256_storeu_ps(out + e, _mm256_mul_ps(ds, a));
                    _mm256_storeu_ps(out + e + 8, _mm256_mul_ps(ds, c));
                }
            }
    }
}

#else // no AVX2 code in this build: never selected, kept callable.

bool supported() noexcept
{
    return false;
}

const SearchKernels& searches() noexcept
{
    return scalarSearches();
}

void quantizeRowQ8_0(const float* x, void* dst, std::int64_t n, const float* importance)
{
    q8_0::quantizeRow(x, dst, n, importance);
}

// Never selected without AVX2; kept callable by forwarding to the scalar dots.
float dotQ4_0(const void* w, const void* a, std::int64_t n)
{
    return q4_0::dot(w, a, n);
}
float dotQ4_1(const void* w, const void* a, std::int64_t n)
{
    return q4_1::dot(w, a, n);
}
float dotQ5_0(const void* w, const void* a, std::int64_t n)
{
    return q5_0::dot(w, a, n);
}
float dotQ5_1(const void* w, const void* a, std::int64_t n)
{
    return q5_1::dot(w, a, n);
}
float dotQ8_0(const void* w, const void* a, std::int64_t n)
{
    return q8_0::dot(w, a, n);
}
float dotIQ4_NL(const void* w, const void* a, std::int64_t n)
{
    return iq4_nl::dot(w, a, n);
}
float dotQ2_K(const void* w, const void* a, std::int64_t n)
{
    return q2_k::dot(w, a, n);
}
float dotQ3_K(const void* w, const void* a, std::int64_t n)
{
    return q3_k::dot(w, a, n);
}
void dequantizeRowQ4_K(const void* src, float* y, std::int64_t n)
{
    q4_k::dequantizeRow(src, y, n);
}
void dequantizeRowQ6_K(const void* src, float* y, std::int64_t n)
{
    q6_k::dequantizeRow(src, y, n);
}
float dotQ4_K(const void* w, const void* a, std::int64_t n)
{
    return q4_k::dot(w, a, n);
}
float dotQ5_K(const void* w, const void* a, std::int64_t n)
{
    return q5_k::dot(w, a, n);
}
float dotQ6_K(const void* w, const void* a, std::int64_t n)
{
    return q6_k::dot(w, a, n);
}
float dotIQ4_XS(const void* w, const void* a, std::int64_t n)
{
    return iq4_xs::dot(w, a, n);
}

#endif

} // namespace condense::quant::avx2
