// quantize --type MIX --method gptq (runQuantize, core/pipeline/gguf_gptq_run.h) on the demo
// model with a small calibration budget (8 chunks of 128 tokens of the bundled `general` set):
//  - the file has the round-to-nearest mix's tensor names, types, shapes and byte sizes, the
//    same general.file_type, every tensor GPTQ does not touch (token_embd, norms) byte for byte
//    the RTN file's, the linears different; it opens and runs in our engine;
//  - on the general set's held-out text its KLD against the original is lower than that of the
//    imatrix + RTN file with an imatrix computed (runCalibrate) on the same calibration tokens;
//    `--method imatrix --calibration general` (the imatrix computed in the run) writes that
//    file's tensors and leaves no temporary behind;
//  - from the F16 GGUF (Q/K rows permuted in file and engine) GPTQ is as good as from the folder;
//  - a stop request during calibration leaves no file (nor temporary);
//  - a calibration text shorter than one chunk fails naming the file; so does a bad type.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>
#include <fstream>
#include <map>
#include <stop_token>
#include <string>

#include "core/io/gguf_file.h"
#include "core/pipeline/calibrate_request.h"
#include "core/pipeline/calibration_set.h"
#include "core/pipeline/eval_request.h"
#include "core/pipeline/quantize_request.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kCtx = 128;
constexpr std::int64_t kTokens = 8 * kCtx;

pipeline::QuantizeRequest gptqRequest(const fs::path& out, const std::string& type = "Q4_K_M")
{
    pipeline::QuantizeRequest r;
    r.input = test::demoDir();
    r.output = out;
    r.type = type;
    r.method = "gptq";
    r.calibration = "general";
    r.calibrationTokens = kTokens;
    r.calibrationCtx = kCtx;
    r.threads = 2;
    return r;
}


struct StageRecorder final : jobs::ProgressSink {
    std::stop_source* stopOnCalibrating = nullptr;
    int calibrating = 0;
    std::vector<double> overalls;
    void overall(double f, double) override { overalls.push_back(f); }
    void report(jobs::Stage s, std::uint64_t, std::uint64_t, std::string_view) override
    {
        if (s != jobs::Stage::Calibrating) return;
        ++calibrating;
        if (stopOnCalibrating && calibrating == 3) stopOnCalibrating->request_stop();
    }
};

std::uint64_t fileType(const io::GgufFile& f)
{
    for (const auto& kv : f.metadata())
        if (kv.key == "general.file_type") return kv.value.asUInt().value_or(~0ull);
    return ~0ull;
}

class GgufGptq : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = new test::TempDir();
        jobs::NullSink quiet;
        auto rtn = gptqRequest(s_dir->path() / "rtn.gguf");
        rtn.method.clear();
        rtn.calibration.clear();
        rtn.calibrationTokens = 0;
        rtn.calibrationCtx = 0;
        auto a = pipeline::runQuantize(rtn, quiet);
        ASSERT_TRUE(a.ok()) << describe(a.error());
        StageRecorder rec;
        auto b = pipeline::runQuantize(gptqRequest(s_dir->path() / "gptq.gguf"), rec);
        ASSERT_TRUE(b.ok()) << describe(b.error());
        s_gptqOutcome = new pipeline::QuantizeOutcome(std::move(*b));
        s_calibratingReports = rec.calibrating;
        s_overalls = rec.overalls;
    }
    static void TearDownTestSuite()
    {
        delete s_gptqOutcome;
        delete s_dir;
    }
    static inline test::TempDir* s_dir = nullptr;
    static inline pipeline::QuantizeOutcome* s_gptqOutcome = nullptr;
    static inline int s_calibratingReports = 0;
    static inline std::vector<double> s_overalls;
};

TEST_F(GgufGptq, SameTensorsTypesAndSizesAsTheRtnMix)
{
    ASSERT_NE(s_gptqOutcome, nullptr);
    EXPECT_EQ(s_gptqOutcome->method, "gptq");
    EXPECT_GT(s_gptqOutcome->gptqTensors, 0);
    EXPECT_EQ(s_gptqOutcome->calibrationChunks, 8);
    EXPECT_GT(s_calibratingReports, 0);
    // One job-wide fraction over calibration and writing: never going back, ending near 1.
    ASSERT_FALSE(s_overalls.empty());
    EXPECT_TRUE(std::is_sorted(s_overalls.begin(), s_overalls.end()));
    EXPECT_GT(s_overalls.back(), 0.95);
    auto rtn = io::GgufFile::open(s_dir->path() / "rtn.gguf");
    auto gptq = io::GgufFile::open(s_dir->path() / "gptq.gguf");
    ASSERT_TRUE(rtn.ok() && gptq.ok());
    EXPECT_EQ(fileType(**rtn), fileType(**gptq));
    EXPECT_EQ(fs::file_size(s_dir->path() / "rtn.gguf"), fs::file_size(s_dir->path() / "gptq.gguf"));
    const auto& a = (*rtn)->tensors();
    const auto& b = (*gptq)->tensors();
    ASSERT_EQ(a.size(), b.size());
    int linearsChanged = 0, linears = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        SCOPED_TRACE(a[i].name);
        ASSERT_EQ(a[i].name, b[i].name);
        EXPECT_EQ(a[i].type, b[i].type);
        EXPECT_EQ(a[i].nDims, b[i].nDims);
        for (std::uint32_t d = 0; d < a[i].nDims; ++d) EXPECT_EQ(a[i].ne[d], b[i].ne[d]);
        const auto da = (*rtn)->tensorData(i), db = (*gptq)->tensorData(i);
        ASSERT_EQ(da.size(), db.size());
        const bool same = std::equal(da.begin(), da.end(), db.begin());
        const bool linear = a[i].name.rfind("blk.", 0) == 0 && a[i].nDims == 2;
        if (linear || a[i].name == "output.weight") {
            ++linears;
            linearsChanged += same ? 0 : 1;
        } else {
            EXPECT_TRUE(same) << "a tensor GPTQ does not quantize differs from the mix's";
        }
    }
    EXPECT_EQ(linearsChanged, linears);
    EXPECT_EQ(s_gptqOutcome->gptqTensors + s_gptqOutcome->fallbackTensors, linears);
}

TEST_F(GgufGptq, KldBelowImatrixRtnOnHeldOutText)
{
    ASSERT_NE(s_gptqOutcome, nullptr);
    jobs::NullSink quiet;
    pipeline::CalibrateRequest c;
    c.model = test::demoDir();
    c.set = "general";
    c.ctx = kCtx;
    c.tokenBudget = kTokens;
    c.output = s_dir->path() / "imatrix.gguf";
    c.threads = 2;
    auto im = pipeline::runCalibrate(c, quiet);
    ASSERT_TRUE(im.ok()) << describe(im.error());
    ASSERT_EQ(im->chunks, 8);
    auto iq = gptqRequest(s_dir->path() / "imatrix-rtn.gguf");
    iq.method = "imatrix";
    iq.imatrix = c.output;
    iq.calibration.clear();
    iq.calibrationTokens = 0;
    iq.calibrationCtx = 0;
    auto q = pipeline::runQuantize(iq, quiet);
    ASSERT_TRUE(q.ok()) << describe(q.error());

    // --method imatrix --calibration general: the same importance matrix computed in the run
    // (no file given, none left behind) gives the same tensors, and the job's one fraction
    // never goes back when the calibration hands over to the quantizer.
    {
        test::TempDir own;
        auto inRun = gptqRequest(own.path() / "in-run.gguf");
        inRun.method = "imatrix";
        StageRecorder rec;
        auto x = pipeline::runQuantize(inRun, rec);
        ASSERT_TRUE(x.ok()) << describe(x.error());
        EXPECT_GT(rec.calibrating, 0);
        ASSERT_GE(rec.overalls.size(), 3u);
        EXPECT_TRUE(std::is_sorted(rec.overalls.begin(), rec.overalls.end()));
        EXPECT_GT(rec.overalls.back(), 0.95);
        EXPECT_EQ(own.entries(), std::vector<std::string>{"in-run.gguf"});
        auto a = io::GgufFile::open(iq.output);
        auto b = io::GgufFile::open(inRun.output);
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ((*a)->tensors().size(), (*b)->tensors().size());
        for (std::size_t i = 0; i < (*a)->tensors().size(); ++i) {
            const auto da = (*a)->tensorData(i), db = (*b)->tensorData(i);
            ASSERT_EQ(da.size(), db.size());
            EXPECT_TRUE(std::equal(da.begin(), da.end(), db.begin())) << (*a)->tensors()[i].name;
        }
    }

    auto src = pipeline::loadCalibrationSource("general", pipeline::ChatStyle::Plain);
    ASSERT_TRUE(src.ok());
    pipeline::EvalRequest e;
    e.models = {test::demoDir(), s_dir->path() / "rtn.gguf", iq.output, s_dir->path() / "gptq.gguf"};
    e.textContent = src->heldOut;
    e.text = "general-held-out";
    e.config.nCtx = kCtx;
    e.config.maxChunks = 16;
    e.config.driftChunks = 0;
    e.threads = 2;
    auto r = pipeline::runEval(e, quiet);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    ASSERT_EQ(r->result.models.size(), 4u);
    const double rtnKld = r->result.models[1].kldMean, imKld = r->result.models[2].kldMean, gptqKld = r->result.models[3].kldMean;
    std::printf("held-out KLD (demo, Q4_K_M, %lld chunks of %lld): rtn %.6f, imatrix-rtn %.6f, gptq %.6f (ratio %.3f)\n",
                static_cast<long long>(r->result.chunks), static_cast<long long>(kCtx), rtnKld, imKld, gptqKld, gptqKld / imKld);
    EXPECT_GT(gptqKld, 0.0);
    EXPECT_LT(gptqKld, imKld);
}

// From the F16 GGUF of the same model (llama-arch: attn_q / attn_k rows stored permuted, the
// engine running them so) the GPTQ file is as good as from the Hugging Face folder: a wrong Q/K
// row order either way would ruin attention and the KLD.
TEST_F(GgufGptq, GgufInputKeepsTheQkRowOrder)
{
    ASSERT_NE(s_gptqOutcome, nullptr);
    jobs::NullSink quiet;
    auto req = gptqRequest(s_dir->path() / "gptq-from-gguf.gguf");
    req.input = test::referenceGguf("F16");
    auto g = pipeline::runQuantize(req, quiet);
    ASSERT_TRUE(g.ok()) << describe(g.error());
    pipeline::EvalRequest e;
    e.models = {test::demoDir(), s_dir->path() / "rtn.gguf", s_dir->path() / "gptq.gguf", req.output};
    auto src = pipeline::loadCalibrationSource("general", pipeline::ChatStyle::Plain);
    ASSERT_TRUE(src.ok());
    e.textContent = src->heldOut;
    e.text = "general-held-out";
    e.config.nCtx = kCtx;
    e.config.maxChunks = 16;
    e.config.driftChunks = 0;
    e.threads = 2;
    auto r = pipeline::runEval(e, quiet);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    const double rtnKld = r->result.models[1].kldMean, hfKld = r->result.models[2].kldMean, ggufKld = r->result.models[3].kldMean;
    std::printf("held-out KLD: rtn %.6f, gptq from the folder %.6f, from the F16 GGUF %.6f\n", rtnKld, hfKld, ggufKld);
    EXPECT_LT(ggufKld, rtnKld);
    EXPECT_NEAR(ggufKld, hfKld, 0.1 * hfKld);
}

TEST(GgufGptqErrors, StopDuringCalibrationLeavesNoFile)
{
    test::TempDir dir;
    std::stop_source stop;
    StageRecorder rec;
    rec.stopOnCalibrating = &stop;
    auto r = pipeline::runQuantize(gptqRequest(dir.path() / "out.gguf"), rec, stop.get_token());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
    EXPECT_TRUE(fs::is_empty(dir.path())) << "the run left a file behind";
}

TEST(GgufGptqErrors, CalibrationTextShorterThanAChunkNamesTheFile)
{
    test::TempDir dir;
    const fs::path text = dir.path() / "short-calibration.txt";
    std::ofstream(text) << "Only a few words here.\n";
    auto req = gptqRequest(dir.path() / "out.gguf");
    req.calibration = text.string();
    jobs::NullSink quiet;
    auto r = pipeline::runQuantize(req, quiet);
    ASSERT_FALSE(r.ok());
    EXPECT_NE((r.error().file + " " + r.error().detail).find("short-calibration.txt"), std::string::npos) << describe(r.error());
    EXPECT_FALSE(fs::exists(dir.path() / "out.gguf"));
}

TEST(GgufGptqErrors, FloatTypeAndImatrixAreRefused)
{
    test::TempDir dir;
    jobs::NullSink quiet;
    auto f = gptqRequest(dir.path() / "out.gguf", "F16");
    auto a = pipeline::runQuantize(f, quiet);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().code, ErrorCode::InvalidArgument);
    auto g = gptqRequest(dir.path() / "out.gguf");
    g.imatrix = dir.path() / "some.imatrix.gguf";
    auto b = pipeline::runQuantize(g, quiet);
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.error().detail.find("--imatrix"), std::string::npos);
    EXPECT_TRUE(fs::is_empty(dir.path()));
}

} // namespace
