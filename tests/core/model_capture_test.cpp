// Calibration capture on the demo model (tiny llama):
// - HessianAccumulator's X^T X and MeanAbsActivations' sums of |x| equal a naive double
//   recomputation from the very rows the observers received; X^T X is exactly symmetric, the
//   token counts are right, and its diagonal equals ColumnSquareSums' sums of the same run;
// - captureBlockByBlock in Original mode gives the statistics of one full forward pass;
// - Sequential mode with a Q4_0 round trip of block 0 installed after block 0 leaves block 0's
//   statistics bit-identical and moves those of every later block, exactly as a full forward
//   pass with those weights installed from the start does;
// - setLayers keeps only the requested layers' matrices, take() frees them, and a caller that
//   takes each block's matrices after it holds one block's Hessians at most;
// - progress reaches 1 without going back; stop requests and afterBlock errors end the capture.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/model/block_capture.h"
#include "core/model/column_square_sums.h"
#include "core/model/hessian_accumulator.h"
#include "core/model/mean_abs_activations.h"
#include "core/model/owned_weight.h"
#include "core/quant/quant_registry.h"
#include "tests/core/model_test_util.h"

namespace condense::model::test {
namespace {

using condense::test::tinyLlamaDir;

// Observers vs the naive double recomputation from the same float rows.
constexpr double kNaiveRelTolerance = 1e-9;
// The Hessian's diagonal vs ColumnSquareSums (the same products summed in the same order).
constexpr double kDiagonalRelTolerance = 1e-12;
// Block by block vs the full forward pass (same batch shapes: float order only).
constexpr double kSameForwardRelTolerance = 1e-6;
// A Q4_0 round trip of block 0 moves the statistics of later blocks by far more than this.
constexpr double kChangedThreshold = 1e-4;

constexpr std::int64_t kMaxBatch = 16;
const std::vector<std::int64_t> kChunkLengths = {24, 37, 20}; // batches 16+8, 16+16+5, 16+4

const LinearSite kBlockSites[] = {LinearSite::AttnQKV, LinearSite::AttnOut, LinearSite::FfnGateUp, LinearSite::FfnDown};

std::vector<std::vector<std::int32_t>> chunks(std::int64_t vocab)
{
    std::mt19937 rng(777);
    std::uniform_int_distribution<std::int32_t> dist(3, static_cast<std::int32_t>(vocab - 1));
    std::vector<std::vector<std::int32_t>> out;
    for (std::int64_t n : kChunkLengths) {
        std::vector<std::int32_t> c{1}; // BOS
        while (static_cast<std::int64_t>(c.size()) < n) c.push_back(dist(rng));
        out.push_back(std::move(c));
    }
    return out;
}

std::int64_t totalTokens()
{
    std::int64_t n = 0;
    for (std::int64_t c : kChunkLengths) n += c;
    return n;
}

std::unique_ptr<Session> makeSession(const std::shared_ptr<const Model>& m)
{
    SessionConfig sc;
    sc.nCtx = *std::max_element(kChunkLengths.begin(), kChunkLengths.end());
    sc.maxBatch = kMaxBatch;
    sc.threads = 2;
    auto s = Session::create(m, sc);
    EXPECT_TRUE(s.ok());
    return s.ok() ? std::move(*s) : nullptr;
}

// Keeps a copy of every row it is handed, per (layer, site).
class RowRecorder : public ActivationObserver {
public:
    struct Rows {
        std::int64_t cols = 0;
        std::vector<float> values; // tokens x cols
    };
    std::map<std::pair<std::int64_t, int>, Rows> rows;
    void observe(const LinearInput& in) override
    {
        Rows& r = rows[{in.layer, static_cast<int>(in.site)}];
        r.cols = in.cols;
        r.values.insert(r.values.end(), in.rows, in.rows + in.nTokens * in.cols);
    }
};

// Hands every call to several observers.
class Tee : public ActivationObserver {
public:
    explicit Tee(std::vector<ActivationObserver*> to) : m_to(std::move(to)) {}
    void observe(const LinearInput& in) override
    {
        for (ActivationObserver* o : m_to) o->observe(in);
    }

private:
    std::vector<ActivationObserver*> m_to;
};

// Full forward passes (eval from position 0, all logits) of every chunk with `obs` attached.
void forwardAll(Session& s, const std::vector<std::vector<std::int32_t>>& all, ActivationObserver& obs)
{
    s.setObserver(&obs);
    for (const auto& ids : all) {
        s.reset();
        std::vector<float> logits(s.logitsSize(static_cast<std::int64_t>(ids.size()), LogitsMode::All));
        auto st = s.eval(ids, logits);
        ASSERT_TRUE(st.ok()) << describe(st.error());
    }
    s.setObserver(nullptr);
    s.reset();
}

// Largest |a - b| of two X^T X matrices, each entry scaled by sqrt(H_ii H_jj) of `b` (the
// Cauchy-Schwarz bound of |H_ij|, so near-zero off-diagonal entries are judged fairly).
double hessianRelDiff(const std::vector<double>& a, const std::vector<double>& b, std::int64_t n)
{
    EXPECT_EQ(a.size(), static_cast<std::size_t>(n * n));
    EXPECT_EQ(b.size(), static_cast<std::size_t>(n * n));
    if (a.size() != b.size() || b.size() != static_cast<std::size_t>(n * n)) return 1e300;
    double worst = 0;
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
            const double scale = std::sqrt(b[static_cast<std::size_t>(i * n + i)] * b[static_cast<std::size_t>(j * n + j)]);
            const double diff = std::fabs(a[static_cast<std::size_t>(i * n + j)] - b[static_cast<std::size_t>(i * n + j)]);
            worst = std::max(worst, scale > 0 ? diff / scale : diff);
        }
    return worst;
}

double vectorRelDiff(std::span<const double> a, std::span<const double> b)
{
    EXPECT_EQ(a.size(), b.size());
    if (a.size() != b.size()) return 1e300;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), 1e-300));
    return worst;
}

// Every Hessian and |x| sum of one run, taken out of the observers.
struct Stats {
    std::map<std::pair<std::int64_t, int>, std::vector<double>> hessian, absSums;
    std::map<std::pair<std::int64_t, int>, std::int64_t> cols, tokens;
};

Stats collect(HessianAccumulator& h, const MeanAbsActivations& a, std::int64_t layers, bool withOutput)
{
    Stats s;
    auto grab = [&](std::int64_t l, LinearSite site) {
        const std::pair<std::int64_t, int> key{l, static_cast<int>(site)};
        s.cols[key] = h.cols(l, site);
        s.tokens[key] = h.tokens(l, site);
        EXPECT_EQ(a.tokens(l, site), s.tokens[key]);
        s.hessian[key] = h.take(l, site);
        const auto sums = a.sums(l, site);
        s.absSums[key] = std::vector<double>(sums.begin(), sums.end());
    };
    for (std::int64_t l = 0; l < layers; ++l)
        for (LinearSite site : kBlockSites) grab(l, site);
    if (withOutput) grab(-1, LinearSite::Output);
    return s;
}

// Block 0's seven matrices as F32 copies of their Q4_0 round trip (quantize, dequantize).
Status installQ4RoundTrip(Session& s, std::int64_t layer)
{
    const quant::QuantKernels* q = quant::quantKernels(DType::Q4_0);
    if (!q) return makeError(ErrorCode::UnsupportedType, {}, "no Q4_0 kernels");
    for (int r = 0; r < kBlockWeightRoles; ++r) {
        const auto role = static_cast<WeightRole>(r);
        const WeightView& w = s.model().layers()[static_cast<std::size_t>(layer)].matrix(role);
        auto f = toFloats(w);
        if (!f.ok()) return std::move(f).error();
        std::vector<float> rt(f->size());
        std::vector<std::byte> block(static_cast<std::size_t>(
            *dtypeBytes(DType::Q4_0, static_cast<std::uint64_t>(w.cols), static_cast<std::uint64_t>(w.cols))));
        for (std::int64_t row = 0; row < w.rows; ++row) {
            q->quantizeRow(f->data() + row * w.cols, block.data(), w.cols, nullptr);
            q->dequantizeRow(block.data(), rt.data() + row * w.cols, w.cols);
        }
        auto cand = OwnedWeight::fromFloats(DType::F32, w.rows, w.cols, rt);
        if (!cand.ok()) return std::move(cand).error();
        CONDENSE_TRY(s.overrideWeight(layer, role, *cand));
    }
    return okStatus();
}

class RecordingSink : public jobs::ProgressSink {
public:
    std::vector<double> fractions;
    std::uint64_t lastDone = 0, lastTotal = 0;
    std::vector<std::string> items;
    void report(jobs::Stage, std::uint64_t done, std::uint64_t total, std::string_view item) override
    {
        lastDone = done;
        lastTotal = total;
        if (!item.empty() && (items.empty() || items.back() != item)) items.emplace_back(item);
    }
    void overall(double fraction, double) override { fractions.push_back(fraction); }
};

class ModelCapture : public ::testing::Test {
protected:
    static void SetUpTestSuite() { s_model = loadOrFail(tinyLlamaDir()); }
    static void TearDownTestSuite() { s_model.reset(); }
    static std::shared_ptr<const Model> s_model;
};
std::shared_ptr<const Model> ModelCapture::s_model;

TEST_F(ModelCapture, StatisticsEqualNaiveRecomputationFromTheObservedRows)
{
    ASSERT_NE(s_model, nullptr);
    const ModelDims& d = s_model->dims();
    const auto all = chunks(d.vocab);
    auto s = makeSession(s_model);
    RowRecorder rec;
    HessianAccumulator hess;
    MeanAbsActivations absx;
    ColumnSquareSums squares;
    Tee tee({&rec, &hess, &absx, &squares});
    forwardAll(*s, all, tee);

    ASSERT_EQ(rec.rows.size(), static_cast<std::size_t>(d.layers * 4 + 1));
    EXPECT_EQ(hess.heldMatrices(), rec.rows.size());
    double worstH = 0, worstAbs = 0, worstDiag = 0;
    for (const auto& [key, r] : rec.rows) {
        const auto [layer, siteIndex] = key;
        const auto site = static_cast<LinearSite>(siteIndex);
        const std::string at = "layer " + std::to_string(layer) + " " + linearSiteName(site);
        const std::int64_t n = r.cols;
        const auto tokens = static_cast<std::int64_t>(r.values.size()) / n;
        EXPECT_EQ(tokens, totalTokens()) << at;
        EXPECT_EQ(hess.tokens(layer, site), tokens) << at;
        EXPECT_EQ(hess.cols(layer, site), n) << at;
        EXPECT_EQ(absx.tokens(layer, site), tokens) << at;

        // Naive: every entry, both triangles, token after token in double.
        std::vector<double> wantH(static_cast<std::size_t>(n * n), 0.0), wantAbs(static_cast<std::size_t>(n), 0.0);
        for (std::int64_t t = 0; t < tokens; ++t) {
            const float* x = r.values.data() + t * n;
            for (std::int64_t i = 0; i < n; ++i) {
                wantAbs[static_cast<std::size_t>(i)] += std::fabs(static_cast<double>(x[i]));
                for (std::int64_t j = 0; j < n; ++j)
                    wantH[static_cast<std::size_t>(i * n + j)] += static_cast<double>(x[i]) * static_cast<double>(x[j]);
            }
        }
        const auto sq = squares.sums(layer, site);
        ASSERT_EQ(sq.size(), static_cast<std::size_t>(n)) << at;
        const auto gotH = hess.take(layer, site);
        ASSERT_EQ(gotH.size(), wantH.size()) << at;
        for (std::int64_t i = 0; i < n; ++i) {
            for (std::int64_t j = i + 1; j < n; ++j)
                ASSERT_EQ(gotH[static_cast<std::size_t>(i * n + j)], gotH[static_cast<std::size_t>(j * n + i)]) << at << " " << i << "," << j;
            const double diag = gotH[static_cast<std::size_t>(i * n + i)];
            ASSERT_GT(diag, 0.0) << at;
            worstDiag = std::max(worstDiag, std::fabs(diag - sq[static_cast<std::size_t>(i)]) / sq[static_cast<std::size_t>(i)]);
        }
        worstH = std::max(worstH, hessianRelDiff(gotH, wantH, n));
        worstAbs = std::max(worstAbs, vectorRelDiff(absx.sums(layer, site), wantAbs));
        const auto means = absx.means(layer, site);
        ASSERT_EQ(means.size(), wantAbs.size());
        for (std::size_t c = 0; c < means.size(); ++c)
            EXPECT_NEAR(means[c], wantAbs[c] / static_cast<double>(tokens), kNaiveRelTolerance * wantAbs[c]) << at;
        EXPECT_TRUE(hess.take(layer, site).empty()) << at; // moved out
    }
    EXPECT_LE(worstH, kNaiveRelTolerance);
    EXPECT_LE(worstAbs, kNaiveRelTolerance);
    EXPECT_LE(worstDiag, kDiagonalRelTolerance);
    EXPECT_EQ(hess.heldMatrices(), 0u);
    EXPECT_EQ(hess.heldBytes(), 0u);
    std::printf("[ figures  ] X^T X vs naive %.3g, mean|x| vs naive %.3g, diagonal vs ColumnSquareSums %.3g (relative)\n",
                worstH, worstAbs, worstDiag);
}

// Batches wide enough for the tiled parallel path (ragged last tile and panel), through the
// scalar and the best micro-kernel: the same bits, equal to the naive double sum.
TEST_F(ModelCapture, WideBatchesGiveTheSameBitsWithEveryKernel)
{
    constexpr std::int64_t kRows = 50, kCols = 203; // 203 = 3 tiles of 64 + 11 (panel of 8 + 3)
    std::mt19937 rng(5);
    std::normal_distribution<float> dist(0.0f, 2.0f);
    std::vector<float> x(static_cast<std::size_t>(kRows * kCols));
    for (float& v : x) v = dist(rng);
    static const WeightRole down[] = {WeightRole::FfnDown};
    LinearInput in;
    in.site = LinearSite::FfnDown;
    in.roles = down;
    in.cols = kCols;
    in.rows = x.data();
    std::vector<double> want(static_cast<std::size_t>(kCols * kCols), 0.0);
    for (std::int64_t t : {kRows, std::int64_t{7}})
        for (std::int64_t r = 0; r < t; ++r)
            for (std::int64_t i = 0; i < kCols; ++i)
                for (std::int64_t j = 0; j < kCols; ++j)
                    want[static_cast<std::size_t>(i * kCols + j)] +=
                        static_cast<double>(x[static_cast<std::size_t>(r * kCols + i)]) * x[static_cast<std::size_t>(r * kCols + j)];
    std::vector<std::vector<double>> got;
    jobs::ThreadArena arena({.threads = 2});
    for (CpuLevel level : {CpuLevel::Scalar, CpuLevel::Avx2, CpuLevel::Avx512}) {
        HessianAccumulator h(level);
        h.setLayers(4, 4);
        arena.execute([&] {
            in.layer = 4;
            in.nTokens = kRows;
            h.observe(in); // parallel
            in.nTokens = 7;
            h.observe(in); // serial
            in.layer = 5;
            h.observe(in); // not a requested layer
        });
        EXPECT_EQ(h.heldMatrices(), 1u);
        EXPECT_EQ(h.tokens(4, LinearSite::FfnDown), kRows + 7);
        got.push_back(h.take(4, LinearSite::FfnDown));
        EXPECT_LE(hessianRelDiff(got.back(), want, kCols), kNaiveRelTolerance) << cpuLevelName(level);
    }
    EXPECT_EQ(got[0], got[1]); // AVX2 (where the CPU has it)
    EXPECT_EQ(got[0], got[2]); // AVX-512 (where the CPU has it)
}

TEST_F(ModelCapture, OriginalModeEqualsOneFullForwardPass)
{
    ASSERT_NE(s_model, nullptr);
    const ModelDims& d = s_model->dims();
    const auto all = chunks(d.vocab);
    auto s = makeSession(s_model);

    HessianAccumulator fullH;
    MeanAbsActivations fullA;
    Tee full({&fullH, &fullA});
    forwardAll(*s, all, full);
    const Stats want = collect(fullH, fullA, d.layers, true);

    HessianAccumulator h;
    MeanAbsActivations a;
    Tee both({&h, &a});
    RecordingSink sink;
    CaptureOptions opt;
    opt.includeOutput = true;
    std::vector<std::int64_t> called;
    opt.afterBlock = [&](std::int64_t layer, Session&) {
        called.push_back(layer);
        return okStatus();
    };
    auto st = captureBlockByBlock(*s, all, both, opt, sink);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    EXPECT_EQ(s->observer(), nullptr); // restored
    const Stats got = collect(h, a, d.layers, true);

    std::vector<std::int64_t> wantCalled;
    for (std::int64_t l = 0; l < d.layers; ++l) wantCalled.push_back(l);
    wantCalled.push_back(-1);
    EXPECT_EQ(called, wantCalled);

    double worstH = 0, worstA = 0;
    for (const auto& [key, H] : want.hessian) {
        SCOPED_TRACE("layer " + std::to_string(key.first) + " " + linearSiteName(static_cast<LinearSite>(key.second)));
        EXPECT_EQ(got.tokens.at(key), totalTokens());
        EXPECT_EQ(want.tokens.at(key), totalTokens());
        ASSERT_FALSE(H.empty());
        worstH = std::max(worstH, hessianRelDiff(got.hessian.at(key), H, want.cols.at(key)));
        worstA = std::max(worstA, vectorRelDiff(got.absSums.at(key), want.absSums.at(key)));
    }
    EXPECT_LE(worstH, kSameForwardRelTolerance);
    EXPECT_LE(worstA, kSameForwardRelTolerance);

    // Progress: every block run over every chunk, one job-wide fraction that reaches 1.
    EXPECT_EQ(sink.lastTotal, static_cast<std::uint64_t>(all.size() * static_cast<std::size_t>(d.layers + 1)));
    EXPECT_EQ(sink.lastDone, sink.lastTotal);
    ASSERT_FALSE(sink.fractions.empty());
    EXPECT_TRUE(std::is_sorted(sink.fractions.begin(), sink.fractions.end()));
    EXPECT_DOUBLE_EQ(sink.fractions.back(), 1.0);
    ASSERT_EQ(sink.items.size(), static_cast<std::size_t>(d.layers + 1));
    EXPECT_EQ(sink.items.front(), "blk.0");
    EXPECT_EQ(sink.items.back(), "output");
    std::printf("[ figures  ] block by block vs full forward: X^T X %.3g, sum|x| %.3g (relative)\n", worstH, worstA);
}

TEST_F(ModelCapture, SequentialModeFeedsLaterBlocksFromTheQuantizedOnes)
{
    ASSERT_NE(s_model, nullptr);
    const ModelDims& d = s_model->dims();
    ASSERT_GE(d.layers, 2);
    const auto all = chunks(d.vocab);
    auto s = makeSession(s_model);
    jobs::NullSink quiet;

    HessianAccumulator oh;
    MeanAbsActivations oa;
    Tee original({&oh, &oa});
    ASSERT_TRUE(captureBlockByBlock(*s, all, original, {}, quiet).ok());
    const Stats orig = collect(oh, oa, d.layers, false);

    // Sequential with nothing installed: the same statistics as Original, bit for bit.
    {
        HessianAccumulator h;
        MeanAbsActivations a;
        Tee both({&h, &a});
        CaptureOptions opt;
        opt.mode = CaptureMode::Sequential;
        ASSERT_TRUE(captureBlockByBlock(*s, all, both, opt, quiet).ok());
        const Stats same = collect(h, a, d.layers, false);
        EXPECT_EQ(same.hessian, orig.hessian);
        EXPECT_EQ(same.absSums, orig.absSums);
    }

    // Block 0's Q4_0 round trip installed after block 0 was observed.
    HessianAccumulator h;
    MeanAbsActivations a;
    Tee both({&h, &a});
    CaptureOptions opt;
    opt.mode = CaptureMode::Sequential;
    opt.afterBlock = [](std::int64_t layer, Session& session) { return layer == 0 ? installQ4RoundTrip(session, 0) : okStatus(); };
    auto st = captureBlockByBlock(*s, all, both, opt, quiet);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    const Stats seq = collect(h, a, d.layers, false);

    // The same weights installed from the start, one full forward pass: what block 1+ must see.
    HessianAccumulator fh;
    MeanAbsActivations fa;
    Tee fullObs({&fh, &fa});
    forwardAll(*s, all, fullObs);
    const Stats full = collect(fh, fa, d.layers, false);
    s->clearOverrides();

    double leastMoved = 1e300, worstVsFull = 0;
    for (std::int64_t l = 0; l < d.layers; ++l)
        for (LinearSite site : kBlockSites) {
            const std::pair<std::int64_t, int> key{l, static_cast<int>(site)};
            SCOPED_TRACE("layer " + std::to_string(l) + " " + linearSiteName(site));
            EXPECT_EQ(seq.tokens.at(key), totalTokens());
            if (l == 0) {
                // Observed before the new weights: bit-identical.
                EXPECT_EQ(seq.hessian.at(key), orig.hessian.at(key));
                EXPECT_EQ(seq.absSums.at(key), orig.absSums.at(key));
                continue;
            }
            const double moved = hessianRelDiff(seq.hessian.at(key), orig.hessian.at(key), seq.cols.at(key));
            EXPECT_GT(moved, kChangedThreshold);
            EXPECT_GT(vectorRelDiff(seq.absSums.at(key), orig.absSums.at(key)), kChangedThreshold);
            leastMoved = std::min(leastMoved, moved);
            // ... and exactly as if block 0 had always had those weights.
            worstVsFull = std::max(worstVsFull, hessianRelDiff(seq.hessian.at(key), full.hessian.at(key), seq.cols.at(key)));
            EXPECT_LE(vectorRelDiff(seq.absSums.at(key), full.absSums.at(key)), kSameForwardRelTolerance);
        }
    EXPECT_LE(worstVsFull, kSameForwardRelTolerance);
    std::printf("[ figures  ] sequential, block 0 Q4_0: later X^T X moved >= %.3g; vs full forward with it %.3g (relative)\n",
                leastMoved, worstVsFull);
}

TEST_F(ModelCapture, OnlyTheRequestedLayersAreHeld)
{
    ASSERT_NE(s_model, nullptr);
    const ModelDims& d = s_model->dims();
    ASSERT_GE(d.layers, 4);
    const auto all = chunks(d.vocab);
    auto s = makeSession(s_model);
    jobs::NullSink quiet;
    const auto square = [](std::int64_t n) { return static_cast<std::size_t>(n * n) * sizeof(double); };
    const std::size_t oneBlock = 2 * square(d.hidden) + square(d.heads * d.headDim) + square(d.ff);

    // A range: layers 2 and 3 only, four sites each.
    HessianAccumulator h;
    h.setLayers(2, 3);
    CaptureOptions withHead;
    withHead.includeOutput = true;
    ASSERT_TRUE(captureBlockByBlock(*s, all, h, withHead, quiet).ok());
    EXPECT_EQ(h.heldMatrices(), 8u);
    EXPECT_EQ(h.heldBytes(), 2 * oneBlock);
    for (std::int64_t l = 0; l < d.layers; ++l)
        for (LinearSite site : kBlockSites) EXPECT_EQ(h.cols(l, site) > 0, l == 2 || l == 3) << l;
    EXPECT_EQ(h.cols(-1, LinearSite::Output), 0);
    EXPECT_EQ(h.take(1, LinearSite::AttnQKV).size(), 0u);
    EXPECT_EQ(h.take(2, LinearSite::FfnDown).size(), static_cast<std::size_t>(d.ff * d.ff));
    EXPECT_EQ(h.heldBytes(), 2 * oneBlock - square(d.ff));

    // GPTQ's pattern: one block at a time, taken after each: never more than one block held.
    HessianAccumulator one;
    one.setLayers(0, 0);
    std::size_t peak = 0;
    std::int64_t takenMatrices = 0;
    CaptureOptions opt;
    opt.mode = CaptureMode::Sequential;
    opt.afterBlock = [&](std::int64_t layer, Session&) {
        peak = std::max(peak, one.heldBytes());
        EXPECT_EQ(one.heldMatrices(), 4u) << layer;
        for (LinearSite site : kBlockSites) {
            EXPECT_EQ(one.tokens(layer, site), totalTokens()) << layer;
            takenMatrices += !one.take(layer, site).empty();
        }
        one.setLayers(layer + 1, layer + 1);
        return okStatus();
    };
    ASSERT_TRUE(captureBlockByBlock(*s, all, one, opt, quiet).ok());
    EXPECT_EQ(peak, oneBlock);
    EXPECT_EQ(takenMatrices, 4 * d.layers);
    EXPECT_EQ(one.heldBytes(), 0u);
    std::printf("[ figures  ] one block's Hessians on the demo model: %zu bytes\n", oneBlock);
}

TEST_F(ModelCapture, StopsOnRequestAndOnCallbackError)
{
    ASSERT_NE(s_model, nullptr);
    const ModelDims& d = s_model->dims();
    ASSERT_GE(d.layers, 3);
    const auto all = chunks(d.vocab);
    auto s = makeSession(s_model);
    jobs::NullSink quiet;
    ColumnSquareSums sums;

    std::stop_source stopper;
    CaptureOptions opt;
    opt.afterBlock = [&](std::int64_t layer, Session&) {
        if (layer == 1) stopper.request_stop();
        return okStatus();
    };
    auto st = captureBlockByBlock(*s, all, sums, opt, quiet, stopper.get_token());
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::Cancelled);
    EXPECT_EQ(sums.tokens(1, LinearSite::FfnDown), totalTokens());
    EXPECT_EQ(sums.tokens(2, LinearSite::AttnQKV), 0); // stopped before block 2
    EXPECT_EQ(s->observer(), nullptr);

    opt.afterBlock = [](std::int64_t layer, Session&) -> Status {
        if (layer == 0) return makeError(ErrorCode::InvalidArgument, {}, "refused");
        return okStatus();
    };
    st = captureBlockByBlock(*s, all, sums, opt, quiet);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);

    // A chunk longer than the session's context, or an empty one, is refused up front.
    auto longer = all;
    longer[0].resize(static_cast<std::size_t>(s->contextSize() + 1), 5);
    EXPECT_EQ(captureBlockByBlock(*s, longer, sums, {}, quiet).error().code, ErrorCode::InvalidArgument);
    auto empty = all;
    empty[1].clear();
    EXPECT_EQ(captureBlockByBlock(*s, empty, sums, {}, quiet).error().code, ErrorCode::InvalidArgument);
}

} // namespace
} // namespace condense::model::test
