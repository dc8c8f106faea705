#pragma once
// Shared by the model_*_test.cpp files: the transformers goldens of tests/data (test_paths.h)
// (golden/logits.json + logits_promptN.bin, float32 [n_tokens, vocab]) and small helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/model/model.h"
#include "core/model/session.h"
#include "tests/support/test_paths.h"

namespace condense::model::test {

struct GoldenPrompt {
    std::vector<std::int32_t> ids;
    std::vector<float> logits; // n_tokens x vocab
    std::int64_t vocab = 0;
};

inline std::vector<float> readFloats(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    EXPECT_TRUE(in.good()) << p;
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    in.seekg(0);
    std::vector<float> v(size / sizeof(float));
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
    return v;
}

inline nlohmann::json readJson(const std::filesystem::path& p)
{
    std::ifstream in(condense::test::requireFile(p));
    return nlohmann::json::parse(in);
}

inline std::vector<GoldenPrompt> goldenPrompts(const std::filesystem::path& modelDir)
{
    const auto j = readJson(modelDir / "golden" / "logits.json");
    std::vector<GoldenPrompt> out;
    for (const auto& p : j.at("prompts")) {
        GoldenPrompt g;
        g.ids = p.at("input_ids").get<std::vector<std::int32_t>>();
        g.vocab = p.at("shape").at(1).get<std::int64_t>();
        g.logits = readFloats(modelDir / "golden" / p.at("file").get<std::string>());
        EXPECT_EQ(g.logits.size(), g.ids.size() * static_cast<std::size_t>(g.vocab));
        out.push_back(std::move(g));
    }
    return out;
}

inline std::shared_ptr<const io::Checkpoint> openOrFail(const std::filesystem::path& p)
{
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(p, sink);
    EXPECT_TRUE(ck.ok()) << p << ": " << (ck.ok() ? "" : describe(ck.error()));
    return ck.ok() ? *ck : nullptr;
}

inline std::shared_ptr<const Model> loadOrFail(const std::filesystem::path& p, const LoadConfig& cfg = {})
{
    auto ck = openOrFail(p);
    if (!ck) return nullptr;
    auto m = loadModel(ck, cfg);
    EXPECT_TRUE(m.ok()) << p << ": " << (m.ok() ? "" : describe(m.error()));
    return m.ok() ? *m : nullptr;
}

// Logits of all positions of `ids`, from an empty context.
inline std::vector<float> allLogits(const std::shared_ptr<const Model>& m, const std::vector<std::int32_t>& ids,
                                    int threads = 2, std::int64_t maxBatch = 512)
{
    SessionConfig sc;
    sc.nCtx = static_cast<std::int64_t>(ids.size());
    sc.threads = threads;
    sc.maxBatch = maxBatch;
    auto s = Session::create(m, sc);
    EXPECT_TRUE(s.ok());
    std::vector<float> logits(ids.size() * static_cast<std::size_t>(m->dims().vocab));
    auto st = (*s)->eval(ids, logits);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : describe(st.error()));
    return logits;
}

inline float maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    EXPECT_EQ(a.size(), b.size());
    float m = 0.0f;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        const float d = std::fabs(a[i] - b[i]);
        if (!(d <= m)) m = d; // NaN propagates
    }
    return m;
}

inline std::int64_t argmaxRow(const float* row, std::int64_t vocab)
{
    return std::max_element(row, row + vocab) - row;
}

// Share of rows whose argmax agrees.
inline double argmaxAgreement(const std::vector<float>& a, const std::vector<float>& b, std::int64_t vocab)
{
    const std::int64_t rows = static_cast<std::int64_t>(a.size()) / vocab;
    std::int64_t same = 0;
    for (std::int64_t r = 0; r < rows; ++r) same += argmaxRow(a.data() + r * vocab, vocab) == argmaxRow(b.data() + r * vocab, vocab);
    return rows ? static_cast<double>(same) / static_cast<double>(rows) : 0.0;
}

} // namespace condense::model::test
