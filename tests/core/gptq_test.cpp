// GPTQ (core/quant/gptq.h) against the reference implementation's own output
// (tests/data/gptq, made by tests/data/tools/gptq_oracle.py running IST-DASLab/gptq unmodified),
// against the sequential column-by-column formula, and its properties: lower layer-output error
// than round-to-nearest on the same grid, dead columns, act-order, bad input.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include "core/quant/gptq.h"
#include "tests/support/test_paths.h"

namespace condense::quant {
namespace {

// The generator of gptq_oracle.py (its docstring describes the inputs).
class Lcg {
public:
    explicit Lcg(std::uint64_t seed) : m_s(seed) {}
    std::uint64_t next()
    {
        m_s = m_s * 6364136223846793005ULL + 1442695040888963407ULL;
        return m_s >> 33;
    }
    std::int64_t uniform(std::int64_t lo, std::int64_t hi)
    {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }

private:
    std::uint64_t m_s;
};

constexpr std::int64_t kRows = 64;
constexpr std::int64_t kCols = 256;
constexpr std::int64_t kTokens = 512;

std::vector<float> makeWeight(std::int64_t rows, std::int64_t cols, std::uint64_t seed)
{
    Lcg g(seed);
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c) {
            double v = static_cast<double>(g.uniform(-32768, 32767)) / 32768.0 * static_cast<double>(1 + r % 4);
            if (g.next() % 64 == 0) v *= 4;
            w[static_cast<std::size_t>(r * cols + c)] = static_cast<float>(v);
        }
    }
    return w;
}

// X^T X of correlated integer inputs (exact in double), columns 5 and 130 dead.
std::vector<double> makeHessian(std::int64_t tokens, std::int64_t cols, std::uint64_t seed,
                                const std::vector<std::int64_t>& dead = {5, 130})
{
    constexpr std::int64_t kFactors = 16;
    Lcg g(seed);
    std::vector<std::int64_t> lat(static_cast<std::size_t>(tokens * kFactors));
    for (auto& v : lat) v = g.uniform(-8, 8);
    std::vector<std::int64_t> mix(static_cast<std::size_t>(kFactors * cols));
    for (auto& v : mix) v = g.uniform(-4, 4);
    std::vector<std::int64_t> x(static_cast<std::size_t>(tokens * cols));
    for (std::int64_t t = 0; t < tokens; ++t) {
        for (std::int64_t j = 0; j < cols; ++j) {
            std::int64_t s = 0;
            for (std::int64_t k = 0; k < kFactors; ++k)
                s += lat[static_cast<std::size_t>(t * kFactors + k)] * mix[static_cast<std::size_t>(k * cols + j)];
            x[static_cast<std::size_t>(t * cols + j)] = s;
        }
    }
    for (std::int64_t t = 0; t < tokens; ++t) {
        for (std::int64_t j = 0; j < cols; ++j) {
            auto& v = x[static_cast<std::size_t>(t * cols + j)];
            v = (v + g.uniform(-3, 3)) * (1 + (7 * j) % 5);
        }
    }
    for (std::int64_t j : dead)
        for (std::int64_t t = 0; t < tokens; ++t) x[static_cast<std::size_t>(t * cols + j)] = 0;
    std::vector<double> h(static_cast<std::size_t>(cols * cols));
    for (std::int64_t i = 0; i < cols; ++i) {
        for (std::int64_t j = 0; j < cols; ++j) {
            std::int64_t s = 0;
            for (std::int64_t t = 0; t < tokens; ++t)
                s += x[static_cast<std::size_t>(t * cols + i)] * x[static_cast<std::size_t>(t * cols + j)];
            h[static_cast<std::size_t>(i * cols + j)] = static_cast<double>(s);
        }
    }
    return h;
}

struct Fixture {
    std::vector<float> w = makeWeight(kRows, kCols, 1);
    std::vector<double> h = makeHessian(kTokens, kCols, 2);
};

const Fixture& fixture()
{
    static const Fixture f;
    return f;
}

struct Oracle {
    std::int32_t rows = 0, cols = 0, bits = 0, group = 0, sym = 0, act = 0, stat = 0, groups = 0;
    std::vector<std::int32_t> gIdx;
    std::vector<float> scales, zeros;
    std::vector<std::uint8_t> codes;
    double percDamp = 0.0;
    double error = 0.0;
};

template <typename T>
void readInto(std::ifstream& in, std::vector<T>& v, std::size_t n)
{
    v.resize(n);
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
}

Oracle loadOracle(const std::string& name)
{
    const auto path = test::dataDir() / "gptq" / (name + ".bin");
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    Oracle o;
    char magic[8] = {};
    in.read(magic, 8);
    EXPECT_EQ(std::string(magic, 8), "GPTQORC1");
    std::int32_t head[8] = {};
    in.read(reinterpret_cast<char*>(head), sizeof head);
    o.rows = head[0], o.cols = head[1], o.bits = head[2], o.group = head[3];
    o.sym = head[4], o.act = head[5], o.stat = head[6], o.groups = head[7];
    in.read(reinterpret_cast<char*>(&o.percDamp), sizeof o.percDamp);
    readInto(in, o.gIdx, static_cast<std::size_t>(o.cols));
    readInto(in, o.scales, static_cast<std::size_t>(o.groups * o.rows));
    readInto(in, o.zeros, static_cast<std::size_t>(o.groups * o.rows));
    readInto(in, o.codes, static_cast<std::size_t>(o.rows * o.cols));
    in.read(reinterpret_cast<char*>(&o.error), sizeof o.error);
    EXPECT_TRUE(in) << path << " is truncated";
    in.peek();
    EXPECT_TRUE(in.eof()) << path << " is longer than announced";
    return o;
}

GptqOptions optionsOf(const Oracle& o)
{
    GptqOptions opt;
    opt.bits = o.bits;
    opt.groupSize = o.group;
    opt.symmetric = o.sym != 0;
    opt.actOrder = o.act != 0;
    opt.staticGroups = o.stat != 0;
    opt.percDamp = o.percDamp;
    return opt;
}

struct OracleCase {
    const char* name;
    double maxDifferFraction; // of the codes
    int maxStep;              // largest code difference
    double scaleRel;          // every scale within this relative difference
    double errorRel;          // the reference's error figure (sum of its Losses)
};

void PrintTo(const OracleCase& c, std::ostream* os) { *os << c.name; }

class GptqOracle : public ::testing::TestWithParam<OracleCase> {};

// The reference runs in float32 (H, the Cholesky factor of its inverse, the weight updates),
// this code in double. With the default damping (1 %) the damped H of these inputs has a
// condition number near 2800, so the reference's float32 factor U carries relative errors up to
// 2.4e-5 (measured with torch against its float64 run). 4-bit and 3-bit grids are coarse
// enough that no code changes; at 8 bits a few values sit within that noise of a rounding
// boundary, and a one-step change then feeds the compensation of later columns (33 of 16384
// codes, up to 3 steps, 2 scales 5.9e-5 apart, error figure 1.3 % apart). The same 8-bit layer
// with 10 % damping (condition number about 10x lower) matches code for code, which shows the
// differences are the reference's float32 rounding and not the algorithm. Other cases must
// match within a margin (16 codes, one step) for compilers or Eigen versions that order sums
// differently.
TEST_P(GptqOracle, MatchesReferenceImplementation)
{
    const OracleCase& tc = GetParam();
    const Oracle o = loadOracle(tc.name);
    ASSERT_EQ(o.rows, kRows);
    ASSERT_EQ(o.cols, kCols);
    const auto& f = fixture();
    auto r = gptqQuantize(f.w, kRows, kCols, f.h, optionsOf(o));
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(r->groups, o.groups);
    EXPECT_EQ(r->gIdx, o.gIdx);
    EXPECT_EQ(r->deadColumns, 2);

    std::size_t scaleOff = 0;
    std::size_t zeroOff = 0;
    double worstScale = 0.0;
    for (std::size_t i = 0; i < o.scales.size(); ++i) {
        const double rel = std::abs(double(r->scales[i]) - double(o.scales[i])) / std::abs(double(o.scales[i]));
        worstScale = std::max(worstScale, rel);
        if (rel > tc.scaleRel) ++scaleOff;
        if (double(r->zeros[i]) != double(o.zeros[i])) ++zeroOff;
    }
    EXPECT_EQ(scaleOff, 0u) << "worst relative scale difference " << worstScale;
    EXPECT_EQ(zeroOff, 0u);

    std::size_t differ = 0;
    int worst = 0;
    for (std::size_t i = 0; i < o.codes.size(); ++i) {
        const int d = std::abs(int(r->codes[i]) - int(o.codes[i]));
        if (d != 0) ++differ;
        worst = std::max(worst, d);
    }
    const double fraction = double(differ) / double(o.codes.size());
    std::printf("[ oracle   ] %s: %zu of %zu codes differ (max %d step), worst scale rel %.3g, error %.9g vs %.9g\n",
                tc.name, differ, o.codes.size(), worst, worstScale, r->loss, o.error);
    EXPECT_LE(fraction, tc.maxDifferFraction);
    EXPECT_LE(worst, tc.maxStep);
    EXPECT_NEAR(r->loss, o.error, tc.errorRel * o.error);
}

INSTANTIATE_TEST_SUITE_P(Reference, GptqOracle,
                         ::testing::Values(OracleCase{"b4_g128_sym", 0.001, 1, 1e-5, 1e-4},
                                           OracleCase{"b4_g32_asym_act", 0.001, 1, 1e-5, 1e-4},
                                           OracleCase{"b3_row_sym", 0.001, 1, 1e-5, 1e-4},
                                           OracleCase{"b8_g64_asym", 0.01, 4, 1e-4, 0.02},
                                           OracleCase{"b8_g64_asym_damp10", 0.001, 1, 1e-5, 1e-4},
                                           OracleCase{"b4_g32_sym_act_static", 0.001, 1, 1e-5, 1e-4}));

} // namespace
} // namespace condense::quant
