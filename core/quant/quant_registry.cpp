#include "core/quant/quant_registry.h"

#include <algorithm>
#include <array>

#include "core/jobs/thread_arena.h"
#include "core/quant/iq4_nl.h"
#include "core/quant/iq4_xs.h"
#include "core/quant/q2_k.h"
#include "core/quant/q3_k.h"
#include "core/quant/q4_0.h"
#include "core/quant/q4_1.h"
#include "core/quant/q4_k.h"
#include "core/quant/q5_0.h"
#include "core/quant/q5_1.h"
#include "core/quant/q5_k.h"
#include "core/quant/q6_k.h"
#include "core/quant/q8_0.h"
#include "core/quant/q8_1.h"
#include "core/quant/q8_k.h"
#include "core/quant/quant_avx2.h"

namespace condense::quant {
namespace {

constexpr std::array kScalar = {
    QuantKernels{DType::Q4_0, q4_0::quantizeRow, q4_0::dequantizeRow, DType::Q8_0, q4_0::dot, false},
    QuantKernels{DType::Q4_1, q4_1::quantizeRow, q4_1::dequantizeRow, DType::Q8_1, q4_1::dot, false},
    QuantKernels{DType::Q5_0, q5_0::quantizeRow, q5_0::dequantizeRow, DType::Q8_0, q5_0::dot, false},
    QuantKernels{DType::Q5_1, q5_1::quantizeRow, q5_1::dequantizeRow, DType::Q8_1, q5_1::dot, false},
    QuantKernels{DType::Q8_0, q8_0::quantizeRow, q8_0::dequantizeRow, DType::Q8_0, q8_0::dot, false},
    QuantKernels{DType::Q8_1, q8_1::quantizeRow, q8_1::dequantizeRow, DType::Q8_1, nullptr, false},
    QuantKernels{DType::Q2_K, q2_k::quantizeRow, q2_k::dequantizeRow, DType::Q8_K, q2_k::dot, false},
    QuantKernels{DType::Q3_K, q3_k::quantizeRow, q3_k::dequantizeRow, DType::Q8_K, q3_k::dot, false},
    QuantKernels{DType::Q4_K, q4_k::quantizeRow, q4_k::dequantizeRow, DType::Q8_K, q4_k::dot, false},
    QuantKernels{DType::Q5_K, q5_k::quantizeRow, q5_k::dequantizeRow, DType::Q8_K, q5_k::dot, false},
    QuantKernels{DType::Q6_K, q6_k::quantizeRow, q6_k::dequantizeRow, DType::Q8_K, q6_k::dot, false},
    QuantKernels{DType::Q8_K, q8_k::quantizeRow, q8_k::dequantizeRow, DType::Q8_K, nullptr, false},
    QuantKernels{DType::IQ4_NL, iq4_nl::quantizeRow, iq4_nl::dequantizeRow, DType::Q8_0, iq4_nl::dot, false},
    QuantKernels{DType::IQ4_XS, iq4_xs::quantizeRow, iq4_xs::dequantizeRow, DType::Q8_K, iq4_xs::dot, false},
};

// kScalar with the AVX2 variants swapped in.
std::array<QuantKernels, kScalar.size()> makeAvx2Table()
{
    std::array<QuantKernels, kScalar.size()> t = kScalar;
    struct Override {
        DType type;
        QuantizeRowFn quantizeRow; // nullptr: keep the scalar one
        DotFn dot;
        DequantizeRowFn dequantizeRow = nullptr; // nullptr: keep the scalar one
    };
    static constexpr Override kOverrides[] = {
        {DType::Q4_0, nullptr, avx2::dotQ4_0},
        {DType::Q4_1, nullptr, avx2::dotQ4_1},
        {DType::Q5_0, nullptr, avx2::dotQ5_0},
        {DType::Q5_1, nullptr, avx2::dotQ5_1},
        {DType::Q8_0, avx2::quantizeRowQ8_0, avx2::dotQ8_0},
        {DType::Q2_K, q2_k::quantizeRowAvx2, avx2::dotQ2_K},
        {DType::Q3_K, q3_k::quantizeRowAvx2, avx2::dotQ3_K},
        {DType::Q4_K, q4_k::quantizeRowAvx2, avx2::dotQ4_K, avx2::dequantizeRowQ4_K},
        {DType::Q5_K, q5_k::quantizeRowAvx2, avx2::dotQ5_K},
        {DType::Q6_K, q6_k::quantizeRowAvx2, avx2::dotQ6_K, avx2::dequantizeRowQ6_K},
        {DType::IQ4_NL, iq4_nl::quantizeRowAvx2, avx2::dotIQ4_NL},
        {DType::IQ4_XS, iq4_xs::quantizeRowAvx2, avx2::dotIQ4_XS},
    };
    for (QuantKernels& k : t)
        for (const Override& o : kOverrides)
            if (k.type == o.type) {
                if (o.quantizeRow) k.quantizeRow = o.quantizeRow;
                if (o.dot) k.dot = o.dot;
                if (o.dequantizeRow) k.dequantizeRow = o.dequantizeRow;
            }
    return t;
}

const QuantKernels* findIn(const QuantKernels* begin, const QuantKernels* end, DType type)
{
    for (const QuantKernels* k = begin; k != end; ++k)
        if (k->type == type) return k;
    return nullptr;
}

// Rows per parallel task: enough elements (~64k) that scheduling cost stays negligible.
std::size_t rowsPerTask(std::int64_t nPerRow)
{
    return static_cast<std::size_t>(std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(1, nPerRow)));
}

// Row bytes, or 0 when nPerRow is not a positive multiple of the block size.
std::size_t rowBytes(DType type, std::int64_t nPerRow)
{
    const DTypeTraits* t = dtypeTraits(type);
    if (!t || nPerRow <= 0 || nPerRow % t->blockSize != 0) return 0;
    return static_cast<std::size_t>(nPerRow / t->blockSize) * t->blockBytes;
}

} // namespace

const QuantKernels* quantKernels(DType type, CpuLevel level) noexcept
{
    if (level >= CpuLevel::Avx2 && avx2::supported()) {
        static const std::array<QuantKernels, kScalar.size()> kAvx2 = makeAvx2Table();
        return findIn(kAvx2.data(), kAvx2.data() + kAvx2.size(), type);
    }
    return findIn(kScalar.data(), kScalar.data() + kScalar.size(), type);
}

bool quantizeRows(DType type, const float* src, void* dst, std::int64_t nrows, std::int64_t nPerRow,
                  const float* importance, std::stop_token stop, CpuLevel level)
{
    const QuantKernels* k = quantKernels(type, level);
    const std::size_t bytes = rowBytes(type, nPerRow);
    if (!k || bytes == 0 || nrows < 0 || (k->requiresImportance && !importance)) return false;
    const std::size_t chunk = rowsPerTask(nPerRow);
    const std::size_t rows = static_cast<std::size_t>(nrows);
    const std::size_t tasks = (rows + chunk - 1) / chunk;
    auto* out = static_cast<unsigned char*>(dst);
    return jobs::parallelFor(tasks, stop, [&](std::size_t t) {
        const std::size_t end = std::min(rows, (t + 1) * chunk);
        for (std::size_t r = t * chunk; r < end; ++r)
            k->quantizeRow(src + r * static_cast<std::size_t>(nPerRow), out + r * bytes, nPerRow, importance);
    });
}

bool dequantizeRows(DType type, const void* src, float* dst, std::int64_t nrows, std::int64_t nPerRow,
                    std::stop_token stop, CpuLevel level)
{
    const QuantKernels* k = quantKernels(type, level);
    const std::size_t bytes = rowBytes(type, nPerRow);
    if (!k || bytes == 0 || nrows < 0) return false;
    const std::size_t chunk = rowsPerTask(nPerRow);
    const std::size_t rows = static_cast<std::size_t>(nrows);
    const std::size_t tasks = (rows + chunk - 1) / chunk;
    const auto* in = static_cast<const unsigned char*>(src);
    return jobs::parallelFor(tasks, stop, [&](std::size_t t) {
        const std::size_t end = std::min(rows, (t + 1) * chunk);
        for (std::size_t r = t * chunk; r < end; ++r)
            k->dequantizeRow(in + r * bytes, dst + r * static_cast<std::size_t>(nPerRow), nPerRow);
    });
}

} // namespace condense::quant
