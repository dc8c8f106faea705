#include "core/quant/q5_1.h"

#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q5_1 {
namespace {

void pack(const std::uint8_t* q, BlockQ5_1& b)
{
    std::uint32_t qh = 0;
    for (int j = 0; j < kQK / 2; ++j) {
        b.qs[j] = static_cast<std::uint8_t>((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4));
        qh |= static_cast<std::uint32_t>((q[j] >> 4) & 1u) << j;
        qh |= static_cast<std::uint32_t>((q[j + 16] >> 4) & 1u) << (j + 16);
    }
    std::memcpy(b.qh, &qh, sizeof qh);
}

} // namespace

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockQ5_1*>(dst);
    const std::int64_t nb = n / kQK;
    std::uint8_t q[kQK];
    if (!importance) {
        for (std::int64_t i = 0; i < nb; ++i) {
            const float* xb = x + i * kQK;
            float min = FLT_MAX;
            float max = -FLT_MAX;
            for (int j = 0; j < kQK; ++j) {
                if (xb[j] < min) min = xb[j];
                if (xb[j] > max) max = xb[j];
            }
            const float d = (max - min) / 31.0f;
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            y[i].d = fp32ToFp16(d);
            y[i].m = fp32ToFp16(min);
            for (int j = 0; j < kQK; ++j)
                q[j] = static_cast<std::uint8_t>(truncToInt((xb[j] - min) * id + 0.5f));
            pack(q, y[i]);
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
        const float d = makeQkxQuants(kQK, 31, xb, w, L, &negMin, Laux, -0.9f, 0.05f, 36, false);
        y[i].d = fp32ToFp16(d);
        y[i].m = fp32ToFp16(-negMin);
        pack(L, y[i]);
    }
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ5_1*>(src);
    const std::int64_t nb = n / kQK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const float m = fp16ToFp32(b[i].m);
        std::uint32_t qh;
        std::memcpy(&qh, b[i].qh, sizeof qh);
        for (int j = 0; j < kQK / 2; ++j) {
            const int h0 = static_cast<int>((qh >> j) & 1u) << 4;
            const int h1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
            y[i * kQK + j] = static_cast<float>((b[i].qs[j] & 0x0F) | h0) * d + m;
            y[i * kQK + j + 16] = static_cast<float>((b[i].qs[j] >> 4) | h1) * d + m;
        }
    }
}

float dot(const void* qrow, const void* q8_1row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ5_1*>(qrow);
    const auto* a = static_cast<const BlockQ8_1*>(q8_1row);
    const std::int64_t nb = n / kQK;
    float part[8] = {};
    for (std::int64_t i = 0; i < nb; ++i) {
        std::uint32_t qh;
        std::memcpy(&qh, x[i].qh, sizeof qh);
        int isum = 0;
        for (int j = 0; j < kQK / 2; ++j) {
            const int h0 = static_cast<int>((qh >> j) & 1u) << 4;
            const int h1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
            isum += ((x[i].qs[j] & 0x0F) | h0) * a[i].qs[j];
            isum += ((x[i].qs[j] >> 4) | h1) * a[i].qs[j + 16];
        }
        part[i % 8] += fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d) * static_cast<float>(isum) +
                       fp16ToFp32(x[i].m) * fp16ToFp32(a[i].s);
    }
    return reduce8(part);
}

} // namespace condense::quant::q5_1
