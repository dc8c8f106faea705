// runPipeline (core/pipeline/pipeline_run.h) on the demo model, and the run report
// (core/report/run_report.h, run_report_html.h) it writes and reads back.
//
// Kept fast: the evaluation runs on the first 12 kB of the bundled text in chunks of 128 tokens,
// latency on pp16/tg4.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "core/pipeline/bundled_eval_text.h"
#include "core/pipeline/pipeline_run.h"
#include "core/pipeline/quantize_request.h"
#include "core/plan/hf_format_plan.h"
#include "core/report/run_report.h"
#include "core/report/run_report_html.h"
#include "tests/support/small_run.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

pipeline::RunRequest smallRequest(const fs::path& evalText, const fs::path& out, const std::string& mix)
{
    return test::smallDemoRun(evalText, out, mix, 4);
}

// Records the job-wide fraction; optionally requests a stop at the first report of a stage.
class RecordingSink final : public jobs::ProgressSink {
public:
    void report(jobs::Stage stage, std::uint64_t, std::uint64_t, std::string_view) override
    {
        std::lock_guard lock(m);
        stages.push_back(stage);
        if (stopAt && *stopAt == stage && source) source->request_stop();
    }
    void overall(double fraction, double eta) override
    {
        std::lock_guard lock(m);
        fractions.push_back(fraction);
        if (eta >= 0) sawEta = true;
    }
    std::mutex m;
    std::vector<jobs::Stage> stages;
    std::vector<double> fractions;
    bool sawEta = false;
    std::optional<jobs::Stage> stopAt;
    std::stop_source* source = nullptr;
};

class PipelineRun : public ::testing::Test {
protected:
    void SetUp() override
    {
        const std::string_view text = pipeline::bundledEvalText();
        ASSERT_GT(text.size(), 12000u);
        test::writeFile(dir / "eval.txt", std::string(text.substr(0, 12000)));
    }
    test::TempDir dir{"condense-run-test"};
};

std::vector<std::string> sorted(std::vector<std::string> v)
{
    std::sort(v.begin(), v.end());
    return v;
}

TEST_F(PipelineRun, WritesModelAndReportsThatReadBackAndDriftGrowsFromQ8ToQ4)
{
    fs::create_directories(dir / "runs");
    RecordingSink sink8, sink4;
    auto q8 = pipeline::runPipeline(smallRequest(dir / "eval.txt", dir / "runs" / "q8", "Q8_0"), sink8);
    ASSERT_TRUE(q8) << describe(q8.error());
    auto q4 = pipeline::runPipeline(smallRequest(dir / "eval.txt", dir / "runs" / "q4", "Q4_K_M"), sink4);
    ASSERT_TRUE(q4) << describe(q4.error());

    // Exactly the three outputs, no staging folder or temporary file left.
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir / "runs" / "q4")) names.push_back(e.path().filename().string());
    EXPECT_EQ(sorted(names), (std::vector<std::string>{"demo-Q4_K_M.gguf", "report.html", "report.json"}));
    EXPECT_EQ(q4->model, dir / "runs" / "q4" / "demo-Q4_K_M.gguf");
    EXPECT_EQ(fs::file_size(q4->model), q4->report.quantized.bytes);

    // report.json parses back equal to what the run returned.
    auto back = report::readRunReport(q4->reportJson);
    ASSERT_TRUE(back) << describe(back.error());
    EXPECT_TRUE(*back == q4->report);
    EXPECT_EQ(back->model, "demo");
    EXPECT_EQ(back->mix, "Q4_K_M");
    EXPECT_EQ(back->output, "demo-Q4_K_M.gguf");
    EXPECT_EQ(back->chunks, 4);

    // One layer entry per block (the demo model has 6), drift and weight error both larger for
    // Q4_K_M than for Q8_0 in every layer; the whole-model figures follow.
    const auto& l8 = q8->report.layers;
    const auto& l4 = q4->report.layers;
    ASSERT_EQ(l8.size(), 6u);
    ASSERT_EQ(l4.size(), 6u);
    for (std::size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(l4[i].layer, static_cast<int>(i));
        EXPECT_GT(l8[i].driftRelativeError, 0.0) << i;
        EXPECT_GT(l8[i].weightRelativeRmse, 0.0) << i;
        EXPECT_GT(l4[i].driftRelativeError, l8[i].driftRelativeError) << "layer " << i;
        EXPECT_GT(l4[i].weightRelativeRmse, l8[i].weightRelativeRmse) << "layer " << i;
        EXPECT_LT(l4[i].driftCosine, 1.0);
    }
    EXPECT_EQ(std::count_if(l4.begin(), l4.end(), [](const auto& l) { return l.worstDrift; }), 1);
    EXPECT_EQ(std::count_if(l4.begin(), l4.end(), [](const auto& l) { return l.worstWeight; }), 1);
    EXPECT_GT(q4->report.quantized.kld.mean, q8->report.quantized.kld.mean);
    EXPECT_GT(q8->report.quantized.kld.mean, 0.0);
    EXPECT_EQ(q4->report.original.kld.mean, 0.0);
    EXPECT_LT(q4->report.quantized.bytes, q8->report.quantized.bytes);
    EXPECT_LT(q8->report.quantized.bytes, q8->report.original.bytes);

    // Per-tensor weight error: every matrix, Q8_0 ones around 2^-8 of the weights' RMS.
    ASSERT_FALSE(q8->report.tensors.empty());
    for (const auto& t : q8->report.tensors) {
        if (t.type == "Q8_0") {
            EXPECT_GT(t.relativeRmse, 1e-4) << t.name;
            EXPECT_LT(t.relativeRmse, 2e-2) << t.name;
        }
    }
    // The built-in continuation task and both latencies were measured.
    ASSERT_EQ(q4->report.quantized.mc.size(), 1u);
    EXPECT_EQ(q4->report.quantized.mc[0].task, "continuation");
    EXPECT_EQ(q4->report.quantized.mc[0].tasks, 10u);
    ASSERT_TRUE(q4->report.original.latency);
    ASSERT_TRUE(q4->report.quantized.latency);
    EXPECT_GT(q4->report.quantized.latency->tgTokensPerSecond, 0.0);
    std::vector<std::string> stageNames;
    for (const auto& s : q4->report.stages) stageNames.push_back(s.stage);
    EXPECT_EQ(stageNames, (std::vector<std::string>{"plan", "quantize", "evaluate", "latency", "weight_error", "report"}));

    // Job-wide progress: never backwards, ends at 1.
    ASSERT_FALSE(sink4.fractions.empty());
    EXPECT_TRUE(std::is_sorted(sink4.fractions.begin(), sink4.fractions.end()));
    EXPECT_DOUBLE_EQ(sink4.fractions.back(), 1.0);

    // The run index lists both runs of the model; the second run's HTML compares them.
    auto index = report::listRunReports(dir / "runs", "demo");
    ASSERT_TRUE(index) << describe(index.error());
    ASSERT_EQ(index->runs.size(), 2u);
    EXPECT_TRUE(index->skipped.empty());
    EXPECT_TRUE(report::listRunReports(dir / "runs", "another-model")->runs.empty());
    const std::string html = test::readFile(q4->reportHtml);
    EXPECT_NE(html.find("\"type\":\"Q8_0\""), std::string::npos);
    EXPECT_NE(html.find("\"type\":\"Q4_K_M\""), std::string::npos);
}

TEST_F(PipelineRun, RefusesToOverwriteUnlessAsked)
{
    auto req = smallRequest(dir / "eval.txt", dir / "out", "Q8_0");
    req.latency = false;
    test::writeFile(dir / "out" / "report.json", "keep me");
    RecordingSink sink;
    auto r = pipeline::runPipeline(req, sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(r.error().file, (dir / "out" / "report.json").string());
    EXPECT_EQ(test::readFile(dir / "out" / "report.json"), "keep me");
    EXPECT_EQ(dir.entries().size(), 2u); // eval.txt, out
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir / "out")) names.push_back(e.path().filename().string());
    EXPECT_EQ(names, (std::vector<std::string>{"report.json"}));

    req.overwrite = true;
    auto again = pipeline::runPipeline(req, sink);
    ASSERT_TRUE(again) << describe(again.error());
    EXPECT_TRUE(report::readRunReport(dir / "out" / "report.json"));
}

// Cancel at the first report of each stage: Cancelled, and the output folder is as before
// (here: it did not exist, and does not afterwards; a folder that existed keeps only its files).
class PipelineRunCancel : public PipelineRun, public ::testing::WithParamInterface<jobs::Stage> {};

TEST_P(PipelineRunCancel, LeavesNoFile)
{
    for (const bool existing : {false, true}) {
        const fs::path out = dir / (existing ? "existing" : "new");
        if (existing) test::writeFile(out / "other.txt", "x");
        auto req = smallRequest(dir / "eval.txt", out, "Q4_K_M");
        std::stop_source source;
        RecordingSink sink;
        sink.stopAt = GetParam();
        sink.source = &source;
        auto r = pipeline::runPipeline(req, sink, source.get_token());
        ASSERT_FALSE(r) << "finished although cancelled at " << jobs::stageName(GetParam());
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled) << describe(r.error());
        EXPECT_NE(std::find(sink.stages.begin(), sink.stages.end(), GetParam()), sink.stages.end());
        if (existing) {
            std::vector<std::string> names;
            for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
            EXPECT_EQ(names, (std::vector<std::string>{"other.txt"})) << jobs::stageName(GetParam());
        } else {
            EXPECT_FALSE(fs::exists(out)) << jobs::stageName(GetParam());
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Stages, PipelineRunCancel,
                         ::testing::Values(jobs::Stage::Opening, jobs::Stage::Quantizing, jobs::Stage::Validating,
                                           jobs::Stage::Evaluating, jobs::Stage::Measuring, jobs::Stage::Analyzing,
                                           jobs::Stage::Writing),
                         [](const auto& p) { return std::string(jobs::stageName(p.param)); });

TEST_F(PipelineRun, ErrorsBeforeAnyWork)
{
    RecordingSink sink;
    auto bad = smallRequest(dir / "eval.txt", dir / "out", "Q9_X");
    auto r = pipeline::runPipeline(bad, sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_FALSE(fs::exists(dir / "out"));
    auto noText = smallRequest(dir / "missing.txt", dir / "out", "Q8_0");
    r = pipeline::runPipeline(noText, sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::NotFound);
    EXPECT_FALSE(fs::exists(dir / "out"));
}

// The GUI's path: a ready (edited) plan instead of a mix name.
TEST_F(PipelineRun, FollowsAGivenPlan)
{
    pipeline::QuantizeRequest dry;
    dry.input = test::demoDir();
    dry.type = "Q8_0";
    dry.dryRun = true;
    jobs::NullSink quiet;
    auto planned = pipeline::runQuantize(dry, quiet);
    ASSERT_TRUE(planned) << describe(planned.error());
    plan::QuantPlan edited = *planned->plan;
    const auto at = edited.find("blk.0.ffn_down.weight");
    ASSERT_GE(at, 0);
    edited.tensors[static_cast<std::size_t>(at)].type = DType::Q4_K;

    auto req = smallRequest(dir / "eval.txt", dir / "out", "Q2_K"); // the plan wins over the mix
    req.plan = edited;
    req.latency = false;
    RecordingSink sink;
    auto r = pipeline::runPipeline(req, sink);
    ASSERT_TRUE(r) << describe(r.error());
    EXPECT_EQ(r->model.filename(), "demo-Q8_0.gguf");
    EXPECT_EQ(r->report.planSource, "plan");
    EXPECT_EQ(r->report.mix, "Q8_0");
    const auto t = std::find_if(r->report.tensors.begin(), r->report.tensors.end(),
                                [](const auto& x) { return x.name == "blk.0.ffn_down.weight"; });
    ASSERT_NE(t, r->report.tensors.end());
    EXPECT_EQ(t->type, "Q4_K");
    // Q4_K's error is several times Q8_0's, in this tensor as in the layer it belongs to.
    const auto q8 = std::find_if(r->report.tensors.begin(), r->report.tensors.end(),
                                 [](const auto& x) { return x.name == "blk.1.ffn_down.weight"; });
    ASSERT_NE(q8, r->report.tensors.end());
    EXPECT_EQ(q8->type, "Q8_0");
    EXPECT_GT(t->relativeRmse, 4 * q8->relativeRmse);
    EXPECT_GT(r->report.layers[0].weightRelativeRmse, r->report.layers[1].weightRelativeRmse);
    EXPECT_TRUE(r->report.layers[0].worstWeight);
}

// ---- HF quantized folders (format gptq / awq / compressed-tensors) ----------------------------

pipeline::RunRequest hfRequest(const fs::path& evalText, const fs::path& out, const std::string& format, const std::string& method,
                               int bits, std::int64_t group)
{
    auto r = smallRequest(evalText, out, "Q4_K_M");
    r.format = format;
    r.method = method;
    r.bits = bits;
    r.group = group;
    r.latency = false;
    return r;
}

const report::RunTensor* reportTensor(const report::RunReport& r, const std::string& name)
{
    const auto t = std::find_if(r.tensors.begin(), r.tensors.end(), [&](const auto& x) { return x.name == name; });
    return t == r.tensors.end() ? nullptr : &*t;
}

// The Quantize page's HF path: the folder is written, evaluated against the original like a GGUF
// (the KLD is that of the folder's dequantized weights: larger at 4 bits than at 8), the report
// records format, bits and group, and a second run into the same place is refused by name.
TEST_F(PipelineRun, WritesAGptqFolderEvaluatesItAndRefusesAFolderThatHoldsAModel)
{
    RecordingSink sink;
    const fs::path out = dir / "runs" / "gptq";
    auto r = pipeline::runPipeline(hfRequest(dir / "eval.txt", out, "gptq", "rtn", 4, 32), sink);
    ASSERT_TRUE(r) << describe(r.error());
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
    EXPECT_EQ(sorted(names), (std::vector<std::string>{"demo-GPTQ-4bit-g32", "report.html", "report.json"}));
    EXPECT_EQ(r->model, out / "demo-GPTQ-4bit-g32");
    EXPECT_TRUE(fs::is_regular_file(r->model / "model.safetensors"));
    EXPECT_NE(test::readFile(r->model / "config.json").find("\"quant_method\": \"gptq\""), std::string::npos);
    EXPECT_TRUE(fs::is_regular_file(r->model / "tokenizer.json"));

    const report::RunReport& rep = r->report;
    EXPECT_EQ(rep.format, "gptq");
    EXPECT_EQ(rep.method, "rtn");
    EXPECT_EQ(rep.bits, 4);
    EXPECT_EQ(rep.groupSize, 32);
    EXPECT_TRUE(rep.symmetric);
    EXPECT_FALSE(rep.actOrder);
    EXPECT_EQ(rep.mix, "GPTQ-4bit-g32");
    EXPECT_EQ(rep.output, "demo-GPTQ-4bit-g32");
    EXPECT_EQ(rep.planSource, "format");
    EXPECT_EQ(rep.calibration, "");
    EXPECT_EQ(rep.quantized.bytes, fs::file_size(r->model / "model.safetensors"));
    // Embeddings and the output layer (4096 x 256 each) stay F16: about half of the demo's bytes.
    EXPECT_LT(rep.quantized.bytes, rep.original.bytes * 6 / 10);
    EXPECT_GT(rep.quantized.kld.mean, 0.0);
    EXPECT_EQ(rep.layers.size(), 6u);
    auto back = report::readRunReport(r->reportJson);
    ASSERT_TRUE(back) << describe(back.error());
    EXPECT_TRUE(*back == rep);
    EXPECT_EQ(std::find(sink.stages.begin(), sink.stages.end(), jobs::Stage::Calibrating), sink.stages.end());
    // Quantized linears have an error, the tensors the format keeps have none.
    const auto* q = reportTensor(rep, "blk.0.attn_q.weight");
    const auto* embd = reportTensor(rep, "token_embd.weight");
    const auto* output = reportTensor(rep, "output.weight");
    ASSERT_TRUE(q && embd && output);
    EXPECT_EQ(q->type, "4-bit g32");
    EXPECT_GT(q->relativeRmse, 0.01);
    EXPECT_LT(q->relativeRmse, 0.2);
    EXPECT_EQ(embd->relativeRmse, 0.0);
    EXPECT_EQ(output->relativeRmse, 0.0);
    EXPECT_EQ(output->type, "F16");

    // The GUI's path: an 8-bit compressed-tensors plan given as the plan (its settings win over
    // the request's), closer to the original than 4 bits.
    jobs::NullSink quiet;
    auto model = pipeline::readPlanModel(test::demoDir(), quiet);
    ASSERT_TRUE(model) << describe(model.error());
    plan::HfFormatOptions o;
    o.format = plan::PlanFormat::CompressedTensors;
    o.encoding = {8, 64, true};
    auto req8 = hfRequest(dir / "eval.txt", dir / "runs" / "ct8", "gguf", "", 2, 128);
    req8.plan = plan::planHfFormat(model->tensors, o);
    auto r8 = pipeline::runPipeline(req8, sink);
    ASSERT_TRUE(r8) << describe(r8.error());
    EXPECT_EQ(r8->model.filename(), "demo-CT-8bit-g64");
    EXPECT_EQ(r8->report.format, "compressed-tensors");
    EXPECT_EQ(r8->report.bits, 8);
    EXPECT_EQ(r8->report.groupSize, 64);
    EXPECT_EQ(r8->report.planSource, "plan");
    EXPECT_NE(test::readFile(r8->model / "config.json").find("pack-quantized"), std::string::npos);
    EXPECT_LT(r8->report.quantized.kld.mean, rep.quantized.kld.mean);
    EXPECT_LT(reportTensor(r8->report, "blk.0.attn_q.weight")->relativeRmse, q->relativeRmse / 4);

    // The same run again: the folder holds a model, refused before any work, nothing changed.
    const auto before = fs::last_write_time(r->model / "model.safetensors");
    auto again = pipeline::runPipeline(hfRequest(dir / "eval.txt", out, "gptq", "rtn", 4, 32), sink);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(again.error().file, r->model.string());
    EXPECT_NE(again.error().detail.find("already holds a model"), std::string::npos) << describe(again.error());
    EXPECT_EQ(fs::last_write_time(r->model / "model.safetensors"), before);
    names.clear();
    for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
    EXPECT_EQ(sorted(names), (std::vector<std::string>{"demo-GPTQ-4bit-g32", "report.html", "report.json"}));
}

// Calibrated methods run before the export, inside the job's one progress bar: GPTQ as a
// Calibrating stage (tokens, then linears), AWQ block by block (its own Quantizing reports).
TEST_F(PipelineRun, RunsCalibratedGptqAndAwqFolders)
{
    {
        auto req = hfRequest(dir / "eval.txt", dir / "ct", "compressed-tensors", "gptq", 4, 64);
        req.actOrder = true;
        req.calibration = "code";
        req.calibrationTokens = 512;
        RecordingSink sink;
        auto r = pipeline::runPipeline(req, sink);
        ASSERT_TRUE(r) << describe(r.error());
        EXPECT_NE(std::find(sink.stages.begin(), sink.stages.end(), jobs::Stage::Calibrating), sink.stages.end());
        EXPECT_TRUE(std::is_sorted(sink.fractions.begin(), sink.fractions.end()));
        EXPECT_EQ(r->report.method, "gptq");
        EXPECT_EQ(r->report.calibration, "code");
        EXPECT_TRUE(r->report.actOrder);
        EXPECT_EQ(r->report.stages.front().stage, "plan");
        EXPECT_NE(test::readFile(r->model / "config.json").find("\"actorder\": \"group\""), std::string::npos);
    }
    auto req = hfRequest(dir / "eval.txt", dir / "awq", "awq", "awq", 4, 64);
    req.calibration = "general";
    req.calibrationTokens = 512;
    RecordingSink sink;
    auto r = pipeline::runPipeline(req, sink);
    ASSERT_TRUE(r) << describe(r.error());
    EXPECT_TRUE(std::is_sorted(sink.fractions.begin(), sink.fractions.end()));
    EXPECT_EQ(r->model.filename(), "demo-AWQ-4bit-g64");
    EXPECT_NE(test::readFile(r->model / "config.json").find("\"quant_method\": \"awq\""), std::string::npos);
    EXPECT_EQ(r->report.format, "awq");
    EXPECT_EQ(r->report.method, "awq");
    EXPECT_EQ(r->report.calibration, "general");
    EXPECT_FALSE(r->report.symmetric);
    EXPECT_GT(r->report.quantized.kld.mean, 0.0);
}

// Refusals before any work (the output folder is never made), and a cancelled HF run leaves nothing.
TEST_F(PipelineRun, HfFormatsRefuseWhatTheyCannotMakeAndCancelCleanly)
{
    RecordingSink sink;
    const fs::path out = dir / "out";
    auto bits = hfRequest(dir / "eval.txt", out, "gptq", "rtn", 5, 128);
    auto r = pipeline::runPipeline(bits, sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    auto awqSym = hfRequest(dir / "eval.txt", out, "awq", "rtn", 4, 128);
    awqSym.symmetric = true;
    EXPECT_FALSE(pipeline::runPipeline(awqSym, sink));
    auto gguf = hfRequest(dir / "eval.txt", out, "gptq", "rtn", 4, 128);
    test::writeFile(dir / "model.gguf", "GGUF");
    gguf.input = dir / "model.gguf";
    r = pipeline::runPipeline(gguf, sink);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().file, gguf.input.string());
    EXPECT_FALSE(fs::exists(out));

    for (const jobs::Stage stage : {jobs::Stage::Quantizing, jobs::Stage::Evaluating}) {
        std::stop_source source;
        RecordingSink cancel;
        cancel.stopAt = stage;
        cancel.source = &source;
        r = pipeline::runPipeline(hfRequest(dir / "eval.txt", out, "gptq", "rtn", 4, 128), cancel, source.get_token());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled) << jobs::stageName(stage);
        EXPECT_FALSE(fs::exists(out)) << jobs::stageName(stage);
    }
}

TEST(PipelineRunNames, OutputNames)
{
    EXPECT_EQ(pipeline::runOutputFileName(test::demoDir(), "Q4_K_M"), "demo-Q4_K_M.gguf");
    EXPECT_EQ(pipeline::runOutputFileName("/x/TinyLlama-1.1B.F16.gguf", "Q8_0"), "TinyLlama-1.1B.F16-Q8_0.gguf");
    EXPECT_EQ(pipeline::runOutputFileName("/x/model/", ""), "model-custom.gguf");
}

report::RunReport sampleReport()
{
    report::RunReport r;
    r.created = "2026-12-06T05:40:00Z";
    r.model = "demo </script><b>x</b> \xc3\xa9";
    r.input = "resources/demo";
    r.output = "demo-Q4_K_M.gguf";
    r.mix = "Q4_K_M";
    r.fileType = 15;
    r.tensorCount = 57;
    r.predictedBytes = 4330496;
    r.bitsPerWeight = 5.0805123456789;
    r.evalText = "sample.txt";
    r.nCtx = 128;
    r.chunks = 4;
    r.textTokens = 3000;
    r.driftChunks = 2;
    r.threads = 2;
    r.original.label = "demo";
    r.original.bytes = 13644256;
    r.original.ppl = 10.123456789012345;
    r.original.mc.push_back({"continuation", 10, 7, 0.7});
    r.original.latency = report::LatencyFigures{2, 16, 123.456, 4, 45.6, 1000};
    r.quantized = r.original;
    r.quantized.kld = {0.01, 0.001, 0.005, 0.02, 0.1, 0.5};
    r.quantized.sameTop = 0.95;
    r.layers = {{0, 0.01, 0.999, 0.03, false, true}, {1, 0.03, 0.99, 0.02, true, false}};
    r.tensors = {{"blk.0.attn_q.weight", 0, "F16", "Q4_K", 65536, 36864, 0.0312}};
    r.stages = {{"plan", 0.01}, {"quantize", 0.5}};
    r.warnings.push_back(Message(MessageCode::Requantizing, "", {{"count", "3"}}));
    return r;
}

TEST(RunReport, JsonRoundTripsExactly)
{
    const auto r = sampleReport();
    auto back = report::runReportFromJson(report::runReportJson(r), "x.json");
    ASSERT_TRUE(back) << describe(back.error());
    EXPECT_TRUE(*back == r);
    auto compact = report::runReportFromJson(report::runReportJson(r, -1), "x.json");
    ASSERT_TRUE(compact);
    EXPECT_TRUE(*compact == r);
}

TEST(RunReport, ReaderNamesWhatIsWrong)
{
    const std::string good = report::runReportJson(sampleReport());
    auto e = report::runReportFromJson("{", "a.json");
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, ErrorCode::Malformed);
    EXPECT_EQ(e.error().file, "a.json");

    std::string v2 = good;
    v2.replace(v2.find("condense.run/1"), 14, "condense.run/2");
    e = report::runReportFromJson(v2, "a.json");
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, ErrorCode::UnsupportedVersion);

    std::string noPpl = good;
    const auto at = noPpl.find("\"ppl\"", noPpl.find("\"quantized\""));
    noPpl.replace(at, 5, "\"ppx\"");
    e = report::runReportFromJson(noPpl, "a.json");
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, ErrorCode::Malformed);
    EXPECT_NE(e.error().detail.find("$.quantized.ppl: missing"), std::string::npos) << e.error().detail;

    std::string wrongType = good;
    const auto layer = wrongType.find("\"layer\": 0");
    ASSERT_NE(layer, std::string::npos);
    wrongType.replace(layer, 10, "\"layer\": \"0\"");
    e = report::runReportFromJson(wrongType, "a.json");
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().detail.find("$.layers[0].layer: wrong type"), std::string::npos) << e.error().detail;
}

TEST(RunReport, WorstLayersAreThoseThatAddMostDriftAndHaveMostWeightError)
{
    std::vector<report::RunLayer> layers;
    const double drift[] = {0.01, 0.02, 0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.30};
    const double weight[] = {0.05, 0.01, 0.01, 0.01, 0.02, 0.01, 0.01, 0.01, 0.01};
    for (int i = 0; i < 9; ++i) layers.push_back({i, drift[i], 1, weight[i], false, false});
    report::markWorstLayers(layers); // 9 layers: ceil(9 / 8) = 2 of each
    std::vector<int> worstDrift, worstWeight;
    for (const auto& l : layers) {
        if (l.worstDrift) worstDrift.push_back(l.layer);
        if (l.worstWeight) worstWeight.push_back(l.layer);
    }
    EXPECT_EQ(worstDrift, (std::vector<int>{2, 8})); // +0.08 and +0.15; layer 8 has the largest drift too
    EXPECT_EQ(worstWeight, (std::vector<int>{0, 4}));
}

TEST(RunReportHtml, JsonCannotEndTheScriptElement)
{
    const auto r = sampleReport();
    const std::string html = report::runReportHtml(r);
    // The model name holds "</script>": only the three script elements' own end tags remain.
    std::size_t ends = 0;
    for (auto p = html.find("</script"); p != std::string::npos; p = html.find("</script", p + 1)) ++ends;
    EXPECT_EQ(ends, 3u);
    EXPECT_EQ(html.find("</script><b>"), std::string::npos);
    EXPECT_NE(html.find("demo \\u003c/script\\u003e\\u003cb\\u003ex\\u003c/b\\u003e \\u00e9"), std::string::npos);
    // Self-contained: the chart library is inlined, nothing is fetched.
    EXPECT_NE(html.find("Chart.js v4"), std::string::npos);
    EXPECT_EQ(html.find("src=\"http"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_NE(html.find("Permission is hereby granted"), std::string::npos); // the licence
    // The comparison holds the model's runs evaluated the same way, and this run.
    auto same = r;
    same.mix = "Q8_0";
    same.created = "2026-12-06T05:00:00Z";
    auto otherContext = r;
    otherContext.mix = "Q2_K";
    otherContext.created = "2026-12-06T04:00:00Z";
    otherContext.nCtx = 512;
    const std::string compared = report::runReportHtml(r, {same, otherContext});
    EXPECT_NE(compared.find("\"current\":false,\"kld\":0.01,\"ppl\":10.1234"), std::string::npos);
    EXPECT_NE(compared.find("\"type\":\"Q8_0\"}"), std::string::npos);
    EXPECT_NE(compared.find("\"current\":true,"), std::string::npos);
    EXPECT_NE(compared.find("\"type\":\"Q4_K_M\"}"), std::string::npos);
    EXPECT_EQ(compared.find("\"type\":\"Q2_K\""), std::string::npos);
    EXPECT_EQ(report::scriptSafeJson("{\"a\":\"<&>\"}"), "{\"a\":\"\\u003c\\u0026\\u003e\"}");
}

} // namespace
