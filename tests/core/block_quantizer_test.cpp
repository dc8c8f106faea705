// quantizeBlockByBlock + GptqLinearQuantizer (GPTQ over a whole model, block by block) on the
// demo model (tiny llama, HF folder) and its F16 GGUF, calibrated on the first part of
// eval/corpus-val.txt:
// - block 0's results are exactly gptqQuantize's on a Hessian the test sums naively from the
//   block-0 input rows it records itself (the driver hands each site's last linear the
//   Hessian's buffer: gptqQuantizeConsuming gives the same bits);
// - Sequential mode is real: block 1's Hessian equals the naive one from block 0's outputs with
//   the quantized block-0 weights installed, and differs from the unquantized one;
// - a llama GGUF (Q/K rows permuted) hands the quantizer HF-ordered weights equal to the HF
//   folder's, and installs what it returns back in the engine's order;
// - quality: each block-0 linear's output error on the calibration inputs is smaller than
//   round-to-nearest's on the same grids; on a LATER part of the text, GPTQ 3-bit g128 has a
//   lower KLD than RTN, 4-bit g128 a KLD within 5 % of RTN's (perplexities recorded only);
// - true-sequential mode: each group's Hessian ([q, k, v], o, [gate, up], down) equals the naive
//   one of block 0 with the groups before it quantized and installed, and each linear's result
//   is gptqQuantize's on it, bit for bit;
// - with the defaults (recommendedGptqOptions, the driver's options), calibrated on the bundled
//   general set: GPTQ's KLD on its held-out split below 0.75x RTN's and a perplexity increase
//   no larger than RTN's (demo model; extended: small-qwen2-bpe);
// - pairedInputs: the cross matrix D = sum (xo - xq) xq^T of the original and sequential
//   inputs equals the naive one (blocks 0 and 1, a replaced token embedding);
// - includeOutput: output.weight (lm_head.weight) quantized on the head's inputs in the
//   quantized model, nothing left installed;
// - progress: tokens and linears counted, one job fraction that never goes back and reaches 1;
// - a stop request (in the capture or in the quantizer) gives Cancelled and a clean session;
// - a Hessian that is not positive definite: damping raised with a warning, or RTN with a
//   warning naming the tensor when raising does not help.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/model/block_quantizer.h"
#include "core/model/gptq_linear_quantizer.h"
#include "core/model/owned_weight.h"
#include "core/pipeline/calibration_set.h"
#include "core/tensor/float_convert.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/core/model_test_util.h"

namespace condense::model::test {
namespace {

using condense::test::modelsDir;
using condense::test::referenceGguf;
using condense::test::tinyLlamaDir;

constexpr std::int64_t kCtx = 128;
constexpr std::int64_t kCalibChunks = 32; // 4096 tokens (8 chunks are too few: GPTQ then overfits them)  
constexpr std::int64_t kEvalChunks = 20;
// Sequential Hessian vs the naive one from the same float rows (sums in another order).
constexpr double kNaiveRelTolerance = 1e-9;
// A GGUF's NORM-rope forward vs the HF folder's rotate-half one: float order only.
constexpr double kLayoutRelTolerance = 1e-4;
// The head's Hessian from the driver vs a full forward pass with the same weights (float order).
constexpr double kSameForwardRelTolerance = 1e-6;
// Quantized block 0 moves block 1's Hessian by far more than this.
constexpr double kChangedThreshold = 1e-3;

const WeightRole kRoles[] = {WeightRole::AttnQ,  WeightRole::AttnK, WeightRole::AttnV, WeightRole::AttnOutput,
                             WeightRole::FfnGate, WeightRole::FfnUp, WeightRole::FfnDown};

LinearSite siteOfRole(WeightRole r)
{
    switch (r) {
    case WeightRole::AttnQ:
    case WeightRole::AttnK:
    case WeightRole::AttnV: return LinearSite::AttnQKV;
    case WeightRole::AttnOutput: return LinearSite::AttnOut;
    case WeightRole::FfnGate:
    case WeightRole::FfnUp: return LinearSite::FfnGateUp;
    default: return LinearSite::FfnDown;
    }
}

quant::GptqOptions fourBitG128()
{
    quant::GptqOptions o;
    o.bits = 4;
    o.groupSize = 128;
    o.symmetric = true;
    o.percDamp = 0.01;
    o.dampIncrement = 0.01;
    return o;
}

// Tokens of corpus-val.txt (BOS first), cut into chunks of kCtx: calibration from the start,
// evaluation from the second half (never seen by the calibration).
struct Text {
    std::vector<std::vector<std::int32_t>> calib, eval;
};

const Text& text()
{
    static const Text t = [] {
        Text out;
        auto tok = tokenizer::loadTokenizer(tinyLlamaDir());
        EXPECT_TRUE(tok.ok());
        if (!tok.ok()) return out;
        std::ifstream in(condense::test::requireFile(modelsDir() / "eval" / "corpus-val.txt"), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::vector<std::int32_t> ids = (*tok)->encode(ss.str(), true, false);
        const auto n = static_cast<std::int64_t>(ids.size());
        EXPECT_GT(n, 2 * (kCalibChunks + kEvalChunks) * kCtx);
        auto cut = [&](std::int64_t start, std::int64_t count) {
            std::vector<std::vector<std::int32_t>> c;
            for (std::int64_t i = 0; i < count && start + (i + 1) * kCtx <= n; ++i) {
                std::vector<std::int32_t> chunk(ids.begin() + start + i * kCtx, ids.begin() + start + (i + 1) * kCtx);
                chunk[0] = (*tok)->bosId();
                c.push_back(std::move(chunk));
            }
            return c;
        };
        out.calib = cut(0, kCalibChunks);
        out.eval = cut(n / 2, kEvalChunks);
        return out;
    }();
    return t;
}

std::unique_ptr<Session> makeSession(const std::shared_ptr<const Model>& m)
{
    auto s = Session::create(m, {.nCtx = kCtx, .maxBatch = 64, .threads = 2});
    EXPECT_TRUE(s.ok());
    return s.ok() ? std::move(*s) : nullptr;
}

// Naive X^T X (double) of the rows handed to it, per (layer, site).
class NaiveHessians : public ActivationObserver {
public:
    explicit NaiveHessians(std::int64_t layer) : m_layer(layer) {}
    std::map<int, std::vector<double>> h;
    std::map<int, std::int64_t> cols;
    void observe(const LinearInput& in) override
    {
        if (in.layer != m_layer) return;
        const int k = static_cast<int>(in.site);
        const std::int64_t n = in.cols;
        auto& m = h[k];
        if (m.empty()) m.assign(static_cast<std::size_t>(n * n), 0.0);
        cols[k] = n;
        for (std::int64_t t = 0; t < in.nTokens; ++t) {
            const float* x = in.row(t);
            for (std::int64_t i = 0; i < n; ++i)
                for (std::int64_t j = 0; j < n; ++j)
                    m[static_cast<std::size_t>(i * n + j)] += static_cast<double>(x[i]) * static_cast<double>(x[j]);
        }
    }

private:
    std::int64_t m_layer;
};

// Runs the chunks through blocks 0 .. layer (observer attached to `layer` only) with whatever
// overrides the session has: the naive reference of the driver's capture.
// halfInputs: every block input rounded to F16 first, as the capture keeps the original stream
// of paired mode (block_capture.h).
void forwardTo(Session& s, std::int64_t layer, ActivationObserver& obs, bool halfInputs = false)
{
    const auto& chunks = text().calib;
    for (const auto& c : chunks) {
        std::vector<float> hidden(c.size() * static_cast<std::size_t>(s.model().dims().hidden));
        ASSERT_TRUE(s.embed(c, hidden).ok());
        for (std::int64_t l = 0; l <= layer; ++l) {
            if (halfInputs)
                for (float& x : hidden) {
                    ASSERT_LE(std::fabs(x), 65504.0f);
                    x = fp16ToFp32(fp32ToFp16(x));
                }
            s.setObserver(l == layer ? &obs : nullptr);
            ASSERT_TRUE(s.runBlock(l, hidden, static_cast<std::int64_t>(c.size()), 0).ok());
        }
        s.setObserver(nullptr);
    }
    s.reset();
}

double relDiff(const std::vector<double>& a, const std::vector<double>& b)
{
    EXPECT_EQ(a.size(), b.size());
    if (a.size() != b.size() || b.empty()) return 1e300;
    double num = 0, den = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        num = std::max(num, std::fabs(a[i] - b[i]));
        den = std::max(den, std::fabs(b[i]));
    }
    return num / den;
}

// Records what the quantizer saw, then hands the job to `inner`.
struct Recorder {
    std::mutex mutex;
    std::map<std::string, std::vector<float>> weights;         // by GGUF name
    std::map<std::pair<std::int64_t, int>, std::vector<double>> hessians; // (layer, site)
    std::map<std::string, std::string> hfNames;
    LinearQuantizer wrap(LinearQuantizer inner)
    {
        return [this, inner](const LinearJob& job, std::stop_token stop) {
            {
                std::lock_guard lock(mutex);
                weights[job.ggufName].assign(job.weight.begin(), job.weight.end());
                hessians[{job.layer, static_cast<int>(job.site)}].assign(job.hessian.begin(), job.hessian.end());
                hfNames[job.ggufName] = job.hfName;
            }
            return inner(job, stop);
        };
    }
};

// Installs every result of a GPTQ run (HF order = engine order for the HF folder).
void installAll(Session& s, const std::map<std::string, PackedGptqLinear>& results, const Model& m)
{
    for (std::int64_t l = 0; l < static_cast<std::int64_t>(m.layers().size()); ++l)
        for (WeightRole r : kRoles) {
            auto it = results.find(hfLinearName(m, l, r));
            ASSERT_NE(it, results.end()) << tensorName(l, r);
            const quant::GptqResult q = it->second.unpack(true);
            auto w = OwnedWeight::fromFloats(DType::F32, q.rows, q.cols, q.dequantized);
            ASSERT_TRUE(w.ok());
            ASSERT_TRUE(s.overrideWeight(l, r, *w).ok());
        }
}

// Mean KL(base || cand) and the candidate's perplexity over the evaluation chunks (every
// position after the first).
std::pair<double, double> kldAndPpl(Session& base, Session& cand,
                                     const std::vector<std::vector<std::int32_t>>* chunks = nullptr)
{
    const std::int64_t vocab = base.model().dims().vocab;
    double kld = 0, nll = 0;
    std::int64_t n = 0;
    for (const auto& c : chunks ? *chunks : text().eval) {
        const auto t = static_cast<std::int64_t>(c.size());
        std::vector<float> lb(base.logitsSize(t, LogitsMode::All)), lc(lb.size());
        base.reset();
        EXPECT_TRUE(base.eval(c, lb).ok());
        cand.reset();
        EXPECT_TRUE(cand.eval(c, lc).ok());
        for (std::int64_t i = 0; i + 1 < t; ++i) {
            const float* pb = lb.data() + i * vocab;
            const float* pc = lc.data() + i * vocab;
            auto logSoftmax = [vocab](const float* z, std::vector<double>& out) {
                double mx = z[0];
                for (std::int64_t k = 1; k < vocab; ++k) mx = std::max(mx, static_cast<double>(z[k]));
                double s = 0;
                for (std::int64_t k = 0; k < vocab; ++k) s += std::exp(z[k] - mx);
                out.resize(static_cast<std::size_t>(vocab));
                for (std::int64_t k = 0; k < vocab; ++k) out[static_cast<std::size_t>(k)] = z[k] - mx - std::log(s);
            };
            std::vector<double> a, b;
            logSoftmax(pb, a);
            logSoftmax(pc, b);
            for (std::int64_t k = 0; k < vocab; ++k)
                kld += std::exp(a[static_cast<std::size_t>(k)]) * (a[static_cast<std::size_t>(k)] - b[static_cast<std::size_t>(k)]);
            nll -= b[static_cast<std::size_t>(c[static_cast<std::size_t>(i + 1)])];
            ++n;
        }
    }
    base.reset();
    cand.reset();
    return {kld / static_cast<double>(n), std::exp(nll / static_cast<double>(n))};
}

// Every (layer, role) of the session multiplies with the model's own matrix again.
void expectClean(const Session& s)
{
    const Model& m = s.model();
    for (std::int64_t l = 0; l < static_cast<std::int64_t>(m.layers().size()); ++l)
        for (WeightRole r : kRoles)
            EXPECT_EQ(s.weight(l, r).data, m.layers()[static_cast<std::size_t>(l)].matrix(r).data) << tensorName(l, r);
    EXPECT_EQ(s.observer(), nullptr);
    EXPECT_EQ(s.position(), 0);
}

class Sink : public jobs::ProgressSink {
public:
    std::function<void(jobs::Stage, std::uint64_t, std::uint64_t, std::string_view)> onReport;
    std::vector<double> fractions;
    std::uint64_t tokensDone = 0, tokensTotal = 0, linearsDone = 0, linearsTotal = 0;
    std::vector<std::string> items;
    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item) override
    {
        if (stage == jobs::Stage::Calibrating) {
            EXPECT_GE(done, tokensDone);
            tokensDone = done;
            tokensTotal = total;
        } else if (stage == jobs::Stage::Quantizing) {
            EXPECT_GE(done, linearsDone);
            linearsDone = done;
            linearsTotal = total;
        }
        if (!item.empty() && (items.empty() || items.back() != item)) items.emplace_back(item);
        if (onReport) onReport(stage, done, total, item);
    }
    void overall(double f, double) override { fractions.push_back(f); }
};

TEST(BlockQuantizer, Block0EqualsGptqOnANaiveHessian)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    auto s = makeSession(m);
    ASSERT_TRUE(s);
    GptqLinearQuantizer gptq(fourBitG128());
    Recorder rec;
    jobs::NullSink sink;
    BlockQuantizeOptions opt;
    opt.lastLayer = 0;
    opt.trueSequential = false; // every site from one run of the original block
    auto st = quantizeBlockByBlock(*s, text().calib, rec.wrap(gptq.quantizer()), opt, sink);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    EXPECT_EQ(st->layers, 1);
    EXPECT_EQ(st->linears.size(), 7u);
    EXPECT_EQ(gptq.results().size(), 7u);
    EXPECT_EQ(rec.hfNames["blk.0.attn_q.weight"], "model.layers.0.self_attn.q_proj.weight");
    EXPECT_EQ(rec.hfNames["blk.0.ffn_down.weight"], "model.layers.0.mlp.down_proj.weight");
    expectClean(*s);

    NaiveHessians naive(0);
    forwardTo(*s, 0, naive);
    for (WeightRole r : kRoles) {
        SCOPED_TRACE(tensorName(0, r));
        const WeightView& view = m->layers()[0].matrix(r);
        auto w = toFloats(view);
        ASSERT_TRUE(w.ok());
        EXPECT_EQ(rec.weights[tensorName(0, r)], *w); // HF folder: engine order is HF order
        const std::vector<double>& h = naive.h[static_cast<int>(siteOfRole(r))];
        auto direct = quant::gptqQuantize(*w, view.rows, view.cols, h, fourBitG128());
        ASSERT_TRUE(direct.ok()) << describe(direct.error());
        auto it = gptq.results().find(hfLinearName(*m, 0, r));
        ASSERT_NE(it, gptq.results().end());
        const quant::GptqResult got = it->second.unpack(true);
        EXPECT_EQ(got.codes, direct->codes);
        EXPECT_EQ(got.scales, direct->scales);
        EXPECT_EQ(got.zeros, direct->zeros);
        EXPECT_EQ(got.gIdx, direct->gIdx);
        EXPECT_EQ(got.dequantized, direct->dequantized);
        // What GPTQ is for: a smaller layer-output error on the calibration inputs than RTN.
        auto rtn = quant::rtnQuantize(*w, view.rows, view.cols, fourBitG128());
        ASSERT_TRUE(rtn.ok());
        const double eGptq = quant::gptqOutputError(*w, got.dequantized, view.rows, view.cols, h);
        const double eRtn = quant::gptqOutputError(*w, rtn->dequantized, view.rows, view.cols, h);
        std::printf("%s: output error GPTQ / RTN = %.3f\n", tensorName(0, r).c_str(), eGptq / eRtn);
        EXPECT_LT(eGptq, eRtn);
    }
    const auto reports = gptq.reports();
    ASSERT_EQ(reports.size(), 7u);
    for (const auto& r : reports) {
        EXPECT_FALSE(r.rtnFallback);
        EXPECT_GT(r.loss, 0);
        EXPECT_EQ(r.tokens, kCalibChunks * kCtx);
        EXPECT_DOUBLE_EQ(r.percDampUsed, 0.01);
    }
    EXPECT_TRUE(gptq.warnings().empty());
}

TEST(BlockQuantizer, SequentialFeedsQuantizedOutputsToTheNextBlock)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    auto s = makeSession(m);
    ASSERT_TRUE(s);
    GptqLinearQuantizer gptq(fourBitG128());
    Recorder rec;
    jobs::NullSink sink;
    BlockQuantizeOptions opt;
    opt.lastLayer = 1;
    opt.trueSequential = false; // every site of block 1 from one run
    auto st = quantizeBlockByBlock(*s, text().calib, rec.wrap(gptq.quantizer()), opt, sink);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    expectClean(*s);

    // Unquantized block 0 feeding block 1.
    NaiveHessians original(1);
    forwardTo(*s, 1, original);
    // Block 0 with its GPTQ weights feeding block 1.
    for (WeightRole r : kRoles) {
        const quant::GptqResult q = gptq.results().at(hfLinearName(*m, 0, r)).unpack(true);
        auto w = OwnedWeight::fromFloats(DType::F32, q.rows, q.cols, q.dequantized);
        ASSERT_TRUE(w.ok());
        ASSERT_TRUE(s->overrideWeight(0, r, *w).ok());
    }
    NaiveHessians sequential(1);
    forwardTo(*s, 1, sequential);
    s->clearOverrides();

    for (LinearSite site : {LinearSite::AttnQKV, LinearSite::AttnOut, LinearSite::FfnGateUp, LinearSite::FfnDown}) {
        SCOPED_TRACE(linearSiteName(site));
        const auto& got = rec.hessians[{1, static_cast<int>(site)}];
        EXPECT_LT(relDiff(got, sequential.h[static_cast<int>(site)]), kNaiveRelTolerance);
        EXPECT_GT(relDiff(got, original.h[static_cast<int>(site)]), kChangedThreshold);
    }
}


// Every input row a site sees, in order (all chunks), for one layer.
class RowRecorder : public ActivationObserver {
public:
    explicit RowRecorder(std::int64_t layer) : m_layer(layer) {}
    std::map<int, std::vector<float>> rows;
    std::map<int, std::int64_t> cols;
    void observe(const LinearInput& in) override
    {
        if (in.layer != m_layer) return;
        auto& r = rows[static_cast<int>(in.site)];
        r.insert(r.end(), in.rows, in.rows + in.nTokens * in.cols);
        cols[static_cast<int>(in.site)] = in.cols;
    }

private:
    std::int64_t m_layer;
};

// pairedInputs (asymmetric calibration): each job's cross matrix is the naive
// sum (xo - xq) xq^T of the original model's rows (model's own token_embd, no overrides) and the
// sequential ones (the installed token embedding, quantized block 0), for blocks 0 and 1; the
// Hessians stay the sequential ones; the session is left clean (token_embd included).
TEST(BlockQuantizer, PairedInputsGiveTheNaiveCrossMatrix)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    auto s = makeSession(m);
    ASSERT_TRUE(s);
    // A coarser token embedding, as a quantized token_embd would be.
    auto e = toFloats(m->tokenEmbedding());
    ASSERT_TRUE(e.ok());
    for (float& x : *e) x = std::round(x * 64.0f) / 64.0f;
    auto emb = OwnedWeight::fromFloats(DType::F32, m->tokenEmbedding().rows, m->tokenEmbedding().cols, *e);
    ASSERT_TRUE(emb.ok());

    GptqLinearQuantizer gptq(fourBitG128());
    std::mutex mutex;
    std::map<std::pair<std::int64_t, int>, std::vector<double>> cross, hess;
    std::map<std::pair<std::int64_t, int>, int> owned; // jobs handed D to consume, per site
    const LinearQuantizer inner = gptq.quantizer();
    const LinearQuantizer hook = [&](const LinearJob& job, std::stop_token stop) {
        {
            std::lock_guard lock(mutex);
            if (job.crossOwned) {
                ++owned[{job.layer, static_cast<int>(job.site)}];
                EXPECT_EQ(job.crossOwned->data(), job.cross.data());
            }
            cross[{job.layer, static_cast<int>(job.site)}].assign(job.cross.begin(), job.cross.end());
            hess[{job.layer, static_cast<int>(job.site)}].assign(job.hessian.begin(), job.hessian.end());
        }
        return inner(job, stop);
    };
    jobs::NullSink sink;
    BlockQuantizeOptions opt;
    opt.lastLayer = 1;
    opt.pairedInputs = true;
    opt.tokenEmbedding = *emb;
    auto st = quantizeBlockByBlock(*s, text().calib, hook, opt, sink);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    expectClean(*s);
    EXPECT_EQ(s->weight(-1, WeightRole::TokenEmbd).data, m->tokenEmbedding().data);

    for (std::int64_t layer : {0, 1}) {
        SCOPED_TRACE("block " + std::to_string(layer));
        RowRecorder original(layer), sequential(layer);
        forwardTo(*s, layer, original, true);
        ASSERT_TRUE(s->overrideWeight(-1, WeightRole::TokenEmbd, *emb).ok());
        // Block mode: block l's own sites all see its original weights.
        for (WeightRole r : kRoles) {
            if (layer == 0) break;
            const quant::GptqResult q = gptq.results().at(hfLinearName(*m, 0, r)).unpack(true);
            auto w = OwnedWeight::fromFloats(DType::F32, q.rows, q.cols, q.dequantized);
            ASSERT_TRUE(w.ok());
            ASSERT_TRUE(s->overrideWeight(0, r, *w).ok());
        }
        forwardTo(*s, layer, sequential);
        s->clearOverrides();
        for (LinearSite site : {LinearSite::AttnQKV, LinearSite::AttnOut, LinearSite::FfnGateUp, LinearSite::FfnDown}) {
            SCOPED_TRACE(linearSiteName(site));
            const int k = static_cast<int>(site);
            const std::int64_t n = original.cols[k];
            const auto& xo = original.rows[k];
            const auto& xq = sequential.rows[k];
            ASSERT_EQ(xo.size(), xq.size());
            std::vector<double> d(static_cast<std::size_t>(n * n), 0.0), h(static_cast<std::size_t>(n * n), 0.0);
            for (std::size_t t = 0; t < xo.size() / static_cast<std::size_t>(n); ++t) {
                const float* o = xo.data() + t * static_cast<std::size_t>(n);
                const float* q = xq.data() + t * static_cast<std::size_t>(n);
                for (std::int64_t i = 0; i < n; ++i)
                    for (std::int64_t j = 0; j < n; ++j) {
                        d[static_cast<std::size_t>(i * n + j)] += (static_cast<double>(o[i]) - q[i]) * static_cast<double>(q[j]);
                        h[static_cast<std::size_t>(i * n + j)] += static_cast<double>(q[i]) * static_cast<double>(q[j]);
                    }
            }
            EXPECT_LT(relDiff(cross[{layer, k}], d), kNaiveRelTolerance);
            EXPECT_LT(relDiff(hess[{layer, k}], h), kNaiveRelTolerance);
            // Only the site's last linear may consume D; a site of one linear always does.
            const int consumers = owned[{layer, k}];
            EXPECT_LE(consumers, 1);
            if (site == LinearSite::AttnOut || site == LinearSite::FfnDown) {
                EXPECT_EQ(consumers, 1);
            }
        }
    }
    // Paired inputs need one observed run per block.
    BlockQuantizeOptions bad = opt;
    bad.trueSequential = true;
    EXPECT_FALSE(quantizeBlockByBlock(*s, text().calib, hook, bad, sink).ok());
}

TEST(BlockQuantizer, TrueSequentialTakesEachGroupsHessianAfterTheEarlierGroups)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    auto s = makeSession(m);
    ASSERT_TRUE(s);
    GptqLinearQuantizer gptq(fourBitG128());
    Recorder rec;
    Sink sink;
    BlockQuantizeOptions opt;
    opt.lastLayer = 0;
    opt.trueSequential = true;
    auto st = quantizeBlockByBlock(*s, text().calib, rec.wrap(gptq.quantizer()), opt, sink);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    expectClean(*s);
    ASSERT_EQ(gptq.results().size(), 7u);
    // Four observed runs (one per group of linears sharing an input) and the re-run.
    EXPECT_EQ(sink.tokensTotal, static_cast<std::uint64_t>(5 * kCalibChunks * kCtx));
    EXPECT_EQ(sink.tokensDone, sink.tokensTotal);

    NaiveHessians original(0);
    forwardTo(*s, 0, original);
    const std::vector<std::vector<WeightRole>> groups{{WeightRole::AttnQ, WeightRole::AttnK, WeightRole::AttnV},
                                                      {WeightRole::AttnOutput},
                                                      {WeightRole::FfnGate, WeightRole::FfnUp},
                                                      {WeightRole::FfnDown}};
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto site = static_cast<int>(siteOfRole(groups[g].front()));
        SCOPED_TRACE(linearSiteName(siteOfRole(groups[g].front())));
        // Block 0 with the groups before g quantized (installed by the previous iterations).
        NaiveHessians naive(0);
        forwardTo(*s, 0, naive);
        const auto& got = rec.hessians[{0, site}];
        EXPECT_LT(relDiff(got, naive.h[site]), kNaiveRelTolerance);
        if (g > 0) {
            EXPECT_GT(relDiff(got, original.h[site]), kChangedThreshold);
        }
        for (WeightRole r : groups[g]) {
            SCOPED_TRACE(tensorName(0, r));
            const WeightView& view = m->layers()[0].matrix(r);
            auto w = toFloats(view);
            ASSERT_TRUE(w.ok());
            auto direct = quant::gptqQuantize(*w, view.rows, view.cols, naive.h[site], fourBitG128());
            ASSERT_TRUE(direct.ok()) << describe(direct.error());
            const quant::GptqResult q = gptq.results().at(hfLinearName(*m, 0, r)).unpack(true);
            EXPECT_EQ(q.codes, direct->codes);
            EXPECT_EQ(q.dequantized, direct->dequantized);
            auto ow = OwnedWeight::fromFloats(DType::F32, q.rows, q.cols, q.dequantized);
            ASSERT_TRUE(ow.ok());
            ASSERT_TRUE(s->overrideWeight(0, r, *ow).ok());
        }
    }
    s->clearOverrides();
}

TEST(BlockQuantizer, LlamaGgufSeesAndReturnsHfRowOrder)
{
    auto hf = loadOrFail(tinyLlamaDir());
    auto gg = loadOrFail(referenceGguf("F16"));
    ASSERT_TRUE(hf && gg);
    ASSERT_EQ(gg->rope().layout(), RopeLayout::Norm);
    EXPECT_EQ(engineRowPermuteHeads(*gg, WeightRole::AttnQ), 8);
    EXPECT_EQ(engineRowPermuteHeads(*gg, WeightRole::AttnK), 4);
    EXPECT_EQ(engineRowPermuteHeads(*hf, WeightRole::AttnQ), 0);
    EXPECT_EQ(hfLinearName(*gg, 3, WeightRole::AttnK), "model.layers.3.self_attn.k_proj.weight");
    EXPECT_EQ(hfLinearName(*gg, -1, WeightRole::Output), "lm_head.weight");

    // The identity quantizer: the re-run must reproduce the original forward pass, which it
    // does only if the returned (HF-ordered) Q/K rows are permuted back for the engine.
    Recorder recHf, recGg;
    auto identity = [](const LinearJob& job, std::stop_token) -> Result<std::vector<float>> {
        return std::vector<float>(job.weight.begin(), job.weight.end());
    };
    jobs::NullSink sink;
    BlockQuantizeOptions opt;
    opt.lastLayer = 1;
    auto sh = makeSession(hf);
    auto sg = makeSession(gg);
    ASSERT_TRUE(sh && sg);
    ASSERT_TRUE(quantizeBlockByBlock(*sh, text().calib, recHf.wrap(identity), opt, sink).ok());
    ASSERT_TRUE(quantizeBlockByBlock(*sg, text().calib, recGg.wrap(identity), opt, sink).ok());
    expectClean(*sg);
    for (std::int64_t l : {0, 1})
        for (WeightRole r : kRoles) {
            SCOPED_TRACE(tensorName(l, r));
            EXPECT_EQ(recGg.weights[tensorName(l, r)], recHf.weights[tensorName(l, r)]);
        }
    for (LinearSite site : {LinearSite::AttnQKV, LinearSite::AttnOut, LinearSite::FfnGateUp, LinearSite::FfnDown}) {
        SCOPED_TRACE(linearSiteName(site));
        EXPECT_LT(relDiff(recGg.hessians[{1, static_cast<int>(site)}], recHf.hessians[{1, static_cast<int>(site)}]),
                  kLayoutRelTolerance);
    }
}

struct Quality {
    double kldGptq, kldRtn, pplGptq, pplRtn, pplBase;
};

// A whole GPTQ run at `o` (progress checked), then GPTQ, RTN and the original side by side on
// the held-out chunks.
Quality gptqVersusRtn(const quant::GptqOptions& o)
{
    auto m = loadOrFail(tinyLlamaDir());
    auto s = makeSession(m);
    if (!m || !s) return {};
    GptqLinearQuantizer gptq(o);
    Sink sink;
    BlockQuantizeOptions opt;
    opt.trueSequential = false; // one observed run and one re-run per block (the counts below)
    auto st = quantizeBlockByBlock(*s, text().calib, gptq.quantizer(), opt, sink);
    EXPECT_TRUE(st.ok()) << describe(st.error());
    if (!st.ok()) return {};
    expectClean(*s);
    const auto layers = static_cast<std::int64_t>(m->layers().size());
    EXPECT_EQ(st->layers, layers);
    EXPECT_EQ(gptq.results().size(), static_cast<std::size_t>(7 * layers));

    // Progress: every block run's tokens, every linear, one fraction that reaches 1.
    EXPECT_EQ(sink.tokensTotal, static_cast<std::uint64_t>(2 * layers * kCalibChunks * kCtx));
    EXPECT_EQ(sink.tokensDone, sink.tokensTotal);
    EXPECT_EQ(sink.linearsDone, static_cast<std::uint64_t>(7 * layers));
    EXPECT_EQ(sink.linearsTotal, sink.linearsDone);
    EXPECT_FALSE(sink.fractions.empty());
    EXPECT_TRUE(std::is_sorted(sink.fractions.begin(), sink.fractions.end()));
    if (!sink.fractions.empty()) {
        EXPECT_DOUBLE_EQ(sink.fractions.back(), 1.0);
    }
    EXPECT_NE(std::find(sink.items.begin(), sink.items.end(), "blk.0"), sink.items.end());
    EXPECT_NE(std::find(sink.items.begin(), sink.items.end(), "blk." + std::to_string(layers - 1)), sink.items.end());

    // Compact results: the codes take bits / 8 bytes a weight.
    const PackedGptqLinear& q0 = gptq.results().at("model.layers.0.self_attn.q_proj.weight");
    EXPECT_EQ(q0.codes.size(), static_cast<std::size_t>(q0.rows * q0.cols * o.bits / 8));

    auto rtnSession = makeSession(m);
    for (std::int64_t l = 0; l < layers; ++l)
        for (WeightRole r : kRoles) {
            const WeightView& v = m->layers()[static_cast<std::size_t>(l)].matrix(r);
            auto w = toFloats(v);
            auto q = quant::rtnQuantize(*w, v.rows, v.cols, o);
            EXPECT_TRUE(q.ok());
            if (!q.ok()) return {};
            auto ow = OwnedWeight::fromFloats(DType::F32, v.rows, v.cols, q->dequantized);
            EXPECT_TRUE(rtnSession->overrideWeight(l, r, *ow).ok());
        }
    auto gptqSession = makeSession(m);
    installAll(*gptqSession, gptq.results(), *m);
    auto base = makeSession(m);
    Quality q{};
    std::tie(q.kldGptq, q.pplGptq) = kldAndPpl(*base, *gptqSession);
    std::tie(q.kldRtn, q.pplRtn) = kldAndPpl(*base, *rtnSession);
    double kldBase = 0;
    std::tie(kldBase, q.pplBase) = kldAndPpl(*base, *base);
    EXPECT_NEAR(kldBase, 0.0, 1e-9);
    std::printf("%d bits, groups of %lld, held-out text: PPL base %.4f, RTN %.4f, GPTQ %.4f; KLD RTN %.5f, GPTQ %.5f\n",
                o.bits, static_cast<long long>(o.groupSize), q.pplBase, q.pplRtn, q.pplGptq, q.kldRtn, q.kldGptq);
    return q;
}

TEST(BlockQuantizer, GptqBeatsRtnOnLaterText)
{
    // On this 256-wide model GPTQ and RTN are about level end to end on this text (KLD within
    // 1-2 %, GPTQ's perplexity 1-3 % higher), although each linear's output error on the
    // calibration inputs is 2-4x smaller (see the first test): recorded, with bounds that a
    // broken run (a wrong Hessian, order or re-run) fails by far. (Calibration and evaluation
    // text here come from different sources, and these options sweep in natural order: see
    // GptqClearlyBeatsRtnWithTheDefaults for the defaults on text like the calibration's.)
    quant::GptqOptions o = fourBitG128();
    o.bits = 3;
    const Quality q3 = gptqVersusRtn(o);
    EXPECT_LT(q3.kldGptq, q3.kldRtn);
    const Quality q4 = gptqVersusRtn(fourBitG128());
    EXPECT_LT(q4.kldGptq, 1.05 * q4.kldRtn);
}


// The demo model calibrated on the bundled general set (64 chunks of 128 tokens) with the
// driver's defaults and recommendedGptqOptions(4, 128), evaluated on 64 chunks of the set's
// held-out split: GPTQ's KLD clearly below RTN's on the same grids (measured here about 0.52x;
// the table in block_quantizer.h), and no larger a perplexity increase (without act-order it
// was larger: +2.15 against RTN's +1.29, at a KLD of 0.56x).
void gptqClearlyBeatsRtn(const std::filesystem::path& dir, std::int64_t calibChunks, std::int64_t evalChunks)
{
    auto m = loadOrFail(dir);
    ASSERT_TRUE(m);
    auto tok = tokenizer::loadTokenizer(dir);
    ASSERT_TRUE(tok.ok());
    auto src = pipeline::loadCalibrationSource("general", pipeline::ChatStyle::Plain);
    ASSERT_TRUE(src.ok());
    auto calib = pipeline::calibrationChunks(**tok, src->calibration, src->parseSpecial, kCtx, calibChunks * kCtx, src->label);
    auto held = pipeline::calibrationChunks(**tok, src->heldOut, src->parseSpecial, kCtx, evalChunks * kCtx, src->label);
    ASSERT_TRUE(calib.ok() && held.ok());
    ASSERT_EQ(calib->size(), static_cast<std::size_t>(calibChunks));
    ASSERT_EQ(held->size(), static_cast<std::size_t>(evalChunks));

    const quant::GptqOptions o = recommendedGptqOptions(4, 128);
    auto s = makeSession(m);
    ASSERT_TRUE(s);
    GptqLinearQuantizer gptq(o);
    jobs::NullSink sink;
    auto st = quantizeBlockByBlock(*s, *calib, gptq.quantizer(), {}, sink);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    expectClean(*s);
    installAll(*s, gptq.results(), *m);

    auto rtn = makeSession(m);
    const auto layers = static_cast<std::int64_t>(m->layers().size());
    for (std::int64_t l = 0; l < layers; ++l)
        for (WeightRole r : kRoles) {
            const WeightView& v = m->layers()[static_cast<std::size_t>(l)].matrix(r);
            auto w = toFloats(v);
            auto q = quant::rtnQuantize(*w, v.rows, v.cols, o);
            ASSERT_TRUE(q.ok());
            auto ow = OwnedWeight::fromFloats(DType::F32, v.rows, v.cols, q->dequantized);
            ASSERT_TRUE(rtn->overrideWeight(l, r, *ow).ok());
        }
    auto base = makeSession(m);
    const auto [kldGptq, pplGptq] = kldAndPpl(*base, *s, &*held);
    const auto [kldRtn, pplRtn] = kldAndPpl(*base, *rtn, &*held);
    const auto [kldBase, pplBase] = kldAndPpl(*base, *base, &*held);
    EXPECT_NEAR(kldBase, 0.0, 1e-9);
    std::printf("%s, defaults, general held-out: PPL base %.4f, RTN %.4f, GPTQ %.4f; KLD RTN %.5f, GPTQ %.5f (%.3fx)\n",
                dir.filename().string().c_str(), pplBase, pplRtn, pplGptq, kldRtn, kldGptq, kldGptq / kldRtn);
    EXPECT_LT(kldGptq, 0.75 * kldRtn);
    EXPECT_LE(pplGptq - pplBase, pplRtn - pplBase);
}

TEST(BlockQuantizer, GptqClearlyBeatsRtnWithTheDefaults)
{
    gptqClearlyBeatsRtn(condense::test::demoDir(), 64, 64);
}

// small-qwen2-bpe (q/k/v biases, tied embeddings, no BOS): measured 0.30x at 64 x 512 tokens.
TEST(BlockQuantizerExtended, Qwen2GptqClearlyBeatsRtnWithTheDefaults)
{
    gptqClearlyBeatsRtn(condense::test::qwen2Dir(), 32, 32);
}

TEST(BlockQuantizer, StopRequestsEndTheRunAndLeaveTheSessionClean)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    auto s = makeSession(m);
    ASSERT_TRUE(s);
    for (jobs::Stage when : {jobs::Stage::Calibrating, jobs::Stage::Quantizing}) {
        SCOPED_TRACE(jobs::stageName(when));
        GptqLinearQuantizer gptq(fourBitG128());
        std::stop_source stopper;
        Sink sink;
        int seen = 0;
        // In the capture: during block 1's observed run; in the quantizer: after block 1's
        // first linear (block 0's overrides are installed and block 1's may be half made).
        sink.onReport = [&](jobs::Stage stage, std::uint64_t done, std::uint64_t, std::string_view item) {
            if (stage == when && item == "blk.1" && done > 0 && ++seen == 1) stopper.request_stop();
        };
        auto st = quantizeBlockByBlock(*s, text().calib, gptq.quantizer(), {}, sink, stopper.get_token());
        ASSERT_FALSE(st.ok());
        EXPECT_EQ(st.error().code, ErrorCode::Cancelled);
        expectClean(*s);
        EXPECT_LT(gptq.results().size(), 14u);
    }
    // The session still evaluates as the original model.
    auto fresh = makeSession(m);
    const auto [kld, ppl] = kldAndPpl(*fresh, *s);
    (void)ppl;
    EXPECT_NEAR(kld, 0.0, 1e-9);
}

TEST(BlockQuantizer, BadHessiansRaiseDampingOrFallBackToRtn)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    auto s = makeSession(m);
    ASSERT_TRUE(s);
    quant::GptqOptions o = fourBitG128();
    o.percDamp = 0.01;
    o.dampIncrement = 0.02;
    GptqLinearQuantizer gptq(o);
    // Crafted Hessians: the identity with one 2x2 block [[1, c], [c, 1]] (eigenvalues 1 - c,
    // 1 + c; mean diagonal 1): positive definite after damping d only when d > c - 1.
    //   attn_v:   c = 1.04: fails at 0.01 and 0.03, works at 0.05 (damping raised);
    //   ffn_down: c = 3:    needs d > 2, more than any damping below 1 (RTN).
    std::vector<float> downWeight;
    LinearQuantizer hook = [&](const LinearJob& job, std::stop_token stop) -> Result<std::vector<float>> {
        double c = 0;
        if (job.ggufName == "blk.0.attn_v.weight") c = 1.04;
        if (job.ggufName == "blk.0.ffn_down.weight") {
            c = 3;
            downWeight.assign(job.weight.begin(), job.weight.end());
        }
        if (c == 0) return gptq.quantize(job, stop);
        const auto n = static_cast<std::size_t>(job.cols);
        std::vector<double> h(n * n, 0.0);
        for (std::size_t i = 0; i < n; ++i) h[i * n + i] = 1.0;
        h[1] = h[n] = c;
        LinearJob crafted = job;
        crafted.hessian = h;
        crafted.hessianOwned = nullptr;
        return gptq.quantize(crafted, stop);
    };
    jobs::NullSink sink;
    BlockQuantizeOptions opt;
    opt.lastLayer = 0;
    opt.threads = 1; // downWeight is written by the hook
    auto st = quantizeBlockByBlock(*s, text().calib, hook, opt, sink);
    ASSERT_TRUE(st.ok()) << describe(st.error());

    const std::vector<Message> w = gptq.warnings();
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0].code, MessageCode::GptqDampingRaised);
    EXPECT_EQ(w[0].tensor, "model.layers.0.self_attn.v_proj.weight");
    EXPECT_EQ(w[0].field("from"), "0.01");
    EXPECT_EQ(w[0].field("to"), "0.05");
    EXPECT_EQ(w[1].code, MessageCode::GptqRtnFallback);
    EXPECT_EQ(w[1].tensor, "model.layers.0.mlp.down_proj.weight");

    for (const auto& r : gptq.reports()) {
        SCOPED_TRACE(r.ggufName);
        EXPECT_EQ(r.rtnFallback, r.role == WeightRole::FfnDown);
        if (r.role == WeightRole::AttnV) {
            EXPECT_NEAR(r.percDampUsed, 0.05, 1e-12);
        }
    }
    const WeightView& v = m->layers()[0].down;
    auto rtn = quant::rtnQuantize(downWeight, v.rows, v.cols, o);
    ASSERT_TRUE(rtn.ok());
    const quant::GptqResult got = gptq.results().at("model.layers.0.mlp.down_proj.weight").unpack(true);
    EXPECT_EQ(got.codes, rtn->codes);
    EXPECT_EQ(got.dequantized, rtn->dequantized);
}

TEST(BlockQuantizer, OutputHeadOnRequest)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    ASSERT_FALSE(m->tiedEmbeddings());
    auto s = makeSession(m);
    ASSERT_TRUE(s);
    const auto chunks = std::span(text().calib).first(4);
    GptqLinearQuantizer gptq(fourBitG128());
    Recorder rec;
    Sink sink;
    BlockQuantizeOptions opt;
    opt.includeOutput = true;
    opt.trueSequential = false; // one observed run and one re-run per block (the counts below)
    auto st = quantizeBlockByBlock(*s, chunks, rec.wrap(gptq.quantizer()), opt, sink);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    expectClean(*s);
    const auto layers = static_cast<std::int64_t>(m->layers().size());
    EXPECT_EQ(gptq.results().size(), static_cast<std::size_t>(7 * layers + 1));
    ASSERT_EQ(gptq.results().count("lm_head.weight"), 1u);
    EXPECT_EQ(gptq.results().at("lm_head.weight").rows, m->dims().vocab);
    EXPECT_EQ(rec.hfNames["output.weight"], "lm_head.weight");
    EXPECT_EQ(sink.tokensTotal, static_cast<std::uint64_t>((2 * layers + 1) * 4 * kCtx));
    EXPECT_EQ(sink.tokensDone, sink.tokensTotal);
    EXPECT_EQ(sink.linearsDone, static_cast<std::uint64_t>(7 * layers + 1));
    EXPECT_EQ(s->weight(-1, WeightRole::Output).data, m->output().data);
    // Its Hessian is X^T X of the final normed states of the model with every block quantized.
    installAll(*s, gptq.results(), *m);
    NaiveHessians naive(-1);
    s->setObserver(&naive);
    for (const auto& c : chunks) {
        std::vector<float> logits(s->logitsSize(static_cast<std::int64_t>(c.size()), LogitsMode::All));
        s->reset();
        ASSERT_TRUE(s->eval(c, logits).ok());
    }
    s->setObserver(nullptr);
    s->reset();
    s->clearOverrides();
    EXPECT_LT(relDiff(rec.hessians[{-1, static_cast<int>(LinearSite::Output)}], naive.h[static_cast<int>(LinearSite::Output)]),
              kSameForwardRelTolerance);
}

TEST(BlockQuantizer, PackedCodesRoundTripAtEveryWidth)
{
    for (int bits : {2, 3, 4, 8}) {
        SCOPED_TRACE(bits);
        quant::GptqResult r;
        r.rows = 5;
        r.cols = 7;
        r.groups = 1;
        for (int i = 0; i < 35; ++i) r.codes.push_back(static_cast<std::uint8_t>((i * 37 + 11) % (1 << bits)));
        r.scales.assign(5, 0.5f);
        r.zeros.assign(5, 1);
        r.gIdx.assign(7, 0);
        const PackedGptqLinear p = PackedGptqLinear::pack(r, bits);
        EXPECT_EQ(p.codes.size(), static_cast<std::size_t>((35 * bits + 7) / 8));
        EXPECT_EQ(p.unpack().codes, r.codes);
    }
}

} // namespace
} // namespace condense::model::test
