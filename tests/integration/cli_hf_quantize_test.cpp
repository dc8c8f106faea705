// `condense-cli quantize --format gptq|awq|compressed-tensors` end to end on the demo model:
// the folder is written, `inspect` and `eval` (as candidate) run on it, `quantize --type F32`
// dequantizes it into a GGUF whose weights equal the folder's own dequantization, and the
// refusals (existing model folder, options the format cannot hold, methods not built yet, GGUF
// options with an HF format) exit 1 or 2 with one error line and leave nothing behind.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/io/checkpoint.h"
#include "core/io/gguf_file.h"
#include "core/tensor/float_convert.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

CommandResult cli(const std::string& args) { return runCommand(q(cliPath()) + " " + args); }

TEST(CliHfQuantize, EveryFormatWritesInspectsEvaluatesAndDequantizesToGguf)
{
    TempDir dir;
    for (const char* format : {"gptq", "awq", "compressed-tensors"}) {
        SCOPED_TRACE(format);
        const fs::path out = dir / format;
        const auto r = cli("quantize " + q(demoDir()) + " -o " + q(out) + " --format " + format + " --method rtn --bits 4 --group 128");
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_NE(r.out.find("42 linears quantized"), std::string::npos) << r.out;
        EXPECT_TRUE(fs::exists(out / "config.json"));

        const auto ins = cli("inspect " + q(out));
        ASSERT_EQ(ins.exitCode, 0) << ins.err;
        EXPECT_NE(ins.out.find("quantized:"), std::string::npos) << ins.out;

        const auto ev = cli("eval " + q(demoDir()) + " " + q(out) + " --text " + q(modelsDir() / "eval" / "corpus-val.txt") +
                            " --ctx 128 --chunks 2 --drift-chunks 0");
        ASSERT_EQ(ev.exitCode, 0) << ev.err;
        EXPECT_NE(ev.out.find(std::string(format)), std::string::npos) << ev.out;

        const fs::path gguf = dir / (std::string(format) + ".gguf");
        const auto cv = cli("quantize " + q(out) + " -o " + q(gguf) + " --type F32");
        ASSERT_EQ(cv.exitCode, 0) << cv.err;
        auto g = io::GgufFile::open(gguf);
        ASSERT_TRUE(g.ok());
        jobs::NullSink sink;
        auto ck = io::openCheckpoint(out, sink);
        ASSERT_TRUE(ck.ok());
        const std::int64_t gi = (*g)->findTensor("blk.3.ffn_down.weight");
        const std::int64_t ci = (*ck)->findTensor("model.layers.3.mlp.down_proj.weight");
        ASSERT_GE(gi, 0);
        ASSERT_GE(ci, 0);
        const auto a = (*g)->tensorData(static_cast<std::size_t>(gi));
        const auto b = (*ck)->tensorData(static_cast<std::size_t>(ci));
        ASSERT_EQ(a.size(), b.size());
        EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size()));
    }
}

TEST(CliHfQuantize, RefusalsExitWithOneLineAndLeaveNothing)
{
    TempDir dir;
    const std::string in = q(demoDir());
    // An output folder holding a model.
    const fs::path out = dir / "m";
    ASSERT_EQ(cli("quantize " + in + " -o " + q(out) + " --format compressed-tensors").exitCode, 0);
    const auto again = cli("quantize " + in + " -o " + q(out) + " --format compressed-tensors --bits 8");
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_EQ(again.err, "condense-cli: error: " + out.string() + ": invalid argument: already holds a model; choose a new folder or "
                                                                  "remove it first\n");
    // Usage errors (exit 2): bits the format cannot hold, --sym for AWQ, GGUF options, methods
    // not built yet, --act-order without GPTQ.
    for (const std::string& args : {std::string(" --format gptq --method rtn --bits 5"), std::string(" --format compressed-tensors --bits 3"),
                                    std::string(" --format awq --sym"), std::string(" --format gptq --type Q4_K_M"),
                                    std::string(" --format gptq"), std::string(" --format awq --method awq"),
                                    std::string(" --format compressed-tensors --act-order"), std::string(" --type Q4_K_M --bits 4"),
                                    std::string(" --type Q4_K_M --method gptq --imatrix x.dat")}) { // GGUF gptq: gguf_gptq_test
        SCOPED_TRACE(args);
        const auto r = cli("quantize " + in + " -o " + q(dir / "x") + args);
        EXPECT_EQ(r.exitCode, 2) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    const auto notBuilt = cli("quantize " + in + " -o " + q(dir / "x") + " --format gptq");
    EXPECT_NE(notBuilt.err.find("not built yet"), std::string::npos) << notBuilt.err;
    // AWQ groups must divide every linear's in_features (96 does not divide 256): exit 1 naming a tensor.
    const auto awq = cli("quantize " + in + " -o " + q(dir / "x") + " --format awq --method rtn --group 96");
    EXPECT_EQ(awq.exitCode, 1) << awq.err;
    EXPECT_NE(awq.err.find("does not divide"), std::string::npos) << awq.err;
    EXPECT_NE(awq.err.find("(tensor model.layers.0."), std::string::npos) << awq.err;
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"m"});
}

} // namespace
} // namespace condense::test
