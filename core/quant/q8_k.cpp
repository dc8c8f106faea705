#include "core/quant/q8_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"

namespace condense::quant::q8_k {

void quantizeRow(const float* x, void* dst, std::int64_t n, const float* /*importance*/)
{
    auto* y = static_cast<BlockQ8_K*>(dst);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float* xb = x + i * kQKK;
        float max = 0.0f;
        float amax = 0.0f;
        for (int j = 0; j < kQKK; ++j) {
            const float ax = std::fabs(xb[j]);
            if (ax > amax) {
                amax = ax;
                max = xb[j];
            }
        }
        if (amax == 0.0f) {
            // ggml leaves bsums untouched here; we zero them so the block is fully defined.
            std::memset(&y[i], 0, sizeof(BlockQ8_K));
            continue;
        }
        const float iscale = -127.0f / max;
        for (int j = 0; j < kQKK; ++j)
            y[i].qs[j] = static_cast<std::int8_t>(std::min(127, nearestInt(iscale * xb[j])));
        for (int k = 0; k < kQKK / 16; ++k) {
            int sum = 0;
            for (int j = 0; j < 16; ++j)
                sum += y[i].qs[16 * k + j];
            y[i].bsums[k] = static_cast<std::int16_t>(sum);
        }
        y[i].d = 1.0f / iscale;
    }
}

void dequantizeRow(const void* src, float* y, std::int64_t n)
{
    const auto* b = static_cast<const BlockQ8_K*>(src);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i)
        for (int j = 0; j < kQKK; ++j)
            y[i * kQKK + j] = b[i].d * static_cast<float>(b[i].qs[j]);
}

} // namespace condense::quant::q8_k
