// condense-cli profiles and plan end to end (core/pipeline/plan_request.h underneath):
//  - profiles: the built-in ones (found in the source tree from the build tree), a user profile
//    from $XDG_CONFIG_HOME/condense/profiles replacing a built-in id, an invalid user file naming
//    the file and the field; --json.
//  - plan: a folder holding only a Llama-3-8B config.json (no weights) on a GPU profile (Q8_0,
//    all 33 layers) and on a small CPU profile; the refusal of a 70B model on a Raspberry Pi
//    (exit 1, needed vs usable); --json; --plan-out replayed by quantize --plan on the demo model.
//  - quantize --dry-run on the config-only folder gives llama-quantize's published bits/weight.
//  - errors: unknown profile (1), bad --kv-type and missing --profile (2).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/plan/quant_plan.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
using namespace condense::test;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

const char* kLlama3_8B = R"({"architectures":["LlamaForCausalLM"],"attention_bias":false,"hidden_act":"silu","hidden_size":4096,
  "intermediate_size":14336,"max_position_embeddings":8192,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,
  "num_key_value_heads":8,"rms_norm_eps":1e-05,"rope_theta":500000.0,"tie_word_embeddings":false,"torch_dtype":"bfloat16",
  "vocab_size":128256})";
const char* kLlama3_70B = R"({"architectures":["LlamaForCausalLM"],"hidden_size":8192,"intermediate_size":28672,
  "max_position_embeddings":8192,"model_type":"llama","num_attention_heads":64,"num_hidden_layers":80,"num_key_value_heads":8,
  "rms_norm_eps":1e-05,"rope_theta":500000.0,"tie_word_embeddings":false,"vocab_size":128256})";

class CliPlan : public ::testing::Test {
protected:
    void SetUp() override
    {
        writeFile(m_dir / "llama3-8b" / "config.json", kLlama3_8B);
        writeFile(m_dir / "llama3-70b" / "config.json", kLlama3_70B);
        fs::create_directories(m_dir / "config");
    }
    // The CLI with its own (empty unless written) user profile folder.
    CommandResult cli(const std::string& args)
    {
        return runCommand("XDG_CONFIG_HOME=" + q(m_dir / "config") + " " + q(cliPath()) + " " + args);
    }
    TempDir m_dir;
};

TEST_F(CliPlan, ProfilesListsTheBuiltins)
{
    const auto r = cli("profiles");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* id : {"laptop-cpu-8gb", "laptop-cpu-16gb", "desktop-cpu-32gb", "apple-m-16gb", "apple-m-36gb", "rtx-3060-12gb",
                           "rtx-4090-24gb", "a10g-24gb", "edge-server-cpu-64gb", "raspberry-pi-5-8gb"})
        EXPECT_NE(r.out.find(id), std::string::npos) << id;
    const auto j = cli("profiles --json");
    ASSERT_EQ(j.exitCode, 0) << j.err;
    const Json arr = Json::parse(j.out);
    ASSERT_TRUE(arr.is_array());
    EXPECT_GE(arr.size(), 10u);
    for (const auto& p : arr) {
        EXPECT_TRUE(p["builtin"].get<bool>());
        EXPECT_FALSE(p["sources"].empty()) << p["id"];
    }
}

TEST_F(CliPlan, UserProfileReplacesABuiltinAndBadOnesAreNamed)
{
    const fs::path user = m_dir / "config" / "condense" / "profiles";
    writeFile(user / "pi.json", R"({"schema_version": 1, "id": "raspberry-pi-5-8gb", "name": "My overclocked Pi", "kind": "cpu",
      "runtime": "llama.cpp-cpu", "memory": {"ram": {"total_gib": 8, "usable_gib": 7, "bandwidth_gb_s": 17.1}},
      "compute_tflops": {"cpu": 0.2}, "efficiency": {"tg": 0.6, "pp": 0.3}, "preferred_formats": ["Q4_0"]})");
    const auto r = cli("profiles --json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    bool seen = false;
    for (const auto& p : Json::parse(r.out))
        if (p["id"] == "raspberry-pi-5-8gb") {
            seen = true;
            EXPECT_EQ(p["name"], "My overclocked Pi");
            EXPECT_FALSE(p["builtin"].get<bool>());
        }
    EXPECT_TRUE(seen);

    writeFile(user / "broken.json", R"({"schema_version": 1, "id": "broken", "name": "x", "kind": "cpu", "runtime": "llama.cpp-cpu",
      "memory": {"ram": {"total_gib": 8, "usable_gib": -1, "bandwidth_gb_s": 10}}})");
    const auto bad = cli("profiles");
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("condense-cli: error: " + (user / "broken.json").string()), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("memory.ram.usable_gib"), std::string::npos) << bad.err;
}

TEST_F(CliPlan, ConfigOnlyFolderOnAGpu)
{
    const auto r = cli("plan " + q(m_dir / "llama3-8b") + " --profile rtx-3060-12gb --ctx 8192");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("config.json only"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("mix:      Q8_0, 8.5008 bits/weight"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("33 of 33 layers"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("KV cache 1.0 GiB"), std::string::npos) << r.out;

    const auto j = cli("plan " + q(m_dir / "llama3-8b") + " --profile laptop-cpu-16gb --ctx 4096 --kv-type q8_0 --json");
    ASSERT_EQ(j.exitCode, 0) << j.err;
    const Json doc = Json::parse(j.out);
    EXPECT_EQ(doc["fits"], true);
    EXPECT_EQ(doc["config_only"], true);
    EXPECT_EQ(doc["kv_type"], "q8_0");
    EXPECT_EQ(doc["chosen"]["device"]["kv_cache"], 32ull * 8 * 128 * 4096 * 2 / 32 * 34);
    EXPECT_LE(doc["chosen"]["device"]["total"].get<std::uint64_t>(), 11ull << 30);
    EXPECT_EQ(doc["reasons"].back()["code"], "fit_chose_mix");
    EXPECT_EQ(doc["reason_text"].size(), doc["reasons"].size());
}

TEST_F(CliPlan, RefusalSaysByHowMuch)
{
    const auto r = cli("plan " + q(m_dir / "llama3-70b") + " --profile raspberry-pi-5-8gb");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("nothing fits: even Q2_K needs"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("the profile has 6.5 GiB usable"), std::string::npos) << r.err;
    const auto j = cli("plan " + q(m_dir / "llama3-70b") + " --profile raspberry-pi-5-8gb --json");
    EXPECT_EQ(j.exitCode, 1);
    const Json doc = Json::parse(j.out);
    EXPECT_EQ(doc["fits"], false);
    EXPECT_EQ(doc["reasons"].back()["code"], "fit_nothing_fits");
}

TEST_F(CliPlan, PlanOutIsReplayedByQuantize)
{
    const fs::path planFile = m_dir / "plan.json";
    const auto r = cli("plan " + q(demoDir()) + " --profile laptop-cpu-8gb --plan-out " + q(planFile));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto parsed = plan::planFromJson(readFile(planFile), planFile.string());
    ASSERT_TRUE(parsed.ok()) << describe(parsed.error());
    EXPECT_EQ(parsed->mix, "Q8_0"); // a tiny model: the best preferred mix
    const auto replay = cli("quantize " + q(demoDir()) + " --plan " + q(planFile) + " --dry-run");
    ASSERT_EQ(replay.exitCode, 0) << replay.err;
    EXPECT_NE(replay.out.find("mix Q8_0"), std::string::npos) << replay.out;
}

TEST_F(CliPlan, QuantizeDryRunOnAConfigOnlyFolder)
{
    const auto r = cli("quantize " + q(m_dir / "llama3-8b") + " --type Q4_K_M --dry-run");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // llama.cpp tools/quantize/README.md: Llama-3.1-8B Q4_K_M 4.8944 bits/weight (whole file).
    EXPECT_NE(r.out.find("total: 291 tensors, 4912898048 bytes"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("4.8944 bits/weight"), std::string::npos) << r.out;
    // Without weights nothing can be written.
    const auto w = cli("quantize " + q(m_dir / "llama3-8b") + " --type Q4_K_M -o " + q(m_dir / "out.gguf"));
    EXPECT_EQ(w.exitCode, 1);
    EXPECT_FALSE(fs::exists(m_dir / "out.gguf"));
}

TEST_F(CliPlan, Errors)
{
    const auto unknown = cli("plan " + q(m_dir / "llama3-8b") + " --profile no-such-box");
    EXPECT_EQ(unknown.exitCode, 1);
    EXPECT_NE(unknown.err.find("no hardware profile 'no-such-box' (known: "), std::string::npos) << unknown.err;
    EXPECT_EQ(cli("plan " + q(m_dir / "llama3-8b") + " --profile rtx-3060-12gb --kv-type q4_0").exitCode, 2);
    EXPECT_EQ(cli("plan " + q(m_dir / "llama3-8b")).exitCode, 2);
    const auto missing = cli("plan " + q(m_dir / "absent") + " --profile rtx-3060-12gb");
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find((m_dir / "absent").string()), std::string::npos) << missing.err;
}

} // namespace
