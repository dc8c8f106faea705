#include "core/quant/q8_0.h"

#include <cmath>

#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q8_0 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* /*importance*/)
{
    auto* y = static_cast<BlockQ8_0*>(dst);
    const std::int64_t nb = n / kQK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float* xb = x + i * kQK;
        float amax = 0.0f;
        for (int j = 0; j < kQK; ++j) {
            const float ax = std::fabs(xb[j]);
            amax = amax > ax ? amax : ax;
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = fp32ToFp16(d);
        for (int j = 0; j < kQK; ++j)
            y[i].qs[j] = static_cast<std::int8_t>(truncToInt(std::round(xb[j] * id)));
    }
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ8_0*>(src);
    const std::int64_t nb = n / kQK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        for (int j = 0; j < kQK; ++j)
            y[i * kQK + j] = static_cast<float>(b[i].qs[j]) * d;
    }
}

float dot(const void* qrow, const void* q8row, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ8_0*>(qrow);
    const auto* a = static_cast<const BlockQ8_0*>(q8row);
    const std::int64_t nb = n / kQK;
    float part[8] = {};
    for (std::int64_t i = 0; i < nb; ++i) {
        int isum = 0;
        for (int j = 0; j < kQK; ++j)
            isum += x[i].qs[j] * a[i].qs[j];
        part[i % 8] += static_cast<float>(isum) * (fp16ToFp32(x[i].d) * fp16ToFp32(a[i].d));
    }
    return reduce8(part);
}

} // namespace condense::quant::q8_0
