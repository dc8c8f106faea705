// core/quant: the optimized kernels (CpuLevel::Best, AVX2 where the CPU has it) write the same
// bytes as the scalar reference (CpuLevel::Scalar), bit for bit, with and without importance,
// on heavy-tailed rows and on the rows that exercise the corner cases of the searches; their
// dot products return the same float, bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/quant/quant_avx2.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/dtype.h"

using namespace condense;

namespace {

constexpr DType kTypes[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0,   DType::Q5_1,  DType::Q8_0,
                            DType::Q8_1, DType::Q2_K, DType::Q3_K,   DType::Q4_K,  DType::Q5_K,
                            DType::Q6_K, DType::Q8_K, DType::IQ4_NL, DType::IQ4_XS};

std::string typeName(const ::testing::TestParamInfo<DType>& info)
{
    return std::string(dtypeName(info.param));
}

// Rows of 512 that hit the special paths: zero blocks, constants, outliers, one sign only,
// f16-subnormal and float-subnormal scales, many exact ties, values near the f16 maximum.
std::vector<std::vector<float>> cornerRows()
{
    std::mt19937 rng(42);
    std::student_t_distribution<float> t(3.0f);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    const int n = 512;
    std::vector<std::vector<float>> rows;
    for (int kind = 0; kind < 13; ++kind)
        for (int rep = 0; rep < 4; ++rep) {
            std::vector<float> x(n);
            const float scale = std::pow(10.0f, u(rng) * 6 - 4);
            for (float& v : x)
                v = t(rng) * scale;
            switch (kind) {
            case 0:
                break;
            case 1:
                std::fill(x.begin(), x.end(), 0.0f);
                break;
            case 2:
                std::fill(x.begin(), x.end(), 0.37f);
                break;
            case 3:
                std::fill(x.begin(), x.end(), -0.37f);
                break;
            case 4:
                x[rng() % n] = 1e4f;
                break;
            case 5:
                for (float& v : x)
                    v = -std::fabs(v);
                break;
            case 6:
                for (float& v : x)
                    v = std::fabs(v);
                break;
            case 7:
                for (float& v : x)
                    v = t(rng) * 1e-7f;
                break;
            case 8:
                for (float& v : x)
                    v = t(rng) * 1e-39f;
                break;
            case 9:
                for (int i = 0; i < n; ++i)
                    if (i % 64 < 32) x[i] = 0.0f;
                break;
            case 10:
                for (float& v : x)
                    v = std::round(t(rng) * 4) / 4;
                break;
            case 11:
                for (float& v : x)
                    v = t(rng) * 3e4f;
                break;
            case 12:
                for (int i = 0; i < n; ++i)
                    if (i % 16 != 3) x[i] = 0.0f;
                break; // one value per 16
            }
            rows.push_back(std::move(x));
        }
    return rows;
}

class QuantSimd : public ::testing::TestWithParam<DType> {};

TEST_P(QuantSimd, BestKernelsWriteTheScalarBytes)
{
    const DType type = GetParam();
    RecordProperty("avx2", quant::avx2::supported() ? "yes" : "no");
    const auto* t = dtypeTraits(type);
    std::mt19937 rng(7);
    std::student_t_distribution<float> st(3.0f);
    std::uniform_real_distribution<float> u(0.0f, 4.0f);

    std::vector<std::vector<float>> rows = cornerRows();
    for (int r = 0; r < 64; ++r) { // plain heavy-tailed rows
        std::vector<float> x(512);
        for (float& v : x)
            v = st(rng) * 0.02f;
        rows.push_back(std::move(x));
    }
    std::vector<float> imp(512);
    for (float& v : imp)
        v = u(rng) * u(rng);
    for (int i = 0; i < 512; i += 9)
        imp[i] = 0.0f; // columns the calibration never saw

    const std::size_t bytes = 512 / t->blockSize * t->blockBytes;
    int checked = 0;
    for (const std::vector<float>& x : rows)
        for (const float* w : {static_cast<const float*>(nullptr), static_cast<const float*>(imp.data())}) {
            std::vector<std::byte> best(bytes), scalar(bytes);
            ASSERT_TRUE(quant::quantizeRows(type, x.data(), best.data(), 1, 512, w, {}, CpuLevel::Best));
            ASSERT_TRUE(quant::quantizeRows(type, x.data(), scalar.data(), 1, 512, w, {}, CpuLevel::Scalar));
            ASSERT_EQ(std::memcmp(best.data(), scalar.data(), bytes), 0)
                << dtypeName(type) << " row " << checked / 2 << (w ? " with importance" : "");
            std::vector<float> yb(512), ys(512);
            ASSERT_TRUE(quant::dequantizeRows(type, best.data(), yb.data(), 1, 512, {}, CpuLevel::Best));
            ASSERT_TRUE(quant::dequantizeRows(type, best.data(), ys.data(), 1, 512, {}, CpuLevel::Scalar));
            ASSERT_EQ(std::memcmp(yb.data(), ys.data(), yb.size() * sizeof(float)), 0);
            ++checked;
        }
    EXPECT_EQ(checked, 2 * static_cast<int>(rows.size()));
}

INSTANTIATE_TEST_SUITE_P(Types, QuantSimd, ::testing::ValuesIn(kTypes), typeName);

// Dot products: Best (AVX2 integer sums) equals the scalar dot bit for bit, on quantized rows
// and on weight blocks of random bytes (every code, scale and sign pattern).
TEST_P(QuantSimd, BestDotEqualsScalarDot)
{
    const DType type = GetParam();
    const quant::QuantKernels* best = quant::quantKernels(type, CpuLevel::Best);
    const quant::QuantKernels* scalar = quant::quantKernels(type, CpuLevel::Scalar);
    if (!scalar->dot) { // activation-only formats have no dot
        EXPECT_EQ(best->dot, nullptr);
        return;
    }
    const auto* wt = dtypeTraits(type);
    const auto* at = dtypeTraits(scalar->activation);
    std::mt19937 rng(11);
    std::student_t_distribution<float> st(3.0f);
    std::uniform_int_distribution<int> byte(0, 255);
    // weights: a float row to quantize, or nullptr for random bytes
    auto check = [&](std::int64_t n, const float* weights, const float* activations) {
        std::vector<std::byte> w(n / wt->blockSize * wt->blockBytes), a(n / at->blockSize * at->blockBytes);
        if (weights) {
            ASSERT_TRUE(quant::quantizeRows(type, weights, w.data(), 1, n, nullptr));
        } else {
            for (std::byte& b : w)
                b = static_cast<std::byte>(byte(rng));
        }
        ASSERT_TRUE(quant::quantizeRows(scalar->activation, activations, a.data(), 1, n, nullptr));
        const float got = best->dot(w.data(), a.data(), n);
        const float want = scalar->dot(w.data(), a.data(), n);
        if (std::isnan(want)) {
            EXPECT_TRUE(std::isnan(got));
        } else {
            ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0)
                << dtypeName(type) << " n " << n << (weights ? "" : " random bytes") << ": " << got << " vs " << want;
        }
    };
    auto heavy = [&](std::size_t n) {
        std::vector<float> v(n);
        for (float& f : v)
            f = st(rng);
        return v;
    };
    const std::vector<std::vector<float>> rows = cornerRows(); // 512 elements each
    for (std::size_t r = 0; r < rows.size(); ++r) {
        check(512, rows[r].data(), heavy(512).data());
        check(512, heavy(512).data(), rows[r].data()); // corner cases on the activation side
        check(512, nullptr, heavy(512).data());
    }
    // Rows whose block count is not a multiple of 8 (the SIMD tail), for the 32-element formats.
    if (wt->blockSize == 32)
        for (std::int64_t nb : {1, 7, 9, 19}) {
            check(32 * nb, heavy(32 * nb).data(), heavy(32 * nb).data());
            check(32 * nb, nullptr, heavy(32 * nb).data());
        }
}

// The comparison above is only meaningful if Best really is a different implementation where
// the CPU allows it.
TEST(QuantSimdTable, Avx2KernelsAreSelectedWhenTheCpuHasAvx2)
{
    for (DType t :
         {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q8_0, DType::IQ4_NL, DType::IQ4_XS}) {
        const bool differs = quant::quantKernels(t, CpuLevel::Best)->quantizeRow !=
                             quant::quantKernels(t, CpuLevel::Scalar)->quantizeRow;
        EXPECT_EQ(differs, quant::avx2::supported()) << dtypeName(t);
    }
    for (DType t : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K,
                    DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::IQ4_XS}) {
        const bool differs = quant::quantKernels(t, CpuLevel::Best)->dot !=
                             quant::quantKernels(t, CpuLevel::Scalar)->dot;
        EXPECT_EQ(differs, quant::avx2::supported()) << dtypeName(t) << " dot";
    }
    for (DType t : {DType::Q4_K, DType::Q6_K}) {
        const bool differs = quant::quantKernels(t, CpuLevel::Best)->dequantizeRow !=
                             quant::quantKernels(t, CpuLevel::Scalar)->dequantizeRow;
        EXPECT_EQ(differs, quant::avx2::supported()) << dtypeName(t) << " dequantize";
    }
}

} // namespace
