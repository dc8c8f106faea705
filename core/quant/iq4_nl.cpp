#include "core/quant/iq4_nl.h"

#include <cmath>

#include "core/quant/block_types.h"
#include "core/quant/quant_avx2.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::iq4_nl {

namespace {

// Per-element weights of one block: x^2, or importance * sqrt(sigma2 + x^2) with the block's
// own sigma2 = 2*sum(x^2)/32.
void blockWeights(const float* xb, const float* qw, float* w)
{
    if (qw) {
        float sigma2 = 0.0f;
        for (int j = 0; j < kQK; ++j)
            sigma2 += xb[j] * xb[j];
        sigma2 *= 2.0f / static_cast<float>(kQK);
        for (int j = 0; j < kQK; ++j)
            w[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
    } else {
        for (int j = 0; j < kQK; ++j)
            w[j] = xb[j] * xb[j];
    }
}

// Stores f16(d) and the codes nearest to x/d (with the unrounded d).
void finishBlock(const float* xb, float d, BlockIQ4_NL& b)
{
    b.d = fp32ToFp16(d);
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < kQK / 2; ++j)
        b.qs[j] = static_cast<std::uint8_t>(iq4BestIndex(id * xb[j]) | (iq4BestIndex(id * xb[j + 16]) << 4));
}

void quantizeRowWith(const SearchKernels& search, const float* x, void* dst, std::int64_t n, const float* importance)
{
    auto* y = static_cast<BlockIQ4_NL*>(dst);
    const std::int64_t nb = n / kQK;
    float w[8 * kQK];
    float scales[8];
    std::int64_t i = 0;
    for (; i + 8 <= nb; i += 8) { // 8 blocks per search call
        for (int b = 0; b < 8; ++b)
            blockWeights(x + (i + b) * kQK, importance ? importance + (i + b) * kQK : nullptr, w + b * kQK);
        search.iq4Scales8(x + i * kQK, w, scales);
        for (int b = 0; b < 8; ++b)
            finishBlock(x + (i + b) * kQK, scales[b], y[i + b]);
    }
    for (; i < nb; ++i) {
        blockWeights(x + i * kQK, importance ? importance + i * kQK : nullptr, w);
        finishBlock(x + i * kQK, iq4BlockScale(x + i * kQK, w), y[i]);
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
    const auto* b = static_cast<const BlockIQ4_NL*>(src);
    const std::int64_t nb = n / kQK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        for (int j = 0; j < kQK / 2; ++j) {
            y[i * kQK + j] = d * static_cast<float>(kIq4nlValues[b[i].qs[j] & 0xF]);
            y[i * kQK + j + 16] = d * static_cast<float>(kIq4nlValues[b[i].qs[j] >> 4]);
        }
    }
}

float dot(const void* qrow, const void* q8row, std::int64_t n)
{
    const auto* x = static_cast<const BlockIQ4_NL*>(qrow);
    const auto* a = static_cast<const BlockQ8_0*>(q8row);
    const std::int64_t nb = n / kQK;
    float part[8] = {};
    for (std::int64_t i = 0; i < nb; ++i) {
        int isum = 0;
        for (int j = 0; j < kQK / 2; ++j) {
            isum += kIq4nlValues[x[i].qs[j] & 0xF] * a[i].qs[j];
            isum += kIq4nlValues[x[i].qs[j] >> 4] * a[i].qs[j + 16];
        }
        part[i % 8] += fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d) * static_cast<float>(isum);
    }
    return reduce8(part);
}

} // namespace condense::quant::iq4_nl
