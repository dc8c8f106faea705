// condense-cli eval / bench / generate end to end.
//  - Protocol B on the llama.cpp reference GGUFs against llama-perplexity's own figures
//    (../shared/models/README.md: `llama-perplexity -c 512`, eval/corpus-val.txt): PPL within
//    0.5 %, and KLD / same-top for the quantized files close to its two-run method's.
//  - The acceptance run F16 vs Q4_K_M: higher PPL, KLD > 0, top agreement < 100 %, drift.
//  - Bad input: missing tokenizer, an architecture we cannot run, text shorter than a chunk.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support/malformed.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

constexpr double kLlamaPplRelTolerance = 0.005; // the issue's bar: within 0.5 % of llama-perplexity
constexpr double kKldRelTolerance = 0.05;        // llama.cpp's KLD carries its 16-bit logit encoding
constexpr double kSameTopAbsTolerance = 0.005;   // ... and so does its same-top share

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }
fs::path ref(const char* type) { return test::referenceGguf(type); }
fs::path corpus() { return test::modelsDir() / "eval" / "corpus-val.txt"; }

struct LlamaFigure {
    const char* type;
    double ppl, kld, sameTop; // from ../shared/models/README.md (llama-perplexity at 34af94cd)
};

TEST(CliEval, ProtocolBMatchesLlamaPerplexityOnTheReferenceFiles)
{
    const LlamaFigure figures[] = {
        {"F16", 31.7305, 0.0, 1.0},
        {"Q8_0", 31.738729, 0.000331, 0.98664},
        {"Q4_0", 32.298527, 0.023583, 0.8925},
        {"Q4_K_M", 32.071264, 0.015473, 0.91315},
        {"Q4_K_M-imat", 32.030985, 0.015037, 0.91213},
    };
    std::string cmd = q(test::cliPath()) + " eval";
    for (const auto& f : figures) cmd += " " + q(ref(f.type));
    cmd += " --text " + q(corpus()) + " --ctx 512 --protocol b --drift-chunks 0 --json -";
    const auto r = test::runCommand(cmd);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["chunks"], 231);
    ASSERT_EQ(j["models"].size(), std::size(figures));
    for (std::size_t i = 0; i < std::size(figures); ++i) {
        const auto& m = j["models"][i];
        const auto& f = figures[i];
        SCOPED_TRACE(f.type);
        EXPECT_EQ(m["scored_tokens"], 231 * 255);
        EXPECT_NEAR(m["ppl"].get<double>(), f.ppl, kLlamaPplRelTolerance * f.ppl);
        if (i == 0) continue;
        EXPECT_NEAR(m["kld"]["mean"].get<double>(), f.kld, kKldRelTolerance * f.kld);
        EXPECT_NEAR(m["same_top"]["share"].get<double>(), f.sameTop, kSameTopAbsTolerance);
    }
}

TEST(CliEval, QuantizedCandidateLosesQualityAndDriftGrowsWithDepth)
{
    const auto r = test::runCommand(q(test::cliPath()) + " eval " + q(ref("F16")) + " " + q(ref("Q4_K_M")) + " --text " +
                                    q(corpus()) + " --ctx 256 --chunks 24 --continuation 40 --json -");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    const auto& base = j["models"][0];
    const auto& cand = j["models"][1];
    EXPECT_TRUE(base["base"].get<bool>());
    EXPECT_EQ(base["kld"]["mean"], 0.0);
    EXPECT_GT(cand["ppl"].get<double>(), base["ppl"].get<double>());
    EXPECT_GT(cand["kld"]["mean"].get<double>(), 0.0);
    EXPECT_LT(cand["same_top"]["share"].get<double>(), 1.0);
    ASSERT_EQ(cand["layers"].size(), 6u);
    // Quantization error accumulates: the last block drifts more than the first.
    EXPECT_LT(cand["layers"][5]["cosine"].get<double>(), cand["layers"][0]["cosine"].get<double>());
    EXPECT_GT(cand["layers"][5]["relative_error"].get<double>(), cand["layers"][0]["relative_error"].get<double>());
    ASSERT_EQ(cand["multiple_choice"].size(), 1u);
    EXPECT_EQ(cand["multiple_choice"][0]["tasks"], 40);
    // The model knows its books: far better than the 25 % of guessing.
    EXPECT_GT(base["multiple_choice"][0]["accuracy"].get<double>(), 0.5);
}

TEST(CliEval, TableNamesEveryModel)
{
    const auto r = test::runCommand(q(test::cliPath()) + " eval " + q(ref("F16")) + " " + q(ref("Q8_0")) + " --text " +
                                    q(corpus()) + " --ctx 128 --chunks 4");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("tiny-llama-spm-F16.gguf"), std::string::npos);
    EXPECT_NE(r.out.find("tiny-llama-spm-Q8_0.gguf"), std::string::npos);
    EXPECT_NE(r.out.find("per-layer drift"), std::string::npos);
}

TEST(CliEval, TextShorterThanAChunkIsAClearError)
{
    test::TempDir tmp;
    test::writeFile(tmp / "short.txt", "Only a few words.");
    const auto r = test::runCommand(q(test::cliPath()) + " eval " + q(ref("F16")) + " --text " + q(tmp / "short.txt"));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("condense-cli: error: " + (tmp / "short.txt").string() + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("fewer than"), std::string::npos) << r.err;
}

TEST(CliEval, ModelWithoutTokenizerIsAClearError)
{
    test::TempDir tmp;
    const auto dir = tmp / "no-tokenizer";
    fs::create_directories(dir);
    fs::copy_file(test::tinyLlamaDir() / "config.json", dir / "config.json");
    fs::create_symlink(test::tinyLlamaDir() / "model.safetensors", dir / "model.safetensors");
    const auto r = test::runCommand(q(test::cliPath()) + " eval " + q(dir) + " --text " + q(corpus()));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("condense-cli: error: " + dir.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("tokenizer"), std::string::npos) << r.err;
}

TEST(CliEval, ArchitectureWeCannotRunIsAClearError)
{
    test::TempDir tmp;
    const auto dir = tmp / "gpt2";
    test::writeFile(dir / "config.json",
                    R"({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": 8, "vocab_size": 16})");
    test::SafetensorsBuilder st;
    st.tensor("wte.weight", "F32", {16, 8}, 4);
    test::writeFile(dir / "model.safetensors", st.build());
    const auto r = test::runCommand(q(test::cliPath()) + " generate " + q(dir) + " --prompt hello");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("condense-cli: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("architecture"), std::string::npos) << r.err;
}

TEST(CliGenerate, GreedyContinuationMatchesTransformers)
{
    // golden/logits.json: prompt 0 of the tiny model and its 32-token greedy continuation.
    const auto golden = nlohmann::json::parse(test::readFile(test::tinyLlamaDir() / "golden" / "logits.json"));
    const auto& p0 = golden["prompts"][0];
    const std::string prompt = p0["text"].get<std::string>();
    const auto r = test::runCommand(q(test::cliPath()) + " generate " + q(test::tinyLlamaDir()) + " --prompt " +
                                    q(fs::path(prompt)) + " -n 32");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find(p0["greedy_continuation_text"].get<std::string>()), std::string::npos) << r.out;
}

TEST(CliBench, ReportsSpeedAsJson)
{
    const auto r = test::runCommand(q(test::cliPath()) + " bench " + q(ref("Q4_K_M")) + " -p 64 -n 8 -r 1 --json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_GT(j["pp_tokens_per_s"].get<double>(), 0.0);
    EXPECT_GT(j["tg_tokens_per_s"].get<double>(), 0.0);
    EXPECT_GT(j["peak_rss_bytes"].get<std::uint64_t>(), 0u);
}

} // namespace
