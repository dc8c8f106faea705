// AWQ (core/quant/awq.h, core/model/awq_model.h):
// - pseudo-quantization equals formats.md 7.1's formula on hand-checked values (asymmetric with
//   the zero clamped, half-to-even rounding, symmetric, f16 scales), and the GptqResult it fills
//   decodes to its own dequantized values;
// - the scale search keeps alpha = 0 and scales of exactly 1 when every channel has the same
//   mean |x| (not 1 before the sqrt(max min) normalisation), and picks alpha > 0 on a layer
//   with a few salient input channels, lowering the output error against alpha = 0;
// - clipping never increases the per-group error it measures, recomputed naively in double
//   after clamping and quantizing, and does lower it somewhere;
// - the folded model (norms / s, previous rows / s, columns * s, before quantization) computes
//   the original's logits: on the demo model (HF folder, GQA: three groups per block), on the
//   tiny Qwen2 (q/k/v biases, tied embeddings, groups of 64) and on a synthetic multi-head GGUF
//   (llama Q/K rows permuted; the v -> o group active), whose folded Q rows come back in HF row
//   order (checked row by row through the permutation); on a permuted GGUF the returned codes,
//   scales and zeros equal quantizing the returned HF-order rows directly;
// - AWQ 4-bit g128 perplexity on held-out text (calibration on the first part of
//   corpus-val.txt, evaluation on a later, disjoint part) is no worse than RTN on the same
//   asymmetric g128 grid; the extended test reports original / RTN / AWQ for both shared models;
// - bad options name the tensor, empty calibration is refused, a stop request ends a run quickly,
//   Session::overrideVector replaces and restores a norm.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "core/arch/tensor_naming.h"
#include "core/model/awq_model.h"
#include "core/model/owned_weight.h"
#include "core/quant/awq.h"
#include "core/quant/gptq.h"
#include "core/tensor/float_convert.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/core/model_test_util.h"
#include "tests/support/synthetic_gguf.h"
#include "tests/support/temp_dir.h"

namespace condense::model::test {
namespace {

using condense::test::tinyLlamaDir;
using quant::AwqOptions;

// Folded vs original logits, relative to the largest logit: float rounding of w * s / s
// through six blocks (measured: about 1e-6).
constexpr float kFoldedLogitTolerance = 1e-4f;
// Salient channels: the chosen alpha must cut the output error by at least this factor.
constexpr double kSalientGain = 0.9;

// ---------------------------------------------------------------- pseudo-quantization

TEST(AwqQuant, AsymmetricMatchesTheFormulaByHand)
{
    // Group 0: min -1.25, max 2.5 -> scale 3.75 / 15 = 0.25, zero = -round(-5) = 5.
    //   -1.25 -> 0, 2.5 -> 15, 0.375 / 0.25 = 1.5 -> 2 (half to even) -> 7, 0.625 -> 2.5 -> 2 -> 7.
    // Group 1: min 1, max 4.75 -> scale 0.25, zero = clamp(-4, 0, 15) = 0 (0 is not in the range):
    //   1 -> 4, 2 -> 8, 3 -> 12, 4.75 -> 19 -> clamped to 15 (3.75).
    const std::vector<float> w = {-1.25f, 2.5f, 0.375f, 0.625f, 1.0f, 2.0f, 3.0f, 4.75f};
    AwqOptions o;
    o.groupSize = 4;
    o.halfScales = false;
    auto r = quant::awqQuantize(w, 1, 8, o);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(r->groups, 2);
    EXPECT_EQ(r->scales, (std::vector<float>{0.25f, 0.25f}));
    EXPECT_EQ(r->zeros, (std::vector<std::uint8_t>{5, 0}));
    EXPECT_EQ(r->codes, (std::vector<std::uint8_t>{0, 15, 7, 7, 4, 8, 12, 15}));
    EXPECT_EQ(r->dequantized, (std::vector<float>{-1.25f, 2.5f, 0.5f, 0.5f, 1.0f, 2.0f, 3.0f, 3.75f}));
    EXPECT_EQ(r->gIdx, (std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1, 1}));

    std::vector<float> fake = w;
    quant::awqFakeQuantize(fake, 1, 8, o);
    EXPECT_EQ(fake, r->dequantized);
}

TEST(AwqQuant, SymmetricMatchesTheFormulaByHand)
{
    // Group 0: max |w| = 1.75 -> scale 1.75 / 7 = 0.25; q = -7, 2, 1, 4; codes q + 8.
    const std::vector<float> w = {-1.75f, 0.5f, 0.25f, 1.0f, 0.625f, -0.125f, 0.0f, 0.3f};
    AwqOptions o;
    o.groupSize = 4;
    o.zeroPoint = false;
    o.halfScales = false;
    auto r = quant::awqQuantize(w, 1, 8, o);
    ASSERT_TRUE(r.ok());
    EXPECT_FLOAT_EQ(r->scales[0], 0.25f);
    EXPECT_EQ(r->zeros[0], 8);
    EXPECT_EQ(std::vector<std::uint8_t>(r->codes.begin(), r->codes.begin() + 4),
              (std::vector<std::uint8_t>{1, 10, 9, 12}));
    // Group 1: scale 0.625 / 7; -0.125 / scale = -1.4 -> -1; 0.3 / scale = 3.36 -> 3; 0.625 -> 7.
    const float s1 = 0.625f / 7.0f;
    EXPECT_FLOAT_EQ(r->scales[1], s1);
    EXPECT_EQ(std::vector<std::uint8_t>(r->codes.begin() + 4, r->codes.end()),
              (std::vector<std::uint8_t>{15, 7, 8, 11}));
    for (std::size_t i = 0; i < 8; ++i)
        EXPECT_EQ(r->dequantized[i], static_cast<float>(int(r->codes[i]) - 8) * r->scales[i / 4]);
}

TEST(AwqQuant, HalfScalesAreF16AndDecodeExactly)
{
    // Range 1 -> scale 1/15, not an f16 value: the stored scale is its f16 rounding, and zero and
    // codes are computed with that scale.
    const std::vector<float> w = {0.0f, 1.0f, 0.5f, 0.2f};
    AwqOptions o;
    o.groupSize = 4;
    auto r = quant::awqQuantize(w, 1, 4, o);
    ASSERT_TRUE(r.ok());
    const float half = fp16ToFp32(fp32ToFp16(1.0f / 15.0f));
    EXPECT_NE(half, 1.0f / 15.0f);
    EXPECT_EQ(r->scales[0], half);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(r->codes[i],
                  static_cast<std::uint8_t>(std::clamp(std::nearbyint(w[i] / half) + r->zeros[0], 0.0f, 15.0f)));
        EXPECT_EQ(r->dequantized[i], static_cast<float>(int(r->codes[i]) - int(r->zeros[0])) * half);
    }
}

TEST(AwqQuant, BadOptionsAreRefused)
{
    const std::vector<float> w(200, 0.5f);
    AwqOptions o; // group 128 does not divide 200
    auto r = quant::awqQuantize(w, 1, 200, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(r.error().detail.find("does not divide"), std::string::npos) << r.error().detail;
    o.groupSize = 100;
    o.bits = 9;
    EXPECT_FALSE(quant::awqQuantize(w, 1, 200, o).ok());
    o.bits = 4;
    std::vector<float> bad = w;
    bad[7] = std::nanf("");
    EXPECT_FALSE(quant::awqQuantize(bad, 1, 200, o).ok());
}

// ---------------------------------------------------------------- scale search

struct Layer {
    std::int64_t rows = 64, cols = 256, tokens = 256;
    std::vector<float> w, x;
};

Layer randomLayer(std::uint32_t seed, float activationScale)
{
    Layer l;
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    l.w.resize(static_cast<std::size_t>(l.rows * l.cols));
    for (float& v : l.w)
        v = 0.02f * n(rng);
    l.x.resize(static_cast<std::size_t>(l.tokens * l.cols));
    for (float& v : l.x)
        v = activationScale * n(rng);
    return l;
}

std::vector<double> meanAbs(const Layer& l)
{
    std::vector<double> m(static_cast<std::size_t>(l.cols), 0.0);
    for (std::int64_t t = 0; t < l.tokens; ++t)
        for (std::int64_t c = 0; c < l.cols; ++c)
            m[static_cast<std::size_t>(c)] += std::fabs(l.x[static_cast<std::size_t>(t * l.cols + c)]);
    for (double& v : m)
        v /= static_cast<double>(l.tokens);
    return m;
}

quant::AwqLossFn linearLoss(const Layer& l, const AwqOptions& o)
{
    return [&l, o](std::span<const float> s) -> Result<double> {
        return quant::awqLinearLoss(l.w, l.rows, l.cols, l.x, l.tokens, s, o);
    };
}

TEST(AwqSearch, UniformActivationsKeepAlphaZeroAndUnitScales)
{
    Layer l = randomLayer(1, 1.0f);
    std::mt19937 rng(2);
    for (float& v : l.x)
        v = (rng() & 1) ? 3.0f : -3.0f; // mean |x| = 3 on every channel
    AwqOptions o;
    o.duoScaling = false;
    const auto xMean = meanAbs(l);
    // Before normalisation the scales would be 3^alpha.
    EXPECT_FLOAT_EQ(quant::awqStepScales(xMean, {}, 0.5, false)[0], 1.0f);
    auto r = quant::awqSearchScales(xMean, {}, o, linearLoss(l, o));
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(r->bestStep, 0);
    EXPECT_EQ(r->alpha, 0.0);
    for (float s : r->scales)
        EXPECT_EQ(s, 1.0f);
    ASSERT_EQ(r->losses.size(), 20u);
    for (double v : r->losses)
        EXPECT_DOUBLE_EQ(v, r->losses[0]);
}

TEST(AwqSearch, SalientChannelsPickANonTrivialAlpha)
{
    Layer l = randomLayer(3, 1.0f);
    const int salient[] = {5, 77, 130, 201};
    for (std::int64_t t = 0; t < l.tokens; ++t)
        for (int c : salient)
            l.x[static_cast<std::size_t>(t * l.cols + c)] *= 40.0f;
    for (bool duo : {true, false}) {
        AwqOptions o;
        o.duoScaling = duo;
        const auto xMean = meanAbs(l);
        const auto wMean = quant::awqWeightMean(std::vector<quant::AwqMatrix>{{l.w, l.rows}}, l.cols, o.groupSize);
        auto r = quant::awqSearchScales(xMean, wMean, o, linearLoss(l, o));
        ASSERT_TRUE(r.ok());
        EXPECT_GT(r->bestStep, 0) << "duo " << duo;
        EXPECT_LT(r->losses[static_cast<std::size_t>(r->bestStep)], kSalientGain * r->losses[0]) << "duo " << duo;
        // The salient channels get the largest scales.
        const float salientMin = std::min({r->scales[5], r->scales[77], r->scales[130], r->scales[201]});
        int above = 0;
        for (std::size_t c = 0; c < r->scales.size(); ++c)
            above += std::find(std::begin(salient), std::end(salient), static_cast<int>(c)) == std::end(salient) &&
                     r->scales[c] >= salientMin;
        EXPECT_EQ(above, 0);
        std::printf("duo %d: alpha %.2f, loss %.3g (alpha 0: %.3g)\n", duo ? 1 : 0, r->alpha,
                    r->losses[static_cast<std::size_t>(r->bestStep)], r->losses[0]);
    }
}

TEST(AwqSearch, WeightMeanFollowsTheDefinition)
{
    // Two rows, group 2: row 0 (1, -4 | 2, 2), row 1 (0, 2 | -1, 0.5):
    // w_mean[0] = (1/4 + 0/2) / 2, [1] = (4/4 + 2/2) / 2, [2] = (2/2 + 1/1) / 2, [3] = (2/2 + 0.5/1) / 2
    // (each denominator + 1e-6).
    const std::vector<float> a = {1, -4, 2, 2};
    const std::vector<float> b = {0, 2, -1, 0.5f};
    const auto m = quant::awqWeightMean(std::vector<quant::AwqMatrix>{{a, 1}, {b, 1}}, 4, 2);
    EXPECT_NEAR(m[0], (1 / (4 + 1e-6)) / 2, 1e-12);
    EXPECT_NEAR(m[1], (4 / (4 + 1e-6) + 2 / (2 + 1e-6)) / 2, 1e-12);
    EXPECT_NEAR(m[2], (2 / (2 + 1e-6) + 1 / (1 + 1e-6)) / 2, 1e-12);
    EXPECT_NEAR(m[3], (2 / (2 + 1e-6) + 0.5 / (1 + 1e-6)) / 2, 1e-12);
}

// ---------------------------------------------------------------- clipping

// mean over tokens of (x_g . (Q(w) - w0)_g)^2 for one row and group, naively in double.
double naiveGroupError(const std::vector<float>& q, const std::vector<float>& w0, const Layer& l, std::int64_t row,
                       std::int64_t g, std::int64_t width, const std::vector<std::int64_t>& tokens)
{
    double sum = 0.0;
    for (std::int64_t t : tokens) {
        double e = 0.0;
        for (std::int64_t j = g * width; j < (g + 1) * width; ++j) {
            const auto i = static_cast<std::size_t>(row * l.cols + j);
            e += static_cast<double>(l.x[static_cast<std::size_t>(t * l.cols + j)]) * (double(q[i]) - double(w0[i]));
        }
        sum += e * e;
    }
    return sum / static_cast<double>(tokens.size());
}

TEST(AwqClip, NeverIncreasesTheMeasuredGroupError)
{
    Layer l = randomLayer(4, 1.0f);
    l.tokens = 1000; // stride ceil(1000 / 512) = 2: 500 sampled tokens
    std::mt19937 rng(5);
    std::normal_distribution<float> n(0.0f, 1.0f);
    l.x.resize(static_cast<std::size_t>(l.tokens * l.cols));
    for (float& v : l.x)
        v = n(rng);
    std::student_t_distribution<float> heavy(2.0f); // outliers make clipping worthwhile
    for (float& v : l.w)
        v = 0.02f * heavy(rng);
    AwqOptions o;
    o.halfScales = false;
    auto clip = quant::awqSearchClip(l.w, l.rows, l.cols, l.x, l.tokens, o);
    ASSERT_TRUE(clip.ok()) << describe(clip.error());
    EXPECT_EQ(clip->sampledTokens, 500);
    std::vector<std::int64_t> sampled;
    for (std::int64_t t = 0; t < l.tokens; t += 2)
        sampled.push_back(t);

    std::vector<float> unclipped = l.w, clipped = l.w;
    quant::awqFakeQuantize(unclipped, l.rows, l.cols, o);
    quant::awqApplyClip(clipped, l.rows, l.cols, *clip, o.groupSize);
    quant::awqFakeQuantize(clipped, l.rows, l.cols, o);
    int better = 0;
    const std::int64_t groups = l.cols / o.groupSize;
    for (std::int64_t r = 0; r < l.rows; ++r)
        for (std::int64_t g = 0; g < groups; ++g) {
            const auto cell = static_cast<std::size_t>(r * groups + g);
            const double before = naiveGroupError(unclipped, l.w, l, r, g, o.groupSize, sampled);
            const double after = naiveGroupError(clipped, l.w, l, r, g, o.groupSize, sampled);
            EXPECT_LE(clip->errClipped[cell], clip->errUnclipped[cell]);
            EXPECT_NEAR(clip->errUnclipped[cell], before, 1e-4 * before + 1e-12);
            EXPECT_NEAR(clip->errClipped[cell], after, 1e-4 * after + 1e-12);
            EXPECT_LE(after, before * (1 + 1e-6) + 1e-15) << "row " << r << " group " << g;
            better += after < 0.99 * before;
        }
    EXPECT_GT(better, 0) << "clipping never helped: the test would not see a broken search";
}

// ---------------------------------------------------------------- whole models

std::string readText(const std::filesystem::path& p)
{
    std::ifstream in(condense::test::requireFile(p), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Corpus {
    std::vector<std::int32_t> ids;
    std::int32_t bos = -1;
};

Corpus corpus(const std::filesystem::path& modelDir)
{
    Corpus c;
    auto ck = openOrFail(modelDir);
    if (!ck) return c;
    auto tok = tokenizer::loadTokenizer(*ck);
    EXPECT_TRUE(tok.ok());
    if (!tok.ok()) return c;
    c.ids = (*tok)->encode(readText(condense::test::modelsDir() / "eval" / "corpus-val.txt"), false, false);
    c.bos = (*tok)->addBos() ? (*tok)->bosId() : -1;
    return c;
}

// `count` chunks of `len` tokens starting at token `from` (BOS first when the model adds one).
std::vector<std::vector<std::int32_t>> chunksOf(const Corpus& c, std::size_t from, std::size_t count, std::size_t len)
{
    std::vector<std::vector<std::int32_t>> out;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t b = from + i * len;
        if (b + len > c.ids.size()) break;
        std::vector<std::int32_t> ch(c.ids.begin() + static_cast<std::ptrdiff_t>(b),
                                     c.ids.begin() + static_cast<std::ptrdiff_t>(b + len));
        if (c.bos >= 0) ch[0] = c.bos;
        out.push_back(std::move(ch));
    }
    return out;
}

// Perplexity over positions 1 .. n-1 of every chunk.
double perplexity(Session& s, const std::vector<std::vector<std::int32_t>>& chunks)
{
    const std::int64_t vocab = s.model().dims().vocab;
    double nll = 0.0;
    std::int64_t n = 0;
    for (const auto& ch : chunks) {
        s.reset();
        std::vector<float> logits(ch.size() * static_cast<std::size_t>(vocab));
        EXPECT_TRUE(s.eval(ch, logits).ok());
        for (std::size_t k = 0; k + 1 < ch.size(); ++k) {
            const float* row = logits.data() + k * static_cast<std::size_t>(vocab);
            const float mx = *std::max_element(row, row + vocab);
            double sum = 0.0;
            for (std::int64_t v = 0; v < vocab; ++v)
                sum += std::exp(static_cast<double>(row[v] - mx));
            nll += std::log(sum) + mx - row[ch[k + 1]];
            ++n;
        }
    }
    return std::exp(nll / static_cast<double>(n));
}

std::unique_ptr<Session> session(const std::shared_ptr<const Model>& m, std::int64_t nCtx)
{
    auto s = Session::create(m, {.nCtx = nCtx, .maxBatch = 512, .threads = 2});
    EXPECT_TRUE(s.ok());
    return s.ok() ? std::move(*s) : nullptr;
}

// RTN on AWQ's own grid (no scales, no clipping), or GPTQ's (0 in the range) when `gptqGrid`.
void installRtn(Session& s, const AwqOptions& o, bool gptqGrid)
{
    const Model& m = s.model();
    for (std::int64_t l = 0; l < m.dims().layers; ++l)
        for (WeightRole r : {WeightRole::AttnQ, WeightRole::AttnK, WeightRole::AttnV, WeightRole::AttnOutput,
                             WeightRole::FfnGate, WeightRole::FfnUp, WeightRole::FfnDown}) {
            const WeightView& v = m.layers()[static_cast<std::size_t>(l)].matrix(r);
            auto f = toFloats(v);
            ASSERT_TRUE(f.ok());
            Result<quant::GptqResult> q =
                gptqGrid ? quant::rtnQuantize(*f, v.rows, v.cols,
                                              {.bits = o.bits, .groupSize = o.groupSize, .symmetric = !o.zeroPoint})
                         : quant::awqQuantize(*f, v.rows, v.cols, o);
            ASSERT_TRUE(q.ok());
            auto w = OwnedWeight::fromFloats(DType::F32, v.rows, v.cols, q->dequantized);
            ASSERT_TRUE(w.ok());
            ASSERT_TRUE(s.overrideWeight(l, r, *w).ok());
        }
}

std::vector<float> logitsOf(Session& s, const std::vector<std::int32_t>& ids)
{
    s.reset();
    std::vector<float> logits(ids.size() * static_cast<std::size_t>(s.model().dims().vocab));
    EXPECT_TRUE(s.eval(ids, logits).ok());
    return logits;
}

// Some scale of the result differs from 1 by at least 10 %: the fold is really exercised.
bool nonTrivialScales(const AwqModelResult& r)
{
    for (const auto& g : r.groups)
        for (float s : g.scales)
            if (std::fabs(s - 1.0f) > 0.1f) return true;
    return false;
}

void expectFoldedEqualsOriginal(const std::shared_ptr<const Model>& m,
                                const std::vector<std::vector<std::int32_t>>& calib,
                                const std::vector<std::int32_t>& probe, AwqModelResult* keep = nullptr)
{
    AwqRunConfig cfg;
    cfg.quantize = false;
    cfg.awq.applyClip = false;
    cfg.threads = 2;
    jobs::NullSink sink;
    auto r = runAwq(m, calib, cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_TRUE(nonTrivialScales(*r));
    auto s = session(m, static_cast<std::int64_t>(probe.size()));
    const std::vector<float> before = logitsOf(*s, probe);
    ASSERT_TRUE(installAwq(*s, *r).ok());
    const std::vector<float> after = logitsOf(*s, probe);
    float scale = 0.0f;
    for (float v : before)
        scale = std::max(scale, std::fabs(v));
    EXPECT_LT(maxAbsDiff(before, after), kFoldedLogitTolerance * scale);
    std::printf("folded: max logit difference %.3g of max |logit| %.3g\n", double(maxAbsDiff(before, after)),
                double(scale));
    // And the quantized-looking path really changes something when a weight is off: the
    // folded norms alone (without the scaled columns) do not compute the same function.
    s->clearOverrides();
    for (const AwqVector& v : r->vectors)
        ASSERT_TRUE(s->overrideVector(v.layer, v.which, v.values).ok());
    EXPECT_GT(maxAbsDiff(before, logitsOf(*s, probe)), 10 * kFoldedLogitTolerance * scale);
    if (keep) *keep = std::move(*r);
}

TEST(AwqModel, FoldedDemoModelComputesTheSameFunction)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    const Corpus c = corpus(tinyLlamaDir());
    const auto calib = chunksOf(c, 0, 4, 64);
    ASSERT_EQ(calib.size(), 4u);
    const auto probe = chunksOf(c, 20000, 1, 48)[0];
    AwqModelResult r;
    expectFoldedEqualsOriginal(m, calib, probe, &r);
    // GQA (4 KV heads of 8): no v -> o group; three groups per block, two folded norms each.
    EXPECT_EQ(r.groups.size(), 3u * 6u);
    EXPECT_EQ(r.vectors.size(), 2u * 6u);
    EXPECT_EQ(r.linears.size(), 7u * 6u);
}

TEST(AwqModel, FoldedQwen2WithBiasesComputesTheSameFunction)
{
    // q/k/v biases stay as they are (the scales act on the input columns); tied embeddings; a
    // hidden size of 64, so groups of 64.
    auto m = loadOrFail(condense::test::tinyQwen2Dir());
    ASSERT_TRUE(m);
    ASSERT_FALSE(m->layers()[0].vBias.empty());
    std::mt19937 rng(11);
    std::uniform_int_distribution<std::int32_t> tok(0, static_cast<std::int32_t>(m->dims().vocab - 1));
    std::vector<std::vector<std::int32_t>> calib(3, std::vector<std::int32_t>(40));
    for (auto& ch : calib)
        for (auto& t : ch)
            t = tok(rng);
    std::vector<std::int32_t> probe(32);
    for (auto& t : probe)
        t = tok(rng);
    AwqRunConfig cfg;
    cfg.quantize = false;
    cfg.awq.applyClip = false;
    cfg.awq.groupSize = 64;
    cfg.threads = 2;
    jobs::NullSink sink;
    auto r = runAwq(m, calib, cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_TRUE(nonTrivialScales(*r));
    EXPECT_EQ(r->vectors.size(), 2u * 2u); // the two norms per block, no bias
    auto s = session(m, static_cast<std::int64_t>(probe.size()));
    const std::vector<float> before = logitsOf(*s, probe);
    ASSERT_TRUE(installAwq(*s, *r).ok());
    const std::vector<float> after = logitsOf(*s, probe);
    float scale = 0.0f;
    for (float v : before)
        scale = std::max(scale, std::fabs(v));
    EXPECT_LT(maxAbsDiff(before, after), kFoldedLogitTolerance * scale);
}

TEST(AwqModel, FoldedMultiHeadGgufComputesTheSameFunctionInHfRowOrder)
{
    condense::test::TempDir dir;
    const auto path = dir.path() / "mha.gguf";
    condense::test::SyntheticLlama spec;
    spec.nHeadKv = spec.nHead; // multi-head: v and o have the same shape
    spec.nLayer = 2;
    ASSERT_EQ(condense::test::writeSyntheticLlama(path, spec), "");
    auto m = loadOrFail(path);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->rope().layout(), RopeLayout::Norm);
    std::mt19937 rng(9);
    std::uniform_int_distribution<std::int32_t> tok(0, static_cast<std::int32_t>(m->dims().vocab - 1));
    std::vector<std::vector<std::int32_t>> calib(3, std::vector<std::int32_t>(40));
    for (auto& ch : calib)
        for (auto& t : ch)
            t = tok(rng);
    std::vector<std::int32_t> probe(32);
    for (auto& t : probe)
        t = tok(rng);
    AwqModelResult r;
    expectFoldedEqualsOriginal(m, calib, probe, &r);
    EXPECT_EQ(r.groups.size(), 4u * 2u);
    ASSERT_EQ(r.groups[1].name, "attn_v>attn_output");

    // HF order: folded q (HF rows) = HF q rows * s1, the HF row of GGUF row e being
    // qkPermutedSourceRow(e).
    const AwqLinear& q = r.linears[0];
    ASSERT_EQ(q.role, WeightRole::AttnQ);
    EXPECT_EQ(q.hfName, "model.layers.0.self_attn.q_proj");
    auto gguf = toFloats(m->layers()[0].q);
    ASSERT_TRUE(gguf.ok());
    const std::vector<float>& s1 = r.groups[0].scales;
    float worst = 0.0f;
    for (std::int64_t e = 0; e < q.rows; ++e) {
        const auto h = static_cast<std::int64_t>(
            arch::qkPermutedSourceRow(static_cast<std::uint64_t>(e), static_cast<std::uint64_t>(q.rows), spec.nHead));
        for (std::int64_t c = 0; c < q.cols; ++c) {
            const float want = (*gguf)[static_cast<std::size_t>(e * q.cols + c)] * s1[static_cast<std::size_t>(c)];
            worst = std::max(worst, std::fabs(q.folded[static_cast<std::size_t>(h * q.cols + c)] - want));
        }
    }
    EXPECT_EQ(worst, 0.0f);
}

TEST(AwqModel, PermutedQkResultsEqualQuantizingTheHfRows)
{
    // A llama GGUF (Q/K rows permuted): codes, scales and zeros come back in HF row order, so
    // they equal quantizing the returned HF-order folded weights directly (AWQ is row-wise).
    condense::test::TempDir dir;
    const auto path = dir.path() / "gqa.gguf";
    condense::test::SyntheticLlama spec;
    spec.nLayer = 1;
    ASSERT_EQ(condense::test::writeSyntheticLlama(path, spec), "");
    auto m = loadOrFail(path);
    ASSERT_TRUE(m);
    std::mt19937 rng(13);
    std::uniform_int_distribution<std::int32_t> tok(0, static_cast<std::int32_t>(m->dims().vocab - 1));
    std::vector<std::vector<std::int32_t>> calib(2, std::vector<std::int32_t>(40));
    for (auto& ch : calib)
        for (auto& t : ch)
            t = tok(rng);
    AwqRunConfig cfg;
    cfg.keepFolded = true;
    cfg.threads = 2;
    jobs::NullSink sink;
    auto r = runAwq(m, calib, cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    for (const AwqLinear& lin : r->linears) {
        auto direct = quant::awqQuantize(lin.folded, lin.rows, lin.cols, cfg.awq);
        ASSERT_TRUE(direct.ok());
        EXPECT_EQ(direct->codes, lin.quant.codes) << lin.ggufName;
        EXPECT_EQ(direct->scales, lin.quant.scales) << lin.ggufName;
        EXPECT_EQ(direct->zeros, lin.quant.zeros) << lin.ggufName;
        EXPECT_EQ(direct->dequantized, lin.quant.dequantized) << lin.ggufName;
    }
    // The rows really moved: HF row 1 of Q is not engine row 1.
    EXPECT_NE(arch::qkPermutedSourceRow(1, 256, 8), 1u);
}

TEST(AwqModel, QuantizedResultsDecodeToTheirDequantizedValues)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    const Corpus c = corpus(tinyLlamaDir());
    AwqRunConfig cfg;
    cfg.threads = 2;
    jobs::NullSink sink;
    auto r = runAwq(m, chunksOf(c, 0, 2, 64), cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    for (const AwqLinear& lin : r->linears) {
        const quant::GptqResult& q = lin.quant;
        ASSERT_EQ(q.rows, lin.rows);
        ASSERT_EQ(q.cols, lin.cols);
        ASSERT_EQ(q.groups, lin.cols / 128);
        for (std::int64_t row = 0; row < q.rows; ++row)
            for (std::int64_t col = 0; col < q.cols; ++col) {
                const auto i = static_cast<std::size_t>(row * q.cols + col);
                const auto g = static_cast<std::size_t>((col / 128) * q.rows + row);
                ASSERT_EQ(q.gIdx[static_cast<std::size_t>(col)], col / 128);
                ASSERT_EQ(q.dequantized[i], q.scales[g] * static_cast<float>(int(q.codes[i]) - int(q.zeros[g])));
                ASSERT_EQ(q.scales[g], fp16ToFp32(fp32ToFp16(q.scales[g])));
            }
    }
    EXPECT_LE(r->clipErrorClipped, r->clipErrorUnclipped);
}

struct PplFigures {
    double original = 0, rtn = 0, rtnGptqGrid = 0, awq = 0, seconds = 0;
};

PplFigures measure(const std::filesystem::path& dir, std::size_t calibChunks, std::size_t evalChunks, std::size_t len,
                   std::int64_t searchChunks)
{
    PplFigures f;
    auto m = loadOrFail(dir);
    if (!m) return f;
    const Corpus c = corpus(dir);
    const auto calib = chunksOf(c, 0, calibChunks, len);
    const std::size_t evalFrom = c.ids.size() / 2; // disjoint from the calibration tokens
    EXPECT_LT(calibChunks * len, evalFrom);
    const auto eval = chunksOf(c, evalFrom, evalChunks, len);
    EXPECT_EQ(eval.size(), evalChunks);
    AwqOptions o; // 4-bit, g128, zero point
    auto s = session(m, static_cast<std::int64_t>(len));
    f.original = perplexity(*s, eval);
    installRtn(*s, o, false);
    f.rtn = perplexity(*s, eval);
    s->clearOverrides();
    installRtn(*s, o, true);
    f.rtnGptqGrid = perplexity(*s, eval);
    s->clearOverrides();
    AwqRunConfig cfg;
    cfg.threads = 2;
    cfg.searchChunks = searchChunks;
    jobs::NullSink sink;
    auto r = runAwq(m, calib, cfg, sink);
    EXPECT_TRUE(r.ok()) << describe(r.error());
    if (!r.ok()) return f;
    f.seconds = r->seconds;
    EXPECT_TRUE(installAwq(*s, *r).ok());
    f.awq = perplexity(*s, eval);
    std::printf("%s: PPL original %.4f, RTN g128 %.4f (GPTQ grid %.4f), AWQ g128 %.4f; AWQ %.1f s over %lld tokens\n",
                dir.filename().string().c_str(), f.original, f.rtn, f.rtnGptqGrid, f.awq, f.seconds,
                static_cast<long long>(r->calibrationTokens));
    int steps[20] = {};
    for (const auto& g : r->groups)
        ++steps[g.bestStep];
    std::printf("  chosen grid steps:");
    for (int k = 0; k < 20; ++k)
        std::printf(" %d", steps[k]);
    std::printf("\n");
    return f;
}

TEST(AwqModel, DemoPerplexityIsNoWorseThanRtn)
{
    // 4096 calibration tokens, 4080 scored tokens half a text away. The GPTQ-grid RTN figure
    // is printed for comparison only: on this model it sits within 0.02 of AWQ's.
    const PplFigures f = measure(tinyLlamaDir(), 16, 16, 256, 0);
    EXPECT_GT(f.rtn, f.original);
    EXPECT_LE(f.awq, f.rtn);
}

TEST(AwqModelExtended, SharedModelsPerplexity)
{
    for (const auto& dir : {condense::test::sharedTinyLlamaDir(), condense::test::qwen2Dir()}) {
        const PplFigures f = measure(dir, 64, 64, 512, 16);
        EXPECT_LE(f.awq, f.rtn) << dir;
        EXPECT_LE(f.awq, f.rtnGptqGrid) << dir;
    }
}

// ---------------------------------------------------------------- errors, cancellation, hooks

TEST(AwqModel, BadInputIsRefusedNamingTheTensor)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    jobs::NullSink sink;
    AwqRunConfig cfg;
    std::vector<std::vector<std::int32_t>> none;
    auto r = runAwq(m, none, cfg, sink);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    const std::vector<std::vector<std::int32_t>> one = {{1, 5, 9, 200}};
    cfg.awq.groupSize = 96; // divides neither 256 nor 768
    r = runAwq(m, one, cfg, sink);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().tensor, "blk.0.attn_q.weight");
    EXPECT_NE(r.error().detail.find("does not divide the 256 input columns"), std::string::npos) << r.error().detail;
    cfg.awq.groupSize = 128;
    r = runAwq(m, std::vector<std::vector<std::int32_t>>{{1, 5, 999999}}, cfg, sink);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
}

class StopAfter final : public jobs::ProgressSink {
  public:
    StopAfter(std::stop_source& src, std::uint64_t at) : m_src(src), m_at(at) {}
    void report(jobs::Stage, std::uint64_t done, std::uint64_t, std::string_view) override
    {
        if (done >= m_at && !m_src.stop_requested()) {
            m_when = std::chrono::steady_clock::now();
            m_src.request_stop();
        }
    }
    std::chrono::steady_clock::time_point when() const { return m_when; }

  private:
    std::stop_source& m_src;
    std::uint64_t m_at;
    std::chrono::steady_clock::time_point m_when{};
};

TEST(AwqModel, StopsWithinASecond)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    const Corpus c = corpus(tinyLlamaDir());
    // Steps per block: 1 capture, 20 per group (v > o skipped at once here), 1 clip + quantize.
    for (std::uint64_t at : {1u, 50u, 70u}) { // the attention search, the mlp search, the down search
        std::stop_source src;
        StopAfter sink(src, at);
        AwqRunConfig cfg;
        cfg.threads = 2;
        auto r = runAwq(m, chunksOf(c, 0, 8, 256), cfg, sink, src.get_token());
        const auto end = std::chrono::steady_clock::now();
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
        EXPECT_LT(std::chrono::duration<double>(end - sink.when()).count(), 1.0) << "stopped at step " << at;
    }
}

TEST(AwqSession, OverrideVectorReplacesAndRestores)
{
    auto m = loadOrFail(tinyLlamaDir());
    ASSERT_TRUE(m);
    auto s = session(m, 16);
    const std::vector<std::int32_t> ids = {1, 50, 60, 70, 80, 90};
    const auto before = logitsOf(*s, ids);
    std::vector<float> norm = m->layers()[2].ffnNorm;
    for (float& v : norm)
        v *= 1.5f;
    ASSERT_TRUE(s->overrideVector(2, BlockVector::FfnNorm, norm).ok());
    EXPECT_GT(maxAbsDiff(before, logitsOf(*s, ids)), 1e-3f);
    ASSERT_TRUE(s->overrideVector(2, BlockVector::FfnNorm, {}).ok());
    EXPECT_EQ(maxAbsDiff(before, logitsOf(*s, ids)), 0.0f);
    EXPECT_FALSE(s->overrideVector(2, BlockVector::AttnNorm, std::vector<float>(3, 1.0f)).ok());
    EXPECT_FALSE(s->overrideVector(2, BlockVector::VBias, std::vector<float>(128, 1.0f)).ok()); // llama: no bias
    EXPECT_FALSE(s->overrideVector(6, BlockVector::AttnNorm, norm).ok());
}

} // namespace
} // namespace condense::model::test
