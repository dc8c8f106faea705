// `condense-cli analyze` end to end: the demo model (Hugging Face folder) and reference GGUF
// files (F16 and llama-quantize's Q4_K_M, dequantized for analysis): the table, the JSON
// document (schema in core/report/analysis_report.h), previews by type, by mix (llama-quantize's
// per-tensor types) and with an importance matrix, the cache on a second run, and the errors.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

class CliAnalyze : public ::testing::Test {
protected:
    CommandResult analyze(const std::string& args)
    {
        return runCommand("XDG_CACHE_HOME=" + q(m_dir.path() / "cache") + " " + q(cliPath()) + " analyze " + args);
    }
    json analyzeJson(const std::string& args)
    {
        auto r = analyze(args + " --json -");
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return json::parse(r.out);
    }
    TempDir m_dir;
};

fs::path demo() { return sourceDir() / "resources" / "demo"; }

TEST_F(CliAnalyze, DemoModelTableListsEveryTensorWithStatisticsAndPreview)
{
    auto r = analyze(q(demo()) + " --preview-type Q4_K_M");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("rel RMSE"), std::string::npos);
    EXPECT_NE(r.out.find("57 tensors: 57 analysed, 0 from cache"), std::string::npos) << r.out;
    // llama-quantize's Q4_K_M gives the (untied) output Q6_K and most matrices Q4_K.
    const auto line = r.out.substr(r.out.find("lm_head.weight"), 200);
    EXPECT_NE(line.find("Q6_K"), std::string::npos) << line;
    EXPECT_NE(r.out.find("preview Q4_K_M: rel RMSE"), std::string::npos);

    // A second run reads the cache: no tensor is analysed again.
    auto again = analyze(q(demo()) + " --preview-type Q4_K_M");
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_NE(again.out.find("57 tensors: 0 analysed, 57 from cache"), std::string::npos) << again.out;
}

TEST_F(CliAnalyze, JsonDocumentWithHistogramsIsConsistent)
{
    const json j = analyzeJson(q(demo()) + " --histogram --preview-type Q8_0 --no-cache");
    EXPECT_EQ(j["schema"], "condense.analysis");
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(j["preview"], "Q8_0");
    ASSERT_EQ(j["tensors"].size(), 57u);
    EXPECT_EQ(j["summary"]["analyzed"], 57);
    EXPECT_EQ(j["summary"]["failed"], 0);
    for (const auto& t : j["tensors"]) {
        SCOPED_TRACE(t["name"].get<std::string>());
        ASSERT_TRUE(t["error"].is_null());
        const auto& s = t["stats"];
        EXPECT_EQ(s["count"].get<std::uint64_t>(), s["finite"].get<std::uint64_t>());
        EXPECT_GT(s["std"].get<double>(), 0.0);
        EXPECT_LE(s["beyond_6std"].get<double>(), s["beyond_3std"].get<double>());
        const auto& h = t["histogram"];
        ASSERT_EQ(h["bins"].size(), 256u);
        std::uint64_t total = h["under"].get<std::uint64_t>() + h["over"].get<std::uint64_t>();
        for (const auto& b : h["bins"]) total += b.get<std::uint64_t>();
        EXPECT_EQ(total, s["count"].get<std::uint64_t>());
        const auto& m = t["outlier_map"];
        EXPECT_EQ(m["cells"].size(), m["rows"].get<std::size_t>() * m["cols"].get<std::size_t>());
        EXPECT_EQ(t["columns"]["l2"].size(), t["cols"].get<std::size_t>());
        const bool matrix = t["shape"].size() == 2;
        EXPECT_EQ(t["preview"].is_null(), !matrix);
        if (matrix) {
            const double rel = t["preview"]["rel_rmse"].get<double>();
            EXPECT_GT(rel, 0.0);
            EXPECT_LT(rel, 0.02); // Q8_0: about 0.4 % of the signal
            EXPECT_NEAR(t["preview"]["snr_db"].get<double>(), -20 * std::log10(rel), 1e-9);
            EXPECT_LE(t["top_outliers"][0]["value"].get<double>() * t["top_outliers"][0]["value"].get<double>(),
                      s["abs_max"].get<double>() * s["abs_max"].get<double>() * (1 + 1e-12));
        }
    }
    EXPECT_FALSE(j["layers"].empty());
    EXPECT_FALSE(j["total"].is_null());
}

TEST_F(CliAnalyze, TensorRegexSelectsAndJsonFileIsWritten)
{
    const fs::path out = m_dir.path() / "a.json";
    auto r = analyze(q(demo()) + " --tensor 'q_proj' --json " + q(out));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json j = json::parse(readFile(out));
    ASSERT_EQ(j["tensors"].size(), 6u); // six layers
    for (const auto& t : j["tensors"]) EXPECT_NE(t["name"].get<std::string>().find("q_proj"), std::string::npos);
    EXPECT_FALSE(j["tensors"][0].contains("histogram")); // only with --histogram
    EXPECT_TRUE(j["preview"].is_null());
}

TEST_F(CliAnalyze, QuantizedReferenceGgufIsDequantizedForAnalysis)
{
    const fs::path f = referenceGguf("Q4_K_M");
    const json j = analyzeJson(q(f));
    bool sawQ4K = false;
    for (const auto& t : j["tensors"]) {
        ASSERT_TRUE(t["error"].is_null()) << t["name"];
        sawQ4K = sawQ4K || t["type"] == "Q4_K";
        EXPECT_TRUE(std::isfinite(t["stats"]["std"].get<double>()));
        EXPECT_GT(t["stats"]["abs_max"].get<double>(), 0.0);
    }
    EXPECT_TRUE(sawQ4K);
}

TEST_F(CliAnalyze, ImportanceMatrixGivesTheWeightedError)
{
    const fs::path f = referenceGguf("F16");
    const fs::path im = referenceGguf("imatrix");
    const json j = analyzeJson(q(f) + " --preview-type Q4_K --imatrix " + q(im));
    std::size_t weighted = 0;
    for (const auto& t : j["tensors"])
        if (!t["preview"].is_null() && !t["preview"]["weighted_rel_rmse"].is_null()) {
            ++weighted;
            EXPECT_GT(t["preview"]["weighted_rel_rmse"].get<double>(), 0.0);
        }
    EXPECT_GT(weighted, 10u);
    EXPECT_FALSE(j["total"]["weighted_rel_rmse"].is_null());
}

TEST_F(CliAnalyze, Errors)
{
    {
        auto r = analyze(q(m_dir.path() / "missing.gguf"));
        EXPECT_EQ(r.exitCode, 1);
        EXPECT_EQ(r.err.rfind("condense-cli: error: " + (m_dir.path() / "missing.gguf").string() + ": ", 0), 0u) << r.err;
    }
    {
        auto r = analyze(q(demo()) + " --tensor '(unclosed'");
        EXPECT_EQ(r.exitCode, 1);
        EXPECT_EQ(r.err.rfind("condense-cli: error: " + demo().string() + ": ", 0), 0u) << r.err;
        EXPECT_NE(r.err.find("(unclosed"), std::string::npos);
    }
    {
        auto r = analyze(q(demo()) + " --preview-type Q9_K");
        EXPECT_EQ(r.exitCode, 1);
        EXPECT_EQ(r.err.rfind("condense-cli: error: " + demo().string() + ": ", 0), 0u) << r.err;
        EXPECT_NE(r.err.find("Q9_K"), std::string::npos);
    }
    {
        auto r = analyze(""); // MODEL is required
        EXPECT_EQ(r.exitCode, 2);
    }
}

} // namespace
} // namespace condense::test
