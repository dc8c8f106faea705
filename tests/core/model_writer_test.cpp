// io::ModelWriter: GgufWriter used through the abstract interface writes the very file the
// reference is, and the quantize job gets its writer by plan format: an unknown format is a
// clear UnsupportedFormat error that leaves nothing behind.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "core/io/checkpoint.h"
#include "core/io/gguf_file.h"
#include "core/io/gguf_writer.h"
#include "core/io/model_writer.h"
#include "core/pipeline/quantize_job.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

TEST(ModelWriter, GgufWriterThroughTheInterfaceWritesTheReferenceFile)
{
    const fs::path ref = test::referenceGguf("Q8_0");
    auto g = io::GgufFile::open(ref);
    ASSERT_TRUE(g.ok()) << describe(g.error());
    auto gguf = std::make_unique<io::GgufWriter>();
    for (const auto& kv : (*g)->metadata()) gguf->set(kv.key, kv.value);
    std::unique_ptr<io::ModelWriter> w = std::move(gguf);
    EXPECT_EQ(w->formatName(), "gguf");
    for (const auto& t : (*g)->tensors())
        ASSERT_TRUE(w->addTensor(t.name, t.type, std::vector<std::uint64_t>(t.ne, t.ne + t.nDims)).ok());
    ASSERT_EQ(w->tensorCount(), (*g)->tensors().size());
    for (std::size_t i = 0; i < w->tensorCount(); ++i) EXPECT_EQ(w->tensorBytes(i), (*g)->tensors()[i].bytes);

    test::TempDir dir;
    jobs::NullSink sink;
    io::ModelWriteOptions opts;
    opts.inputs = {ref};
    auto r = w->write(dir / "copy.gguf", [&](std::size_t i, io::TensorOutput& out) { return out.write((*g)->tensorData(i)); }, opts, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(r->path, dir / "copy.gguf");
    EXPECT_EQ(r->bytes, fs::file_size(ref));
    EXPECT_EQ(test::readFile(dir / "copy.gguf"), test::readFile(ref));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"copy.gguf"});

    // The interface keeps AtomicFile's promise: an input is never a target.
    auto onInput = w->write(ref, [&](std::size_t i, io::TensorOutput& out) { return out.write((*g)->tensorData(i)); }, opts, sink);
    EXPECT_FALSE(onInput.ok());
}

TEST(ModelWriter, QuantizeJobRefusesAPlanOfAnUnknownFormat)
{
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(test::referenceGguf("F16"), sink);
    ASSERT_TRUE(ck.ok()) << describe(ck.error());
    pipeline::QuantizeConfig cfg;
    cfg.mix = "Q8_0";
    auto planned = pipeline::planQuantization(**ck, cfg);
    ASSERT_TRUE(planned.ok()) << describe(planned.error());

    test::TempDir dir;
    // The same plan in GGUF works ...
    cfg.plan = planned->plan;
    auto good = pipeline::runQuantize(**ck, dir / "q.gguf", cfg, sink);
    ASSERT_TRUE(good.ok()) << describe(good.error());
    // ... in a format without a writer it is refused before anything is written.
    cfg.plan->format = plan::PlanFormat::Gptq;
    auto bad = pipeline::runQuantize(**ck, dir / "q.safetensors", cfg, sink);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::UnsupportedFormat);
    EXPECT_NE(bad.error().detail.find("gptq"), std::string::npos) << bad.error().detail;
    EXPECT_FALSE(bad.error().file.empty()); // the plan is refused before any writer exists
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"q.gguf"});
}

} // namespace
