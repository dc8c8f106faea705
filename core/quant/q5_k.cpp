#include "core/quant/q5_k.h"

#include <cstring>

#include "core/quant/block_types.h"
#include "core/quant/quant_avx2.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::quant::q5_k {
namespace {

// 5-bit code of element 64c + 32*half + l.
inline int code(const BlockQ5_K& b, int c, int half, int l)
{
    const int low = (b.qs[32 * c + l] >> (4 * half)) & 0xF;
    const int high = (b.qh[l] >> (2 * c + half)) & 1;
    return low | (high << 4);
}

void quantizeRowWith(const SearchKernels& search, const float* x, void* dst, std::int64_t n, const float* importance)
{
    static constexpr ScaleMinParams kParams{31, -0.5f, 0.1f, 15, true};
    auto* y = static_cast<BlockQ5_K*>(dst);
    const std::int64_t nb = n / kQKK;
    std::uint8_t L[kQKK];
    for (std::int64_t i = 0; i < nb; ++i) {
        search.scaleMinSuperBlock(x + i * kQKK, importance ? importance + i * kQKK : nullptr, kParams, y[i].scales,
                                  &y[i].d, &y[i].dmin, L);
        std::memset(y[i].qh, 0, sizeof y[i].qh);
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l) {
                const int lo = L[64 * c + l], hi = L[64 * c + 32 + l];
                y[i].qs[32 * c + l] = static_cast<std::uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
                y[i].qh[l] =
                    static_cast<std::uint8_t>(y[i].qh[l] | ((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
            }
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
    const auto* b = static_cast<const BlockQ5_K*>(src);
    const std::int64_t nb = n / kQKK;
    for (std::int64_t i = 0; i < nb; ++i) {
        const float d = fp16ToFp32(b[i].d);
        const float dmin = fp16ToFp32(b[i].dmin);
        float* out = y + i * kQKK;
        for (int c = 0; c < 4; ++c) {
            std::uint8_t sc, m;
            getScaleMinK4(2 * c, b[i].scales, &sc, &m);
            const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
            getScaleMinK4(2 * c + 1, b[i].scales, &sc, &m);
            const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
            for (int l = 0; l < 32; ++l)
                out[64 * c + l] = d1 * static_cast<float>(code(b[i], c, 0, l)) - m1;
            for (int l = 0; l < 32; ++l)
                out[64 * c + 32 + l] = d2 * static_cast<float>(code(b[i], c, 1, l)) - m2;
        }
    }
}

float dot(const void* qrow, const void* q8krow, std::int64_t n)
{
    const auto* x = static_cast<const BlockQ5_K*>(qrow);
    const auto* a = static_cast<const BlockQ8_K*>(q8krow);
    const std::int64_t nb = n / kQKK;
    float sum = 0.0f;
    for (std::int64_t i = 0; i < nb; ++i) {
        int isum = 0, minSum = 0;
        for (int j = 0; j < 8; ++j) {
            std::uint8_t sc, m;
            getScaleMinK4(j, x[i].scales, &sc, &m);
            const std::int8_t* av = a[i].qs + 32 * j;
            int s = 0;
            for (int l = 0; l < 32; ++l)
                s += code(x[i], j / 2, j % 2, l) * av[l];
            isum += sc * s;
            minSum += m * (a[i].bsums[2 * j] + a[i].bsums[2 * j + 1]);
        }
        sum += fp16ToFp32(x[i].d) * a[i].d * static_cast<float>(isum) -
               fp16ToFp32(x[i].dmin) * a[i].d * static_cast<float>(minSum);
    }
    return sum;
}

} // namespace condense::quant::q5_k
