// Protocol A perplexity (../shared/models/README.md) on the first chunks of eval/corpus-val.txt
// against transformers' per-chunk goldens. The token ids come from libsentencepiece on the
// model's tokenizer.model (an oracle we did not write; for this text they equal transformers'
// ids, which the golden's token count and first 64 ids confirm).
#include <gtest/gtest.h>

#include <iterator>
#include <sentencepiece_processor.h>

#include "tests/core/model_test_util.h"
#include "tests/support/temp_dir.h"

namespace condense::model::test {
namespace {

using condense::test::referenceGguf;
using condense::test::tinyLlamaDir;

// Per-token -ln p: float32 logits summed in a different order than PyTorch's.
constexpr double kTokenNllTolerance = 2e-4;
// Per-chunk NLL sums (255 or 511 tokens): relative bound.
constexpr double kChunkNllRelTolerance = 2e-5;
// Chunks checked per context size (the whole text takes minutes in a debug build).
constexpr int kChunks256 = 6;
constexpr int kChunks512 = 3;

std::vector<std::int32_t> corpusIds()
{
    sentencepiece::SentencePieceProcessor sp;
    EXPECT_TRUE(sp.Load((tinyLlamaDir() / "tokenizer.model").string()).ok());
    std::ifstream in(condense::test::requireFile(condense::test::modelsDir() / "eval" / "corpus-val.txt"), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<int> ids;
    EXPECT_TRUE(sp.Encode(text, &ids).ok());
    return {ids.begin(), ids.end()};
}

// -ln p(target) for each scored position of one chunk (positions 1..n-1), and top-1 hits.
std::vector<double> chunkNll(Session& s, std::span<const std::int32_t> chunk, std::int64_t vocab, int& top1)
{
    s.reset();
    std::vector<float> logits(chunk.size() * static_cast<std::size_t>(vocab));
    EXPECT_TRUE(s.eval(chunk, logits).ok());
    std::vector<double> nll;
    top1 = 0;
    for (std::size_t k = 0; k + 1 < chunk.size(); ++k) {
        const float* row = logits.data() + k * static_cast<std::size_t>(vocab);
        const float mx = *std::max_element(row, row + vocab);
        double sum = 0.0;
        for (std::int64_t v = 0; v < vocab; ++v) sum += std::exp(static_cast<double>(row[v]) - mx);
        const std::int32_t target = chunk[k + 1];
        nll.push_back(std::log(sum) + mx - row[target]);
        top1 += argmaxRow(row, vocab) == target;
    }
    return nll;
}

class ProtocolA : public ::testing::TestWithParam<const char*> {};

TEST_P(ProtocolA, FirstChunksMatchTransformers)
{
    const std::string which = GetParam();
    auto m = loadOrFail(which == "HF" ? tinyLlamaDir() : referenceGguf(GetParam()));
    ASSERT_NE(m, nullptr);
    const auto golden = readJson(tinyLlamaDir() / "golden" / "perplexity.json").at("results").at(0);
    ASSERT_EQ(golden.at("text_file").get<std::string>(), "eval/corpus-val.txt");
    const auto ids = corpusIds();
    ASSERT_EQ(static_cast<std::int64_t>(ids.size()), golden.at("n_tokens").get<std::int64_t>());
    const auto first64 = golden.at("first_64_ids").get<std::vector<std::int32_t>>();
    ASSERT_TRUE(std::equal(first64.begin(), first64.end(), ids.begin()));
    const std::int64_t vocab = m->dims().vocab;

    for (const auto& byCtx : golden.at("by_n_ctx")) {
        const auto nCtx = byCtx.at("n_ctx").get<std::int64_t>();
        auto s = Session::create(m, SessionConfig{nCtx, 512, 2});
        ASSERT_TRUE(s.ok());
        const auto& perChunk = byCtx.at("per_chunk_nll_sum_and_top1_correct");
        const int chunks = nCtx == 256 ? kChunks256 : kChunks512;
        for (int c = 0; c < chunks; ++c) {
            int top1 = 0;
            const auto nll = chunkNll(**s, std::span(ids).subspan(static_cast<std::size_t>(c * nCtx), static_cast<std::size_t>(nCtx)), vocab, top1);
            double sum = 0.0;
            for (double v : nll) sum += v;
            const double want = perChunk.at(c).at(0).get<double>();
            EXPECT_NEAR(sum, want, kChunkNllRelTolerance * want) << which << " n_ctx " << nCtx << " chunk " << c;
            // Ties aside, the argmax is the same token: allow one near-tie per chunk.
            EXPECT_NEAR(top1, perChunk.at(c).at(1).get<int>(), 1) << which << " n_ctx " << nCtx << " chunk " << c;
            if (nCtx == 256 && c == 0) {
                const auto first = readFloats(tinyLlamaDir() / "golden" / byCtx.at("first_chunk_nll_file").get<std::string>());
                ASSERT_EQ(first.size(), nll.size());
                double worst = 0.0;
                for (std::size_t k = 0; k < nll.size(); ++k) worst = std::max(worst, std::fabs(nll[k] - first[k]));
                EXPECT_LE(worst, kTokenNllTolerance) << which;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(TinyLlama, ProtocolA, ::testing::Values("HF", "F16"),
                         [](const auto& p) { return std::string(p.param); });

} // namespace
} // namespace condense::model::test
