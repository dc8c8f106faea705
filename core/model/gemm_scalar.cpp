// Portable kernels: the reference the SIMD levels are tested against, and the path for every
// weight type without a specialised kernel (the dot products of core/quant, row by row).
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/model/gemm_kernels.h"
#include "core/quant/block_types.h"
#include "core/tensor/float_convert.h"

namespace condense::model::kernels {

namespace {

constexpr std::int64_t kRowBlock = 8; // weight rows kept hot in cache while tokens stream past

float dotF32(const float* a, const float* b, std::int64_t n)
{
    // Four partial sums: fewer dependent adds, same result on every level of this file.
    float s[4] = {0, 0, 0, 0};
    std::int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; ++j) s[j] += a[i + j] * b[i + j];
    for (; i < n; ++i) s[0] += a[i] * b[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

void axpyF32(float a, const float* x, float* y, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

void scaleF32(float a, float* y, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i) y[i] *= a;
}

// Float weights (F32/F16/BF16): convert a block of rows to float, then plain dots.
void gemmFloatGeneric(const GemmTask& t)
{
    thread_local std::vector<float> rows;
    rows.resize(static_cast<std::size_t>(kRowBlock * t.k));
    for (std::int64_t rb = t.r0; rb < t.r1; rb += kRowBlock) {
        const std::int64_t re = std::min(t.r1, rb + kRowBlock);
        for (std::int64_t r = rb; r < re; ++r)
            convertToF32(t.type, t.w + static_cast<std::size_t>(r) * t.wRowBytes, rows.data() + (r - rb) * t.k,
                         static_cast<std::size_t>(t.k));
        for (std::int64_t i = 0; i < t.n; ++i) {
            const auto* x = reinterpret_cast<const float*>(t.x + static_cast<std::size_t>(i) * t.xRowBytes);
            float* y = t.y + i * t.ldy;
            for (std::int64_t r = rb; r < re; ++r) y[r] = dotF32(rows.data() + (r - rb) * t.k, x, t.k);
        }
    }
}

// Block types: the registry's dot of one weight row with one quantized activation row.
void gemmQuantGeneric(const GemmTask& t)
{
    const quant::DotFn dot = t.quant->dot;
    for (std::int64_t rb = t.r0; rb < t.r1; rb += kRowBlock) {
        const std::int64_t re = std::min(t.r1, rb + kRowBlock);
        for (std::int64_t i = 0; i < t.n; ++i) {
            const std::byte* x = t.x + static_cast<std::size_t>(i) * t.xRowBytes;
            float* y = t.y + i * t.ldy;
            for (std::int64_t r = rb; r < re; ++r) y[r] = dot(t.w + static_cast<std::size_t>(r) * t.wRowBytes, x, t.k);
        }
    }
}

template <DType A, CpuLevel S>
void prepareGgml(const float* x, std::int64_t /*ldx*/, std::int64_t /*rows*/, std::byte* dst, std::int64_t k)
{
    quant::quantKernels(A, S)->quantizeRow(x, dst, k, nullptr);
}

template <CpuLevel S>
PrepareActFn prepareFor(ActLayout layout)
{
    switch (layout) {
    case ActLayout::GgmlQ8_0: return &prepareGgml<DType::Q8_0, S>;
    case ActLayout::GgmlQ8_1: return &prepareGgml<DType::Q8_1, S>;
    case ActLayout::GgmlQ8_K: return &prepareGgml<DType::Q8_K, S>;
    default: return nullptr;
    }
}

void scoresTF32(const float* q, const float* kt, std::int64_t ldk, std::int64_t nKeys, std::int64_t n, float scale,
                float* out)
{
    for (std::int64_t j = 0; j < nKeys; ++j) out[j] = 0.0f;
    for (std::int64_t d = 0; d < n; ++d)
        for (std::int64_t j = 0; j < nKeys; ++j) out[j] += q[d] * kt[d * ldk + j];
    for (std::int64_t j = 0; j < nKeys; ++j) out[j] *= scale;
}

double sumSquaresF32(const float* x, std::int64_t n)
{
    double s = 0.0;
    for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    return s;
}

float expShiftF32(float* x, float shift, std::int64_t n)
{
    float sum = 0.0f;
    for (std::int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - shift);
        sum += x[i];
    }
    return sum;
}

void siluMulF32(float* g, const float* u, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i) g[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

void weightedRowsF32(const float* w, const float* rows, std::int64_t nRows, std::int64_t n, float* out)
{
    for (std::int64_t i = 0; i < n; ++i) out[i] = 0.0f;
    for (std::int64_t j = 0; j < nRows; ++j) axpyF32(w[j], rows + j * n, out, n);
}

const VecOps kScalarOps{&dotF32,     &axpyF32,        &scaleF32, &scoresTF32, &sumSquaresF32, &expShiftF32,
                        &siluMulF32, &weightedRowsF32, nullptr};

} // namespace

bool isPanelLayout(ActLayout layout)
{
    return layout == ActLayout::F32Panel || layout == ActLayout::Q8_0Panel || layout == ActLayout::Q8_KPanel;
}

std::size_t actRowBytes(ActLayout layout, std::int64_t k)
{
    const auto uk = static_cast<std::size_t>(k);
    constexpr std::size_t P = kPanel;
    constexpr std::size_t FP = kFloatPanel;
    switch (layout) {
    case ActLayout::F32: return uk * sizeof(float);
    case ActLayout::GgmlQ8_0: return uk / quant::kQK * sizeof(quant::BlockQ8_0);
    case ActLayout::GgmlQ8_1: return uk / quant::kQK * sizeof(quant::BlockQ8_1);
    case ActLayout::GgmlQ8_K: return uk / quant::kQKK * sizeof(quant::BlockQ8_K);
    case ActLayout::F32Panel: return uk * FP * sizeof(float);
    case ActLayout::Q8_0Panel: return uk / quant::kQK * (quant::kQK * P + P * sizeof(float));
    case ActLayout::Q8_KPanel: return uk / quant::kQKK * (quant::kQKK * P + P * sizeof(float) + 16 * P * sizeof(std::int16_t));
    case ActLayout::Count: break;
    }
    return 0;
}

GemmChoice gemmScalar(DType type)
{
    switch (type) {
    case DType::F32:
    case DType::F16:
    case DType::BF16: return {ActLayout::F32, &gemmFloatGeneric};
    default: break;
    }
    const quant::QuantKernels* q = quant::quantKernels(type);
    if (q == nullptr || q->dot == nullptr) return {};
    switch (q->activation) {
    case DType::Q8_0: return {ActLayout::GgmlQ8_0, &gemmQuantGeneric};
    case DType::Q8_1: return {ActLayout::GgmlQ8_1, &gemmQuantGeneric};
    case DType::Q8_K: return {ActLayout::GgmlQ8_K, &gemmQuantGeneric};
    default: return {};
    }
}

PrepareActFn prepareScalar(ActLayout layout, CpuLevel quantLevel)
{
    return quantLevel == CpuLevel::Scalar ? prepareFor<CpuLevel::Scalar>(layout) : prepareFor<CpuLevel::Best>(layout);
}

const VecOps& vecOpsScalar() { return kScalarOps; }

} // namespace condense::model::kernels
