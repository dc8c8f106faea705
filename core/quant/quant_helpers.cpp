#include "core/quant/quant_helpers.h"

#include <algorithm>
#include <cmath>

#include "core/quant/block_types.h"
#include "core/tensor/float_convert.h"

namespace condense::quant {
namespace {

// Signed value of largest magnitude; the first one wins on ties (strict >).
inline void signedAbsMax(int n, const float* x, float& max, float& amax)
{
    max = 0.0f;
    amax = 0.0f;
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
}

inline int clampInt(int v, int lo, int hi)
{
    return std::max(lo, std::min(hi, v));
}

} // namespace

float makeQxQuants(int n, int nmax, const float* x, std::int8_t* L, const float* w)
{
    float max, amax;
    signedAbsMax(n, x, max, amax);
    if (amax < kGroupMaxEps) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        return 0.0f;
    }
    auto weight = [&](int i) { return w ? w[i] : x[i] * x[i]; };

    // First candidate: the plain scale that maps max onto -nmax.
    float iscale = static_cast<float>(-nmax) / max;
    float sumlx = 0.0f;
    float suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = clampInt(nearestInt(iscale * x[i]), -nmax, nmax - 1);
        L[i] = static_cast<std::int8_t>(l + nmax);
        const float wi = weight(i);
        sumlx += wi * x[i] * static_cast<float>(l);
        suml2 += wi * static_cast<float>(l) * static_cast<float>(l);
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;

    // Perturb the inverse scale by +-0.1..0.9 levels; keep the candidate whose least-squares
    // fit explains the most weighted energy (sumlx^2/suml2).
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
        sumlx = 0.0f;
        suml2 = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = clampInt(nearestInt(iscale * x[i]), -nmax, nmax - 1);
            const float wi = weight(i);
            sumlx += wi * x[i] * static_cast<float>(l);
            suml2 += wi * static_cast<float>(l) * static_cast<float>(l);
        }
        if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i)
                L[i] = static_cast<std::int8_t>(nmax + clampInt(nearestInt(iscale * x[i]), -nmax, nmax - 1));
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

float makeQ3Quants(int n, int nmax, const float* x, std::int8_t* L)
{
    float max, amax;
    signedAbsMax(n, x, max, amax);
    if (amax < kGroupMaxEps) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        return 0.0f;
    }
    const float iscale = static_cast<float>(-nmax) / max;
    float sumlx = 0.0f;
    float suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = clampInt(nearestInt(iscale * x[i]), -nmax, nmax - 1);
        L[i] = static_cast<std::int8_t>(l);
        const float wi = x[i] * x[i];
        sumlx += wi * x[i] * static_cast<float>(l);
        suml2 += wi * static_cast<float>(l) * static_cast<float>(l);
    }
    // Coordinate descent: move one level at a time to the value that is optimal given the
    // others; accept when sumlx^2/suml2 grows. At most 5 sweeps.
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float wi = x[i] * x[i];
            const float li = static_cast<float>(L[i]);
            float slx = sumlx - wi * x[i] * li;
            if (slx > 0.0f) {
                float sl2 = suml2 - wi * li * li;
                const int newL = clampInt(nearestInt(x[i] * sl2 / slx), -nmax, nmax - 1);
                if (newL != L[i]) {
                    const float nl = static_cast<float>(newL);
                    slx += wi * x[i] * nl;
                    sl2 += wi * nl * nl;
                    if (sl2 > 0.0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = static_cast<std::int8_t>(newL);
                        sumlx = slx;
                        suml2 = sl2;
                        ++changed;
                    }
                }
            }
        }
        if (changed == 0) break;
    }
    for (int i = 0; i < n; ++i)
        L[i] = static_cast<std::int8_t>(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

float makeQkxQuants(int n, int nmax, const float* x, const float* w, std::uint8_t* L, float* theMin, std::uint8_t* Laux,
                    float rmin, float rdelta, int nstep, bool useMad)
{
    auto weight = [&](int i) { return w ? w[i] : x[i] * x[i]; };
    float min = x[0];
    float max = x[0];
    float sumW = weight(0);
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        const float wi = weight(i);
        sumW += wi;
        sumX += wi * x[i];
    }
    if (min > 0.0f) min = 0.0f;
    if (max <= min) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        *theMin = -min;
        return 0.0f;
    }
    auto err = [useMad](float d) { return useMad ? std::fabs(d) : d * d; };

    float iscale = static_cast<float>(nmax) / (max - min);
    float scale = 1.0f / iscale;
    float bestErr = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * (x[i] - min));
        L[i] = static_cast<std::uint8_t>(clampInt(l, 0, nmax));
        const float diff = scale * static_cast<float>(L[i]) + min - x[i];
        bestErr += weight(i) * err(diff);
    }
    if (nstep < 1) {
        *theMin = -min;
        return scale;
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
        float sumL = 0.0f, sumL2 = 0.0f, sumXL = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = clampInt(nearestInt(iscale * (x[i] - min)), 0, nmax);
            Laux[i] = static_cast<std::uint8_t>(l);
            const float wi = weight(i);
            const float fl = static_cast<float>(l);
            sumL += wi * fl;
            sumL2 += wi * fl * fl;
            sumXL += wi * fl * x[i];
        }
        // Weighted least squares for (scale, min) given these levels; min is forced <= 0.
        const float D = sumW * sumL2 - sumL * sumL;
        if (D > 0.0f) {
            float thisScale = (sumW * sumXL - sumX * sumL) / D;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
            if (thisMin > 0.0f) {
                thisMin = 0.0f;
                thisScale = sumXL / sumL2;
            }
            float curErr = 0.0f;
            for (int i = 0; i < n; ++i) {
                const float diff = thisScale * static_cast<float>(Laux[i]) + thisMin - x[i];
                curErr += weight(i) * err(diff);
            }
            if (curErr < bestErr) {
                std::memcpy(L, Laux, static_cast<std::size_t>(n));
                bestErr = curErr;
                scale = thisScale;
                min = thisMin;
            }
        }
    }
    *theMin = -min;
    return scale;
}

float makeQpQuants(int n, int nmax, const float* x, std::uint8_t* L, const float* w)
{
    float max = 0.0f;
    for (int i = 0; i < n; ++i)
        max = max > x[i] ? max : x[i];
    if (max < kGroupMaxEps) {
        std::memset(L, 0, static_cast<std::size_t>(n));
        return 0.0f;
    }
    // Pick the inverse scale (nmax + 0.1*is)/max, is in [-4, 4], with the lowest weighted
    // reconstruction error. The codes are stored through uint8 (as ggml does), which only
    // matters for pathological negative inputs.
    float iscale = static_cast<float>(nmax) / max;
    for (int i = 0; i < n; ++i)
        L[i] = static_cast<std::uint8_t>(nearestInt(iscale * x[i]));
    const float scale = 1.0f / iscale;
    float bestMse = 0.0f;
    for (int i = 0; i < n; ++i) {
        const float diff = x[i] - scale * static_cast<float>(L[i]);
        bestMse += w[i] * diff * diff;
    }
    for (int is = -4; is <= 4; ++is) {
        if (is == 0) continue;
        const float iscaleIs = (0.1f * static_cast<float>(is) + static_cast<float>(nmax)) / max;
        const float scaleIs = 1.0f / iscaleIs;
        float mse = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = std::min(nmax, nearestInt(iscaleIs * x[i]));
            const float diff = x[i] - scaleIs * static_cast<float>(l);
            mse += w[i] * diff * diff;
        }
        if (mse < bestMse) {
            bestMse = mse;
            iscale = iscaleIs;
        }
    }
    float sumlx = 0.0f;
    float suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = std::min(nmax, nearestInt(iscale * x[i]));
        L[i] = static_cast<std::uint8_t>(l);
        const float fl = static_cast<float>(l);
        sumlx += w[i] * x[i] * fl;
        suml2 += w[i] * fl * fl;
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float li = static_cast<float>(L[i]);
            float slx = sumlx - w[i] * x[i] * li;
            float sl2 = suml2 - w[i] * li * li;
            if (slx > 0.0f && sl2 > 0.0f) {
                const int newL = std::min(nmax, nearestInt(x[i] * sl2 / slx));
                if (newL != L[i]) {
                    const float nl = static_cast<float>(newL);
                    slx += w[i] * x[i] * nl;
                    sl2 += w[i] * nl * nl;
                    if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = static_cast<std::uint8_t>(newL);
                        sumlx = slx;
                        suml2 = sl2;
                        ++changed;
                    }
                }
            }
        }
        if (changed == 0) break;
    }
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

void packScaleMinK4(const std::uint8_t* ls, const std::uint8_t* lm, std::uint8_t* scales12)
{
    for (int j = 0; j < 4; ++j) {
        scales12[j] = static_cast<std::uint8_t>(ls[j] | ((ls[j + 4] >> 4) << 6));
        scales12[j + 4] = static_cast<std::uint8_t>(lm[j] | ((lm[j + 4] >> 4) << 6));
        scales12[j + 8] = static_cast<std::uint8_t>((ls[j + 4] & 0xF) | ((lm[j + 4] & 0xF) << 4));
    }
}

void quantizeScaleMinSuperBlock(const float* x, const float* qw, const ScaleMinParams& p, std::uint8_t* scales12,
                                std::uint16_t* d, std::uint16_t* dmin, std::uint8_t* L)
{
    float w[32];
    std::uint8_t Laux[32];
    float scales[8], mins[8];
    std::uint8_t ls[8], lm[8];
    if (!qw) {
        float maxScale = 0.0f, maxMin = 0.0f;
        for (int j = 0; j < 8; ++j) {
            const float* xs = x + 32 * j;
            float sumX2 = 0.0f;
            for (int l = 0; l < 32; ++l)
                sumX2 += xs[l] * xs[l];
            const float av = std::sqrt(sumX2 / 32.0f);
            for (int l = 0; l < 32; ++l)
                w[l] = av + std::fabs(xs[l]);
            scales[j] = makeQkxQuants(32, p.nmax, xs, w, L + 32 * j, &mins[j], Laux, p.rmin, p.rdelta, p.nstep, false);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        const float invScale = maxScale > 0.0f ? 63.0f / maxScale : 0.0f;
        const float invMin = maxMin > 0.0f ? 63.0f / maxMin : 0.0f;
        for (int j = 0; j < 8; ++j) {
            // Through uint8 first, then clamped: the order ggml uses.
            ls[j] = std::min<std::uint8_t>(63, static_cast<std::uint8_t>(nearestInt(invScale * scales[j])));
            lm[j] = std::min<std::uint8_t>(63, static_cast<std::uint8_t>(nearestInt(invMin * mins[j])));
        }
        *d = fp32ToFp16(maxScale / 63.0f);
        *dmin = fp32ToFp16(maxMin / 63.0f);
    } else {
        float sw[8];
        float sumX2 = 0.0f;
        for (int l = 0; l < kQKK; ++l)
            sumX2 += x[l] * x[l];
        const float sigma2 = 2.0f * sumX2 / static_cast<float>(kQKK);
        for (int j = 0; j < 8; ++j) {
            const float* xs = x + 32 * j;
            for (int l = 0; l < 32; ++l)
                w[l] = qw[32 * j + l] * std::sqrt(sigma2 + xs[l] * xs[l]);
            float s = 0.0f;
            for (int l = 0; l < 32; ++l)
                s += w[l];
            sw[j] = s;
            scales[j] = makeQkxQuants(32, p.nmax, xs, w, L + 32 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
        }
        const float dBlock = makeQpQuants(8, 63, scales, ls, sw);
        const float mBlock = makeQpQuants(8, 63, mins, lm, sw);
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

    const float df = fp16ToFp32(*d);
    const float dminf = fp16ToFp32(*dmin);
    for (int j = 0; j < 8; ++j) {
        std::uint8_t sc, m;
        getScaleMinK4(j, scales12, &sc, &m);
        const float dl = df * static_cast<float>(sc);
        if (dl == 0.0f) continue;
        const float ml = dminf * static_cast<float>(m);
        for (int l = 0; l < 32; ++l)
            L[32 * j + l] = static_cast<std::uint8_t>(clampInt(nearestInt((x[32 * j + l] + ml) / dl), 0, p.nmax));
    }
}

void makeQxQuants16x16(const float* x, int nmax, const float* w, std::int8_t* L, float* scales)
{
    for (int k = 0; k < 16; ++k)
        scales[k] = makeQxQuants(16, nmax, x + 16 * k, L + 16 * k, w ? w + 16 * k : nullptr);
}

void makeQ3Quants16x16(const float* x, int nmax, std::int8_t* L, float* scales)
{
    for (int k = 0; k < 16; ++k)
        scales[k] = makeQ3Quants(16, nmax, x + 16 * k, L + 16 * k);
}

void makeQkxQuants16x16(const float* x, const float* w, int nmax, std::uint8_t* L, float* scales, float* mins,
                        float rmin, float rdelta, int nstep, bool useMad)
{
    std::uint8_t Laux[16];
    for (int k = 0; k < 16; ++k)
        scales[k] =
            makeQkxQuants(16, nmax, x + 16 * k, w + 16 * k, L + 16 * k, &mins[k], Laux, rmin, rdelta, nstep, useMad);
}

const SearchKernels& scalarSearches() noexcept
{
    static constexpr SearchKernels kScalar{quantizeScaleMinSuperBlock, makeQxQuants16x16, makeQ3Quants16x16,
                                           makeQkxQuants16x16, iq4BlockScales8};
    return kScalar;
}

float iq4BlockScale(const float* x, const float* w)
{
    constexpr int n = 32;
    float max, amax;
    signedAbsMax(n, x, max, amax);
    if (amax < kGroupMaxEps) return 0.0f;
    const float v0 = static_cast<float>(kIq4nlValues[0]);

    auto fit = [&](float id, float& sumqx, float& sumq2) {
        sumqx = 0.0f;
        sumq2 = 0.0f;
        for (int j = 0; j < n; ++j) {
            const float q = static_cast<float>(kIq4nlValues[iq4BestIndex(id * x[j])]);
            sumqx += w[j] * q * x[j];
            sumq2 += w[j] * q * q;
        }
    };
    // Initial guess maps max onto the most negative codebook entry.
    const float d0 = -max / v0;
    float sumqx, sumq2;
    fit(1.0f / d0, sumqx, sumq2);
    float d = sumq2 > 0.0f ? sumqx / sumq2 : 0.0f;
    float best = d * sumqx;
    for (int itry = -7; itry <= 7; ++itry) {
        fit(static_cast<float>(itry + kIq4nlValues[0]) / max, sumqx, sumq2);
        if (sumq2 > 0.0f && sumqx * sumqx > best * sumq2) {
            d = sumqx / sumq2;
            best = d * sumqx;
        }
    }
    return d;
}

void iq4BlockScales8(const float* x, const float* w, float* scales)
{
    for (int b = 0; b < 8; ++b)
        scales[b] = iq4BlockScale(x + 32 * b, w + 32 * b);
}

} // namespace condense::quant
