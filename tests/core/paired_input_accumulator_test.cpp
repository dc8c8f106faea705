// PairedInputAccumulator (core/model/paired_input_accumulator.h) against naive double sums:
// H = sum xq xq^T and D = sum (xo - xq) xq^T over rows fed in batches (positions split as the
// session splits them), a second chunk overwriting the first's original rows, a quantized batch
// whose original was never seen adding to H only, the layer filter, and take/clear.

#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <vector>

#include "core/model/paired_input_accumulator.h"

namespace condense::model {
namespace {

LinearInput input(std::int64_t layer, LinearSite site, std::int64_t first, std::int64_t n, std::int64_t cols, const float* rows)
{
    LinearInput in;
    in.layer = layer;
    in.site = site;
    in.firstPosition = first;
    in.nTokens = n;
    in.cols = cols;
    in.rows = rows;
    return in;
}

// Every CPU level (D goes through quant::subtractProduct's tiles), at a width below one tile
// and at one with partial tiles on both edges.
class PairedInputAccumulatorLevels : public ::testing::TestWithParam<std::tuple<CpuLevel, std::int64_t>> {};

TEST_P(PairedInputAccumulatorLevels, EqualsNaiveSums)
{
    const CpuLevel level = std::get<0>(GetParam());
    const std::int64_t cols = std::get<1>(GetParam());
    constexpr std::int64_t n = 10;
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    auto rows = [&](std::int64_t count) {
        std::vector<float> v(static_cast<std::size_t>(count * cols));
        for (float& x : v) x = dist(rng);
        return v;
    };
    std::vector<double> h(cols * cols, 0.0), d(cols * cols, 0.0);
    auto addNaive = [&](const float* xo, const float* xq, std::int64_t count) {
        for (std::int64_t t = 0; t < count; ++t)
            for (std::int64_t i = 0; i < cols; ++i)
                for (std::int64_t j = 0; j < cols; ++j) {
                    const double q = xq[t * cols + j];
                    h[static_cast<std::size_t>(i * cols + j)] += static_cast<double>(xq[t * cols + i]) * q;
                    if (xo) d[static_cast<std::size_t>(i * cols + j)] += (static_cast<double>(xo[t * cols + i]) - xq[t * cols + i]) * q;
                }
    };

    PairedInputAccumulator acc(level);
    acc.setLayers(1, 1);
    for (int chunk = 0; chunk < 2; ++chunk) {
        const auto xo = rows(n), xq = rows(n);
        // The original side in batches of 4 + 6, the quantized one in 7 + 3.
        acc.originalSide().observe(input(1, LinearSite::AttnOut, 0, 4, cols, xo.data()));
        acc.originalSide().observe(input(1, LinearSite::AttnOut, 4, 6, cols, xo.data() + 4 * cols));
        acc.originalSide().observe(input(0, LinearSite::AttnOut, 0, n, cols, xo.data())); // other layer: ignored
        acc.observe(input(1, LinearSite::AttnOut, 0, 7, cols, xq.data()));
        acc.observe(input(1, LinearSite::AttnOut, 7, 3, cols, xq.data() + 7 * cols));
        acc.observe(input(0, LinearSite::AttnOut, 0, n, cols, xq.data())); // ignored
        addNaive(xo.data(), xq.data(), n);
    }
    // A quantized batch past every original row seen: H only.
    const auto extra = rows(3);
    acc.observe(input(1, LinearSite::AttnOut, n, 3, cols, extra.data()));
    addNaive(nullptr, extra.data(), 3);

    EXPECT_EQ(acc.tokens(1, LinearSite::AttnOut), 2 * n + 3);
    EXPECT_EQ(acc.pairedTokens(1, LinearSite::AttnOut), 2 * n);
    EXPECT_GT(acc.heldBytes(), 2 * cols * cols * sizeof(double));
    const auto gotD = acc.takeCross(1, LinearSite::AttnOut);
    const auto gotH = acc.take(1, LinearSite::AttnOut);
    ASSERT_EQ(gotD.size(), d.size());
    ASSERT_EQ(gotH.size(), h.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
        EXPECT_NEAR(gotD[i], d[i], 1e-9 * (1 + std::abs(d[i]))) << i;
        EXPECT_NEAR(gotH[i], h[i], 1e-9 * (1 + std::abs(h[i]))) << i;
    }
    EXPECT_TRUE(acc.takeCross(1, LinearSite::AttnOut).empty());
    EXPECT_TRUE(acc.takeCross(0, LinearSite::AttnOut).empty());

    // Without any original rows: H only, D empty.
    PairedInputAccumulator plain;
    const auto xq = rows(n);
    plain.observe(input(2, LinearSite::FfnDown, 0, n, cols, xq.data()));
    EXPECT_EQ(plain.tokens(2, LinearSite::FfnDown), n);
    EXPECT_TRUE(plain.takeCross(2, LinearSite::FfnDown).empty());
    EXPECT_EQ(plain.take(2, LinearSite::FfnDown).size(), static_cast<std::size_t>(cols * cols));
    plain.clear();
    EXPECT_EQ(plain.heldBytes(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Levels, PairedInputAccumulatorLevels,
                         ::testing::Combine(::testing::Values(CpuLevel::Scalar, CpuLevel::Avx2, CpuLevel::Avx512),
                                            ::testing::Values(std::int64_t{12}, std::int64_t{83})));

// The same D whatever the CPU level (the tiles sum in one order everywhere).
TEST(PairedInputAccumulator, SameBitsOnEveryLevel)
{
    constexpr std::int64_t cols = 83, n = 37;
    std::mt19937 rng(5);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> xo(static_cast<std::size_t>(n * cols)), xq(xo.size());
    for (float& x : xo) x = dist(rng);
    for (float& x : xq) x = dist(rng);
    std::vector<std::vector<double>> got;
    for (CpuLevel level : {CpuLevel::Scalar, CpuLevel::Avx2, CpuLevel::Avx512}) {
        PairedInputAccumulator acc(level);
        acc.setLayers(0, 0);
        acc.originalSide().observe(input(0, LinearSite::FfnDown, 0, n, cols, xo.data()));
        acc.observe(input(0, LinearSite::FfnDown, 0, n, cols, xq.data()));
        got.push_back(acc.takeCross(0, LinearSite::FfnDown));
    }
    ASSERT_EQ(got[0].size(), static_cast<std::size_t>(cols * cols));
    EXPECT_EQ(got[0], got[1]);
    EXPECT_EQ(got[0], got[2]);
}

} // namespace
} // namespace condense::model
