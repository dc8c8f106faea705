// core/analysis against a direct computation: every statistic, the histogram counts, the outlier
// map, the top outliers and the per-column figures of generated tensors equal a naive double
// precision pass over the same values; the quantization preview equals the error of the
// quantizer's own dequantized output; NaN/Inf tensors are analysed and marked, unreadable ones
// give a per-tensor error; results do not depend on the thread count; the per-file cache is
// read on a second open (no pass runs), and ignored when the file changed or the cache is damaged.

#include <gtest/gtest.h>

#include "tests/support/skip.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>

#include "core/analysis/analysis_cache.h"
#include "core/analysis/model_analysis.h"
#include "core/analysis/row_kernels.h"
#include "core/analysis/tensor_analysis.h"
#include "core/io/gguf_writer.h"
#include "core/jobs/thread_arena.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"
#include "tests/support/temp_dir.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;
using analysis::TensorAnalysis;

// Moments are summed in float lanes of 8 values flushed into double: relative error ~1e-7.
constexpr double kMomentTol = 1e-6;
constexpr double kKurtosisTol = 1e-4;
constexpr double kPreviewTol = 1e-9; // both sides sum the same doubles, in another order

struct GenTensor {
    std::string name;
    std::vector<std::uint64_t> ne; // ggml order
    DType type = DType::F32;
    std::vector<float> values;     // what the analysis must see (dequantized for block types)
    std::string bytes;             // stored bytes
};

std::uint64_t elems(const std::vector<std::uint64_t>& ne)
{
    std::uint64_t n = 1;
    for (auto d : ne) n *= d;
    return n;
}

// Heavy-tailed values (a Student-t-like ratio), deterministic.
std::vector<float> heavy(std::uint64_t n, unsigned seed, float scale, float offset = 0)
{
    std::mt19937_64 g(seed);
    std::normal_distribution<float> nd(0, 1);
    std::uniform_real_distribution<float> u(0.05f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = offset + scale * nd(g) / std::sqrt(u(g));
    return v;
}

GenTensor f32Tensor(std::string name, std::vector<std::uint64_t> ne, std::vector<float> v)
{
    GenTensor t{std::move(name), std::move(ne), DType::F32, std::move(v), {}};
    t.bytes.assign(reinterpret_cast<const char*>(t.values.data()), t.values.size() * 4);
    return t;
}

// An F16 or BF16 tensor: the values rounded to the type (what the analysis must see).
GenTensor halfTensor(std::string name, std::vector<std::uint64_t> ne, std::vector<float> v, DType type)
{
    GenTensor t{std::move(name), std::move(ne), type, std::move(v), {}};
    t.bytes.resize(t.values.size() * 2);
    for (std::size_t i = 0; i < t.values.size(); ++i) {
        const std::uint16_t h = type == DType::BF16 ? fp32ToBf16(t.values[i]) : fp32ToFp16(t.values[i]);
        t.values[i] = type == DType::BF16 ? bf16ToFp32(h) : fp16ToFp32(h);
        std::memcpy(t.bytes.data() + 2 * i, &h, 2);
    }
    return t;
}

std::vector<GenTensor> makeTensors()
{
    std::vector<GenTensor> ts;
    // 300 x 512: uneven cell rows (300 rows onto 256 cells), 2 columns a cell, planted outliers.
    {
        auto v = heavy(300 * 512, 1, 0.02f);
        v[7 * 512 + 3] = 3.5f;
        v[250 * 512 + 511] = -4.0f;
        v[299 * 512 + 0] = 4.0f; // ties with -4 in |w|: the lower index wins
        for (int i = 0; i < 40; ++i) v[static_cast<std::size_t>(i) * 977 % v.size()] = 0.0f;
        ts.push_back(f32Tensor("blk.0.ffn_up.weight", {512, 300}, std::move(v)));
    }
    // NaN / Inf inside: analysed over the finite values, marked.
    {
        auto v = heavy(40 * 96, 2, 0.05f);
        v[5] = std::numeric_limits<float>::quiet_NaN();
        v[100] = std::numeric_limits<float>::infinity();
        v[101] = -std::numeric_limits<float>::infinity();
        v[3000] = std::numeric_limits<float>::quiet_NaN();
        ts.push_back(f32Tensor("blk.1.attn_k.weight", {96, 40}, std::move(v)));
    }
    // A norm-like vector far from zero (moments around a large mean).
    ts.push_back(f32Tensor("blk.1.attn_norm.weight", {512}, heavy(512, 3, 0.01f, 1.0f)));
    // All zeros: std 0 (tail shares by the second pass).
    ts.push_back(f32Tensor("blk.1.zero.weight", {64, 4}, std::vector<float>(256, 0.0f)));
    // The sampled rows (even ones) are 30x smaller than the others: the provisional std is far
    // off, the second pass counts the tails.
    {
        auto v = heavy(128 * 512, 4, 0.01f);
        for (std::size_t r = 1; r < 128; r += 2)
            for (std::size_t c = 0; c < 512; ++c) v[r * 512 + c] *= 30.0f;
        ts.push_back(f32Tensor("blk.2.ffn_down.weight", {512, 128}, std::move(v)));
    }
    // A Q4_K tensor: analysed through the dequantizer.
    {
        const std::uint64_t rows = 24, cols = 512;
        auto v = heavy(rows * cols, 5, 0.03f);
        const auto* k = quant::quantKernels(DType::Q4_K);
        const std::uint64_t rowBytes = cols / 256 * 144;
        std::string bytes(rows * rowBytes, '\0');
        std::vector<float> deq(rows * cols);
        for (std::uint64_t r = 0; r < rows; ++r) {
            k->quantizeRow(v.data() + r * cols, bytes.data() + r * rowBytes, static_cast<std::int64_t>(cols), nullptr);
            k->dequantizeRow(bytes.data() + r * rowBytes, deq.data() + r * cols, static_cast<std::int64_t>(cols));
        }
        ts.push_back(GenTensor{"blk.2.attn_q.weight", {cols, rows}, DType::Q4_K, std::move(deq), std::move(bytes)});
    }
    // A type we cannot read (IQ2_XXS: no dequantizer): a per-tensor error.
    ts.push_back(GenTensor{"blk.3.attn_v.weight", {256, 2}, DType::IQ2_XXS, {}, std::string(2 * 66, '\x11')});
    return ts;
}

void writeGguf(const fs::path& path, const std::vector<GenTensor>& ts)
{
    io::GgufWriter w;
    w.set("general.architecture", io::GgufValue::string("llama"));
    for (const auto& t : ts) ASSERT_TRUE(w.addTensor(t.name, t.type, t.ne).ok());
    jobs::NullSink sink;
    auto r = w.write(path, [&](std::size_t i, io::TensorOutput& o) {
        return o.write(std::span<const std::byte>(reinterpret_cast<const std::byte*>(ts[i].bytes.data()), ts[i].bytes.size()));
    }, {}, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
}

std::shared_ptr<const io::Checkpoint> open(const fs::path& p)
{
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(p, sink);
    EXPECT_TRUE(ck.ok()) << (ck.ok() ? "" : describe(ck.error()));
    return ck.ok() ? *ck : nullptr;
}

TensorAnalysis analyze(const io::Checkpoint& ck, std::size_t i, const analysis::TensorAnalysisConfig& cfg = {}, int threads = 2)
{
    jobs::ThreadArena arena(jobs::ThreadingConfig{threads});
    std::optional<TensorAnalysis> out;
    arena.execute([&] {
        auto r = analysis::analyzeTensor(ck, i, cfg);
        ASSERT_TRUE(r.ok());
        out = std::move(*r);
    });
    return out ? std::move(*out) : TensorAnalysis{};
}

// The direct computation.
void expectMatchesNaive(const TensorAnalysis& a, const GenTensor& g)
{
    SCOPED_TRACE(g.name);
    ASSERT_FALSE(a.error);
    const std::uint64_t cols = g.ne[0], rows = elems(g.ne) / cols;
    ASSERT_EQ(a.rows, rows);
    ASSERT_EQ(a.cols, cols);
    const auto& v = g.values;
    std::uint64_t nan = 0, inf = 0, zeros = 0, n = 0;
    double sum = 0, mn = std::numeric_limits<double>::infinity(), mx = -mn;
    for (float x : v) {
        if (std::isnan(x)) { ++nan; continue; }
        if (std::isinf(x)) { ++inf; continue; }
        ++n;
        sum += x;
        zeros += x == 0.0f;
        mn = std::min(mn, static_cast<double>(x));
        mx = std::max(mx, static_cast<double>(x));
    }
    const double mean = sum / static_cast<double>(n);
    double m2 = 0, m4 = 0;
    for (float x : v)
        if (std::isfinite(x)) {
            const double d = x - mean;
            m2 += d * d;
            m4 += d * d * d * d;
        }
    m2 /= static_cast<double>(n);
    m4 /= static_cast<double>(n);
    const double sd = std::sqrt(m2);
    std::uint64_t b3 = 0, b6 = 0;
    for (float x : v)
        if (std::isfinite(x)) {
            b3 += std::fabs(x - mean) > 3 * sd;
            b6 += std::fabs(x - mean) > 6 * sd;
        }
    const auto& s = a.stats;
    EXPECT_EQ(s.count, v.size());
    EXPECT_EQ(s.finite, n);
    EXPECT_EQ(s.nan, nan);
    EXPECT_EQ(s.inf, inf);
    EXPECT_EQ(s.zeros, zeros);
    EXPECT_EQ(s.min, mn);
    EXPECT_EQ(s.max, mx);
    EXPECT_EQ(s.absMax, std::max(std::fabs(mn), std::fabs(mx)));
    EXPECT_NEAR(s.mean, mean, kMomentTol * std::max(sd, std::fabs(mean) * 1e-3));
    EXPECT_NEAR(s.std, sd, kMomentTol * sd + 1e-30);
    EXPECT_NEAR(s.kurtosis, m2 > 0 ? m4 / (m2 * m2) - 3 : 0.0, kKurtosisTol);
    EXPECT_EQ(std::llround(s.beyond3Std * static_cast<double>(n)), static_cast<long long>(b3));
    EXPECT_EQ(std::llround(s.beyond6Std * static_cast<double>(n)), static_cast<long long>(b6));

    // Histogram: the documented formula over the stated range.
    const auto& h = a.histogram;
    ASSERT_LT(h.lo, h.hi);
    std::array<std::uint64_t, analysis::kHistogramBins> bins{};
    std::uint64_t under = 0, over = 0;
    const float scale = static_cast<float>(analysis::kHistogramBins) / (h.hi - h.lo);
    for (float x : v) {
        if (!std::isfinite(x)) continue;
        const float p = (x - h.lo) * scale;
        if (p < 0) ++under;
        else if (p >= static_cast<float>(analysis::kHistogramBins)) ++over;
        else ++bins[static_cast<std::size_t>(std::floor(p))];
    }
    EXPECT_EQ(h.bins, bins);
    EXPECT_EQ(h.under, under);
    EXPECT_EQ(h.over, over);
    std::uint64_t total = h.under + h.over;
    for (auto b : h.bins) total += b;
    EXPECT_EQ(total, s.finite);

    // Outlier map: max |w| / std per cell.
    const std::uint32_t cr = static_cast<std::uint32_t>(std::min<std::uint64_t>(rows, 256));
    const std::uint32_t cc = static_cast<std::uint32_t>(std::min<std::uint64_t>(cols, 256));
    ASSERT_EQ(a.outlierMap.cellRows, cr);
    ASSERT_EQ(a.outlierMap.cellCols, cc);
    std::vector<double> cell(static_cast<std::size_t>(cr) * cc, 0.0);
    std::vector<double> colSq(cols, 0.0), colMax(cols, 0.0);
    for (std::uint64_t r = 0; r < rows; ++r)
        for (std::uint64_t c = 0; c < cols; ++c) {
            const float x = v[r * cols + c];
            if (!std::isfinite(x)) continue;
            double& m = cell[(r * cr / rows) * cc + c * cc / cols];
            m = std::max(m, std::fabs(static_cast<double>(x)) / s.std);
            colSq[c] += static_cast<double>(x) * x;
            colMax[c] = std::max(colMax[c], std::fabs(static_cast<double>(x)));
        }
    for (std::size_t i = 0; i < cell.size(); ++i) ASSERT_EQ(a.outlierMap.cells[i], static_cast<float>(s.std > 0 ? cell[i] : 0.0)) << i;
    for (std::uint64_t c = 0; c < cols; ++c) {
        EXPECT_NEAR(a.columnL2[c], std::sqrt(colSq[c]), 1e-6 * std::sqrt(colSq[c])) << c;
        EXPECT_EQ(a.columnMaxAbs[c], static_cast<float>(colMax[c])) << c;
    }

    // Top outliers: largest |w|, ties to the lower index.
    std::vector<std::uint64_t> idx;
    for (std::uint64_t i = 0; i < v.size(); ++i)
        if (std::isfinite(v[i])) idx.push_back(i);
    std::stable_sort(idx.begin(), idx.end(), [&](auto x, auto y) { return std::fabs(v[x]) > std::fabs(v[y]); });
    idx.resize(std::min<std::size_t>(idx.size(), analysis::kTopOutliers));
    ASSERT_EQ(a.top.size(), idx.size());
    for (std::size_t i = 0; i < idx.size(); ++i) {
        EXPECT_EQ(a.top[i].row, idx[i] / cols);
        EXPECT_EQ(a.top[i].col, idx[i] % cols);
        EXPECT_EQ(a.top[i].value, v[idx[i]]);
    }
}

// The 32-bit interleaved bin counters are added into 64-bit totals before they could overflow.
TEST(AnalysisRowKernels, HistogramCountersFlushBeforeOverflow)
{
    analysis::detail::RowSums s;
    s.hist[3][5] = 4000000000u;
    s.sinceFlush = (1ull << 31) - 10;
    const std::vector<std::int32_t> slots(16, 5);
    analysis::detail::countSlots(slots.data(), slots.size(), s);
    EXPECT_EQ(s.total[5], 4000000000ull);
    EXPECT_EQ(s.sinceFlush, 16u);
    EXPECT_EQ(s.slotCounts()[5], 4000000016ull);
}

// The vector preview error kernels (AVX2: 4 values, AVX-512: 8 values folded into the 4 lanes
// in their order) give the scalar reference's bits on full-precision values, NaN/Inf round
// trips and zero importances included, for every tail length.
TEST(AnalysisRowKernels, ErrorKernelsGiveTheScalarReferencesBits)
{
    std::mt19937_64 g(77);
    std::normal_distribution<float> nd(0, 1);
    const std::size_t n = 1000;
    std::vector<float> w(n), y(n), imp(n);
    for (std::size_t i = 0; i < n; ++i) {
        w[i] = nd(g) * 0.05f * std::ldexp(1.0f, -static_cast<int>(i % 23)); // magnitudes over 23 octaves
        y[i] = nd(g) * 0.05f;
        imp[i] = i % 5 == 0 ? 0.0f : std::fabs(nd(g));
    }
    y[17] = std::numeric_limits<float>::quiet_NaN();
    y[523] = std::numeric_limits<float>::infinity();
    const auto reference = analysis::detail::rowErrorKernel(CpuLevel::Scalar);
    for (CpuLevel level : {CpuLevel::Avx2, CpuLevel::Avx512}) {
        if (clampCpuLevel(level) < level) continue;
        const auto kernel = analysis::detail::rowErrorKernel(level);
        for (std::size_t len : {std::size_t{0}, std::size_t{3}, std::size_t{12}, std::size_t{16}, std::size_t{500}, std::size_t{997}, n})
            for (const float* iw : {static_cast<const float*>(nullptr), static_cast<const float*>(imp.data())}) {
                SCOPED_TRACE(std::string(cpuLevelName(level)) + " n=" + std::to_string(len) + (iw ? " weighted" : ""));
                analysis::detail::ErrorSums a, b;
                reference(w.data(), y.data(), iw, len, a);
                kernel(w.data(), y.data(), iw, len, b);
                for (auto [u, v] : {std::pair{a.errSq, b.errSq}, {a.refSq, b.refSq}, {a.weightedErrSq, b.weightedErrSq},
                                    {a.weightedRefSq, b.weightedRefSq}, {a.maxAbs, b.maxAbs}})
                    EXPECT_EQ(std::memcmp(&u, &v, sizeof u), 0) << u << " vs " << v;
                if (len > 523) {
                    EXPECT_EQ(a.errSq, std::numeric_limits<double>::infinity());
                }
                if (len > 17) {
                    EXPECT_FALSE(std::isnan(a.weightedErrSq));
                }
            }
    }
}

class AnalysisTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_tensors = makeTensors();
        m_path = m_dir.path() / "gen.gguf";
        writeGguf(m_path, m_tensors);
        m_ck = open(m_path);
        ASSERT_TRUE(m_ck);
        ASSERT_EQ(m_ck->tensors().size(), m_tensors.size());
    }
    std::size_t index(const std::string& name) const { return static_cast<std::size_t>(m_ck->findTensor(name)); }

    TempDir m_dir;
    fs::path m_path;
    std::vector<GenTensor> m_tensors;
    std::shared_ptr<const io::Checkpoint> m_ck;
};

TEST_F(AnalysisTest, StatisticsHistogramAndOutlierMapEqualADirectComputation)
{
    for (const auto& g : m_tensors) {
        if (g.values.empty()) continue;
        expectMatchesNaive(analyze(*m_ck, index(g.name)), g);
    }
}

// F16 and BF16 tensors take the code-counting path (row_kernels.h): the same figures as the
// direct computation, NaN/Inf included; the scalar, AVX2 and AVX-512 kernels agree bit for bit; the
// result does not depend on the thread count.
class HalfAnalysisTest : public AnalysisTest {
protected:
    void SetUp() override
    {
        AnalysisTest::SetUp();
        for (DType type : {DType::F16, DType::BF16}) {
            const std::string t = type == DType::F16 ? "f16" : "bf16";
            // 300 x 520: uneven cells, a 16-value tail per row, planted outliers and ties.
            auto v = heavy(300 * 520, 21, 0.02f);
            v[7 * 520 + 3] = 3.5f;
            v[250 * 520 + 519] = -4.0f;
            v[299 * 520 + 0] = 4.0f;
            for (int i = 0; i < 40; ++i) v[static_cast<std::size_t>(i) * 977 % v.size()] = 0.0f;
            v[977] = -0.0f;
            m_half.push_back(halfTensor("blk.0.ffn_up." + t, {520, 300}, std::move(v), type));
            // NaN and Inf inside, a row with nothing finite but one value.
            auto w = heavy(40 * 96, 22, 0.05f);
            w[5] = std::numeric_limits<float>::quiet_NaN();
            w[100] = std::numeric_limits<float>::infinity();
            w[101] = -std::numeric_limits<float>::infinity();
            for (std::size_t c = 1; c < 96; ++c) w[20 * 96 + c] = std::numeric_limits<float>::quiet_NaN();
            m_half.push_back(halfTensor("blk.1.attn_k." + t, {96, 40}, std::move(w), type));
            // Sampled rows 30x smaller than the others; a norm-like vector far from zero.
            auto u = heavy(128 * 512, 24, 0.01f);
            for (std::size_t r = 1; r < 128; r += 2)
                for (std::size_t c = 0; c < 512; ++c) u[r * 512 + c] *= 30.0f;
            m_half.push_back(halfTensor("blk.2.ffn_down." + t, {512, 128}, std::move(u), type));
            m_half.push_back(halfTensor("blk.2.attn_norm." + t, {512}, heavy(512, 23, 0.01f, 1.0f), type));
            // Fewer than 32 values.
            m_half.push_back(halfTensor("blk.3.tiny." + t, {5, 3}, heavy(15, 25, 1.0f), type));
            // 1030 rows: cell rows of 4 or 5 rows, so row tiles of every height 1-4; 100
            // columns leave a tail after the vector steps; a NaN in the last tile of a cell row.
            auto tall = heavy(1030 * 100, 26, 0.03f);
            tall[1021 * 100 + 50] = std::numeric_limits<float>::quiet_NaN();
            m_half.push_back(halfTensor("blk.4.attn_v." + t, {100, 1030}, std::move(tall), type));
        }
        m_halfPath = m_dir.path() / "half.gguf";
        writeGguf(m_halfPath, m_half);
        m_halfCk = open(m_halfPath);
        ASSERT_TRUE(m_halfCk);
    }
    std::vector<GenTensor> m_half;
    fs::path m_halfPath;
    std::shared_ptr<const io::Checkpoint> m_halfCk;
};

TEST_F(HalfAnalysisTest, StatisticsHistogramAndOutlierMapEqualADirectComputation)
{
    for (std::size_t i = 0; i < m_half.size(); ++i) {
        const auto a = analyze(*m_halfCk, i);
        expectMatchesNaive(a, m_half[i]);
        EXPECT_EQ(a.dtype, m_half[i].type);
    }
    const auto k = analyze(*m_halfCk, 1);
    EXPECT_EQ(k.stats.nan, 96u);
    EXPECT_EQ(k.stats.inf, 2u);
}

TEST_F(HalfAnalysisTest, ScalarAndVectorKernelsAgreeAndThreadsDoNotMatter)
{
    if (clampCpuLevel(CpuLevel::Avx2) < CpuLevel::Avx2) CONDENSE_SKIP() << "no AVX2";
    for (std::size_t i = 0; i < m_half.size(); ++i) {
        SCOPED_TRACE(m_half[i].name);
        for (CpuLevel level : {CpuLevel::Avx2, CpuLevel::Avx512}) {
        if (clampCpuLevel(level) < level) continue;
        SCOPED_TRACE(cpuLevelName(level));
        analysis::TensorAnalysisConfig scalar, vector;
        scalar.cpuLevel = CpuLevel::Scalar;
        vector.cpuLevel = level;
        if (m_half[i].ne[0] % 32 == 0) scalar.previewType = vector.previewType = DType::Q8_0;
        const auto a = analyze(*m_halfCk, i, scalar, 1), b = analyze(*m_halfCk, i, vector, 2);
        EXPECT_EQ(a.stats.mean, b.stats.mean);
        EXPECT_EQ(a.stats.std, b.stats.std);
        EXPECT_EQ(a.stats.kurtosis, b.stats.kurtosis);
        EXPECT_EQ(a.stats.beyond3Std, b.stats.beyond3Std);
        EXPECT_EQ(a.histogram.bins, b.histogram.bins);
        EXPECT_EQ(a.outlierMap.cells, b.outlierMap.cells);
        EXPECT_EQ(a.columnL2, b.columnL2);
        EXPECT_EQ(a.columnMaxAbs, b.columnMaxAbs);
        ASSERT_EQ(a.top.size(), b.top.size());
        for (std::size_t k = 0; k < a.top.size(); ++k) EXPECT_EQ(a.top[k].row * a.cols + a.top[k].col, b.top[k].row * b.cols + b.top[k].col);
        ASSERT_EQ(a.preview.has_value(), b.preview.has_value());
        if (a.preview) {
            EXPECT_EQ(a.preview->sums.errSq, b.preview->sums.errSq);
        }
        }
    }
}

// The cache keeps F16/BF16 outlier maps and column maxima as packed F16 codes: what a reopen
// reads equals the pass's figures bit for bit, in well under half the bytes of floats.
TEST_F(HalfAnalysisTest, CacheGivesBackTheExactFiguresCompactly)
{
    analysis::ModelAnalysisConfig cfg;
    for (std::size_t i = 0; i < m_halfCk->tensors().size(); ++i) cfg.tensors.push_back(i);
    cfg.cacheDir = m_dir.path() / "half-cache";
    jobs::NullSink sink;
    auto first = analysis::analyzeModel(*m_halfCk, cfg, sink);
    ASSERT_TRUE(first.ok());
    auto ck2 = open(m_halfPath);
    auto second = analysis::analyzeModel(*ck2, cfg, sink);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->fromCache, m_half.size());
    std::uint64_t floatBytes = 0;
    for (std::size_t i = 0; i < m_half.size(); ++i) {
        const auto& a = *first->tensors[i];
        const auto& b = *second->tensors[i];
        SCOPED_TRACE(a.name);
        EXPECT_EQ(a.outlierMap.cells, b.outlierMap.cells);
        EXPECT_EQ(a.columnMaxAbs, b.columnMaxAbs);
        EXPECT_EQ(a.columnL2, b.columnL2);
        EXPECT_EQ(a.histogram.bins, b.histogram.bins);
        floatBytes += 4 * (a.outlierMap.cells.size() + a.columnMaxAbs.size());
    }
    const auto size = fs::file_size(analysis::AnalysisCache::cachePath(cfg.cacheDir, *ck2));
    std::uint64_t l2Bytes = 0;
    for (const auto& t : first->tensors) l2Bytes += 4 * t->columnL2.size();
    EXPECT_LT(size, l2Bytes + floatBytes / 2 + 64 * 1024) << "maps and maxima not packed";
}

// A model whose statistics are cached, asked for a preview type the cache lacks, runs the
// preview alone: the statistics come from the cache, the preview equals a full pass's bit for
// bit, and it is cached in turn.
void expectPreviewAloneEqualsFullPass(const io::Checkpoint& ck, const fs::path& cacheDir)
{
    analysis::ModelAnalysisConfig cfg;
    for (std::size_t i = 0; i < ck.tensors().size(); ++i) cfg.tensors.push_back(i);
    cfg.cacheDir = cacheDir;
    cfg.previewTypes.assign(ck.tensors().size(), DType::Q8_0);
    jobs::NullSink sink;
    ASSERT_TRUE(analysis::analyzeModel(ck, cfg, sink).ok());
    cfg.previewTypes.assign(ck.tensors().size(), DType::Q4_0);
    auto alone = analysis::analyzeModel(ck, cfg, sink);
    ASSERT_TRUE(alone.ok());
    auto full = cfg;
    full.cacheDir.clear();
    auto fresh = analysis::analyzeModel(ck, full, sink);
    ASSERT_TRUE(fresh.ok());
    std::size_t previews = 0;
    for (std::size_t i = 0; i < cfg.tensors.size(); ++i) {
        const auto& a = *alone->tensors[i];
        const auto& b = *fresh->tensors[i];
        SCOPED_TRACE(a.name);
        if (b.error) continue;
        EXPECT_TRUE(a.fromCache);
        EXPECT_EQ(a.stats.std, b.stats.std);
        EXPECT_EQ(a.histogram.bins, b.histogram.bins);
        ASSERT_EQ(a.preview.has_value(), b.preview.has_value());
        if (!a.preview) continue;
        ++previews;
        EXPECT_EQ(a.preview->type, DType::Q4_0);
        EXPECT_EQ(std::memcmp(&a.preview->sums.errSq, &b.preview->sums.errSq, sizeof(double)), 0);
        EXPECT_EQ(std::memcmp(&a.preview->sums.refSq, &b.preview->sums.refSq, sizeof(double)), 0);
        EXPECT_EQ(a.preview->sums.maxAbsError, b.preview->sums.maxAbsError);
        EXPECT_EQ(a.preview->sums.count, b.preview->sums.count);
    }
    EXPECT_GT(previews, 0u);
    auto again = analysis::analyzeModel(ck, cfg, sink);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->fromCache + again->failed, cfg.tensors.size()); // the new previews were cached
}

TEST_F(AnalysisTest, CachedStatisticsWithANewPreviewTypeRunThePreviewAlone)
{
    expectPreviewAloneEqualsFullPass(*m_ck, m_dir.path() / "cache-alone");
}

TEST_F(HalfAnalysisTest, CachedStatisticsWithANewPreviewTypeRunThePreviewAlone)
{
    expectPreviewAloneEqualsFullPass(*m_halfCk, m_dir.path() / "half-cache-alone");
}

TEST_F(AnalysisTest, NonFiniteValuesAreCountedAndMarked)
{
    const auto a = analyze(*m_ck, index("blk.1.attn_k.weight"), {DType::Q8_0, nullptr});
    EXPECT_EQ(a.stats.nan, 2u);
    EXPECT_EQ(a.stats.inf, 2u);
    EXPECT_TRUE(a.stats.hasNonFinite());
    EXPECT_TRUE(std::isfinite(a.stats.std));
    EXPECT_FALSE(a.preview); // the quantizer refuses NaN/Inf
}

TEST_F(AnalysisTest, UnreadableTensorGivesAnErrorNotAFailedJob)
{
    analysis::ModelAnalysisConfig cfg;
    for (std::size_t i = 0; i < m_ck->tensors().size(); ++i) cfg.tensors.push_back(i);
    jobs::NullSink sink;
    auto r = analysis::analyzeModel(*m_ck, cfg, sink);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->failed, 1u);
    EXPECT_EQ(r->nonFinite, 1u);
    const auto& bad = *r->tensors[index("blk.3.attn_v.weight")];
    ASSERT_TRUE(bad.error);
    EXPECT_EQ(bad.error->code, ErrorCode::UnsupportedType);
    EXPECT_EQ(bad.error->tensor, "blk.3.attn_v.weight");
}

TEST_F(AnalysisTest, ResultsDoNotDependOnTheThreadCount)
{
    for (const char* name : {"blk.0.ffn_up.weight", "blk.2.ffn_down.weight"}) {
        const auto a = analyze(*m_ck, index(name), {DType::Q4_K, nullptr}, 1);
        const auto b = analyze(*m_ck, index(name), {DType::Q4_K, nullptr}, 2);
        EXPECT_EQ(a.stats.mean, b.stats.mean);
        EXPECT_EQ(a.stats.std, b.stats.std);
        EXPECT_EQ(a.stats.kurtosis, b.stats.kurtosis);
        EXPECT_EQ(a.histogram.bins, b.histogram.bins);
        EXPECT_EQ(a.outlierMap.cells, b.outlierMap.cells);
        EXPECT_EQ(a.columnL2, b.columnL2);
        ASSERT_TRUE(a.preview && b.preview);
        EXPECT_EQ(a.preview->sums.errSq, b.preview->sums.errSq);
    }
}

// The AVX2 row kernels (statistics, preview error) perform the scalar references' operations
// lane for lane: same bits.
TEST_F(AnalysisTest, VectorKernelGivesTheScalarReferencesBits)
{
    if (clampCpuLevel(CpuLevel::Avx2) < CpuLevel::Avx2) CONDENSE_SKIP() << "no AVX2";
    // Rows of 512 (whole 64-blocks) and 96 (a block and a scalar tail); one with huge values
    // whose float d^4 overflows (the double path).
    auto big = heavy(128 * 20, 9, 1e9f);
    std::vector<GenTensor> ts = {m_tensors[0], m_tensors[2], m_tensors[4], f32Tensor("huge.weight", {128, 20}, big),
                                 f32Tensor("odd.weight", {96, 7}, heavy(96 * 7, 10, 0.1f))};
    const fs::path path = m_dir.path() / "kernels.gguf";
    writeGguf(path, ts);
    auto ck = open(path);
    for (std::size_t i = 0; i < ts.size(); ++i) {
        SCOPED_TRACE(ts[i].name);
        analysis::TensorAnalysisConfig scalar, vector;
        scalar.cpuLevel = CpuLevel::Scalar;
        vector.cpuLevel = CpuLevel::Avx2;
        std::vector<float> imp(ts[i].ne[0]);
        for (std::size_t k = 0; k < imp.size(); ++k) imp[k] = 0.25f + static_cast<float>(k % 5);
        scalar.previewType = vector.previewType = DType::Q8_0;
        scalar.importance = vector.importance = imp.data();
        const auto a = analyze(*ck, i, scalar), b = analyze(*ck, i, vector);
        ASSERT_EQ(a.preview.has_value(), b.preview.has_value());
        if (a.preview) { // bit for bit (the huge tensor's F16 block scales overflow: NaN on both sides)
            const auto& x = a.preview->sums;
            const auto& z = b.preview->sums;
            for (auto [u, v] : {std::pair{x.errSq, z.errSq}, {x.refSq, z.refSq}, {x.weightedErrSq, z.weightedErrSq},
                                {x.weightedRefSq, z.weightedRefSq}, {x.maxAbsError, z.maxAbsError}})
                EXPECT_EQ(std::memcmp(&u, &v, sizeof u), 0) << u << " vs " << v;
        }
        EXPECT_EQ(a.stats.mean, b.stats.mean);
        EXPECT_EQ(a.stats.std, b.stats.std);
        EXPECT_EQ(a.stats.kurtosis, b.stats.kurtosis);
        EXPECT_EQ(a.stats.min, b.stats.min);
        EXPECT_EQ(a.stats.max, b.stats.max);
        EXPECT_EQ(a.stats.zeros, b.stats.zeros);
        EXPECT_EQ(a.stats.beyond3Std, b.stats.beyond3Std);
        EXPECT_EQ(a.stats.beyond6Std, b.stats.beyond6Std);
        EXPECT_EQ(a.histogram.bins, b.histogram.bins);
        EXPECT_EQ(a.histogram.under, b.histogram.under);
        EXPECT_EQ(a.outlierMap.cells, b.outlierMap.cells);
        EXPECT_EQ(a.columnL2, b.columnL2);
        EXPECT_EQ(a.columnMaxAbs, b.columnMaxAbs);
        if (i < 3) expectMatchesNaive(b, ts[i]);
    }
}

// The preview's error is the error of the quantizer's own output (quantizeRows/dequantizeRows,
// the kernels runQuantize uses), with and without importance.
TEST_F(AnalysisTest, PreviewEqualsTheQuantizersOwnRoundTrip)
{
    const GenTensor& g = m_tensors[0];
    const std::uint64_t cols = g.ne[0], rows = g.ne[1];
    std::vector<float> imp(cols);
    for (std::uint64_t c = 0; c < cols; ++c) imp[c] = 0.5f + static_cast<float>(c % 7);
    for (DType type : {DType::Q4_K, DType::Q6_K, DType::Q8_0, DType::Q4_0, DType::IQ4_XS}) {
        for (const float* importance : {static_cast<const float*>(nullptr), static_cast<const float*>(imp.data())}) {
            SCOPED_TRACE(std::string(dtypeName(type)) + (importance ? " with importance" : ""));
            const auto a = analyze(*m_ck, 0, {type, importance});
            ASSERT_TRUE(a.preview);
            EXPECT_EQ(a.preview->type, type);
            const std::uint64_t rowBytes = *dtypeBytes(type, cols, cols);
            std::vector<std::byte> q(rows * rowBytes);
            std::vector<float> y(rows * cols);
            ASSERT_TRUE(quant::quantizeRows(type, g.values.data(), q.data(), static_cast<std::int64_t>(rows),
                                            static_cast<std::int64_t>(cols), importance));
            ASSERT_TRUE(quant::dequantizeRows(type, q.data(), y.data(), static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols)));
            double e2 = 0, r2 = 0, me = 0, we2 = 0, wr2 = 0;
            for (std::uint64_t i = 0; i < rows * cols; ++i) {
                const double e = static_cast<double>(g.values[i]) - y[i];
                e2 += e * e;
                r2 += static_cast<double>(g.values[i]) * g.values[i];
                me = std::max(me, std::fabs(e));
                if (importance) {
                    we2 += importance[i % cols] * e * e;
                    wr2 += importance[i % cols] * static_cast<double>(g.values[i]) * g.values[i];
                }
            }
            const auto& s = a.preview->sums;
            EXPECT_EQ(s.count, rows * cols);
            EXPECT_NEAR(s.relRmse(), std::sqrt(e2 / r2), kPreviewTol);
            EXPECT_NEAR(s.snrDb(), 10 * std::log10(r2 / e2), 1e-7);
            EXPECT_EQ(s.maxAbsError, me);
            EXPECT_EQ(s.weighted, importance != nullptr);
            if (importance) {
                EXPECT_NEAR(s.weightedRelRmse(), std::sqrt(we2 / wr2), kPreviewTol);
            }
        }
    }
    // Rows that do not fit the block (96 columns for Q4_K's 256): no preview.
    EXPECT_FALSE(analyze(*m_ck, index("blk.1.attn_k.weight"), {DType::Q4_K, nullptr}).preview);
}

// Huge but finite weights (up to 1e38, column norms still floats): the statistics equal the
// direct computation; where the type's F16 block scales overflow, the quantizer's own round
// trip is Inf/NaN and the preview says so as an infinite error (relative RMSE +inf, SNR
// -inf dB, max error +inf), never NaN; where they do not, the error is the direct computation's.
// Both kernels agree bit for bit, zero importance included.
TEST_F(AnalysisTest, PreviewOfHugeFiniteWeightsIsNeverNaN)
{
    std::vector<GenTensor> ts;
    for (float scale : {6e4f, 1e9f, 1e30f, 1e38f}) {
        auto v = heavy(8 * 512, 31, 1.0f);
        for (auto& x : v) x = std::clamp(x, -1.0f, 1.0f) * scale;
        ts.push_back(f32Tensor("huge" + std::to_string(ts.size()) + ".weight", {512, 8}, std::move(v)));
    }
    const fs::path path = m_dir.path() / "huge.gguf";
    writeGguf(path, ts);
    auto ck = open(path);
    std::vector<float> imp(512, 1.0f);
    imp[3] = 0.0f;
    // The statistics too (near the float limit the histogram range stays finite: no NaN bin).
    for (std::size_t i = 0; i < ts.size(); ++i) expectMatchesNaive(analyze(*ck, i), ts[i]);
    for (std::size_t i = 0; i < ts.size(); ++i)
        for (DType type : {DType::Q4_K, DType::Q8_0, DType::Q6_K}) {
            SCOPED_TRACE(ts[i].name + " " + std::string(dtypeName(type)));
            analysis::TensorAnalysisConfig scalar{type, imp.data()};
            scalar.cpuLevel = CpuLevel::Scalar;
            const auto a = analyze(*ck, i, scalar);
            ASSERT_TRUE(a.preview);
            const auto& s = a.preview->sums;
            for (double v : {s.errSq, s.maxAbsError, s.weightedErrSq, s.relRmse(), s.snrDb(), s.weightedRelRmse()})
                EXPECT_FALSE(std::isnan(v));
            for (CpuLevel level : {CpuLevel::Avx2, CpuLevel::Avx512}) {
                if (clampCpuLevel(level) < level) continue;
                analysis::TensorAnalysisConfig vector{type, imp.data()};
                vector.cpuLevel = level;
                const auto b = analyze(*ck, i, vector);
                ASSERT_TRUE(b.preview);
                EXPECT_EQ(std::memcmp(&s.errSq, &b.preview->sums.errSq, sizeof s.errSq), 0) << cpuLevelName(level);
                EXPECT_EQ(std::memcmp(&s.refSq, &b.preview->sums.refSq, sizeof s.refSq), 0) << cpuLevelName(level);
                EXPECT_EQ(std::memcmp(&s.weightedErrSq, &b.preview->sums.weightedErrSq, sizeof s.errSq), 0) << cpuLevelName(level);
                EXPECT_EQ(std::memcmp(&s.weightedRefSq, &b.preview->sums.weightedRefSq, sizeof s.errSq), 0) << cpuLevelName(level);
                EXPECT_EQ(s.maxAbsError, b.preview->sums.maxAbsError) << cpuLevelName(level);
            }
            // The quantizer's own round trip.
            std::vector<std::byte> q(8 * *dtypeBytes(type, 512, 512));
            std::vector<float> y(8 * 512);
            ASSERT_TRUE(quant::quantizeRows(type, ts[i].values.data(), q.data(), 8, 512, imp.data()));
            ASSERT_TRUE(quant::dequantizeRows(type, q.data(), y.data(), 8, 512));
            double e2 = 0, r2 = 0;
            bool finite = true;
            for (std::size_t k = 0; k < y.size(); ++k) {
                finite = finite && std::isfinite(y[k]);
                const double e = static_cast<double>(ts[i].values[k]) - y[k];
                e2 += e * e;
                r2 += static_cast<double>(ts[i].values[k]) * ts[i].values[k];
            }
            if (finite) {
                EXPECT_NEAR(s.relRmse(), std::sqrt(e2 / r2), kPreviewTol);
                EXPECT_TRUE(std::isfinite(s.snrDb()));
            } else {
                EXPECT_EQ(s.relRmse(), std::numeric_limits<double>::infinity());
                EXPECT_EQ(s.snrDb(), -std::numeric_limits<double>::infinity());
                EXPECT_EQ(s.maxAbsError, std::numeric_limits<double>::infinity());
            }
            EXPECT_EQ(finite, i == 0); // 6e4 fits every type's scales, 1e9 and up overflow them
        }
}

TEST_F(AnalysisTest, PerLayerPreviewAddsTheTensorsSums)
{
    analysis::ModelAnalysisConfig cfg;
    cfg.tensors = {index("blk.0.ffn_up.weight"), index("blk.2.ffn_down.weight"), index("blk.2.attn_q.weight")};
    cfg.previewTypes.assign(m_ck->tensors().size(), DType::Q8_0);
    jobs::NullSink sink;
    std::vector<std::string> streamed;
    auto r = analysis::analyzeModel(*m_ck, cfg, sink, {}, [&](const auto& t) { streamed.push_back(t->name); });
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(streamed, (std::vector<std::string>{"blk.0.ffn_up.weight", "blk.2.ffn_down.weight", "blk.2.attn_q.weight"}));
    ASSERT_EQ(r->layers.size(), 2u);
    EXPECT_EQ(r->layers[1].layer, 2);
    analysis::PreviewSums l2 = r->tensors[1]->preview->sums;
    l2.add(r->tensors[2]->preview->sums);
    EXPECT_EQ(r->layers[1].sums.errSq, l2.errSq);
    EXPECT_EQ(r->layers[1].sums.refSq, l2.refSq);
    ASSERT_TRUE(r->total);
    EXPECT_EQ(r->total->count, 300u * 512 + 128 * 512 + 24 * 512);
}

TEST_F(AnalysisTest, CancelledBeforeTheFirstTensor)
{
    analysis::ModelAnalysisConfig cfg;
    cfg.tensors = {0, 1};
    cfg.cacheDir = m_dir.path() / "cache";
    std::stop_source stop;
    stop.request_stop();
    jobs::NullSink sink;
    auto r = analysis::analyzeModel(*m_ck, cfg, sink, stop.get_token());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
    EXPECT_FALSE(fs::exists(analysis::AnalysisCache::cachePath(cfg.cacheDir, *m_ck)));
}

// Stop requested while the job runs (from the per-tensor callback): Cancelled after that
// tensor, nothing cached; progress reports Stage::Analyzing in tensor bytes up to the total.
TEST_F(AnalysisTest, CancelledBetweenTensorsAndProgressInBytes)
{
    struct Sink final : jobs::ProgressSink {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
        void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view) override
        {
            if (stage == jobs::Stage::Analyzing) reports.emplace_back(done, total);
        }
    };
    analysis::ModelAnalysisConfig cfg;
    cfg.tensors = {0, 1, 2, 3};
    cfg.cacheDir = m_dir.path() / "cache";
    std::uint64_t bytes = 0;
    for (std::size_t i : cfg.tensors) bytes += m_ck->tensors()[i].bytes;
    {
        Sink sink;
        auto r = analysis::analyzeModel(*m_ck, cfg, sink);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(sink.reports.size(), 5u);
        EXPECT_EQ(sink.reports.front(), std::make_pair(std::uint64_t{0}, bytes));
        EXPECT_EQ(sink.reports.back(), std::make_pair(bytes, bytes));
        fs::remove_all(cfg.cacheDir);
    }
    std::stop_source stop;
    std::size_t seen = 0;
    Sink sink;
    auto r = analysis::analyzeModel(*m_ck, cfg, sink, stop.get_token(), [&](const auto&) {
        ++seen;
        stop.request_stop();
    });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
    EXPECT_EQ(seen, 1u);
    EXPECT_FALSE(fs::exists(analysis::AnalysisCache::cachePath(cfg.cacheDir, *m_ck)));
}

TEST_F(AnalysisTest, SecondOpenReadsTheCacheAndAChangedFileInvalidatesIt)
{
    analysis::ModelAnalysisConfig cfg;
    for (std::size_t i = 0; i < m_ck->tensors().size(); ++i) cfg.tensors.push_back(i);
    cfg.previewTypes.assign(m_ck->tensors().size(), DType::Q8_0);
    cfg.cacheDir = m_dir.path() / "cache";
    jobs::NullSink sink;
    auto first = analysis::analyzeModel(*m_ck, cfg, sink);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->analyzed, m_tensors.size());
    EXPECT_EQ(first->fromCache, 0u);

    // Reopen: no pass runs (the unreadable tensor is retried: errors are not cached).
    auto ck2 = open(m_path);
    auto second = analysis::analyzeModel(*ck2, cfg, sink);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->analyzed, 1u);
    EXPECT_EQ(second->fromCache, m_tensors.size() - 1);
    for (std::size_t i = 0; i + 1 < m_tensors.size(); ++i) {
        const auto& a = *first->tensors[i];
        const auto& b = *second->tensors[i];
        EXPECT_TRUE(b.fromCache);
        EXPECT_EQ(a.stats.std, b.stats.std);
        EXPECT_EQ(a.stats.beyond3Std, b.stats.beyond3Std);
        EXPECT_EQ(a.histogram.bins, b.histogram.bins);
        EXPECT_EQ(a.outlierMap.cells, b.outlierMap.cells);
        EXPECT_EQ(a.columnMaxAbs, b.columnMaxAbs);
        ASSERT_EQ(a.top.size(), b.top.size());
        ASSERT_EQ(a.preview.has_value(), b.preview.has_value());
        if (a.preview) {
            EXPECT_EQ(a.preview->sums.errSq, b.preview->sums.errSq);
        }
    }
    // Another preview type is not in the cache: those tensors run again.
    {
        auto cfg2 = cfg;
        cfg2.previewTypes.assign(m_ck->tensors().size(), DType::Q4_0);
        auto third = analysis::analyzeModel(*ck2, cfg2, sink);
        ASSERT_TRUE(third.ok());
        EXPECT_GT(third->analyzed, 1u);
    }

    // A rewritten file (same size, other values) invalidates the cache.
    m_tensors[0].values[0] = 9.0f;
    std::memcpy(m_tensors[0].bytes.data(), &m_tensors[0].values[0], 4);
    ck2.reset();
    writeGguf(m_path, m_tensors);
    auto ck3 = open(m_path);
    auto fourth = analysis::analyzeModel(*ck3, cfg, sink);
    ASSERT_TRUE(fourth.ok());
    EXPECT_EQ(fourth->analyzed, m_tensors.size());
    EXPECT_EQ(fourth->tensors[0]->stats.absMax, 9.0);

    // A damaged cache file is ignored and rebuilt.
    const fs::path cacheFile = analysis::AnalysisCache::cachePath(cfg.cacheDir, *ck3);
    ASSERT_TRUE(fs::exists(cacheFile));
    for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{1000}}) {
        std::string bytes = readFile(cacheFile);
        if (cut == 1000) bytes[bytes.size() / 2] ^= 0x40; // flipped bit: checksum
        else bytes.resize(cut == 0 ? bytes.size() / 2 : cut);
        writeFile(cacheFile, bytes);
        EXPECT_TRUE(analysis::AnalysisCache::load(cfg.cacheDir, *ck3).empty());
        auto again = analysis::analyzeModel(*ck3, cfg, sink);
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(again->analyzed, m_tensors.size());
        EXPECT_EQ(analysis::AnalysisCache::load(cfg.cacheDir, *ck3).size(), m_tensors.size() - 1);
    }
}

} // namespace
} // namespace condense::test
