#include "core/quant/q8_1.h"

#include <cmath>

#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q8_1 {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* /*importance*/)
{
    auto* y = static_cast<BlockQ8_1*>(dst);
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
        int sum = 0;
        for (int j = 0; j < kQK; ++j) {
            y[i].qs[j] = static_cast<std::int8_t>(truncToInt(std::round(xb[j] * id)));
            sum += y[i].qs[j];
        }
        y[i].s = fp32ToFp16(static_cast<float>(sum) * d);
    }
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ8_1*>(src);
    const std::int64_t nb = n / kQK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        for (int j = 0; j < kQK; ++j)
            y[i * kQK + j] = static_cast<float>(b[i].qs[j]) * d;
    }
}

} // namespace condense::quant::q8_1
