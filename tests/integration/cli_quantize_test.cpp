// `condense-cli quantize` end to end: the HF -> GGUF F16 conversion gives the file llama.cpp's
// converter made, the sharded BF16 Qwen2 folder converts, and failures exit 1 with
// "condense-cli: error: <file>: ..." and leave no output behind.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sys/wait.h>
#include <unistd.h>

#include "core/io/gguf_file.h"
#include "tests/support/sha256.h"
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

// ---- block types (core/quant/quantize_job.h); digests and reference files are llama-quantize's
// outputs (commands in tests/core/quant_plan_test.cpp) ---------------------------------------

TEST(CliQuantize, Q4_K_MFromTheF16GgufAndFromTheFolderIsLlamaQuantizesFile)
{
    TempDir dir;
    const auto a = quantize(referenceGguf("F16"), dir / "a.gguf", "Q4_K_M", " --threads 2");
    ASSERT_EQ(a.exitCode, 0) << a.err;
    EXPECT_NE(a.out.find("57 tensors"), std::string::npos) << a.out;
    EXPECT_TRUE(readFile(dir / "a.gguf") == readFile(referenceGguf("Q4_K_M")));
    const auto b = quantize(tinyLlamaDir(), dir / "b.gguf", "q4_k_m");
    ASSERT_EQ(b.exitCode, 0) << b.err;
    EXPECT_TRUE(readFile(dir / "b.gguf") == readFile(referenceGguf("Q4_K_M")));
    EXPECT_EQ(dir.entries().size(), 2u);
}

TEST(CliQuantize, ImatrixGivenAsLlamaQuantizeWasGivenIt)
{
    TempDir dir;
    const fs::path ref = tinyLlamaDir() / "reference-gguf";
    // quantize.imatrix.file records the path as given, so run from the reference folder.
    const auto r = runCommand("cd " + q(ref) + " && " + q(cliPath()) + " quantize tiny-llama-spm-F16.gguf -o " + q(dir / "i.gguf") +
                              " --type Q4_K_M --imatrix tiny-llama-spm-imatrix.gguf");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(readFile(dir / "i.gguf") == readFile(referenceGguf("Q4_K_M-imat")));
    EXPECT_NE(r.err.find("condense-cli: warning: the importance matrix has no entry for output.weight"), std::string::npos) << r.err;

    const auto bad = quantize(referenceGguf("F16"), dir / "x.gguf", "Q4_K_M", " --imatrix " + q(referenceGguf("F16")));
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_EQ(bad.err.rfind("condense-cli: error: " + referenceGguf("F16").string() + ": ", 0), 0u) << bad.err;
    EXPECT_FALSE(fs::exists(dir / "x.gguf"));
}

TEST(CliQuantize, DryRunPrintsThePlanAndWritesNothing)
{
    TempDir dir;
    const auto r = quantize(referenceGguf("F16"), dir / "o.gguf", "Q4_K_M", " --dry-run");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(dir.entries().empty());
    // Totals of llama-quantize's Q4_K_M file: its tensor bytes and elements.
    auto g = io::GgufFile::open(referenceGguf("Q4_K_M"));
    ASSERT_TRUE(g.ok());
    std::uint64_t bytes = 0, elements = 0;
    for (const auto& t : (*g)->tensors()) {
        bytes += t.bytes;
        elements += t.elements();
    }
    char bpw[32];
    std::snprintf(bpw, sizeof bpw, "%.4f bits/weight", 8.0 * static_cast<double>(bytes) / static_cast<double>(elements));
    EXPECT_NE(r.out.find("total: 57 tensors, " + std::to_string(bytes) + " bytes"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(bpw), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("blk.2.attn_v.weight"), std::string::npos);
    EXPECT_NE(r.out.find("use_more_bits"), std::string::npos);

    // --json prints the plan; --plan-out saves it; -o is not needed.
    const auto j = runCommand(q(cliPath()) + " quantize " + q(referenceGguf("F16")) + " --type Q8_0 --dry-run --json --plan-out " +
                              q(dir / "p.json"));
    ASSERT_EQ(j.exitCode, 0) << j.err;
    EXPECT_NE(j.out.find("\"format\": \"gguf\""), std::string::npos);
    EXPECT_NE(j.out.find("\"bits_per_weight\""), std::string::npos);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"p.json"});
}

TEST(CliQuantize, TensorTypeOverrideAndPlanReplay)
{
    TempDir dir;
    // tiny-ovr1: llama-quantize --tensor-type 'blk\.0\.attn_v=q8_0' tiny-llama-spm-F16.gguf OUT Q4_K_M 2
    const std::string ovr1 = "96c186b03ce910b6cb0b7ff56db17930254f7f1609da7429c6d71361cc8ebd83";
    const auto r = quantize(referenceGguf("F16"), dir / "o.gguf", "Q4_K_M",
                            " --tensor-type 'blk\\.0\\.attn_v=q8_0' --plan-out " + q(dir / "plan.json"));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(sha256File(dir / "o.gguf"), ovr1);

    // Replay the saved plan (no --type needed): the same file.
    const auto p = runCommand(q(cliPath()) + " quantize " + q(referenceGguf("F16")) + " -o " + q(dir / "p.gguf") + " --plan " +
                              q(dir / "plan.json"));
    ASSERT_EQ(p.exitCode, 0) << p.err;
    EXPECT_EQ(sha256File(dir / "p.gguf"), ovr1);

    // A plan made for another model is refused, naming the model.
    const auto w = runCommand(q(cliPath()) + " quantize " + q(qwen2Dir()) + " -o " + q(dir / "w.gguf") + " --plan " + q(dir / "plan.json"));
    EXPECT_EQ(w.exitCode, 1);
    EXPECT_NE(w.err.find("condense-cli: error: "), std::string::npos) << w.err;
    EXPECT_NE(w.err.find("plan"), std::string::npos) << w.err;
    EXPECT_FALSE(fs::exists(dir / "w.gguf"));

    // Usage errors.
    EXPECT_EQ(quantize(referenceGguf("F16"), dir / "u.gguf", "Q4_K_M", " --tensor-type attn_v").exitCode, 2);
    EXPECT_EQ(quantize(referenceGguf("F16"), dir / "u.gguf", "Q4_K_M", " --tensor-type attn_v=Q9").exitCode, 2);
    EXPECT_EQ(quantize(referenceGguf("F16"), dir / "u.gguf", "IQ2_XXS").exitCode, 2);
    EXPECT_EQ(runCommand(q(cliPath()) + " quantize " + q(referenceGguf("F16")) + " --type Q4_0").exitCode, 2); // no -o
    const auto re = quantize(referenceGguf("F16"), dir / "u.gguf", "Q4_K_M", " --tensor-type 'attn_(v=q8_0'");
    EXPECT_EQ(re.exitCode, 1);
    EXPECT_NE(re.err.find("attn_(v"), std::string::npos) << re.err;
    EXPECT_FALSE(fs::exists(dir / "u.gguf"));
}

TEST(CliQuantize, InterruptLeavesNoFile)
{
    TempDir dir;
    const std::string out = (dir / "o.gguf").string();
    const std::string cli = cliPath().string();
    const std::string input = qwen2Dir().string();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (std::FILE* devnull = std::fopen("/dev/null", "w")) {
            ::dup2(fileno(devnull), STDOUT_FILENO);
            ::dup2(fileno(devnull), STDERR_FILENO);
        }
        ::execl(cli.c_str(), cli.c_str(), "quantize", input.c_str(), "-o", out.c_str(), "--type", "Q6_K", "--threads", "1",
                static_cast<char*>(nullptr));
        std::_Exit(127);
    }
    // Interrupt once the temporary output exists (the job is running by then).
    bool started = false;
    for (int i = 0; i < 600000 && !started; ++i) {
        started = !dir.entries().empty();
        if (!started) ::usleep(100);
    }
    EXPECT_TRUE(started);
    ::kill(pid, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    // 130: interrupted; 0 only if it finished before the signal could be delivered.
    if (WEXITSTATUS(status) == 130) EXPECT_TRUE(dir.entries().empty());
    else EXPECT_EQ(WEXITSTATUS(status), 0);
}

} // namespace
} // namespace condense::test
