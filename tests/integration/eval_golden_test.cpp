// The evaluation engine end to end (tokenizer + forward pass + protocol A) against the
// transformers goldens in ../shared/models/*/golden/perplexity.json: perplexity within 0.1 %
// and top-1 accuracy within 0.1 points over the whole of eval/corpus-val.txt, at n_ctx 256
// and 512, and every chunk's NLL sum within 0.1 %.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/eval/engine_model.h"
#include "core/eval/evaluator.h"
#include "core/io/checkpoint.h"
#include "core/model/model.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;

namespace {

constexpr double kPplRelTolerance = 1e-3;   // 0.1 %
constexpr double kTop1AbsTolerance = 1e-3;  // 0.1 points
constexpr double kChunkRelTolerance = 1e-3;

struct Case {
    const char* model;
    std::int64_t nCtx;
};

class EvalGolden : public ::testing::TestWithParam<Case> {};

TEST_P(EvalGolden, ProtocolAMatchesTransformers)
{
    const Case c = GetParam();
    const auto dir = test::modelsDir() / c.model;
    const auto golden = nlohmann::json::parse(test::readFile(dir / "golden" / "perplexity.json"));
    const nlohmann::json* res = nullptr;
    for (const auto& r : golden["results"])
        if (r["text_file"] == "eval/corpus-val.txt") res = &r;
    ASSERT_NE(res, nullptr);
    const nlohmann::json* by = nullptr;
    for (const auto& b : (*res)["by_n_ctx"])
        if (b["n_ctx"] == c.nCtx) by = &b;
    ASSERT_NE(by, nullptr);

    jobs::NullSink sink;
    auto ck = io::openCheckpoint(dir, sink);
    ASSERT_TRUE(ck.ok()) << describe(ck.error());
    auto tok = tokenizer::loadTokenizer(**ck);
    ASSERT_TRUE(tok.ok()) << describe(tok.error());
    auto m = model::loadModel(*ck);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    auto engine = eval::EngineModel::create(*m, c.model, c.nCtx, 0);
    ASSERT_TRUE(engine.ok()) << describe(engine.error());

    eval::EvalInput in;
    in.text = test::readFile(test::modelsDir() / "eval" / "corpus-val.txt");
    in.textLabel = "corpus-val.txt";
    const tokenizer::Tokenizer& t = **tok;
    in.tokenize = [&t](std::string_view s, bool special) { return t.encode(s, special, false); };
    eval::EvalConfig cfg;
    cfg.nCtx = c.nCtx;
    cfg.protocol = eval::PplProtocol::A;
    cfg.driftChunks = 0;
    auto r = eval::runEvaluation(in, **engine, {}, cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());

    EXPECT_EQ(r->textTokens, (*res)["n_tokens"].get<std::uint64_t>());
    EXPECT_EQ(r->chunks, (*by)["n_chunks"].get<std::int64_t>());
    const auto& me = r->models[0];
    EXPECT_EQ(me.scored, (*by)["n_scored_tokens"].get<std::uint64_t>());
    const double ppl = (*by)["ppl"].get<double>();
    EXPECT_NEAR(me.ppl, ppl, kPplRelTolerance * ppl) << "ours " << me.ppl << " transformers " << ppl;
    EXPECT_NEAR(me.top1, (*by)["top1_acc"].get<double>(), kTop1AbsTolerance);
    const auto& chunks = (*by)["per_chunk_nll_sum_and_top1_correct"];
    ASSERT_EQ(me.chunks.size(), chunks.size());
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const double g = chunks[i][0].get<double>();
        ASSERT_NEAR(me.chunks[i].nllSum, g, kChunkRelTolerance * g) << "chunk " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Goldens, EvalGolden,
                         ::testing::Values(Case{"tiny-llama-spm", 256}, Case{"tiny-llama-spm", 512},
                                           Case{"small-qwen2-bpe", 256}, Case{"small-qwen2-bpe", 512}),
                         [](const auto& tpi) {
                             std::string n = tpi.param.model;
                             for (auto& ch : n)
                                 if (ch == '-') ch = '_';
                             return n + "_ctx" + std::to_string(tpi.param.nCtx);
                         });

} // namespace
