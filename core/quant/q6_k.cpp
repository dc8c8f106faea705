#include "core/quant/q6_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/quant/block_types.h"
#include "core/quant/quant_avx2.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q6_k {
namespace {

void quantizeBlock(const SearchKernels& search, const float* x, const float* qw, BlockQ6_K& b)
{
    std::int8_t L[kQKK];
    float scales[16];
    float maxScale = 0.0f, maxAbsScale = 0.0f;
    search.qx16x16(x, 32, qw, L, scales);
    for (int k = 0; k < 16; ++k) {
        const float a = std::fabs(scales[k]);
        if (a > maxAbsScale) {
            maxAbsScale = a;
            maxScale = scales[k];
        }
    }
    if (maxAbsScale < kGroupMaxEps) {
        std::memset(&b, 0, sizeof b);
        return;
    }
    const float iscale = -128.0f / maxScale;
    b.d = fp32ToFp16(1.0f / iscale);
    for (int k = 0; k < 16; ++k)
        b.scales[k] = static_cast<std::int8_t>(std::min(127, nearestInt(iscale * scales[k])));

    const float d = fp16ToFp32(b.d);
    for (int k = 0; k < 16; ++k) {
        const float dl = d * static_cast<float>(b.scales[k]);
        if (dl == 0.0f) continue;
        for (int j = 0; j < 16; ++j)
            L[16 * k + j] = static_cast<std::int8_t>(std::clamp(nearestInt(x[16 * k + j] / dl), -32, 31) + 32);
    }
    for (int t = 0; t < 2; ++t)
        for (int l = 0; l < 32; ++l) {
            const std::int8_t* q = L + 128 * t + l;
            b.ql[64 * t + l] = static_cast<std::uint8_t>((q[0] & 0xF) | ((q[64] & 0xF) << 4));
            b.ql[64 * t + l + 32] = static_cast<std::uint8_t>((q[32] & 0xF) | ((q[96] & 0xF) << 4));
            b.qh[32 * t + l] = static_cast<std::uint8_t>((q[0] >> 4) | ((q[32] >> 4) << 2) | ((q[64] >> 4) << 4) |
                                                         ((q[96] >> 4) << 6));
        }
}

// Signed levels (q - 32) of one super-block in element order.
void unpackLevels(const BlockQ6_K& b, int* v)
{
    for (int t = 0; t < 2; ++t)
        for (int l = 0; l < 32; ++l) {
            const int h = b.qh[32 * t + l];
            const int lo0 = b.ql[64 * t + l], lo1 = b.ql[64 * t + l + 32];
            v[128 * t + l] = ((lo0 & 0xF) | ((h & 3) << 4)) - 32;
            v[128 * t + l + 32] = ((lo1 & 0xF) | (((h >> 2) & 3) << 4)) - 32;
            v[128 * t + l + 64] = ((lo0 >> 4) | (((h >> 4) & 3) << 4)) - 32;
            v[128 * t + l + 96] = ((lo1 >> 4) | (((h >> 6) & 3) << 4)) - 32;
        }
}

} // namespace

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockQ6_K*>(dst);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i)
        quantizeBlock(scalarSearches(), x + i * kQKK, importance ? importance + i * kQKK : nullptr, y[i]);
}

void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockQ6_K*>(dst);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i)
        quantizeBlock(avx2::searches(), x + i * kQKK, importance ? importance + i * kQKK : nullptr, y[i]);
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ6_K*>(src);
    const std::int64_t nb = n / kQKK;
    int v[kQKK];
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        unpackLevels(b[i], v);
        for (int e = 0; e < kQKK; ++e)
            y[i * kQKK + e] = d * static_cast<float>(b[i].scales[e / 16]) * static_cast<float>(v[e]);
    }
}

float dot(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ6_K*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const std::int64_t nb = n / kQKK;
    int v[kQKK];
    float sum = 0.0f;
    for (std::int64_t i = 0; i < nb; ++i) {
        unpackLevels(x[i], v);
        int isum = 0;
        for (int k = 0; k < 16; ++k) {
            int s = 0;
            for (int j = 0; j < 16; ++j)
                s += v[16 * k + j] * a[i].qs[16 * k + j];
            isum += x[i].scales[k] * s;
        }
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum);
    }
    return sum;
}

} // namespace condense::quant::q6_k
