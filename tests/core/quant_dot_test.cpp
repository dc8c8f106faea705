// core/quant dot products: dot(quantized weight row, quantized activations) must equal the
// float dot product of the two dequantized rows up to float rounding, for every weight type
// and its activation format (Q8_0, Q8_1 or Q8_K, as in ggml-cpu's type traits).
//
// Error measure: |dot - sum(w'_i a'_i)| / sum(|w'_i a'_i|), w' and a' the dequantized rows,
// the reference sum in double. The integer block sums are exact, so what remains is float
// accumulation over blocks (~1e-7) and, for Q4_1/Q5_1, the offset term d_w_min * s where Q8_1
// stores s = d_a*sum(q_a) as f16 (relative error up to 2^-11 of that term).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>
#include <vector>

#include "core/quant/quant_registry.h"
#include "core/tensor/dtype.h"

using namespace condense;

namespace {

struct DotCase {
    DType weight;
    DType activation; // expected pairing
    double maxRelError;
};

// Measured worst cases over the 8 row pairs below are in the comments.
constexpr double kExact = 1e-6;      // types whose dot has no rounding beyond float sums
constexpr double kQ8_1Offset = 1e-3; // the f16 s of Q8_1
constexpr DotCase kCases[] = {
    {DType::Q4_0, DType::Q8_0, kExact},      // 2.2e-8
    {DType::Q4_1, DType::Q8_1, kQ8_1Offset}, // 5.8e-5
    {DType::Q5_0, DType::Q8_0, kExact},      // 1.6e-8
    {DType::Q5_1, DType::Q8_1, kQ8_1Offset}, // 5.8e-5
    {DType::Q8_0, DType::Q8_0, kExact},      // 1.0e-8
    {DType::Q2_K, DType::Q8_K, kExact},      // 2.3e-8
    {DType::Q3_K, DType::Q8_K, kExact},      // 6.1e-9
    {DType::Q4_K, DType::Q8_K, kExact},      // 2.7e-8
    {DType::Q5_K, DType::Q8_K, kExact},      // 1.6e-8
    {DType::Q6_K, DType::Q8_K, kExact},      // 6.2e-9
    {DType::IQ4_NL, DType::Q8_0, kExact},    // 2.8e-8
    {DType::IQ4_XS, DType::Q8_K, kExact},    // 8.4e-9
};

std::string caseName(const ::testing::TestParamInfo<DotCase>& info)
{
    return std::string(dtypeName(info.param.weight));
}

std::size_t rowBytes(DType t, std::int64_t n)
{
    return static_cast<std::size_t>(n) / dtypeTraits(t)->blockSize * dtypeTraits(t)->blockBytes;
}

std::vector<float> heavyTailed(std::size_t n, unsigned seed, float scale)
{
    std::mt19937 rng(seed);
    std::student_t_distribution<float> t(3.0f);
    std::vector<float> x(n);
    for (float& v : x)
        v = t(rng) * scale;
    return x;
}

struct Quantized {
    std::vector<std::byte> bytes;
    std::vector<float> dequantized;
};

Quantized quantize(DType t, const std::vector<float>& x)
{
    const auto n = static_cast<std::int64_t>(x.size());
    Quantized q{std::vector<std::byte>(rowBytes(t, n)), std::vector<float>(x.size())};
    EXPECT_TRUE(quant::quantizeRows(t, x.data(), q.bytes.data(), 1, n, nullptr));
    EXPECT_TRUE(quant::dequantizeRows(t, q.bytes.data(), q.dequantized.data(), 1, n));
    return q;
}

// Relative error of the kernel's dot against the float dot of the dequantized rows.
double dotError(const DotCase& c, const std::vector<float>& w, const std::vector<float>& a)
{
    const quant::QuantKernels* k = quant::quantKernels(c.weight);
    const Quantized qw = quantize(c.weight, w);
    const Quantized qa = quantize(c.activation, a);
    const float got = k->dot(qw.bytes.data(), qa.bytes.data(), static_cast<std::int64_t>(w.size()));
    double want = 0, scale = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        want += double(qw.dequantized[i]) * qa.dequantized[i];
        scale += std::fabs(double(qw.dequantized[i]) * qa.dequantized[i]);
    }
    return scale > 0 ? std::fabs(got - want) / scale : std::fabs(got);
}

class QuantDot : public ::testing::TestWithParam<DotCase> {};

TEST_P(QuantDot, UsesTheActivationFormatOfGgml)
{
    const quant::QuantKernels* k = quant::quantKernels(GetParam().weight);
    ASSERT_NE(k, nullptr);
    ASSERT_NE(k->dot, nullptr);
    EXPECT_EQ(k->activation, GetParam().activation);
}

TEST_P(QuantDot, MatchesTheFloatDotOfTheDequantizedRows)
{
    const DotCase c = GetParam();
    double worst = 0;
    for (unsigned seed = 1; seed <= 8; ++seed) {
        // Weights at LLM scale; activations heavy-tailed too (outlier channels), some shifted so
        // the offset terms of the asymmetric formats matter.
        const std::vector<float> w = heavyTailed(4096, seed, 0.02f);
        std::vector<float> a = heavyTailed(4096, 100 + seed, 1.0f);
        if (seed % 2 == 0)
            for (float& v : a)
                v += 0.5f;
        worst = std::max(worst, dotError(c, w, a));
    }
    std::cout << dtypeName(c.weight) << ": worst relative dot error " << worst << "\n";
    EXPECT_LE(worst, c.maxRelError);
}

TEST_P(QuantDot, ShortRowsAndZeros)
{
    const DotCase c = GetParam();
    const std::int64_t n = dtypeTraits(c.weight)->blockSize; // one block: 32 or 256
    const std::vector<float> w = heavyTailed(static_cast<std::size_t>(n), 3, 0.02f);
    EXPECT_LE(dotError(c, w, heavyTailed(static_cast<std::size_t>(n), 4, 1.0f)), c.maxRelError);
    // Zero activations give exactly zero; zero weights too.
    const quant::QuantKernels* k = quant::quantKernels(c.weight);
    const Quantized qw = quantize(c.weight, w);
    const Quantized qz = quantize(c.activation, std::vector<float>(static_cast<std::size_t>(n), 0.0f));
    EXPECT_EQ(k->dot(qw.bytes.data(), qz.bytes.data(), n), 0.0f);
    const Quantized zw = quantize(c.weight, std::vector<float>(static_cast<std::size_t>(n), 0.0f));
    const Quantized qa = quantize(c.activation, heavyTailed(static_cast<std::size_t>(n), 5, 1.0f));
    EXPECT_EQ(k->dot(zw.bytes.data(), qa.bytes.data(), n), 0.0f);
}

INSTANTIATE_TEST_SUITE_P(Types, QuantDot, ::testing::ValuesIn(kCases), caseName);

} // namespace
