// config.json -> ModelSpec: the two real configs (read here independently with nlohmann and
// compared field by field), plus the spellings real checkpoints use (transformers < 5 keys,
// rope scaling variants, mistral, qwen3, multimodal text_config, unknown architectures).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/io/hf_config.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

using nlohmann::json;

void expectSpecMatchesConfig(const std::filesystem::path& dir, arch::Family family)
{
    const json c = json::parse(readFile(dir / "config.json"));
    auto r = io::readHfConfig(dir / "config.json");
    ASSERT_TRUE(r.ok()) << describe(r.error());
    const arch::ModelSpec& s = *r;
    EXPECT_EQ(s.family, family);
    EXPECT_TRUE(s.known());
    EXPECT_EQ(s.hfArchitecture, c["architectures"][0].get<std::string>());
    EXPECT_EQ(s.modelType, c["model_type"].get<std::string>());
    EXPECT_EQ(s.vocabSize, c["vocab_size"].get<std::uint64_t>());
    EXPECT_EQ(s.hiddenSize, c["hidden_size"].get<std::uint64_t>());
    EXPECT_EQ(s.intermediateSize, c["intermediate_size"].get<std::uint64_t>());
    EXPECT_EQ(s.numLayers, c["num_hidden_layers"].get<std::uint64_t>());
    EXPECT_EQ(s.numHeads, c["num_attention_heads"].get<std::uint64_t>());
    EXPECT_EQ(s.numKvHeads, c["num_key_value_heads"].get<std::uint64_t>());
    const std::uint64_t headDim = c.contains("head_dim") ? c["head_dim"].get<std::uint64_t>()
                                                         : c["hidden_size"].get<std::uint64_t>() / c["num_attention_heads"].get<std::uint64_t>();
    EXPECT_EQ(s.headDim, headDim);
    EXPECT_EQ(s.maxPositions, c["max_position_embeddings"].get<std::uint64_t>());
    EXPECT_EQ(s.rmsNormEps, c["rms_norm_eps"].get<double>());
    EXPECT_EQ(s.ropeTheta, c["rope_parameters"]["rope_theta"].get<double>());
    EXPECT_EQ(s.ropeScaling.type, c["rope_parameters"]["rope_type"].get<std::string>());
    EXPECT_EQ(s.tieWordEmbeddings, c["tie_word_embeddings"].get<bool>());
    EXPECT_EQ(s.torchDtype, c["dtype"].get<std::string>());
    EXPECT_EQ(s.hiddenAct, c["hidden_act"].get<std::string>());
    EXPECT_EQ(s.bosTokenId, c["bos_token_id"].get<std::int64_t>());
    EXPECT_EQ(s.eosTokenIds, std::vector<std::int64_t>{c["eos_token_id"].get<std::int64_t>()});
    EXPECT_EQ(s.padTokenId, -1); // null in both
    EXPECT_EQ(s.slidingWindow, 0u);
}

TEST(HfConfig, TinyLlama)
{
    expectSpecMatchesConfig(tinyLlamaDir(), arch::Family::Llama);
    auto r = io::readHfConfig(tinyLlamaDir() / "config.json");
    ASSERT_TRUE(r.ok());
    // The models README: 256/768, 6 layers, 8 heads, 4 KV heads, head_dim 32, eps 1e-5,
    // theta 10000, 1024 positions, untied, no biases.
    EXPECT_EQ(r->hiddenSize, 256u);
    EXPECT_EQ(r->headDim, 32u);
    EXPECT_FALSE(r->attentionBias);
    EXPECT_FALSE(r->mlpBias);
    EXPECT_FALSE(r->qkNorm);
}

TEST(HfConfig, SmallQwen2)
{
    expectSpecMatchesConfig(qwen2Dir(), arch::Family::Qwen2);
    auto r = io::readHfConfig(qwen2Dir() / "config.json");
    ASSERT_TRUE(r.ok());
    // README: 512/1536, 6 layers, 8 heads, 2 KV heads, head_dim 64, eps 1e-6, theta 1e6,
    // 2048 positions, tied, q/k/v biases.
    EXPECT_EQ(r->headDim, 64u);
    EXPECT_EQ(r->ropeTheta, 1000000.0);
    EXPECT_TRUE(r->tieWordEmbeddings);
    EXPECT_TRUE(r->attentionBias);
    EXPECT_EQ(r->ggufArchitecture(), "qwen2");
}

Result<arch::ModelSpec> parse(const json& j) { return io::parseHfConfig(j.dump(), "config.json"); }

json base(const char* arch, const char* type)
{
    return {{"architectures", {arch}}, {"model_type", type}, {"hidden_size", 64}, {"intermediate_size", 128},
            {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"vocab_size", 100}};
}

TEST(HfConfig, LegacyKeysAndDefaults)
{
    json j = base("LlamaForCausalLM", "llama");
    j["rope_theta"] = 500000.0;
    j["torch_dtype"] = "bfloat16";
    j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                         {"original_max_position_embeddings", 8192}};
    j["eos_token_id"] = {128001, 128008, 128009};
    auto r = parse(j);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(r->ropeTheta, 500000.0);
    EXPECT_EQ(r->torchDtype, "bfloat16");
    EXPECT_EQ(r->ropeScaling.type, "llama3");
    EXPECT_EQ(r->ropeScaling.factor, 8.0);
    EXPECT_EQ(r->ropeScaling.originalMaxPositions, 8192u);
    EXPECT_EQ(r->eosTokenIds, (std::vector<std::int64_t>{128001, 128008, 128009}));
    // Missing num_key_value_heads means MHA; head_dim defaults to hidden / heads.
    EXPECT_EQ(r->numKvHeads, 4u);
    EXPECT_EQ(r->headDim, 16u);
    EXPECT_FALSE(r->tieWordEmbeddings);
    EXPECT_EQ(r->rmsNormEps, 1e-6);
}

TEST(HfConfig, YarnAndLinearScaling)
{
    json j = base("Qwen2ForCausalLM", "qwen2");
    j["rope_scaling"] = {{"type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 32768}};
    auto r = parse(j);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->ropeScaling.type, "yarn");
    EXPECT_EQ(r->ropeScaling.factor, 4.0);
    j["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
    r = parse(j);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->ropeScaling.type, "linear");
    j["rope_scaling"] = nullptr;
    r = parse(j);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->ropeScaling.type, "default");
}

TEST(HfConfig, MistralAndQwen3)
{
    json m = base("MistralForCausalLM", "mistral");
    m["sliding_window"] = 4096;
    auto r = parse(m);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->family, arch::Family::Mistral);
    EXPECT_EQ(r->slidingWindow, 4096u);
    EXPECT_EQ(r->ggufArchitecture(), "llama");

    json q = base("Qwen3ForCausalLM", "qwen3");
    q["head_dim"] = 32; // qwen3 head_dim differs from hidden / heads
    q["num_key_value_heads"] = 2;
    r = parse(q);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->family, arch::Family::Qwen3);
    EXPECT_EQ(r->headDim, 32u);
    EXPECT_TRUE(r->qkNorm);
    EXPECT_FALSE(r->attentionBias);
}

TEST(HfConfig, ModelTypeWithoutArchitectures)
{
    json j = base("x", "qwen2");
    j.erase("architectures");
    auto r = parse(j);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->family, arch::Family::Qwen2);
}

TEST(HfConfig, TextConfigWrapper)
{
    json j = {{"architectures", {"LlamaForCausalLM"}}, {"text_config", base("LlamaForCausalLM", "llama")}};
    j["text_config"].erase("architectures");
    auto r = parse(j);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(r->family, arch::Family::Llama);
    EXPECT_EQ(r->hiddenSize, 64u);
}

TEST(HfConfig, UnknownArchitectureStillParses)
{
    json j = {{"architectures", {"GPT2LMHeadModel"}}, {"model_type", "gpt2"}, {"n_embd", 768}};
    auto r = parse(j);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->family, arch::Family::Unknown);
    EXPECT_FALSE(r->known());
    EXPECT_EQ(r->hfArchitecture, "GPT2LMHeadModel");
}

TEST(HfConfig, Refusals)
{
    EXPECT_EQ(io::parseHfConfig("{", "c").error().code, ErrorCode::Malformed);
    EXPECT_EQ(io::parseHfConfig("[1]", "c").error().code, ErrorCode::Malformed);
    json j = base("LlamaForCausalLM", "llama");
    j.erase("vocab_size");
    EXPECT_EQ(parse(j).error().code, ErrorCode::Malformed);
    j = base("LlamaForCausalLM", "llama");
    j["num_key_value_heads"] = 3;
    EXPECT_EQ(parse(j).error().code, ErrorCode::Malformed);
    j = base("LlamaForCausalLM", "llama");
    j["head_dim"] = 15;
    EXPECT_EQ(parse(j).error().code, ErrorCode::Malformed);
    EXPECT_EQ(parse(j).error().file, "config.json");

    TempDir tmp;
    EXPECT_EQ(io::readHfConfig(tmp / "config.json").error().code, ErrorCode::NotFound);
    writeFile(tmp / "config.json", std::string(io::kMaxConfigBytes + 1, ' '));
    EXPECT_EQ(io::readHfConfig(tmp / "config.json").error().code, ErrorCode::OutOfRange);
}

} // namespace
} // namespace condense::test
