#include "core/quant/iq4_xs.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/quant/block_types.h"
#include "core/quant/quant_avx2.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::iq4_xs {
namespace {

void quantizeBlock(const SearchKernels& search, const float* x, const float* qw, BlockIQ4_XS& b)
{
    float sigma2 = 0.0f;
    for (int j = 0; j < kQKK; ++j)
        sigma2 += x[j] * x[j];
    sigma2 *= 2.0f / static_cast<float>(kQKK);

    float scales[8];
    float w[kQKK];
    if (qw) {
        for (int j = 0; j < kQKK; ++j)
            w[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
    } else {
        for (int j = 0; j < kQKK; ++j)
            w[j] = x[j] * x[j];
    }
    search.iq4Scales8(x, w, scales);
    float maxScale = 0.0f, amaxScale = 0.0f;
    for (int ib = 0; ib < 8; ++ib) {
        const float a = std::fabs(scales[ib]);
        if (a > amaxScale) {
            amaxScale = a;
            maxScale = scales[ib];
        }
    }

    const float d = -maxScale / 32.0f;
    b.d = fp32ToFp16(d);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    std::uint16_t scalesH = 0;
    std::memset(b.scalesL, 0, sizeof b.scalesL);
    for (int ib = 0; ib < 8; ++ib) {
        const int l = std::clamp(nearestInt(id * scales[ib]), -32, 31);
        const float dl = d * static_cast<float>(l);
        const float idl = dl != 0.0f ? 1.0f / dl : 0.0f;
        const float* xb = x + 32 * ib;
        std::uint8_t* qs = b.qs + 16 * ib;
        for (int j = 0; j < 16; ++j)
            qs[j] = static_cast<std::uint8_t>(iq4BestIndex(idl * xb[j]) | (iq4BestIndex(idl * xb[j + 16]) << 4));
        const int code = l + 32;
        b.scalesL[ib / 2] = static_cast<std::uint8_t>(b.scalesL[ib / 2] | ((code & 0xF) << (4 * (ib % 2))));
        scalesH = static_cast<std::uint16_t>(scalesH | ((code >> 4) << (2 * ib)));
    }
    b.scalesH = scalesH;
}

inline int subBlockCode(const BlockIQ4_XS& b, int ib)
{
    return ((b.scalesL[ib / 2] >> (4 * (ib % 2))) & 0xF) | (((b.scalesH >> (2 * ib)) & 3) << 4);
}

} // namespace

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockIQ4_XS*>(dst);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i)
        quantizeBlock(scalarSearches(), x + i * kQKK, importance ? importance + i * kQKK : nullptr, y[i]);
}

void quantizeRowAvx2(const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockIQ4_XS*>(dst);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i)
        quantizeBlock(avx2::searches(), x + i * kQKK, importance ? importance + i * kQKK : nullptr, y[i]);
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockIQ4_XS*>(src);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        for (int ib = 0; ib < 8; ++ib) {
            const float dl = d * static_cast<float>(subBlockCode(b[i], ib) - 32);
            const std::uint8_t* qs = b[i].qs + 16 * ib;
            float* out = y + i * kQKK + 32 * ib;
            for (int j = 0; j < 16; ++j) {
                out[j] = dl * static_cast<float>(kIq4nlValues[qs[j] & 0xF]);
                out[j + 16] = dl * static_cast<float>(kIq4nlValues[qs[j] >> 4]);
            }
        }
    }
}

float dot(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockIQ4_XS*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const std::int64_t nb = n / kQKK;
    float sum = 0.0f;
    for (std::int64_t i = 0; i < nb; ++i) {
        int isum = 0;
        for (int ib = 0; ib < 8; ++ib) {
            const std::uint8_t* qs = x[i].qs + 16 * ib;
            const std::int8_t* av = a[i].qs + 32 * ib;
            int s = 0;
            for (int j = 0; j < 16; ++j) {
                s += kIq4nlValues[qs[j] & 0xF] * av[j];
                s += kIq4nlValues[qs[j] >> 4] * av[j + 16];
            }
            isum += (subBlockCode(x[i], ib) - 32) * s;
        }
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum);
    }
    return sum;
}

} // namespace condense::quant::iq4_xs
