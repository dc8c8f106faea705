#include "core/quant/q4_1.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q4_1 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockQ4_1*>(dst);
    const std::int64_t nb = n / kQK;
    if (!importance) {
        for (std::int64_t i = 0; i < nb; ++i) {
            const float* xb = x + i * kQK;
            float min = FLT_MAX;
            float max = -FLT_MAX;
            for (int j = 0; j < kQK; ++j) {
                if (xb[j] < min) min = xb[j];
                if (xb[j] > max) max = xb[j];
            }
            const float d = (max - min) / 15.0f;
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            y[i].d = fp32ToFp16(d);
            y[i].m = fp32ToFp16(min);
            for (int j = 0; j < kQK / 2; ++j) {
                const int q0 =
                    std::min(15, static_cast<int>(static_cast<std::int8_t>(truncToInt((xb[j] - min) * id + 0.5f))));
                const int q1 = std::min(
                    15, static_cast<int>(static_cast<std::int8_t>(truncToInt((xb[j + 16] - min) * id + 0.5f))));
                y[i].qs[j] =
                    static_cast<std::uint8_t>(static_cast<std::uint8_t>(q0) | (static_cast<std::uint8_t>(q1) << 4));
            }
        }
        return;
    }
    float sumX2 = 0.0f;
    for (std::int64_t j = 0; j < n; ++j)
        sumX2 += x[j] * x[j];
    const float sigma2 = sumX2 / static_cast<float>(n);
    float w[kQK];
    std::uint8_t L[kQK], Laux[kQK];
    for (std::int64_t i = 0; i < nb; ++i) {
        const float* xb = x + i * kQK;
        const float* qw = importance + i * kQK;
        for (int j = 0; j < kQK; ++j)
            w[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
        float negMin;
        const float d = makeQkxQuants(kQK, 15, xb, w, L, &negMin, Laux, -0.9f, 0.05f, 36, false);
        y[i].d = fp32ToFp16(d);
        y[i].m = fp32ToFp16(-negMin);
        for (int j = 0; j < kQK / 2; ++j)
            y[i].qs[j] = static_cast<std::uint8_t>(L[j] | (L[j + 16] << 4));
    }
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ4_1*>(src);
    const std::int64_t nb = n / kQK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const float m = fp16ToFp32(b[i].m);
        for (int j = 0; j < kQK / 2; ++j) {
            y[i * kQK + j] = static_cast<float>(b[i].qs[j] & 0x0F) * d + m;
            y[i * kQK + j + 16] = static_cast<float>(b[i].qs[j] >> 4) * d + m;
        }
    }
}

float dot(const void* qrow, const void* q8_1row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ4_1*>(qrow);
    const auto* a = static_cast<const BlockQ8_1*>(q8_1row);
    const std::int64_t nb = n / kQK;
    float part[8] = {};
    for (std::int64_t i = 0; i < nb; ++i) {
        int isum = 0;
        for (int j = 0; j < kQK / 2; ++j) {
            isum += (x[i].qs[j] & 0x0F) * a[i].qs[j];
            isum += (x[i].qs[j] >> 4) * a[i].qs[j + 16];
        }
        part[i % 8] += fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d) * static_cast<float>(isum) +
                       fp16ToFp32(x[i].m) * fp16ToFp32(a[i].s);
    }
    return reduce8(part);
}

} // namespace condense::quant::q4_1
