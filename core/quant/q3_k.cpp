#include "core/quant/q3_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/quant/block_types.h"
#include "core/quant/quant_avx2.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q3_k {
namespace {

// codes[k] in [0, 63] -> scales[12].
void packScales(const int* codes, std::uint8_t* scales)
{
    std::memset(scales, 0, 12);
    for (int k = 0; k < 16; ++k) {
        const int c = codes[k];
        if (k < 8)
            scales[k] = static_cast<std::uint8_t>(scales[k] | (c & 0xF));
        else
            scales[k - 8] = static_cast<std::uint8_t>(scales[k - 8] | ((c & 0xF) << 4));
        scales[8 + k % 4] = static_cast<std::uint8_t>(scales[8 + k % 4] | ((c >> 4) << (2 * (k / 4))));
    }
}

int scaleCode(const std::uint8_t* scales, int k)
{
    const int lo = k < 8 ? (scales[k] & 0xF) : (scales[k - 8] >> 4);
    const int hi = (scales[8 + k % 4] >> (2 * (k / 4))) & 3;
    return lo | (hi << 4);
}

// Re-derives the levels from the stored (f16) scales, then writes hmask and qs.
// L holds codes in [0, 7] (signed level + 4).
void requantizeAndPack(const float* x, std::int8_t* L, BlockQ3_K& b)
{
    const float d = fp16ToFp32(b.d);
    for (int k = 0; k < 16; ++k) {
        const float dl = d * static_cast<float>(scaleCode(b.scales, k) - 32);
        if (dl == 0.0f) continue;
        for (int j = 0; j < 16; ++j)
            L[16 * k + j] = static_cast<std::int8_t>(std::clamp(nearestInt(x[16 * k + j] / dl), -4, 3) + 4);
    }
    std::memset(b.hmask, 0, sizeof b.hmask);
    for (int e = 0; e < kQKK; ++e) {
        if (L[e] > 3) {
            b.hmask[e % 32] = static_cast<std::uint8_t>(b.hmask[e % 32] | (1u << (e / 32)));
            L[e] = static_cast<std::int8_t>(L[e] - 4);
        }
    }
    for (int h = 0; h < 2; ++h)
        for (int l = 0; l < 32; ++l) {
            const std::int8_t* q = L + 128 * h + l;
            b.qs[32 * h + l] = static_cast<std::uint8_t>(q[0] | (q[32] << 2) | (q[64] << 4) | (q[96] << 6));
        }
}

void quantizeBlockRef(const SearchKernels& search, const float* x, BlockQ3_K& b)
{
    std::int8_t L[kQKK];
    float scales[16];
    search.q316x16(x, 4, L, scales);
    float maxScale = 0.0f, amax = 0.0f;
    for (int k = 0; k < 16; ++k) {
        const float a = std::fabs(scales[k]);
        if (a > amax) {
            amax = a;
            maxScale = scales[k];
        }
    }
    int codes[16] = {};
    if (maxScale != 0.0f) {
        const float iscale = -32.0f / maxScale;
        for (int k = 0; k < 16; ++k) {
            // ggml stores nearest_int through an int8 before clamping; keep that.
            const auto l = static_cast<std::int8_t>(nearestInt(iscale * scales[k]));
            codes[k] = std::clamp(static_cast<int>(l), -32, 31) + 32;
        }
        packScales(codes, b.scales);
        b.d = fp32ToFp16(1.0f / iscale);
    } else {
        std::memset(b.scales, 0, sizeof b.scales);
        b.d = fp32ToFp16(0.0f);
    }
    requantizeAndPack(x, L, b);
}

void quantizeBlockImportance(const SearchKernels& search, const float* x, const float* qw, BlockQ3_K& b)
{
    std::int8_t L[kQKK];
    float scales[16], sw[16], w[kQKK];
    std::int8_t Ls[16];
    float sumX2 = 0.0f;
    for (int j = 0; j < kQKK; ++j)
        sumX2 += x[j] * x[j];
    const float sigma2 = 2.0f * sumX2 / static_cast<float>(kQKK);
    for (int j = 0; j < kQKK; ++j)
        w[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
    for (int k = 0; k < 16; ++k) {
        float s = 0.0f;
        for (int j = 0; j < 16; ++j)
            s += w[16 * k + j];
        sw[k] = s;
    }
    search.qx16x16(x, 4, w, L, scales);
    const float dBlock = makeQxQuants(16, 32, scales, Ls, sw);
    int codes[16];
    for (int k = 0; k < 16; ++k)
        codes[k] = Ls[k];
    packScales(codes, b.scales);
    b.d = fp32ToFp16(dBlock);
    requantizeAndPack(x, L, b);
}

void quantizeRowWith(const SearchKernels& search, const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockQ3_K*>(dst);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i) {
        if (importance)
            quantizeBlockImportance(search, x + i * kQKK, importance + i * kQKK, y[i]);
        else
            quantizeBlockRef(search, x + i * kQKK, y[i]);
    }
}

// Signed levels of one super-block, element order.
void unpackLevels(const BlockQ3_K& b, int* v)
{
    for (int e = 0; e < kQKK; ++e) {
        const int h = e / 128, r = e % 128;
        const int low = (b.qs[32 * h + r % 32] >> (2 * (r / 32))) & 3;
        const bool high = (b.hmask[e % 32] >> (e / 32)) & 1;
        v[e] = low - (high ? 0 : 4);
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
    const auto* b = static_cast<const BlockQ3_K*>(src);
    const std::int64_t nb = n / kQKK;
    int v[kQKK];
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        unpackLevels(b[i], v);
        for (int k = 0; k < 16; ++k) {
            const float dl = d * static_cast<float>(scaleCode(b[i].scales, k) - 32);
            for (int j = 0; j < 16; ++j)
                y[i * kQKK + 16 * k + j] = dl * static_cast<float>(v[16 * k + j]);
        }
    }
}

float dot(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ3_K*>(qrow);
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
            isum += (scaleCode(x[i].scales, k) - 32) * s;
        }
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum);
    }
    return sum;
}

} // namespace condense::quant::q3_k
