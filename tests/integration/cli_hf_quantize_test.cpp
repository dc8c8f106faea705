// `condense-cli quantize --format gptq|awq|compressed-tensors` end to end on the demo model:
// the folder is written, `inspect` and `eval` (as candidate) run on it, `quantize --type F32`
// dequantizes it into a GGUF whose weights equal the folder's own dequantization, and the
// refusals (existing model folder, options the format cannot hold, GGUF options with an HF
// format, a calibration text too short) exit 1 or 2 with one error line and leave nothing
// behind. --method gptq / awq run their calibration first: the folders differ from round to
// nearest's where they must (GPTQ's codes; AWQ's folded norms) and read back.

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

TEST(CliHfQuantize, GptqAndAwqRunTheirCalibration)
{
    TempDir dir;
    const std::string in = q(demoDir());
    const std::string calib = " --calibration general --calibration-tokens 2048";
    for (const std::string& args : {std::string(" --format gptq") + calib, std::string(" --format compressed-tensors --method gptq") + calib,
                                    std::string(" --format awq") + calib}) {
        SCOPED_TRACE(args);
        const fs::path out = dir / "calibrated";
        const fs::path rtn = dir / "rtn";
        const auto r = cli("quantize " + in + " -o " + q(out) + args);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_NE(r.out.find("42 linears quantized"), std::string::npos) << r.out;
        EXPECT_EQ(r.out.find("(rtn)"), std::string::npos) << r.out;
        std::string rtnArgs = args.substr(0, args.find(" --calibration"));
        if (rtnArgs.find("--method") == std::string::npos) rtnArgs += " --method rtn";
        else rtnArgs.replace(rtnArgs.find("--method gptq"), 13, "--method rtn");
        ASSERT_EQ(cli("quantize " + in + " -o " + q(rtn) + rtnArgs).exitCode, 0);

        jobs::NullSink sink;
        auto a = io::openCheckpoint(out, sink);
        auto b = io::openCheckpoint(rtn, sink);
        auto orig = io::openCheckpoint(demoDir(), sink);
        ASSERT_TRUE(a.ok() && b.ok() && orig.ok());
        // The calibrated weights are not round to nearest's.
        const std::string w = "model.layers.2.mlp.down_proj.weight";
        const auto x = (*a)->tensorData(static_cast<std::size_t>((*a)->findTensor(w)));
        const auto y = (*b)->tensorData(static_cast<std::size_t>((*b)->findTensor(w)));
        ASSERT_EQ(x.size(), y.size());
        EXPECT_NE(0, std::memcmp(x.data(), y.data(), x.size()));
        // AWQ folds its scales into the norms; GPTQ leaves them as they were.
        const std::string norm = "model.layers.2.post_attention_layernorm.weight";
        const auto n1 = (*a)->tensorData(static_cast<std::size_t>((*a)->findTensor(norm)));
        const auto n0 = (*orig)->tensorData(static_cast<std::size_t>((*orig)->findTensor(norm)));
        ASSERT_EQ(n1.size(), n0.size());
        EXPECT_EQ(args.find("awq") != std::string::npos, std::memcmp(n1.data(), n0.data(), n0.size()) != 0);

        const auto ev = cli("eval " + in + " " + q(out) + " --text " + q(modelsDir() / "eval" / "corpus-val.txt") +
                            " --ctx 128 --chunks 2 --drift-chunks 0");
        EXPECT_EQ(ev.exitCode, 0) << ev.err;
        fs::remove_all(out);
        fs::remove_all(rtn);
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
                                    std::string(" --format awq --method rtn --calibration general"),
                                    std::string(" --format compressed-tensors --act-order"), std::string(" --type Q4_K_M --bits 4"),
                                    std::string(" --type Q4_K_M --method gptq --imatrix x.dat")}) { // GGUF gptq: gguf_gptq_test
        SCOPED_TRACE(args);
        const auto r = cli("quantize " + in + " -o " + q(dir / "x") + args);
        EXPECT_EQ(r.exitCode, 2) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    // A calibration text shorter than one chunk: exit 1 naming it, nothing written.
    const fs::path shortText = dir / "short.txt";
    writeFile(shortText, "Too short to calibrate on.\n");
    const auto tooShort = cli("quantize " + in + " -o " + q(dir / "x") + " --format gptq --calibration " + q(shortText));
    EXPECT_EQ(tooShort.exitCode, 1) << tooShort.err;
    EXPECT_NE(tooShort.err.find(shortText.string()), std::string::npos) << tooShort.err;
    EXPECT_NE(tooShort.err.find("fewer than one chunk"), std::string::npos) << tooShort.err;
    fs::remove(shortText);
    // AWQ groups must divide every linear's in_features (96 does not divide 256): exit 1 naming a tensor.
    const auto awq = cli("quantize " + in + " -o " + q(dir / "x") + " --format awq --method rtn --group 96");
    EXPECT_EQ(awq.exitCode, 1) << awq.err;
    EXPECT_NE(awq.err.find("does not divide"), std::string::npos) << awq.err;
    EXPECT_NE(awq.err.find("(tensor model.layers.0."), std::string::npos) << awq.err;
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"m"});
}

} // namespace
} // namespace condense::test
