// embeddingErrorMetric (core/model/embedding_metric.h) on the demo model: exactly symmetric, and
// for random residual errors d, d^T M d equals the squared output error of block 0's q, k, v,
// gate and up matrices computed directly, sum over them of |W (g * d)|^2 with g the gain of the
// norm in front of each.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/model/embedding_metric.h"
#include "core/model/owned_weight.h"
#include "tests/core/model_test_util.h"

namespace condense::model::test {
namespace {

// Two double summation orders of the same products.
constexpr double kRelTolerance = 1e-10;

TEST(EmbeddingMetric, IsTheSquaredErrorOfBlockZerosInputLinears)
{
    const auto m = loadOrFail(condense::test::tinyLlamaDir());
    ASSERT_TRUE(m);
    auto h = embeddingErrorMetric(*m);
    ASSERT_TRUE(h.ok()) << describe(h.error());
    const auto n = static_cast<std::size_t>(m->tokenEmbedding().cols);
    ASSERT_EQ(h->size(), n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) ASSERT_EQ((*h)[i * n + j], (*h)[j * n + i]);

    const LayerWeights& l0 = m->layers()[0];
    std::mt19937 rng(11);
    std::normal_distribution<double> dist(0.0, 1.0);
    for (int trial = 0; trial < 3; ++trial) {
        std::vector<double> d(n);
        for (double& x : d) x = dist(rng);
        double direct = 0.0;
        auto add = [&](WeightRole role, const std::vector<float>& g) {
            auto w = toFloats(l0.matrix(role));
            ASSERT_TRUE(w.ok());
            for (std::size_t r = 0; r < w->size() / n; ++r) {
                double y = 0.0;
                for (std::size_t i = 0; i < n; ++i) y += static_cast<double>((*w)[r * n + i]) * static_cast<double>(g[i]) * d[i];
                direct += y * y;
            }
        };
        for (WeightRole role : {WeightRole::AttnQ, WeightRole::AttnK, WeightRole::AttnV}) add(role, l0.attnNorm);
        for (WeightRole role : {WeightRole::FfnGate, WeightRole::FfnUp}) add(role, l0.ffnNorm);
        double viaMetric = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) viaMetric += d[i] * (*h)[i * n + j] * d[j];
        EXPECT_NEAR(viaMetric, direct, kRelTolerance * direct);
        EXPECT_GT(direct, 0.0);
    }
}

} // namespace
} // namespace condense::model::test
