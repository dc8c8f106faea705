// The request API of core/pipeline is the one the CLI uses: a QuantizeRequest and an
// EvalRequest run in-process give exactly what `condense-cli quantize` / `condense-cli eval`
// give for the same options (the same file bytes; the same report figures), and their progress
// is one job-wide fraction that never goes back, reaches 1 only at the end, and covers the
// multiple-choice scoring that follows the perplexity pass. An AnalyzeRequest's mix preview
// quantizes each tensor to the type the quantizer's plan gives it, Hugging Face names included.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/pipeline/analyze_request.h"
#include "core/pipeline/eval_request.h"
#include "core/pipeline/quantize_request.h"
#include "tests/support/sha256.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Records every report and every job-wide fraction.
struct Recorder final : jobs::ProgressSink {
    struct Event {
        jobs::Stage stage;
        std::uint64_t done, total;
    };
    std::mutex m;
    std::vector<Event> events;
    std::vector<double> overalls;
    std::vector<double> etas;
    void report(jobs::Stage s, std::uint64_t d, std::uint64_t t, std::string_view) override
    {
        std::lock_guard l(m);
        events.push_back({s, d, t});
    }
    void overall(double f, double eta) override
    {
        std::lock_guard l(m);
        overalls.push_back(f);
        etas.push_back(eta);
    }
};

void expectOneRisingFraction(const Recorder& r)
{
    ASSERT_FALSE(r.overalls.empty());
    for (std::size_t i = 1; i < r.overalls.size(); ++i) EXPECT_GE(r.overalls[i], r.overalls[i - 1]) << "at report " << i;
    EXPECT_DOUBLE_EQ(r.overalls.back(), 1.0);
    // 1.0 is reached once, at the very end: no pass jumps to 100 % early.
    std::size_t ones = 0;
    for (double f : r.overalls) ones += f >= 1.0;
    EXPECT_LE(ones, 3u);
}

TEST(PipelineRequest, QuantizeGivesTheCliFile)
{
    test::TempDir dir;
    const fs::path viaCli = dir.path() / "cli.gguf";
    const auto c = test::runCommand(q(test::cliPath()) + " quantize " + q(test::tinyLlamaDir()) + " -o " + q(viaCli) +
                                    " --type Q4_K_M --tensor-type 'ffn_down=q8_0'");
    ASSERT_EQ(c.exitCode, 0) << c.err;

    pipeline::QuantizeRequest req;
    req.input = test::tinyLlamaDir();
    req.output = dir.path() / "api.gguf";
    req.type = "Q4_K_M";
    auto ov = pipeline::parseTensorTypeOverride("ffn_down=q8_0");
    ASSERT_TRUE(ov.ok()) << describe(ov.error());
    req.overrides.push_back(*ov);
    Recorder rec;
    auto r = pipeline::runQuantize(req, rec);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_FALSE(r->conversion);
    ASSERT_TRUE(r->plan.has_value());
    EXPECT_EQ(r->plan->mix, "Q4_K_M");
    EXPECT_EQ(test::sha256File(req.output), test::sha256File(viaCli));
    EXPECT_EQ(r->fileBytes, fs::file_size(viaCli));
    expectOneRisingFraction(rec);
}

TEST(PipelineRequest, FloatTypeIsTheConversion)
{
    test::TempDir dir;
    const fs::path viaCli = dir.path() / "cli.gguf";
    const auto c = test::runCommand(q(test::cliPath()) + " quantize " + q(test::tinyLlamaDir()) + " -o " + q(viaCli) + " --type F16");
    ASSERT_EQ(c.exitCode, 0) << c.err;
    pipeline::QuantizeRequest req;
    req.input = test::tinyLlamaDir();
    req.output = dir.path() / "api.gguf";
    req.type = "F16";
    Recorder rec;
    auto r = pipeline::runQuantize(req, rec);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_TRUE(r->conversion);
    EXPECT_EQ(test::sha256File(req.output), test::sha256File(viaCli));
    // llama.cpp's converter wrote exactly this file (the reference F16 GGUF).
    EXPECT_EQ(test::sha256File(req.output), test::sha256File(test::referenceGguf("F16")));
    expectOneRisingFraction(rec);
}

TEST(PipelineRequest, DryRunWritesNothingButThePlan)
{
    test::TempDir dir;
    pipeline::QuantizeRequest req;
    req.input = test::referenceGguf("F16");
    req.type = "Q4_0";
    req.dryRun = true;
    req.planOut = dir.path() / "plan.json";
    jobs::NullSink sink;
    auto r = pipeline::runQuantize(req, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    ASSERT_TRUE(r->plan.has_value());
    EXPECT_TRUE(fs::exists(req.planOut));
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 1u);
}

TEST(PipelineRequest, AnalyzePreviewFollowsTheMixPlan)
{
    const fs::path demo = test::sourceDir() / "resources" / "demo";
    pipeline::QuantizeRequest plan;
    plan.input = demo;
    plan.type = "Q4_K_M";
    plan.dryRun = true;
    jobs::NullSink sink;
    auto planned = pipeline::runQuantize(plan, sink);
    ASSERT_TRUE(planned.ok()) << describe(planned.error());

    pipeline::AnalyzeRequest req;
    req.path = demo;
    req.previewMix = "Q4_K_M";
    req.threads = 2;
    Recorder rec;
    std::vector<std::string> streamed;
    auto r = pipeline::runAnalyze(req, rec, {}, [&](const auto& t) { streamed.push_back(t->name); });
    ASSERT_TRUE(r.ok()) << describe(r.error());
    expectOneRisingFraction(rec);
    EXPECT_EQ(r->previewLabel, "Q4_K_M");
    ASSERT_EQ(streamed.size(), r->analysis.tensors.size());
    std::size_t previewed = 0;
    for (const auto& t : r->analysis.tensors) {
        if (!t->preview) continue;
        ++previewed;
        EXPECT_TRUE(t->preview->type == DType::Q4_K || t->preview->type == DType::Q6_K) << t->name;
    }
    std::size_t quantized = 0;
    for (const auto& tp : planned->plan->tensors) quantized += tp.type == DType::Q4_K || tp.type == DType::Q6_K;
    EXPECT_EQ(previewed, quantized);
    std::size_t q6 = 0, planQ6 = 0;
    for (const auto& t : r->analysis.tensors) q6 += t->preview && t->preview->type == DType::Q6_K;
    for (const auto& tp : planned->plan->tensors) planQ6 += tp.type == DType::Q6_K;
    EXPECT_EQ(q6, planQ6);
    EXPECT_GT(planQ6, 0u);

    req.previewMix = "Q9_K";
    auto bad = pipeline::runAnalyze(req, sink);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
}

TEST(PipelineRequest, EvalGivesTheCliReport)
{
    test::TempDir dir;
    const fs::path text = test::modelsDir() / "eval" / "corpus-val.txt";
    const fs::path base = test::referenceGguf("F16"), cand = test::referenceGguf("Q4_K_M");
    const auto c = test::runCommand(q(test::cliPath()) + " eval " + q(base) + " " + q(cand) + " --text " + q(text) +
                                    " --ctx 256 --chunks 6 --continuation 20 --json -");
    ASSERT_EQ(c.exitCode, 0) << c.err;
    const auto cli = nlohmann::json::parse(c.out);

    pipeline::EvalRequest req;
    req.models = {base, cand};
    req.labels = {base.filename().string(), cand.filename().string()};
    req.text = text;
    req.config.nCtx = 256;
    req.config.maxChunks = 6;
    req.config.continuationTasks = 20;
    req.reportPath = dir.path() / "report.json";
    Recorder rec;
    auto r = pipeline::runEval(req, rec);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    const auto api = nlohmann::json::parse(r->reportJson);
    ASSERT_EQ(api["models"].size(), 2u);
    ASSERT_EQ(cli["models"].size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(api["models"][i]["ppl"], cli["models"][i]["ppl"]);
        EXPECT_EQ(api["models"][i]["scored_tokens"], cli["models"][i]["scored_tokens"]);
        EXPECT_EQ(api["models"][i]["kld"], cli["models"][i]["kld"]);
        EXPECT_EQ(api["models"][i]["same_top"], cli["models"][i]["same_top"]);
    }
    EXPECT_EQ(api["chunks"], cli["chunks"]);
    EXPECT_EQ(api["chunks"], 6);
    // The report file holds the same document.
    ASSERT_TRUE(fs::exists(req.reportPath));
    std::ifstream f(req.reportPath);
    EXPECT_EQ(nlohmann::json::parse(f), api);

    // Progress: one rising job-wide fraction; the evaluation's own counts reach their total
    // only with the last report (after the continuation tasks of both models were scored).
    expectOneRisingFraction(rec);
    std::vector<Recorder::Event> evals;
    for (const auto& e : rec.events)
        if (e.stage == jobs::Stage::Evaluating) evals.push_back(e);
    ASSERT_GT(evals.size(), 12u);
    for (std::size_t i = 0; i + 1 < evals.size(); ++i) EXPECT_LT(evals[i].done, evals[i].total) << "report " << i << " of " << evals.size();
    EXPECT_EQ(evals.back().done, evals.back().total);
    // 6 chunks x 2 models are one part; 20 tasks x 2 models the rest: the chunk reports alone
    // must not have covered the whole.
    EXPECT_LT(evals[11].done, evals[11].total * 9 / 10);
}

} // namespace
