// Matmul kernels of every SIMD level against the scalar reference path (core/quant's scalar
// dots and quantizers, plain float loops), for every weight type, odd row counts and token
// counts on both sides of the panel thresholds.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/jobs/thread_arena.h"
#include "core/model/activation_batch.h"
#include "core/model/matmul.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"

namespace condense::model {
namespace {

// |y - y_ref| <= kKernelTolerance * sum_k |W[r,k] x_t[k]|: the kernels differ from the
// reference only in float summation order (same quantized activations, exact integer sums).
constexpr double kKernelTolerance = 2e-6;

struct Case {
    DType type;
    std::int64_t rows, k;
};

std::vector<float> randomFloats(std::size_t n, std::uint32_t seed, float outlierEvery = 97)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = nd(rng) * (i % static_cast<std::size_t>(outlierEvery) == 3 ? 20.0f : 1.0f);
    return v;
}

// Weight bytes of `type` for rows x k random floats, and the dequantized floats.
void makeWeights(DType type, std::int64_t rows, std::int64_t k, std::vector<std::byte>& bytes, std::vector<float>& deq)
{
    auto src = randomFloats(static_cast<std::size_t>(rows * k), 7, 1000000);
    const auto rowBytes = *dtypeBytes(type, static_cast<std::uint64_t>(k), static_cast<std::uint64_t>(k));
    bytes.assign(static_cast<std::size_t>(rowBytes * static_cast<std::uint64_t>(rows)), std::byte{0});
    deq.assign(src.size(), 0.0f);
    if (type == DType::F32 || type == DType::F16 || type == DType::BF16) {
        ASSERT_TRUE(convertFromF32(type, src.data(), bytes.data(), src.size()));
        ASSERT_TRUE(convertToF32(type, bytes.data(), deq.data(), deq.size()));
        return;
    }
    const quant::QuantKernels* q = quant::quantKernels(type, CpuLevel::Scalar);
    ASSERT_NE(q, nullptr);
    std::vector<float> importance(static_cast<std::size_t>(k), 1.0f);
    for (std::int64_t r = 0; r < rows; ++r) {
        q->quantizeRow(src.data() + r * k, bytes.data() + static_cast<std::size_t>(r) * rowBytes, k,
                       q->requiresImportance ? importance.data() : nullptr);
        q->dequantizeRow(bytes.data() + static_cast<std::size_t>(r) * rowBytes, deq.data() + r * k, k);
    }
}

std::vector<float> run(const Matmul& mm, const WeightView& w, const std::vector<float>& x, std::int64_t n, int threads)
{
    jobs::ThreadArena arena(jobs::ThreadingConfig{threads});
    std::vector<float> y(static_cast<std::size_t>(n * w.rows), std::nanf(""));
    ActivationBatch act;
    arena.execute([&] {
        act.reset(x.data(), w.cols, n, w.cols);
        mm.multiply(w, act, y.data(), w.rows);
    });
    return y;
}

class MatmulKernels : public ::testing::TestWithParam<Case> {};

TEST_P(MatmulKernels, EveryLevelMatchesTheScalarReference)
{
    const Case c = GetParam();
    std::vector<std::byte> bytes;
    std::vector<float> deq;
    makeWeights(c.type, c.rows, c.k, bytes, deq);
    WeightView w;
    w.type = c.type;
    w.data = bytes.data();
    w.rows = c.rows;
    w.cols = c.k;
    w.rowBytes = bytes.size() / static_cast<std::size_t>(c.rows);

    const Matmul reference(CpuLevel::Scalar, CpuLevel::Scalar);
    for (std::int64_t n : {1, 3, 7, 8, 16, 23, 40}) {
        const auto x = randomFloats(static_cast<std::size_t>(n * c.k), static_cast<std::uint32_t>(11 + n));
        const auto ref = run(reference, w, x, n, 1);
        for (CpuLevel level : {CpuLevel::Scalar, CpuLevel::Avx2, CpuLevel::Avx512}) {
            if (level > detectCpuLevel()) continue;
            const Matmul mm(level, CpuLevel::Best);
            const auto y = run(mm, w, x, n, 2);
            double worst = 0.0;
            for (std::int64_t t = 0; t < n; ++t)
                for (std::int64_t r = 0; r < c.rows; ++r) {
                    double bound = 0.0;
                    for (std::int64_t i = 0; i < c.k; ++i)
                        bound += std::fabs(static_cast<double>(deq[static_cast<std::size_t>(r * c.k + i)]) *
                                           static_cast<double>(x[static_cast<std::size_t>(t * c.k + i)]));
                    const double err = std::fabs(static_cast<double>(y[static_cast<std::size_t>(t * c.rows + r)]) -
                                                 static_cast<double>(ref[static_cast<std::size_t>(t * c.rows + r)]));
                    const double rel = bound > 0 ? err / bound : err;
                    if (!(rel <= worst)) worst = rel; // NaN sticks
                }
            EXPECT_LE(worst, kKernelTolerance) << dtypeName(c.type) << " level " << cpuLevelName(level) << " n=" << n;
        }
    }
}

// A token's outputs are bit-identical whether it was multiplied alone or in a batch, for every
// block type at every level (matmul.h "Determinism"); float weights differ in the last bits.
TEST_P(MatmulKernels, BatchSizeDoesNotChangeResults)
{
    const Case c = GetParam();
    std::vector<std::byte> bytes;
    std::vector<float> deq;
    makeWeights(c.type, c.rows, c.k, bytes, deq);
    WeightView w;
    w.type = c.type;
    w.data = bytes.data();
    w.rows = c.rows;
    w.cols = c.k;
    w.rowBytes = bytes.size() / static_cast<std::size_t>(c.rows);
    const bool isFloat = c.type == DType::F32 || c.type == DType::F16 || c.type == DType::BF16;
    const std::int64_t n = 21;
    const auto x = randomFloats(static_cast<std::size_t>(n * c.k), 5);
    for (CpuLevel level : {CpuLevel::Scalar, CpuLevel::Avx2, CpuLevel::Avx512}) {
        if (level > detectCpuLevel()) continue;
        const Matmul mm(level, CpuLevel::Best);
        const auto batch = run(mm, w, x, n, 2);
        for (std::int64_t t : {0, 7, 20}) {
            const std::vector<float> one(x.begin() + t * c.k, x.begin() + (t + 1) * c.k);
            const auto y = run(mm, w, one, 1, 1);
            for (std::int64_t r = 0; r < c.rows; ++r) {
                const float b = batch[static_cast<std::size_t>(t * c.rows + r)], s = y[static_cast<std::size_t>(r)];
                if (isFloat) {
                    double bound = 0.0;
                    for (std::int64_t i = 0; i < c.k; ++i)
                        bound += std::fabs(static_cast<double>(deq[static_cast<std::size_t>(r * c.k + i)]) *
                                           static_cast<double>(x[static_cast<std::size_t>(t * c.k + i)]));
                    EXPECT_LE(std::fabs(static_cast<double>(b) - static_cast<double>(s)), kKernelTolerance * bound)
                        << cpuLevelName(level);
                }
                else ASSERT_EQ(b, s) << dtypeName(c.type) << " " << cpuLevelName(level) << " token " << t << " row " << r;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Types, MatmulKernels,
    ::testing::Values(Case{DType::F32, 70, 320}, Case{DType::F16, 70, 300}, Case{DType::BF16, 37, 512},
                      Case{DType::F16, 33, 1024}, Case{DType::Q8_0, 70, 512}, Case{DType::Q4_0, 70, 512},
                      Case{DType::Q4_1, 38, 512}, Case{DType::Q5_0, 38, 512}, Case{DType::Q5_1, 38, 512},
                      Case{DType::IQ4_NL, 38, 512}, Case{DType::Q2_K, 38, 512}, Case{DType::Q3_K, 38, 512},
                      Case{DType::Q4_K, 70, 512}, Case{DType::Q5_K, 38, 512}, Case{DType::Q6_K, 70, 768},
                      Case{DType::IQ4_XS, 38, 512}),
    [](const auto& p) { return std::string(dtypeName(p.param.type)) + "_" + std::to_string(p.param.k); });

} // namespace
} // namespace condense::model
