#include "core/quant/q2_k.h"

#include <algorithm>
#include <cmath>

#include "core/quant/block_types.h"
#include "core/quant/quant_avx2.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q2_k {
namespace {

// Re-derives every level from the stored (f16) scales, then packs the 2-bit planes.
void requantizeAndPack(const float* x, std::uint8_t* L, BlockQ2_K& b)
{
    const float d = fp16ToFp32(b.d);
    const float dmin = fp16ToFp32(b.dmin);
    for (int k = 0; k < 16; ++k) {
        const float dl = d * static_cast<float>(b.scales[k] & 0xF);
        if (dl == 0.0f) continue;
        const float ml = dmin * static_cast<float>(b.scales[k] >> 4);
        for (int j = 0; j < 16; ++j)
            L[16 * k + j] = static_cast<std::uint8_t>(std::clamp(nearestInt((x[16 * k + j] + ml) / dl), 0, 3));
    }
    for (int h = 0; h < 2; ++h)
        for (int l = 0; l < 32; ++l) {
            const std::uint8_t* q = L + 128 * h + l;
            b.qs[32 * h + l] = static_cast<std::uint8_t>(q[0] | (q[32] << 2) | (q[64] << 4) | (q[96] << 6));
        }
}

void quantizeBlockRef(const SearchKernels& search, const float* x, BlockQ2_K& b)
{
    std::uint8_t L[kQKK];
    float w[kQKK];
    float scales[16], mins[16];
    for (int j = 0; j < kQKK; ++j)
        w[j] = std::fabs(x[j]);
    search.qkx16x16(x, w, 3, L, scales, mins, -0.5f, 0.1f, 15, true);
    float maxScale = 0.0f, maxMin = 0.0f;
    for (int k = 0; k < 16; ++k) {
        if (scales[k] > maxScale) maxScale = scales[k];
        if (mins[k] > maxMin) maxMin = mins[k];
    }
    if (maxScale > 0.0f) {
        const float iscale = 15.0f / maxScale;
        for (int k = 0; k < 16; ++k)
            b.scales[k] = static_cast<std::uint8_t>(nearestInt(iscale * scales[k]));
        b.d = fp32ToFp16(maxScale / 15.0f);
    } else {
        for (int k = 0; k < 16; ++k)
            b.scales[k] = 0;
        b.d = fp32ToFp16(0.0f);
    }
    if (maxMin > 0.0f) {
        const float imin = 15.0f / maxMin;
        for (int k = 0; k < 16; ++k)
            b.scales[k] = static_cast<std::uint8_t>(b.scales[k] | (nearestInt(imin * mins[k]) << 4));
        b.dmin = fp32ToFp16(maxMin / 15.0f);
    } else {
        b.dmin = fp32ToFp16(0.0f);
    }
    requantizeAndPack(x, L, b);
}

void quantizeBlockImportance(const SearchKernels& search, const float* x, const float* qw, BlockQ2_K& b)
{
    std::uint8_t L[kQKK];
    float w[kQKK];
    float scales[16], mins[16], sw[16];
    std::uint8_t Ls[16], Lm[16];
    float sumX2 = 0.0f;
    for (int j = 0; j < kQKK; ++j)
        sumX2 += x[j] * x[j];
    const float sigma2 = sumX2 / static_cast<float>(kQKK);
    for (int j = 0; j < kQKK; ++j)
        w[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
    for (int k = 0; k < 16; ++k) {
        float s = 0.0f;
        for (int j = 0; j < 16; ++j)
            s += w[16 * k + j];
        sw[k] = s;
    }
    search.qkx16x16(x, w, 3, L, scales, mins, -0.9f, 0.05f, 36, false);
    const float dm = makeQpQuants(16, 15, scales, Ls, sw);
    const float mm = makeQpQuants(16, 15, mins, Lm, sw);
    b.d = fp32ToFp16(dm);
    b.dmin = fp32ToFp16(mm);
    for (int k = 0; k < 16; ++k)
        b.scales[k] = static_cast<std::uint8_t>(Ls[k] | (Lm[k] << 4));
    requantizeAndPack(x, L, b);
}

void quantizeRowWith(const SearchKernels& search, const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockQ2_K*>(dst);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i) {
        if (importance)
            quantizeBlockImportance(search, x + i * kQKK, importance + i * kQKK, y[i]);
        else
            quantizeBlockRef(search, x + i * kQKK, y[i]);
    }
}

} // namespace

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance)
{
    quantizeRowWith(scalarSearches(), x, dst, n, importance);
}

void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance)
{
    quantizeRowWith(avx2::searches(), x, dst, n, importance);
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ2_K*>(src);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const float dmin = fp16ToFp32(b[i].dmin);
        float* out = y + i * kQKK;
        for (int k = 0; k < 16; ++k) {
            const float dl = d * static_cast<float>(b[i].scales[k] & 0xF);
            const float ml = dmin * static_cast<float>(b[i].scales[k] >> 4);
            for (int j = 0; j < 16; ++j) {
                const int e = 16 * k + j;           // element index in the super-block
                const int h = e / 128, r = e % 128; // half, offset in half
                const int q = (b[i].qs[32 * h + r % 32] >> (2 * (r / 32))) & 3;
                out[e] = dl * static_cast<float>(q) - ml;
            }
        }
    }
}

float dot(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ2_K*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const std::int64_t nb = n / kQKK;
    float sum = 0.0f;
    for (std::int64_t i = 0; i < nb; ++i) {
        int isum = 0;   // sum_k sc_k * sum(q*a)
        int minSum = 0; // sum_k m_k * sum(a)
        for (int k = 0; k < 16; ++k) {
            int s = 0;
            for (int j = 0; j < 16; ++j) {
                const int e = 16 * k + j;
                const int h = e / 128, r = e % 128;
                s += ((x[i].qs[32 * h + r % 32] >> (2 * (r / 32))) & 3) * a[i].qs[e];
            }
            isum += (x[i].scales[k] & 0xF) * s;
            minSum += (x[i].scales[k] >> 4) * a[i].bsums[k];
        }
        sum += a[i].d * fp16ToFp32(x[i].d) * static_cast<float>(isum) -
               a[i].d * fp16ToFp32(x[i].dmin) * static_cast<float>(minSum);
    }
    return sum;
}

} // namespace condense::quant::q2_k
