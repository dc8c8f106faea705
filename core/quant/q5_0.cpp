#include "core/quant/q5_0.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q5_0 {
namespace {

// Packs 32 five-bit codes into qs/qh.
void pack(const std::uint8_t* q, BlockQ5_0& b)
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
    auto* y = static_cast<BlockQ5_0*>(dst);
    const std::int64_t nb = n / kQK;
    std::uint8_t q[kQK];
    if (!importance) {
        for (std::int64_t i = 0; i < nb; ++i) {
            const float* xb = x + i * kQK;
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < kQK; ++j) {
                if (amax < std::fabs(xb[j])) {
                    amax = std::fabs(xb[j]);
                    max = xb[j];
                }
            }
            const float d = max / -16.0f;
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            y[i].d = fp32ToFp16(d);
            for (int j = 0; j < kQK; ++j)
                q[j] = static_cast<std::uint8_t>(
                    std::min(31, static_cast<int>(static_cast<std::int8_t>(truncToInt(xb[j] * id + 16.5f)))));
            pack(q, y[i]);
        }
        return;
    }
    float sumX2 = 0.0f;
    for (std::int64_t j = 0; j < n; ++j)
        sumX2 += x[j] * x[j];
    const float sigma2 = sumX2 / static_cast<float>(n);
    float w[kQK];
    std::int8_t L[kQK];
    for (std::int64_t i = 0; i < nb; ++i) {
        const float* xb = x + i * kQK;
        const float* qw = importance + i * kQK;
        for (int j = 0; j < kQK; ++j)
            w[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
        const float d = makeQxQuants(kQK, 16, xb, L, w);
        y[i].d = fp32ToFp16(d);
        for (int j = 0; j < kQK; ++j)
            q[j] = static_cast<std::uint8_t>(L[j]);
        pack(q, y[i]);
    }
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ5_0*>(src);
    const std::int64_t nb = n / kQK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        std::uint32_t qh;
        std::memcpy(&qh, b[i].qh, sizeof qh);
        for (int j = 0; j < kQK / 2; ++j) {
            const int h0 = static_cast<int>((qh >> j) & 1u) << 4;
            const int h1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
            y[i * kQK + j] = static_cast<float>(((b[i].qs[j] & 0x0F) | h0) - 16) * d;
            y[i * kQK + j + 16] = static_cast<float>(((b[i].qs[j] >> 4) | h1) - 16) * d;
        }
    }
}

float dot(const void* qrow, const void* q8row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ5_0*>(qrow);
    const auto* a = static_cast<const BlockQ8_0*>(q8row);
    const std::int64_t nb = n / kQK;
    float part[8] = {};
    for (std::int64_t i = 0; i < nb; ++i) {
        std::uint32_t qh;
        std::memcpy(&qh, x[i].qh, sizeof qh);
        int isum = 0;
        for (int j = 0; j < kQK / 2; ++j) {
            const int h0 = static_cast<int>((qh >> j) & 1u) << 4;
            const int h1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
            isum += (((x[i].qs[j] & 0x0F) | h0) - 16) * a[i].qs[j];
            isum += (((x[i].qs[j] >> 4) | h1) - 16) * a[i].qs[j + 16];
        }
        part[i % 8] += static_cast<float>(isum) * (fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d));
    }
    return reduce8(part);
}

} // namespace condense::quant::q5_0
