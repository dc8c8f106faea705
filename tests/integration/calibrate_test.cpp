// `condense-cli calibrate` / runCalibrate against llama-imatrix (the oracle): the importance
// matrix of the demo model over the first 8 chunks of 128 tokens of resources/eval/sample.txt
// has llama-imatrix's keys, chunk count, tensor names, shapes (n_dims included) and order,
// equal counts, and sums of squares within float32 rounding (tests/data/calibration/ holds
// llama-imatrix's file; the command that made it is in tests/data/README.md). Our file reads back with our
// imatrix reader and drives `quantize --imatrix`. Bad input gives errors naming the file, and an
// error or a stop request leaves no file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stop_token>
#include <vector>

#include "core/io/gguf_file.h"
#include "core/pipeline/calibrate_request.h"
#include "core/quant/imatrix.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path sampleText() { return test::sourceDir() / "resources" / "eval" / "sample.txt"; }
fs::path referenceImatrix() { return test::dataDir() / "calibration" / "demo-sample-c128-imatrix.gguf"; }

// llama-imatrix -c 128 --chunks 8 over sample.txt (tests/data/README.md).
pipeline::CalibrateRequest sampleRequest(const fs::path& output)
{
    pipeline::CalibrateRequest r;
    r.model = test::demoDir();
    r.text = sampleText();
    r.datasetLabel = "resources/eval/sample.txt";
    r.ctx = 128;
    r.tokenBudget = 8 * 128;
    r.output = output;
    r.threads = 2;
    return r;
}

std::vector<float> floats(const io::GgufFile& f, std::size_t index)
{
    const auto bytes = f.tensorData(index);
    std::vector<float> v(bytes.size() / sizeof(float));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
    return v;
}

struct Recorder final : jobs::ProgressSink {
    std::mutex m;
    std::vector<double> overalls;
    std::uint64_t chunksDone = 0, chunksTotal = 0;
    std::stop_source* stopAfterChunk = nullptr;
    void report(jobs::Stage s, std::uint64_t d, std::uint64_t t, std::string_view) override
    {
        std::lock_guard l(m);
        if (s != jobs::Stage::Calibrating) return;
        chunksDone = d;
        chunksTotal = t;
        if (stopAfterChunk && d >= 2) stopAfterChunk->request_stop();
    }
    void overall(double f, double) override
    {
        std::lock_guard l(m);
        overalls.push_back(f);
    }
};

// The reference was made from the F32 GGUF of the demo model with an F32 KV cache
// (tests/data/README.md), so llama.cpp computes every activation in float32 from the same
// weights as we do; what differs is summation order: its matmuls and attention, and its sums of
// x*x, which it adds in float32 one row at a time over 1024 rows (relative rounding bound
// 1024 * 2^-24 = 6e-5, a random walk of about sqrt(1024) * 2^-24 = 2e-6 in practice). We add in
// double. Measured: 2.8e-6 at most. 2e-5 leaves a 7x margin and stays far below what a wrong
// token in one chunk (1 row in 1024: ~1e-3) or llama-imatrix's defaults (F16 KV cache, F16
// matmul inputs with F16 weights: up to 1e-3) change.
constexpr double kRelTolerance = 2e-5;

TEST(Calibrate, MatchesLlamaImatrix)
{
    test::TempDir dir;
    const fs::path out = dir / "imatrix.gguf";
    Recorder progress;
    auto r = pipeline::runCalibrate(sampleRequest(out), progress);
    ASSERT_TRUE(r.ok()) << describe(r.error()) << " " << r.error().file;
    EXPECT_EQ(r->chunks, 8);
    EXPECT_EQ(r->chunkSize, 128);
    EXPECT_EQ(r->entries, 42u); // 6 blocks x 7 linears; output.weight is not collected
    EXPECT_EQ(progress.chunksDone, 8u);
    EXPECT_EQ(progress.chunksTotal, 8u);
    ASSERT_FALSE(progress.overalls.empty());
    EXPECT_DOUBLE_EQ(progress.overalls.back(), 1.0);
    for (std::size_t i = 1; i < progress.overalls.size(); ++i) EXPECT_GE(progress.overalls[i], progress.overalls[i - 1]);

    auto ours = io::GgufFile::open(out);
    ASSERT_TRUE(ours.ok()) << describe(ours.error());
    auto ref = io::GgufFile::open(test::requireFile(referenceImatrix()));
    ASSERT_TRUE(ref.ok()) << describe(ref.error());
    const io::GgufFile& a = **ours;
    const io::GgufFile& b = **ref;

    EXPECT_EQ(a.getString("general.type"), b.getString("general.type"));
    EXPECT_EQ(a.getUInt("imatrix.chunk_count"), b.getUInt("imatrix.chunk_count"));
    EXPECT_EQ(a.getUInt("imatrix.chunk_size"), b.getUInt("imatrix.chunk_size"));
    EXPECT_EQ(b.getUInt("imatrix.chunk_count"), std::optional<std::uint64_t>(8));
    ASSERT_NE(a.find("imatrix.datasets"), nullptr);
    ASSERT_NE(b.find("imatrix.datasets"), nullptr);
    EXPECT_EQ(a.find("imatrix.datasets")->strings(), b.find("imatrix.datasets")->strings());
    ASSERT_EQ(a.metadata().size(), b.metadata().size());
    for (std::size_t i = 0; i < a.metadata().size(); ++i) EXPECT_EQ(a.metadata()[i].key, b.metadata()[i].key);

    ASSERT_EQ(a.tensors().size(), b.tensors().size());
    double maxRel = 0;
    std::string worst;
    for (std::size_t i = 0; i < a.tensors().size(); ++i) {
        const auto& ta = a.tensors()[i];
        const auto& tb = b.tensors()[i];
        ASSERT_EQ(ta.name, tb.name) << "tensor " << i;
        EXPECT_EQ(ta.type, tb.type) << ta.name;
        EXPECT_EQ(ta.nDims, tb.nDims) << ta.name;
        for (int d = 0; d < 4; ++d) EXPECT_EQ(ta.ne[d], tb.ne[d]) << ta.name << " ne[" << d << "]";
        const std::vector<float> va = floats(a, i), vb = floats(b, i);
        ASSERT_EQ(va.size(), vb.size()) << ta.name;
        const bool counts = ta.name.ends_with(".counts");
        for (std::size_t j = 0; j < va.size(); ++j) {
            if (counts) {
                EXPECT_EQ(va[j], vb[j]) << ta.name;
                EXPECT_EQ(va[j], 1024.0f) << ta.name;
                continue;
            }
            ASSERT_GT(vb[j], 0.0f) << ta.name << " column " << j;
            const double rel = std::abs(static_cast<double>(va[j]) - vb[j]) / vb[j];
            if (rel > maxRel) {
                maxRel = rel;
                worst = ta.name + " column " + std::to_string(j);
            }
        }
    }
    EXPECT_LT(maxRel, kRelTolerance) << "worst at " << worst;
    RecordProperty("max_relative_difference", std::to_string(maxRel));
    std::printf("max relative difference vs llama-imatrix: %.3g (%s)\n", maxRel, worst.c_str());

    // Our reader (llama-quantize's rules) takes it, with the same importances as llama's file.
    auto im = quant::ImportanceMatrix::load(out);
    ASSERT_TRUE(im.ok()) << describe(im.error());
    auto imRef = quant::ImportanceMatrix::load(referenceImatrix());
    ASSERT_TRUE(imRef.ok()) << describe(imRef.error());
    EXPECT_EQ(im->size(), 42u);
    EXPECT_EQ(im->chunkCount(), 8);
    EXPECT_EQ(im->chunkSize(), 128);
    for (const auto& [name, values] : imRef->entries()) {
        const auto* mine = im->find(name);
        ASSERT_NE(mine, nullptr) << name;
        ASSERT_EQ(mine->size(), values.size()) << name;
    }
}

TEST(Calibrate, QuantizeTakesOurImatrix)
{
    test::TempDir dir;
    const fs::path im = dir / "imatrix.gguf";
    const auto c = test::runCommand(q(test::cliPath()) + " calibrate " + q(test::demoDir()) + " --set " + q(sampleText()) +
                                    " --ctx 128 --tokens 1024 --threads 2 -o " + q(im));
    ASSERT_EQ(c.exitCode, 0) << c.err;
    EXPECT_NE(c.out.find("8 chunks of 128 tokens"), std::string::npos) << c.out;

    const fs::path withIm = dir / "q-imat.gguf";
    const fs::path plain = dir / "q.gguf";
    const auto qi = test::runCommand(q(test::cliPath()) + " quantize " + q(test::demoDir()) + " -o " + q(withIm) +
                                     " --type Q4_K_M --threads 2 --imatrix " + q(im));
    ASSERT_EQ(qi.exitCode, 0) << qi.err;
    const auto qp = test::runCommand(q(test::cliPath()) + " quantize " + q(test::demoDir()) + " -o " + q(plain) +
                                     " --type Q4_K_M --threads 2");
    ASSERT_EQ(qp.exitCode, 0) << qp.err;

    auto f = io::GgufFile::open(withIm);
    ASSERT_TRUE(f.ok()) << describe(f.error());
    EXPECT_EQ((*f)->getUInt("quantize.imatrix.entries_count"), std::optional<std::uint64_t>(42));
    EXPECT_EQ((*f)->getUInt("quantize.imatrix.chunks_count"), std::optional<std::uint64_t>(8));
    EXPECT_EQ((*f)->getString("quantize.imatrix.dataset"), std::optional<std::string>(sampleText().string()));
    // The importance changed the rounding: the weights differ from the plain quantization.
    auto g = io::GgufFile::open(plain);
    ASSERT_TRUE(g.ok()) << describe(g.error());
    const auto t = (*f)->findTensor("blk.0.ffn_down.weight");
    ASSERT_GE(t, 0);
    const auto u = (*g)->findTensor("blk.0.ffn_down.weight");
    ASSERT_GE(u, 0);
    const auto da = (*f)->tensorData(static_cast<std::size_t>(t));
    const auto db = (*g)->tensorData(static_cast<std::size_t>(u));
    ASSERT_EQ(da.size(), db.size());
    EXPECT_NE(std::memcmp(da.data(), db.data(), da.size()), 0);
}

TEST(Calibrate, BadInputNamesTheFileAndWritesNothing)
{
    test::TempDir dir;
    const fs::path out = dir / "out" / "imatrix.gguf";
    fs::create_directories(out.parent_path());
    const std::string cli = q(test::cliPath()) + " calibrate " + q(test::demoDir());

    const fs::path missing = dir / "no-such-text.txt";
    auto r = test::runCommand(cli + " --set " + q(missing) + " -o " + q(out));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;

    const fs::path shortText = dir / "short.txt";
    test::writeFile(shortText, "In the beginning God created the heaven and the earth.\n");
    r = test::runCommand(cli + " --set " + q(shortText) + " --ctx 128 -o " + q(out));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(shortText.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("fewer than one chunk of 128"), std::string::npos) << r.err;

    // The demo model has 1024 positions.
    r = test::runCommand(cli + " --set " + q(sampleText()) + " --ctx 2048 -o " + q(out));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find(test::demoDir().string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1024 positions"), std::string::npos) << r.err;

    r = test::runCommand(cli + " --set no-such-set -o " + q(out));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("no-such-set"), std::string::npos) << r.err;

    r = test::runCommand(cli + " --set " + q(sampleText()) + " --ctx 8 -o " + q(out));
    EXPECT_EQ(r.exitCode, 2) << r.err; // below the 16 rows llama-imatrix needs

    EXPECT_TRUE(fs::is_empty(out.parent_path()));
}

TEST(Calibrate, StopLeavesNoFile)
{
    test::TempDir dir;
    const fs::path out = dir / "imatrix.gguf";
    std::stop_source stop;
    Recorder progress;
    progress.stopAfterChunk = &stop;
    auto r = pipeline::runCalibrate(sampleRequest(out), progress, stop.get_token());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
    EXPECT_LT(progress.chunksDone, 8u);
    EXPECT_TRUE(dir.entries().empty());
}


// llama-imatrix leaves out matrix products of fewer than 16 rows. With ctx > 1024 it runs one
// chunk per batch in micro-batches of 512, so a chunk's last ctx % 512 rows are left out when
// fewer than 16, and imatrix.chunk_count is floor(rows / ctx). (Checked by hand against
// llama-imatrix on small-qwen2-bpe: ctx 1030 gives counts 6144 and chunk_count 5 for 6 chunks,
// ctx 1100 keeps every row; figures in the calibration note.)
TEST(Calibrate, ShortMicroBatchesAreLeftOutAsLlamaImatrixDoes)
{
    test::TempDir dir;
    for (const std::int64_t ctx : {1030, 1100}) {
        pipeline::CalibrateRequest r;
        r.model = test::tinyQwen2Dir();
        r.text = test::dataDir() / "eval" / "corpus-val.txt";
        r.ctx = ctx;
        r.tokenBudget = 3 * ctx;
        r.output = dir / ("c" + std::to_string(ctx) + ".gguf");
        r.threads = 2;
        jobs::NullSink sink;
        auto out = pipeline::runCalibrate(r, sink);
        ASSERT_TRUE(out.ok()) << describe(out.error());
        EXPECT_EQ(out->chunks, 3);
        auto f = io::GgufFile::open(r.output);
        ASSERT_TRUE(f.ok()) << describe(f.error());
        const std::int64_t rowsPerChunk = ctx % 512 < 16 ? ctx - ctx % 512 : ctx;
        EXPECT_EQ((*f)->getUInt("imatrix.chunk_count"), std::optional<std::uint64_t>(3 * rowsPerChunk / ctx)) << ctx;
        EXPECT_EQ(out->chunkCount, 3 * rowsPerChunk / ctx) << ctx;
        const auto i = (*f)->findTensor("blk.1.ffn_down.weight.counts");
        ASSERT_GE(i, 0);
        EXPECT_EQ(floats(**f, static_cast<std::size_t>(i)), std::vector<float>{static_cast<float>(3 * rowsPerChunk)}) << ctx;
    }
}

} // namespace

TEST(Calibrate, BundledSetsCalibrate)
{
    test::TempDir dir;
    for (const char* set : {"general", "chat", "multilingual", "code"}) {
        SCOPED_TRACE(set);
        const fs::path out = dir / (std::string(set) + ".gguf");
        const auto r = test::runCommand(q(test::cliPath()) + " calibrate " + q(test::demoDir()) + " --set " + set +
                                        " --ctx 128 --tokens 512 -o " + q(out));
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_NE(r.out.find("4 chunks of 128 tokens"), std::string::npos) << r.out;
        auto f = io::GgufFile::open(out);
        ASSERT_TRUE(f);
        ASSERT_NE((*f)->find("imatrix.datasets"), nullptr);
        EXPECT_EQ((*f)->find("imatrix.datasets")->strings(), std::vector<std::string>{std::string(set) + " (bundled)"});
        EXPECT_EQ((*f)->find("imatrix.chunk_count")->asUInt(), std::optional<std::uint64_t>(4));
    }
    // The same tokens as the set's calibration file given as a text (bundled sets are the committed files).
    const fs::path fromFile = dir / "file.gguf";
    const auto r = test::runCommand(q(test::cliPath()) + " calibrate " + q(test::demoDir()) + " --set " +
                                    q(test::sourceDir() / "resources" / "calibration" / "general.txt") +
                                    " --ctx 128 --tokens 512 -o " + q(fromFile));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto a = io::GgufFile::open(dir / "general.gguf");
    auto b = io::GgufFile::open(fromFile);
    ASSERT_TRUE(a && b);
    ASSERT_EQ((*a)->tensors().size(), (*b)->tensors().size());
    for (std::size_t i = 0; i < (*a)->tensors().size(); ++i) {
        const auto x = (*a)->tensorData(i);
        const auto y = (*b)->tensorData(i);
        ASSERT_EQ(x.size(), y.size());
        EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size()), 0) << (*a)->tensors()[i].name;
    }
}
