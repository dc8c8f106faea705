// `condense-cli quantize` end to end: the HF -> GGUF F16 conversion gives the file llama.cpp's
// converter made, the sharded BF16 Qwen2 folder converts, and failures exit 1 with
// "condense-cli: error: <file>: ..." and leave no output behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

CommandResult quantize(const fs::path& in, const fs::path& out, const std::string& type, const std::string& extra = {})
{
    return runCommand(q(cliPath()) + " quantize " + q(in) + " -o " + q(out) + " --type " + type + extra);
}

TEST(CliQuantize, TinyLlamaF16IsTheReferenceFile)
{
    TempDir dir;
    const auto r = quantize(tinyLlamaDir(), dir / "t.gguf", "F16");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_TRUE(fs::exists(dir / "t.gguf"));
    EXPECT_NE(r.out.find("57 tensors"), std::string::npos) << r.out;
    EXPECT_TRUE(readFile(dir / "t.gguf") == readFile(referenceGguf("F16")));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"t.gguf"});
}

TEST(CliQuantize, ShardedBf16Qwen2ConvertsWithThreads)
{
    TempDir dir;
    for (const char* type : {"F16", "BF16", "F32"}) {
        const fs::path out = dir / (std::string("q-") + type + ".gguf");
        const auto r = quantize(qwen2Dir(), out, type, " --threads 2");
        ASSERT_EQ(r.exitCode, 0) << type << ": " << r.err;
        EXPECT_TRUE(fs::exists(out)) << type;
        EXPECT_NE(r.out.find("74 tensors"), std::string::npos) << r.out;
    }
    EXPECT_EQ(dir.entries().size(), 3u);
}

TEST(CliQuantize, MissingInputExitsOneNamingTheFile)
{
    TempDir dir;
    const fs::path missing = dir / "no-such-model";
    const auto r = quantize(missing, dir / "o.gguf", "F16");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err.rfind("condense-cli: error: " + missing.string() + ": ", 0), 0u) << r.err;
    EXPECT_TRUE(dir.entries().empty());
}

TEST(CliQuantize, FailedConversionLeavesNoOutput)
{
    TempDir dir;
    // Quantized GGUF input cannot be re-typed to a float type yet.
    const auto r = quantize(referenceGguf("Q4_K_M"), dir / "o.gguf", "F16");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err.rfind("condense-cli: error: " + referenceGguf("Q4_K_M").string() + ": ", 0), 0u) << r.err;
    EXPECT_TRUE(dir.entries().empty());

    // Output onto the input file itself.
    fs::copy_file(referenceGguf("F16"), dir / "in.gguf");
    const auto self = quantize(dir / "in.gguf", dir / "in.gguf", "F32");
    EXPECT_EQ(self.exitCode, 1);
    EXPECT_NE(self.err.find("condense-cli: error: "), std::string::npos);
    EXPECT_TRUE(readFile(dir / "in.gguf") == readFile(referenceGguf("F16")));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"in.gguf"});

    // Output folder that does not exist.
    const auto nofolder = quantize(tinyLlamaDir(), dir / "missing" / "o.gguf", "F16");
    EXPECT_EQ(nofolder.exitCode, 1);
    EXPECT_FALSE(fs::exists(dir / "missing"));
}

TEST(CliQuantize, UnknownTypeIsAUsageError)
{
    TempDir dir;
    const auto r = quantize(tinyLlamaDir(), dir / "o.gguf", "F8");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(dir.entries().empty());
}

} // namespace
} // namespace condense::test
