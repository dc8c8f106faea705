// core/arch/rope_factors: Llama 3 RoPE frequency factors, shared by the GGUF converter
// (float32, rope_freqs.weight) and the forward pass (double). Expected values: Llama 3.1's
// parameters (theta 500000, factor 8, low 1, high 4, original context 8192, head_dim 128)
// computed independently with Python's float arithmetic from transformers'
// _compute_llama3_parameters formula.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/arch/rope_factors.h"

namespace condense::test {
namespace {

const arch::Llama3RopeScaling kLlama31{500000.0, 8.0, 1.0, 4.0, 8192.0};

TEST(RopeFactors, Llama31Double)
{
    const std::vector<double> f = arch::llama3RopeFactors<double>(kLlama31, 128);
    ASSERT_EQ(f.size(), 64u);
    // The smooth band: pairs 29..34; below it 1 (high frequencies), above it the factor.
    const double band[] = {1.207483871283662, 1.5534146285049255, 2.0263132059050557,
                           2.6945296878947333, 3.684252527745718, 5.257326588708467};
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (i < 29) EXPECT_EQ(f[i], 1.0) << i;
        else if (i > 34) EXPECT_EQ(f[i], 8.0) << i;
        else EXPECT_NEAR(f[i], band[i - 29], 1e-12 * band[i - 29]) << i;
    }
}

TEST(RopeFactors, FloatFollowsDoubleWithinFloatPrecision)
{
    const std::vector<float> f = arch::llama3RopeFactors<float>(kLlama31, 128);
    const std::vector<double> d = arch::llama3RopeFactors<double>(kLlama31, 128);
    ASSERT_EQ(f.size(), d.size());
    for (std::size_t i = 0; i < f.size(); ++i) EXPECT_NEAR(f[i], d[i], 1e-5 * d[i]) << i;
    // An odd dimension count gives ceil(n / 2) factors, as the converter's loop does.
    EXPECT_EQ(arch::llama3RopeFactors<float>(kLlama31, 65).size(), 33u);
}

} // namespace
} // namespace condense::test
