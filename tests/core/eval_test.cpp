// core/eval on synthetic models whose answers are known in closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numeric>

#include "core/eval/evaluator.h"
#include "core/eval/token_stats.h"
#include "core/report/eval_report.h"

#include <nlohmann/json.hpp>

using namespace condense;
using namespace condense::eval;

namespace {

// A model whose logits at a position depend only on the token there: logitsFor(token) -> row.
class FakeModel final : public LanguageModel {
public:
    FakeModel(std::string label, std::int64_t vocab, std::function<std::vector<float>(std::int32_t)> f, int layers = 2,
              std::int64_t hidden = 4, float layerScale = 1.f)
        : m_label(std::move(label)), m_vocab(vocab), m_f(std::move(f)), m_layers(layers), m_hidden(hidden), m_scale(layerScale)
    {
    }
    std::string label() const override { return m_label; }
    std::int64_t vocabSize() const override { return m_vocab; }
    int numLayers() const override { return m_layers; }
    std::int64_t hiddenSize() const override { return m_hidden; }
    std::int64_t contextLength() const override { return 4096; }
    Status evaluate(std::span<const std::int32_t> tokens, std::int64_t firstLogit, std::span<float> logits, LayerStates* layers,
                    std::stop_token stop) override
    {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, m_label, "cancelled");
        ++calls;
        const auto n = static_cast<std::int64_t>(tokens.size());
        EXPECT_EQ(logits.size(), static_cast<std::size_t>((n - firstLogit) * m_vocab));
        for (std::int64_t k = firstLogit; k < n; ++k) {
            const auto row = m_f(tokens[static_cast<std::size_t>(k)]);
            std::copy(row.begin(), row.end(), logits.begin() + (k - firstLogit) * m_vocab);
        }
        if (layers) {
            layers->states.assign(static_cast<std::size_t>(m_layers), std::vector<float>(static_cast<std::size_t>(n * m_hidden)));
            for (int l = 0; l < m_layers; ++l)
                for (std::int64_t t = 0; t < n; ++t)
                    for (std::int64_t h = 0; h < m_hidden; ++h)
                        layers->states[static_cast<std::size_t>(l)][static_cast<std::size_t>(t * m_hidden + h)] =
                            static_cast<float>(1 + h + tokens[static_cast<std::size_t>(t)]) * (h == 0 ? m_scale : 1.f);
        }
        return okStatus();
    }
    int calls = 0;

private:
    std::string m_label;
    std::int64_t m_vocab;
    std::function<std::vector<float>(std::int32_t)> m_f;
    int m_layers;
    std::int64_t m_hidden;
    float m_scale;
};

// Text "abcab..." -> ids 'a'-'a' etc.; BOS is id 25 when asked.
EvalInput letterInput(std::string text, bool addBos)
{
    EvalInput in;
    in.text = std::move(text);
    in.textLabel = "letters.txt";
    in.bosToken = 25;
    in.addBos = addBos;
    in.tokenize = [addBos](std::string_view s, bool special) {
        std::vector<std::int32_t> ids;
        if (special && addBos) ids.push_back(25);
        for (char c : s) ids.push_back(static_cast<std::int32_t>((c - 'a') % 25));
        return ids;
    };
    return in;
}

std::string repeatText(std::size_t n)
{
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('a' + (i * 7 + i / 3) % 20);
    return s;
}

jobs::NullSink sink;

} // namespace

TEST(Eval, UniformModelHasPerplexityEqualToTheVocabularySize)
{
    const std::int64_t vocab = 26;
    FakeModel uniform("uniform", vocab, [&](std::int32_t) { return std::vector<float>(26, 0.5f); });
    EvalConfig cfg;
    cfg.nCtx = 16;
    cfg.protocol = PplProtocol::A;
    auto r = runEvaluation(letterInput(repeatText(100), false), uniform, {}, cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    ASSERT_EQ(r->models.size(), 1u);
    EXPECT_NEAR(r->models[0].ppl, 26.0, 1e-9);
    EXPECT_EQ(r->chunks, 6);                  // 100 tokens / 16, the tail dropped
    EXPECT_EQ(r->models[0].scored, 6u * 15u); // protocol A scores n_ctx-1 per chunk
    EXPECT_NEAR(r->models[0].pplUncertainty, 0.0, 1e-9);
}

TEST(Eval, ProtocolBScoresTheSecondHalfAndPutsBosFirst)
{
    std::vector<std::vector<std::int32_t>> seen;
    FakeModel m("m", 26, [](std::int32_t) { return std::vector<float>(26, 0.f); });
    EvalConfig cfg;
    cfg.nCtx = 16;
    cfg.protocol = PplProtocol::B;
    auto in = letterInput(repeatText(70), true);
    auto tokens = in.tokenize(in.text, true);
    auto plan = planChunks(tokens, cfg, in);
    ASSERT_TRUE(plan.ok());
    ASSERT_EQ(plan->chunks.size(), 71u / 16u);
    EXPECT_EQ(plan->firstScored, 8);
    for (std::size_t c = 0; c < plan->chunks.size(); ++c) {
        EXPECT_EQ(plan->chunks[c][0], 25);                            // BOS substituted
        EXPECT_EQ(plan->targets[c][0], tokens[c * 16]);               // the original kept as target
        EXPECT_EQ(plan->chunks[c][5], tokens[c * 16 + 5]);
    }
    auto r = runEvaluation(in, m, {}, cfg, sink);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->models[0].scored, 4u * (16u - 1u - 8u)); // llama-perplexity: n_ctx-1-n_ctx/2 per chunk
}

TEST(Eval, TextShorterThanTheChunksIsAClearError)
{
    FakeModel m("m", 26, [](std::int32_t) { return std::vector<float>(26, 0.f); });
    EvalConfig cfg;
    cfg.nCtx = 64;
    cfg.protocol = PplProtocol::B;
    auto r = runEvaluation(letterInput(repeatText(100), true), m, {}, cfg, sink);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(r.error().file, "letters.txt");
    EXPECT_NE(r.error().detail.find("fewer than"), std::string::npos);
}

TEST(Eval, IdenticalCandidateHasZeroDivergenceAndFullAgreement)
{
    auto f = [](std::int32_t t) {
        std::vector<float> row(26);
        for (int v = 0; v < 26; ++v) row[static_cast<std::size_t>(v)] = std::sin(static_cast<float>(v * 3 + t));
        return row;
    };
    FakeModel a("base", 26, f), b("same", 26, f);
    EvalConfig cfg;
    cfg.nCtx = 16;
    cfg.protocol = PplProtocol::A;
    auto r = runEvaluation(letterInput(repeatText(64), false), a, {&b}, cfg, sink);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->models.size(), 2u);
    const auto& c = r->models[1];
    EXPECT_NEAR(c.kldMean, 0.0, 1e-12);
    EXPECT_DOUBLE_EQ(c.sameTop, 1.0);
    EXPECT_DOUBLE_EQ(c.ppl, r->models[0].ppl);
    ASSERT_EQ(c.drift.size(), 2u);
    for (const auto& d : c.drift) {
        EXPECT_NEAR(d.cosine, 1.0, 1e-12);
        EXPECT_NEAR(d.relativeError, 0.0, 1e-12);
    }
}

TEST(Eval, KlDivergenceOfTwoBernoullisMatchesTheClosedForm)
{
    // base: p(token 0) = 0.8, candidate: q = 0.6, everywhere; vocab of 2.
    const double p = 0.8, q = 0.6;
    auto bern = [](double prob) {
        return [prob](std::int32_t) { return std::vector<float>{static_cast<float>(std::log(prob)), static_cast<float>(std::log(1 - prob))}; };
    };
    FakeModel base("p", 2, bern(p)), cand("q", 2, bern(q));
    EvalInput in;
    in.text = std::string(200, 'x');
    in.textLabel = "x";
    in.tokenize = [](std::string_view s, bool) {
        std::vector<std::int32_t> ids;
        for (std::size_t i = 0; i < s.size(); ++i) ids.push_back(i % 5 == 0 ? 1 : 0); // 80% zeros
        return ids;
    };
    EvalConfig cfg;
    cfg.nCtx = 20;
    cfg.protocol = PplProtocol::A;
    cfg.driftChunks = 0;
    auto r = runEvaluation(in, base, {&cand}, cfg, sink);
    ASSERT_TRUE(r.ok());
    const double kl = p * std::log(p / q) + (1 - p) * std::log((1 - p) / (1 - q));
    EXPECT_NEAR(r->models[1].kldMean, kl, 1e-6);
    EXPECT_NEAR(r->models[1].kldMedian, kl, 1e-6);
    EXPECT_NEAR(r->models[1].kldP99, kl, 1e-6);
    EXPECT_DOUBLE_EQ(r->models[1].sameTop, 1.0); // both put token 0 on top
    // Top-1 of the base = share of targets equal to 0 among scored positions.
    EXPECT_GT(r->models[0].top1, 0.7);
}

TEST(Eval, PerLayerDriftSeesAScaledLayer)
{
    auto f = [](std::int32_t) { return std::vector<float>(26, 0.f); };
    FakeModel base("b", 26, f, 3, 4, 1.f), cand("c", 26, f, 3, 4, 2.f); // hidden[0] doubled
    EvalConfig cfg;
    cfg.nCtx = 16;
    cfg.protocol = PplProtocol::A;
    auto r = runEvaluation(letterInput(repeatText(40), false), base, {&cand}, cfg, sink);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->models[1].drift.size(), 3u);
    EXPECT_LT(r->models[1].drift[0].cosine, 1.0);
    EXPECT_GT(r->models[1].drift[0].relativeError, 0.0);
}

TEST(Eval, CancellationStopsBetweenChunks)
{
    FakeModel m("m", 26, [](std::int32_t) { return std::vector<float>(26, 0.f); });
    std::stop_source src;
    struct StopAfter final : jobs::ProgressSink {
        std::stop_source& s;
        int n = 0;
        explicit StopAfter(std::stop_source& ss) : s(ss) {}
        void report(jobs::Stage, std::uint64_t, std::uint64_t, std::string_view) override
        {
            if (++n == 3) s.request_stop();
        }
    } stopper(src);
    EvalConfig cfg;
    cfg.nCtx = 8;
    cfg.protocol = PplProtocol::A;
    auto r = runEvaluation(letterInput(repeatText(200), false), m, {}, cfg, stopper, src.get_token());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
    EXPECT_LE(m.calls, 3);
}

TEST(Eval, HellaswagFormatIsParsedAndScoredByMeanLogProb)
{
    // The model strongly predicts token (t+1) % 26 after t: the ending continuing "abc" with
    // "def" wins over the others.
    FakeModel m("m", 26, [](std::int32_t t) {
        std::vector<float> row(26, 0.f);
        row[static_cast<std::size_t>((t + 1) % 26)] = 10.f;
        return row;
    });
    auto in = letterInput("", false);
    in.tokenize = [](std::string_view s, bool) {
        std::vector<std::int32_t> ids;
        for (char c : s)
            if (c != ' ') ids.push_back(c - 'a');
        return ids;
    };
    const std::string hs = "abc\n2\nzzz\nqqq\ndef\nxyx\nab\n0\ncde\nbbb\nzzz\naaa\n";
    auto tasks = parseHellaswag(hs, "hs.txt", in.tokenize, 0);
    ASSERT_TRUE(tasks.ok());
    ASSERT_EQ(tasks->size(), 2u);
    EXPECT_EQ((*tasks)[0].gold, 2u);
    in.text = repeatText(64);
    in.hellaswag = hs;
    in.hellaswagLabel = "hs.txt";
    EvalConfig cfg;
    cfg.nCtx = 16;
    cfg.protocol = PplProtocol::A;
    auto r = runEvaluation(in, m, {}, cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    ASSERT_EQ(r->models[0].mc.size(), 1u);
    EXPECT_EQ(r->models[0].mc[0].tasks, 2u);
    EXPECT_EQ(r->models[0].mc[0].correct, 2u);

    EXPECT_FALSE(parseHellaswag("a\n1\nb\nc\nd\n", "bad.txt", in.tokenize, 0).ok());
    auto badGold = parseHellaswag("a\n7\nb\nc\nd\ne\n", "bad.txt", in.tokenize, 0);
    ASSERT_FALSE(badGold.ok());
    EXPECT_EQ(badGold.error().file, "bad.txt");
}

TEST(Eval, ContinuationTasksAreDeterministicAndHoldTheTrueSpan)
{
    std::vector<std::int32_t> tokens(2000);
    for (std::size_t i = 0; i < tokens.size(); ++i) tokens[i] = static_cast<std::int32_t>((i * 31 + i / 7) % 997);
    auto a = makeContinuationTasks(tokens, 20, 32, 8);
    auto b = makeContinuationTasks(tokens, 20, 32, 8);
    ASSERT_EQ(a.size(), 20u);
    std::vector<int> goldCount(4);
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].endings, b[i].endings);
        EXPECT_EQ(a[i].gold, b[i].gold);
        ASSERT_EQ(a[i].endings.size(), 4u);
        goldCount[a[i].gold]++;
        // The gold ending is the context followed by the text's own next 8 tokens.
        const auto& g = a[i].endings[a[i].gold];
        auto at = std::search(tokens.begin(), tokens.end(), g.begin(), g.end());
        EXPECT_NE(at, tokens.end()) << "task " << i;
        for (std::size_t e = 0; e < 4; ++e) {
            if (e != a[i].gold) {
                EXPECT_NE(a[i].endings[e], g);
            }
        }
    }
    for (int c : goldCount) EXPECT_GT(c, 0); // the true span is not always in the same slot
}

TEST(Eval, ReportJsonFollowsTheSchema)
{
    FakeModel a("base.gguf", 26, [](std::int32_t) { return std::vector<float>(26, 0.f); });
    FakeModel b("cand.gguf", 26, [](std::int32_t t) {
        std::vector<float> row(26, 0.f);
        row[static_cast<std::size_t>(t)] = 1.f;
        return row;
    });
    EvalConfig cfg;
    cfg.nCtx = 16;
    cfg.protocol = PplProtocol::B;
    auto r = runEvaluation(letterInput(repeatText(80), true), a, {&b}, cfg, sink);
    ASSERT_TRUE(r.ok());
    report::LatencyFigures lat;
    lat.threads = 2;
    lat.ppTokensPerSecond = 100;
    auto j = nlohmann::json::parse(report::evalJson(*r, {std::nullopt, lat}));
    EXPECT_EQ(j["schema"], "condense.eval/1");
    EXPECT_EQ(j["protocol"], "B");
    ASSERT_EQ(j["models"].size(), 2u);
    EXPECT_TRUE(j["models"][0]["base"].get<bool>());
    EXPECT_FALSE(j["models"][0].contains("latency"));
    EXPECT_EQ(j["models"][1]["latency"]["threads"], 2);
    EXPECT_GT(j["models"][1]["kld"]["mean"].get<double>(), 0.0);
    EXPECT_EQ(j["models"][1]["chunks"].size(), static_cast<std::size_t>(r->chunks));
}

TEST(TokenStats, PercentilesFollowLlamaPerplexitysDefinition)
{
    const std::vector<double> v{1, 2, 3, 4, 5};
    EXPECT_DOUBLE_EQ(percentileSorted(v, 0.5), 3.0);
    EXPECT_DOUBLE_EQ(percentileSorted(v, 0.99), 0.04 * 4 + 0.96 * 5); // k = floor(3.96) = 3, r = .96
    EXPECT_DOUBLE_EQ(medianSorted(std::vector<double>{1, 2, 3, 4}), 2.5);
    const auto mu = meanAndUncertainty(10, 30, 4); // values with mean 2.5, E[x^2] 7.5
    EXPECT_DOUBLE_EQ(mu.mean, 2.5);
    EXPECT_DOUBLE_EQ(mu.uncertainty, std::sqrt((7.5 - 6.25) / 3));
}

TEST(TokenStats, LogSoftmaxOfKnownDistribution)
{
    const std::vector<float> logits{std::log(0.5f), std::log(0.25f), std::log(0.25f)};
    const auto s = logSoftmaxStats(logits);
    EXPECT_EQ(s.argmax, 0);
    EXPECT_NEAR(negLogLikelihood(logits, s, 1), std::log(4.0), 1e-6);
}
