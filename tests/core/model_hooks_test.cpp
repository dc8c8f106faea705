// Session's calibration hooks (session.h) on the tiny llama:
// - the ActivationObserver's per-column sums of squares of every linear's input equal a
//   direct double computation: from the block inputs (BlockOutputHook) for the normed sites,
//   and from an independent naive double implementation of the block (projections with the
//   dequantized weights, RoPE, causal grouped-query softmax attention, SwiGLU) for the rest;
// - the block-by-block API (embed / runBlock / head) equals eval(), also in GPTQ's sequential
//   order (one block over every chunk, then the next);
// - replacing one tensor with its Q4_0 round trip changes that block's output and no earlier
//   one; restoring it gives the original back; other sessions never see it.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/model/column_square_sums.h"
#include "core/model/owned_weight.h"
#include "core/quant/quant_registry.h"
#include "tests/core/model_test_util.h"

namespace condense::model::test {
namespace {

using condense::test::tinyLlamaDir;

// Observer sums (float activations, double sums) vs the double recomputation.
constexpr double kSumsRelTolerance = 1e-5;
// The naive double block vs the engine's float block (a check on the naive path itself).
constexpr double kNaiveBlockTolerance = 1e-3;
// Block by block vs eval(): the same code on the same batch shapes.
constexpr float kBlockByBlockTolerance = 1e-6f;
// A Q4_0 round trip of a whole matrix moves the block output by far more than this.
constexpr float kChangedThreshold = 1e-3f;

constexpr std::int64_t kTokens = 40;
constexpr std::int64_t kMaxBatch = 16; // three batches per chunk: 16, 16, 8
constexpr int kChunks = 3;

std::vector<std::vector<std::int32_t>> chunks(std::int64_t vocab)
{
    std::mt19937 rng(1234);
    std::uniform_int_distribution<std::int32_t> dist(3, static_cast<std::int32_t>(vocab - 1));
    std::vector<std::vector<std::int32_t>> out(kChunks);
    for (auto& c : out) {
        c.push_back(1); // BOS
        while (static_cast<std::int64_t>(c.size()) < kTokens) c.push_back(dist(rng));
    }
    return out;
}

std::unique_ptr<Session> makeSession(const std::shared_ptr<const Model>& m)
{
    SessionConfig sc;
    sc.nCtx = kTokens;
    sc.maxBatch = kMaxBatch;
    sc.threads = 2;
    auto s = Session::create(m, sc);
    EXPECT_TRUE(s.ok());
    return s.ok() ? std::move(*s) : nullptr;
}

std::vector<double> floatsOf(const WeightView& w)
{
    auto f = toFloats(w);
    EXPECT_TRUE(f.ok());
    return f.ok() ? std::vector<double>(f->begin(), f->end()) : std::vector<double>();
}

// ---- the naive double forward of one block ------------------------------------------------

struct Mat {
    std::vector<double> w;
    std::int64_t rows = 0, cols = 0;
    explicit Mat(const WeightView& v) : w(floatsOf(v)), rows(v.rows), cols(v.cols) {}
    std::vector<double> apply(const std::vector<double>& x) const
    {
        std::vector<double> y(static_cast<std::size_t>(rows), 0.0);
        for (std::int64_t r = 0; r < rows; ++r) {
            double s = 0;
            for (std::int64_t c = 0; c < cols; ++c) s += w[static_cast<std::size_t>(r * cols + c)] * x[static_cast<std::size_t>(c)];
            y[static_cast<std::size_t>(r)] = s;
        }
        return y;
    }
};

std::vector<double> rmsNorm(const float* x, std::int64_t n, const std::vector<float>& w, double eps)
{
    double ms = 0;
    for (std::int64_t i = 0; i < n; ++i) ms += static_cast<double>(x[i]) * x[i];
    const double s = 1.0 / std::sqrt(ms / static_cast<double>(n) + eps);
    std::vector<double> out(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = x[i] * s * w[static_cast<std::size_t>(i)];
    return out;
}

void addSquares(std::vector<double>& sums, const std::vector<double>& row)
{
    if (sums.empty()) sums.assign(row.size(), 0.0);
    for (std::size_t i = 0; i < row.size(); ++i) sums[i] += row[i] * row[i];
}

// Rotate-half RoPE (HF llama), positions from 0, theta from the config; own implementation.
void rope(double* head, std::int64_t hd, std::int64_t pos, double theta)
{
    const std::int64_t half = hd / 2;
    for (std::int64_t i = 0; i < half; ++i) {
        const double angle = static_cast<double>(pos) * std::pow(theta, -2.0 * static_cast<double>(i) / static_cast<double>(hd));
        const double a = head[i], b = head[i + half];
        head[i] = a * std::cos(angle) - b * std::sin(angle);
        head[i + half] = a * std::sin(angle) + b * std::cos(angle);
    }
}

// Expected per-site sums of squares of one block over one chunk (all positions from 0), from
// the block input `x` (n x hidden); returns the block output.
struct SiteSums {
    std::vector<double> qkv, attnOut, gateUp, down;
};

std::vector<double> naiveBlock(const Model& m, std::int64_t layer, const float* x, std::int64_t n, SiteSums& sums)
{
    const ModelDims& d = m.dims();
    const LayerWeights& L = m.layers()[static_cast<std::size_t>(layer)];
    const double eps = m.spec().rmsNormEps, theta = m.spec().ropeTheta;
    const std::int64_t H = d.hidden, hd = d.headDim, group = d.heads / d.kvHeads;
    const Mat Wq(L.q), Wk(L.k), Wv(L.v), Wo(L.o), Wg(L.gate), Wu(L.up), Wd(L.down);
    std::vector<std::vector<double>> q(static_cast<std::size_t>(n)), k(static_cast<std::size_t>(n)), v(static_cast<std::size_t>(n));
    for (std::int64_t t = 0; t < n; ++t) {
        const auto n1 = rmsNorm(x + t * H, H, L.attnNorm, eps);
        addSquares(sums.qkv, n1);
        auto& qt = q[static_cast<std::size_t>(t)];
        auto& kt = k[static_cast<std::size_t>(t)];
        qt = Wq.apply(n1);
        kt = Wk.apply(n1);
        v[static_cast<std::size_t>(t)] = Wv.apply(n1);
        for (std::int64_t h = 0; h < d.heads; ++h) rope(qt.data() + h * hd, hd, t, theta);
        for (std::int64_t h = 0; h < d.kvHeads; ++h) rope(kt.data() + h * hd, hd, t, theta);
    }
    std::vector<double> out(static_cast<std::size_t>(n * H));
    for (std::int64_t t = 0; t < n; ++t) {
        std::vector<double> attn(static_cast<std::size_t>(d.heads * hd), 0.0);
        for (std::int64_t h = 0; h < d.heads; ++h) {
            const std::int64_t kvh = h / group;
            std::vector<double> s(static_cast<std::size_t>(t + 1));
            double mx = -1e300;
            for (std::int64_t j = 0; j <= t; ++j) {
                double dot = 0;
                for (std::int64_t i = 0; i < hd; ++i)
                    dot += q[static_cast<std::size_t>(t)][static_cast<std::size_t>(h * hd + i)] *
                           k[static_cast<std::size_t>(j)][static_cast<std::size_t>(kvh * hd + i)];
                s[static_cast<std::size_t>(j)] = dot / std::sqrt(static_cast<double>(hd));
                mx = std::max(mx, s[static_cast<std::size_t>(j)]);
            }
            double z = 0;
            for (double& e : s) z += (e = std::exp(e - mx));
            for (std::int64_t j = 0; j <= t; ++j)
                for (std::int64_t i = 0; i < hd; ++i)
                    attn[static_cast<std::size_t>(h * hd + i)] +=
                        s[static_cast<std::size_t>(j)] / z * v[static_cast<std::size_t>(j)][static_cast<std::size_t>(kvh * hd + i)];
        }
        addSquares(sums.attnOut, attn);
        const auto o = Wo.apply(attn);
        std::vector<double> hD(static_cast<std::size_t>(H));
        for (std::int64_t i = 0; i < H; ++i) hD[static_cast<std::size_t>(i)] = x[t * H + i] + o[static_cast<std::size_t>(i)];
        double ms = 0;
        for (double e : hD) ms += e * e;
        const double sc = 1.0 / std::sqrt(ms / static_cast<double>(H) + eps);
        std::vector<double> n2(static_cast<std::size_t>(H));
        for (std::int64_t i = 0; i < H; ++i)
            n2[static_cast<std::size_t>(i)] = hD[static_cast<std::size_t>(i)] * sc * L.ffnNorm[static_cast<std::size_t>(i)];
        addSquares(sums.gateUp, n2);
        const auto g = Wg.apply(n2), u = Wu.apply(n2);
        std::vector<double> act(g.size());
        for (std::size_t i = 0; i < g.size(); ++i) act[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
        addSquares(sums.down, act);
        const auto dn = Wd.apply(act);
        for (std::int64_t i = 0; i < H; ++i)
            out[static_cast<std::size_t>(t * H + i)] = hD[static_cast<std::size_t>(i)] + dn[static_cast<std::size_t>(i)];
    }
    return out;
}

void expectSumsNear(std::span<const double> got, const std::vector<double>& want, const std::string& what)
{
    ASSERT_EQ(got.size(), want.size()) << what;
    double worst = 0;
    for (std::size_t c = 0; c < want.size(); ++c) {
        ASSERT_GT(want[c], 0.0) << what << " column " << c;
        worst = std::max(worst, std::fabs(got[c] - want[c]) / want[c]);
    }
    EXPECT_LE(worst, kSumsRelTolerance) << what;
}

class ModelHooks : public ::testing::Test {
protected:
    static void SetUpTestSuite() { s_model = loadOrFail(tinyLlamaDir()); }
    static void TearDownTestSuite() { s_model.reset(); }
    static std::shared_ptr<const Model> s_model;

    // eval() of one chunk from position 0: all logits and every block output.
    static void evalChunk(Session& s, const std::vector<std::int32_t>& ids, std::vector<float>& logits,
                          std::vector<std::vector<float>>& blocks)
    {
        const ModelDims& d = s.model().dims();
        blocks.assign(static_cast<std::size_t>(d.layers), {});
        EvalOptions opt;
        opt.blockOutput = [&](std::int64_t layer, std::int64_t, std::int64_t n, const float* h) {
            auto& b = blocks[static_cast<std::size_t>(layer)];
            b.insert(b.end(), h, h + n * d.hidden);
        };
        logits.assign(ids.size() * static_cast<std::size_t>(d.vocab), 0.0f);
        s.reset();
        auto st = s.eval(ids, logits, opt);
        ASSERT_TRUE(st.ok()) << describe(st.error());
    }
};
std::shared_ptr<const Model> ModelHooks::s_model;

TEST_F(ModelHooks, ObserverSumsOfSquaresEqualDirectComputation)
{
    ASSERT_NE(s_model, nullptr);
    const Model& m = *s_model;
    const ModelDims& d = m.dims();
    ASSERT_EQ(m.rope().layout(), RopeLayout::Neox); // the naive path's RoPE
    ASSERT_EQ(m.rope().rotatedDims(), d.headDim);
    ASSERT_EQ(d.slidingWindow, 0);
    for (const LayerWeights& L : m.layers()) ASSERT_TRUE(L.qBias.empty() && L.qNorm.empty()); // plain llama

    auto s = makeSession(s_model);
    ColumnSquareSums observed;
    s->setObserver(&observed);
    std::vector<SiteSums> want(static_cast<std::size_t>(d.layers));
    std::vector<double> wantOutput;
    double worstBlock = 0;
    for (const auto& ids : chunks(d.vocab)) {
        std::vector<float> logits;
        std::vector<std::vector<float>> blocks;
        evalChunk(*s, ids, logits, blocks);
        std::vector<float> emb(static_cast<std::size_t>(kTokens * d.hidden));
        const auto table = floatsOf(m.tokenEmbedding()); // the naive embedding lookup
        for (std::int64_t t = 0; t < kTokens; ++t)
            for (std::int64_t i = 0; i < d.hidden; ++i)
                emb[static_cast<std::size_t>(t * d.hidden + i)] =
                    static_cast<float>(table[static_cast<std::size_t>(ids[static_cast<std::size_t>(t)] * d.hidden + i)]);
        for (std::int64_t l = 0; l < d.layers; ++l) {
            const float* in = l == 0 ? emb.data() : blocks[static_cast<std::size_t>(l - 1)].data();
            const auto naive = naiveBlock(m, l, in, kTokens, want[static_cast<std::size_t>(l)]);
            const auto& engine = blocks[static_cast<std::size_t>(l)];
            for (std::size_t i = 0; i < naive.size(); ++i)
                worstBlock = std::max(worstBlock, std::fabs(naive[i] - engine[i]) / (1.0 + std::fabs(naive[i])));
        }
        for (std::int64_t t = 0; t < kTokens; ++t)
            addSquares(wantOutput, rmsNorm(blocks.back().data() + t * d.hidden, d.hidden, m.outputNorm(), m.spec().rmsNormEps));
    }
    // The naive block really is the model's block.
    EXPECT_LE(worstBlock, kNaiveBlockTolerance);

    const std::int64_t total = kChunks * kTokens;
    for (std::int64_t l = 0; l < d.layers; ++l) {
        const auto& w = want[static_cast<std::size_t>(l)];
        const std::string at = "layer " + std::to_string(l) + " ";
        for (LinearSite site : {LinearSite::AttnQKV, LinearSite::AttnOut, LinearSite::FfnGateUp, LinearSite::FfnDown})
            EXPECT_EQ(observed.tokens(l, site), total) << at << linearSiteName(site);
        expectSumsNear(observed.sums(l, LinearSite::AttnQKV), w.qkv, at + "attn_qkv");
        expectSumsNear(observed.sums(l, LinearSite::AttnOut), w.attnOut, at + "attn_output");
        expectSumsNear(observed.sums(l, LinearSite::FfnGateUp), w.gateUp, at + "ffn_gate_up");
        expectSumsNear(observed.sums(l, LinearSite::FfnDown), w.down, at + "ffn_down");
    }
    EXPECT_EQ(observed.tokens(-1, LinearSite::Output), total);
    expectSumsNear(observed.sums(-1, LinearSite::Output), wantOutput, "output");
}

// Every call carries the right shape and names; detaching restores the plain pass, and an
// attached observer does not change a single logit.
class RecordingObserver : public ActivationObserver {
public:
    struct Call {
        std::int64_t layer, firstPosition, nTokens, cols;
        LinearSite site;
        std::vector<std::string> names;
    };
    std::vector<Call> calls;
    void observe(const LinearInput& in) override
    {
        Call c{in.layer, in.firstPosition, in.nTokens, in.cols, in.site, {}};
        for (WeightRole r : in.roles) c.names.push_back(tensorName(in.layer, r));
        calls.push_back(std::move(c));
    }
};

TEST_F(ModelHooks, ObserverCallsAreOrderedAndDoNotChangeLogits)
{
    ASSERT_NE(s_model, nullptr);
    const ModelDims& d = s_model->dims();
    const auto ids = chunks(d.vocab).front();
    auto s = makeSession(s_model);
    std::vector<float> plain, observedLogits;
    std::vector<std::vector<float>> blocks;
    evalChunk(*s, ids, plain, blocks);
    RecordingObserver rec;
    s->setObserver(&rec);
    evalChunk(*s, ids, observedLogits, blocks);
    EXPECT_EQ(maxAbsDiff(plain, observedLogits), 0.0f);

    // Three batches (16, 16, 8), each: layers x 4 sites, then the output site.
    ASSERT_EQ(rec.calls.size(), static_cast<std::size_t>(3 * (d.layers * 4 + 1)));
    const auto& c0 = rec.calls[0];
    EXPECT_EQ(c0.site, LinearSite::AttnQKV);
    EXPECT_EQ(c0.cols, d.hidden);
    EXPECT_EQ(c0.names, (std::vector<std::string>{"blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight"}));
    EXPECT_EQ(rec.calls[1].site, LinearSite::AttnOut);
    EXPECT_EQ(rec.calls[1].cols, d.heads * d.headDim);
    EXPECT_EQ(rec.calls[2].names, (std::vector<std::string>{"blk.0.ffn_gate.weight", "blk.0.ffn_up.weight"}));
    EXPECT_EQ(rec.calls[3].names, std::vector<std::string>{"blk.0.ffn_down.weight"});
    EXPECT_EQ(rec.calls[3].cols, d.ff);
    const auto& last = rec.calls.back();
    EXPECT_EQ(last.site, LinearSite::Output);
    EXPECT_EQ(last.layer, -1);
    EXPECT_EQ(last.names, std::vector<std::string>{"output.weight"});
    EXPECT_EQ(last.firstPosition, 32);
    EXPECT_EQ(last.nTokens, 8);
    EXPECT_EQ(rec.calls[static_cast<std::size_t>(d.layers * 4 + 1)].firstPosition, 16);

    s->setObserver(nullptr);
    rec.calls.clear();
    evalChunk(*s, ids, observedLogits, blocks);
    EXPECT_TRUE(rec.calls.empty());
}

TEST_F(ModelHooks, BlockByBlockEqualsFullForward)
{
    ASSERT_NE(s_model, nullptr);
    const ModelDims& d = s_model->dims();
    const auto all = chunks(d.vocab);
    auto s = makeSession(s_model);
    std::vector<std::vector<float>> wantLogits(all.size());
    std::vector<std::vector<std::vector<float>>> wantBlocks(all.size());
    for (std::size_t c = 0; c < all.size(); ++c) evalChunk(*s, all[c], wantLogits[c], wantBlocks[c]);

    // GPTQ's sequential order: block l over every chunk, then block l + 1 (each chunk from 0).
    std::vector<std::vector<float>> hidden(all.size(), std::vector<float>(static_cast<std::size_t>(kTokens * d.hidden)));
    for (std::size_t c = 0; c < all.size(); ++c) ASSERT_TRUE(s->embed(all[c], hidden[c]).ok());
    for (std::int64_t l = 0; l < d.layers; ++l)
        for (std::size_t c = 0; c < all.size(); ++c) {
            ASSERT_TRUE(s->runBlock(l, hidden[c], kTokens, 0).ok());
            EXPECT_LE(maxAbsDiff(hidden[c], wantBlocks[c][static_cast<std::size_t>(l)]), kBlockByBlockTolerance)
                << "chunk " << c << " layer " << l;
        }
    for (std::size_t c = 0; c < all.size(); ++c) {
        std::vector<float> logits(wantLogits[c].size());
        ASSERT_TRUE(s->head(hidden[c], kTokens, logits).ok());
        EXPECT_LE(maxAbsDiff(logits, wantLogits[c]), kBlockByBlockTolerance) << "chunk " << c;
        // Last: one row through the output matrix, as eval() with LogitsMode::Last does.
        std::vector<float> lastRow(static_cast<std::size_t>(d.vocab)), wantLast(lastRow.size());
        s->reset();
        EvalOptions lastOnly;
        lastOnly.logits = LogitsMode::Last;
        ASSERT_TRUE(s->eval(all[c], wantLast, lastOnly).ok());
        ASSERT_TRUE(s->head(hidden[c], kTokens, lastRow, LogitsMode::Last).ok());
        EXPECT_LE(maxAbsDiff(lastRow, wantLast), kBlockByBlockTolerance);
    }

    // A chunk split at a position: the second half continues from the first's cache.
    std::vector<float> h(static_cast<std::size_t>(kTokens * d.hidden));
    ASSERT_TRUE(s->embed(all[0], h).ok());
    const std::int64_t half = 13;
    for (std::int64_t l = 0; l < d.layers; ++l) {
        ASSERT_TRUE(s->runBlock(l, h, half, 0).ok());
        ASSERT_TRUE(s->runBlock(l, std::span(h).subspan(static_cast<std::size_t>(half * d.hidden)), kTokens - half, half).ok());
    }
    // Different batch shapes than eval()'s: float summation order only.
    EXPECT_LE(maxAbsDiff(h, wantBlocks[0].back()), 1e-4f);

    // A stop request is honoured.
    std::stop_source stopped;
    stopped.request_stop();
    auto st = s->runBlock(0, h, kTokens, 0, stopped.get_token());
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::Cancelled);

    // Bad arguments are refused.
    EXPECT_FALSE(s->runBlock(d.layers, h, kTokens, 0).ok());
    EXPECT_FALSE(s->runBlock(0, h, kTokens, 1).ok()); // past the context
    EXPECT_FALSE(s->runBlock(0, std::span(h).first(10), kTokens, 0).ok());
    const std::vector<std::int32_t> bad{static_cast<std::int32_t>(d.vocab)};
    EXPECT_FALSE(s->embed(bad, h).ok());
}

std::vector<float> q4RoundTrip(const WeightView& w)
{
    auto f = toFloats(w);
    EXPECT_TRUE(f.ok());
    const quant::QuantKernels* q = quant::quantKernels(DType::Q4_0);
    EXPECT_NE(q, nullptr);
    std::vector<float> out(f->size());
    std::vector<std::byte> block(static_cast<std::size_t>(*dtypeBytes(DType::Q4_0, static_cast<std::uint64_t>(w.cols),
                                                                      static_cast<std::uint64_t>(w.cols))));
    for (std::int64_t r = 0; r < w.rows; ++r) {
        q->quantizeRow(f->data() + r * w.cols, block.data(), w.cols, nullptr);
        q->dequantizeRow(block.data(), out.data() + r * w.cols, w.cols);
    }
    return out;
}

TEST_F(ModelHooks, ReplacedTensorChangesThatBlockAndNoEarlierOne)
{
    ASSERT_NE(s_model, nullptr);
    const ModelDims& d = s_model->dims();
    const auto ids = chunks(d.vocab).front();
    auto s = makeSession(s_model);
    auto other = makeSession(s_model);
    std::vector<float> baseLogits;
    std::vector<std::vector<float>> base;
    evalChunk(*s, ids, baseLogits, base);

    constexpr std::int64_t kLayer = 3;
    for (WeightRole role : {WeightRole::AttnQ, WeightRole::AttnOutput, WeightRole::FfnDown}) {
        SCOPED_TRACE(tensorName(kLayer, role));
        const WeightView& orig = s_model->layers()[kLayer].matrix(role);
        const auto rt = q4RoundTrip(orig);
        auto cand = OwnedWeight::fromFloats(DType::F32, orig.rows, orig.cols, rt);
        ASSERT_TRUE(cand.ok());
        ASSERT_TRUE(s->overrideWeight(kLayer, role, *cand).ok());
        EXPECT_EQ(s->weight(kLayer, role).data, (*cand)->view().data);
        cand->reset(); // the session keeps it alive

        std::vector<float> logits;
        std::vector<std::vector<float>> blocks;
        evalChunk(*s, ids, logits, blocks);
        for (std::int64_t l = 0; l < kLayer; ++l)
            EXPECT_EQ(maxAbsDiff(blocks[static_cast<std::size_t>(l)], base[static_cast<std::size_t>(l)]), 0.0f) << "layer " << l;
        for (std::int64_t l = kLayer; l < d.layers; ++l)
            EXPECT_GT(maxAbsDiff(blocks[static_cast<std::size_t>(l)], base[static_cast<std::size_t>(l)]), kChangedThreshold)
                << "layer " << l;
        EXPECT_GT(maxAbsDiff(logits, baseLogits), kChangedThreshold);

        // The model and other sessions are untouched.
        std::vector<float> otherLogits;
        std::vector<std::vector<float>> otherBlocks;
        evalChunk(*other, ids, otherLogits, otherBlocks);
        EXPECT_EQ(maxAbsDiff(otherLogits, baseLogits), 0.0f);

        // Restoring gives the original pass back.
        ASSERT_TRUE(s->overrideWeight(kLayer, role, nullptr).ok());
        EXPECT_EQ(s->weight(kLayer, role).data, orig.data);
        evalChunk(*s, ids, logits, blocks);
        EXPECT_EQ(maxAbsDiff(logits, baseLogits), 0.0f);
    }

    // A Q4_0-typed replacement runs through the quantized kernels; clearOverrides() drops it.
    const WeightView& up = s_model->layers()[kLayer].up;
    auto upF = toFloats(up);
    ASSERT_TRUE(upF.ok());
    auto q4 = OwnedWeight::fromFloats(DType::Q4_0, up.rows, up.cols, *upF);
    ASSERT_TRUE(q4.ok());
    EXPECT_EQ((*q4)->view().type, DType::Q4_0);
    ASSERT_TRUE(s->overrideWeight(kLayer, WeightRole::FfnUp, *q4).ok());
    std::vector<float> logits;
    std::vector<std::vector<float>> blocks;
    evalChunk(*s, ids, logits, blocks);
    EXPECT_EQ(maxAbsDiff(blocks[kLayer - 1], base[kLayer - 1]), 0.0f);
    EXPECT_GT(maxAbsDiff(blocks[kLayer], base[kLayer]), kChangedThreshold);
    s->clearOverrides();
    evalChunk(*s, ids, logits, blocks);
    EXPECT_EQ(maxAbsDiff(logits, baseLogits), 0.0f);

    // The output matrix alone: every block output stays, the logits move.
    const auto outRt = q4RoundTrip(s_model->output());
    auto outW = OwnedWeight::fromFloats(DType::F32, s_model->output().rows, s_model->output().cols, outRt);
    ASSERT_TRUE(outW.ok());
    ASSERT_TRUE(s->overrideWeight(-1, WeightRole::Output, *outW).ok());
    evalChunk(*s, ids, logits, blocks);
    EXPECT_EQ(maxAbsDiff(blocks.back(), base.back()), 0.0f);
    EXPECT_GT(maxAbsDiff(logits, baseLogits), kChangedThreshold);
    s->clearOverrides();

    // The embedding rows: an exact F32 copy changes nothing, a Q4_0 round trip moves block 0.
    const WeightView& emb = s_model->tokenEmbedding();
    auto embF = toFloats(emb);
    ASSERT_TRUE(embF.ok());
    auto embCopy = OwnedWeight::fromFloats(DType::F32, emb.rows, emb.cols, *embF);
    ASSERT_TRUE(embCopy.ok());
    ASSERT_TRUE(s->overrideWeight(-1, WeightRole::TokenEmbd, *embCopy).ok());
    evalChunk(*s, ids, logits, blocks);
    EXPECT_EQ(maxAbsDiff(logits, baseLogits), 0.0f);
    auto embQ4 = OwnedWeight::fromFloats(DType::Q4_0, emb.rows, emb.cols, *embF);
    ASSERT_TRUE(embQ4.ok());
    ASSERT_TRUE(s->overrideWeight(-1, WeightRole::TokenEmbd, *embQ4).ok());
    evalChunk(*s, ids, logits, blocks);
    EXPECT_GT(maxAbsDiff(blocks[0], base[0]), kChangedThreshold);
    s->clearOverrides();

    // Wrong shapes and layers are refused.
    auto small = OwnedWeight::fromFloats(DType::F32, 1, up.cols, std::vector<float>(static_cast<std::size_t>(up.cols)));
    ASSERT_TRUE(small.ok());
    EXPECT_FALSE(s->overrideWeight(kLayer, WeightRole::FfnUp, *small).ok());
    EXPECT_FALSE(s->overrideWeight(d.layers, WeightRole::FfnUp, *q4).ok());
    EXPECT_FALSE(s->overrideWeight(0, WeightRole::Output, *outW).ok());
    EXPECT_FALSE(OwnedWeight::fromFloats(DType::F32, 2, 3, std::vector<float>(5)).ok());
}

} // namespace
} // namespace condense::model::test
