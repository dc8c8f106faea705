// condense-cli run end to end on the demo model: the GGUF, report.json and report.html in the
// output folder, the table on stdout, the GGUF loadable by condense-cli itself, and the exit
// codes of the other commands (1: the run failed, naming the file; 2: usage).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Small evaluation so the test stays quick: 3 chunks of 128 tokens of the bundled text.
const std::string kSmall = " --eval-ctx 128 --chunks 3 --continuation 10 --threads 2";

TEST(CliRun, DemoModelQ4KMWritesModelAndReports)
{
    test::TempDir dir("condense-cli-run");
    const fs::path out = dir / "out";
    const auto r = test::runCommand(test::cliPath().string() + " run " + q(test::demoDir()) + " --type Q4_K_M -o " + q(out) + kSmall);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"demo-Q4_K_M.gguf", "report.html", "report.json"}));

    const auto j = nlohmann::json::parse(test::readFile(out / "report.json"));
    EXPECT_EQ(j["schema"], "condense.run/1");
    EXPECT_EQ(j["model"], "demo");
    EXPECT_EQ(j["plan"]["mix"], "Q4_K_M");
    EXPECT_EQ(j["eval"]["chunks"], 3);
    EXPECT_EQ(j["eval"]["n_ctx"], 128);
    EXPECT_EQ(j["layers"].size(), 6u);
    EXPECT_GT(j["quantized"]["kld"]["mean"].get<double>(), 0.0);
    EXPECT_GT(j["quantized"]["ppl"].get<double>(), j["original"]["ppl"].get<double>() * 0.9);
    EXPECT_TRUE(j["quantized"].contains("latency"));
    EXPECT_EQ(j["quantized"]["bytes"].get<std::uint64_t>(), fs::file_size(out / "demo-Q4_K_M.gguf"));

    EXPECT_NE(r.out.find("perplexity"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("KL divergence (mean)"), std::string::npos);
    EXPECT_NE(r.out.find("continuation (10 tasks)"), std::string::npos);
    EXPECT_NE(r.out.find("demo-Q4_K_M.gguf"), std::string::npos);
    const std::string html = test::readFile(out / "report.html");
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);

    // The GGUF is a Q4_K_M model the engine runs.
    const auto ins = test::runCommand(test::cliPath().string() + " inspect --json " + q(out / "demo-Q4_K_M.gguf"));
    ASSERT_EQ(ins.exitCode, 0) << ins.err;
    EXPECT_NE(ins.out.find("Q4_K"), std::string::npos);
    const auto gen = test::runCommand(test::cliPath().string() + " generate " + q(out / "demo-Q4_K_M.gguf") +
                                      " --prompt 'Once upon a time' -n 4 --threads 2");
    EXPECT_EQ(gen.exitCode, 0) << gen.err;

    // Again into the same folder: refused, naming the file, and nothing changes; --overwrite replaces.
    const auto before = test::readFile(out / "report.json");
    const auto again = test::runCommand(test::cliPath().string() + " run " + q(test::demoDir()) + " --type Q4_K_M -o " + q(out) + kSmall);
    EXPECT_EQ(again.exitCode, 1);
    EXPECT_NE(again.err.find("condense-cli: error: " + (out / "demo-Q4_K_M.gguf").string()), std::string::npos) << again.err;
    EXPECT_EQ(test::readFile(out / "report.json"), before);
    const auto over = test::runCommand(test::cliPath().string() + " run " + q(test::demoDir()) + " --type Q4_K_M -o " + q(out) + kSmall +
                                       " --overwrite --no-latency");
    EXPECT_EQ(over.exitCode, 0) << over.err;
    EXPECT_FALSE(nlohmann::json::parse(test::readFile(out / "report.json"))["quantized"].contains("latency"));
}

TEST(CliRun, FollowsAPlanFile)
{
    test::TempDir dir("condense-cli-run");
    const std::string cli = test::cliPath().string();
    const auto plan = test::runCommand(cli + " quantize " + q(test::demoDir()) + " --type Q5_K_M --dry-run --plan-out " + q(dir / "plan.json"));
    ASSERT_EQ(plan.exitCode, 0) << plan.err;
    const auto r = test::runCommand(cli + " run " + q(test::demoDir()) + " --plan " + q(dir / "plan.json") + " -o " + q(dir / "out") +
                                    kSmall + " --no-latency");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir / "out" / "demo-Q5_K_M.gguf"));
    const auto j = nlohmann::json::parse(test::readFile(dir / "out" / "report.json"));
    EXPECT_EQ(j["plan"]["source"], "plan");
    EXPECT_EQ(j["plan"]["mix"], "Q5_K_M");
}

TEST(CliRun, PlansForAHardwareProfile)
{
    test::TempDir dir("condense-cli-run");
    const std::string cli = test::cliPath().string();
    // What `plan` picks for the machine is what `run` quantizes to.
    const auto plan = test::runCommand(cli + " plan " + q(test::demoDir()) + " --profile laptop-cpu-8gb --json");
    ASSERT_EQ(plan.exitCode, 0) << plan.err;
    const std::string mix = nlohmann::json::parse(plan.out)["mix"].get<std::string>();
    ASSERT_FALSE(mix.empty());
    const auto r = test::runCommand(cli + " run " + q(test::demoDir()) + " --profile laptop-cpu-8gb -o " + q(dir / "out") + kSmall +
                                    " --no-latency");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir / "out" / ("demo-" + mix + ".gguf")));
    EXPECT_TRUE(fs::exists(dir / "out" / "report.html"));
    const auto j = nlohmann::json::parse(test::readFile(dir / "out" / "report.json"));
    EXPECT_EQ(j["plan"]["source"], "profile");
    EXPECT_EQ(j["plan"]["mix"], mix);
    // --profile with --type is a usage error; an unknown profile an error naming it.
    EXPECT_EQ(test::runCommand(cli + " run " + q(test::demoDir()) + " --profile laptop-cpu-8gb --type Q8_0 -o " + q(dir / "b")).exitCode, 2);
    const auto bad = test::runCommand(cli + " run " + q(test::demoDir()) + " --profile no-such-machine -o " + q(dir / "c"));
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("no-such-machine"), std::string::npos) << bad.err;
    EXPECT_FALSE(fs::exists(dir / "c"));
}

TEST(CliRun, ErrorsAndUsage)
{
    test::TempDir dir("condense-cli-run");
    const std::string cli = test::cliPath().string();
    // Unknown mix, missing model, missing evaluation text: exit 1, nothing written.
    auto r = test::runCommand(cli + " run " + q(test::demoDir()) + " --type Q9_X -o " + q(dir / "a"));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("condense-cli: error:"), std::string::npos);
    EXPECT_NE(r.err.find("Q9_X"), std::string::npos) << r.err;
    r = test::runCommand(cli + " run " + q(dir / "nope") + " -o " + q(dir / "a"));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find((dir / "nope").string()), std::string::npos) << r.err;
    r = test::runCommand(cli + " run " + q(test::demoDir()) + " -o " + q(dir / "a") + " --eval-text " + q(dir / "none.txt"));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find((dir / "none.txt").string()), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "a"));
    // Usage: no output folder; --type with --plan.
    r = test::runCommand(cli + " run " + q(test::demoDir()));
    EXPECT_EQ(r.exitCode, 2);
    r = test::runCommand(cli + " run " + q(test::demoDir()) + " -o " + q(dir / "a") + " --type Q8_0 --plan " + q(dir / "p.json"));
    EXPECT_EQ(r.exitCode, 2);
}

// --format gptq: the run writes a GPTQ folder (config.json with its quantization_config), a
// report naming the format, and the folder is a model the CLI inspects; the HF options are
// usage errors with GGUF and GGUF options with a folder format.
TEST(CliRun, WritesAGptqFolderAndComparesIt)
{
    test::TempDir dir("condense-cli-run");
    const fs::path out = dir / "out";
    const std::string cli = test::cliPath().string();
    const auto r = test::runCommand(cli + " run " + q(test::demoDir()) + " --format gptq --method rtn --group 32 -o " + q(out) + kSmall +
                                    " --no-latency");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const fs::path folder = out / "demo-GPTQ-4bit-g32";
    ASSERT_TRUE(fs::is_directory(folder)) << r.out;
    const auto config = nlohmann::json::parse(test::readFile(folder / "config.json"));
    EXPECT_EQ(config["quantization_config"]["quant_method"], "gptq");
    EXPECT_EQ(config["quantization_config"]["bits"], 4);
    EXPECT_EQ(config["quantization_config"]["group_size"], 32);
    const auto j = nlohmann::json::parse(test::readFile(out / "report.json"));
    EXPECT_EQ(j["plan"]["format"], "gptq");
    EXPECT_EQ(j["plan"]["bits"], 4);
    EXPECT_EQ(j["plan"]["group_size"], 32);
    EXPECT_GT(j["quantized"]["kld"]["mean"].get<double>(), 0.0);
    const auto ins = test::runCommand(cli + " inspect --json " + q(folder));
    EXPECT_EQ(ins.exitCode, 0) << ins.err;

    auto u = test::runCommand(cli + " run " + q(test::demoDir()) + " -o " + q(dir / "b") + " --bits 3");
    EXPECT_EQ(u.exitCode, 2);
    EXPECT_NE(u.err.find("--format gptq|awq|compressed-tensors"), std::string::npos) << u.err;
    u = test::runCommand(cli + " run " + q(test::demoDir()) + " -o " + q(dir / "b") + " --format awq --type Q4_K_M");
    EXPECT_EQ(u.exitCode, 2);
    u = test::runCommand(cli + " run " + q(test::demoDir()) + " -o " + q(dir / "b") + " --method awq");
    EXPECT_EQ(u.exitCode, 2);
    EXPECT_FALSE(fs::exists(dir / "b"));
}

} // namespace
