#include "core/io/hf_config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/io/error_text.h"
#include "core/io/json_file.h"

namespace condense::io {

namespace {
using nlohmann::json;

std::uint64_t getU(const json& j, const char* k, std::uint64_t def)
{
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0) return def;
    return it->get<std::uint64_t>();
}

double getD(const json& j, const char* k, double def)
{
    auto it = j.find(k);
    if (it == j.end() || !it->is_number()) return def;
    return it->get<double>();
}

bool getB(const json& j, const char* k, bool def)
{
    auto it = j.find(k);
    if (it == j.end() || !it->is_boolean()) return def;
    return it->get<bool>();
}

std::string getS(const json& j, const char* k, std::string def = {})
{
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) return def;
    return it->get<std::string>();
}

void readRope(const json& r, arch::ModelSpec& s)
{
    if (!r.is_object()) return;
    s.ropeTheta = getD(r, "rope_theta", s.ropeTheta);
    std::string type = getS(r, "rope_type", getS(r, "type", "default"));
    if (type == "su") type = "longrope";
    s.ropeScaling.type = type;
    s.ropeScaling.factor = getD(r, "factor", 1.0);
    s.ropeScaling.originalMaxPositions = getU(r, "original_max_position_embeddings", 0);
    s.ropeScaling.lowFreqFactor = getD(r, "low_freq_factor", 1.0);
    s.ropeScaling.highFreqFactor = getD(r, "high_freq_factor", 4.0);
    s.ropeScaling.attentionFactor = getD(r, "attention_factor", 0.0);
    s.ropeScaling.betaFast = getD(r, "beta_fast", 32.0);
    s.ropeScaling.betaSlow = getD(r, "beta_slow", 1.0);
    s.partialRotaryFactor = getD(r, "partial_rotary_factor", s.partialRotaryFactor);
}
} // namespace

Result<arch::ModelSpec> parseHfConfig(std::string_view text, const std::string& label)
{
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        return makeError(ErrorCode::Malformed, label, std::string("invalid JSON: ") + printableText(e.what()));
    }
    if (!j.is_object()) return makeError(ErrorCode::Malformed, label, "config is not a JSON object");
    // Multimodal wrappers keep the language model under text_config.
    if (j.contains("text_config") && j["text_config"].is_object() && !j.contains("hidden_size")) {
        json inner = j["text_config"];
        if (!inner.contains("architectures") && j.contains("architectures")) inner["architectures"] = j["architectures"];
        j = std::move(inner);
    }

    arch::ModelSpec s;
    if (auto a = j.find("architectures"); a != j.end() && a->is_array() && !a->empty() && (*a)[0].is_string())
        s.hfArchitecture = (*a)[0].get<std::string>();
    s.modelType = getS(j, "model_type");
    const std::string& a = s.hfArchitecture;
    const std::string& mt = s.modelType;
    if (a == "LlamaForCausalLM" || (a.empty() && mt == "llama")) s.family = arch::Family::Llama;
    else if (a == "MistralForCausalLM" || (a.empty() && mt == "mistral")) s.family = arch::Family::Mistral;
    else if (a == "Qwen2ForCausalLM" || (a.empty() && mt == "qwen2")) s.family = arch::Family::Qwen2;
    else if (a == "Qwen3ForCausalLM" || (a.empty() && mt == "qwen3")) s.family = arch::Family::Qwen3;

    s.vocabSize = getU(j, "vocab_size", 0);
    s.hiddenSize = getU(j, "hidden_size", 0);
    s.intermediateSize = getU(j, "intermediate_size", 0);
    s.numLayers = getU(j, "num_hidden_layers", 0);
    s.numHeads = getU(j, "num_attention_heads", 0);
    s.numKvHeads = getU(j, "num_key_value_heads", s.numHeads);
    const std::uint64_t defHeadDim = s.numHeads ? s.hiddenSize / s.numHeads : 0;
    s.headDim = getU(j, "head_dim", defHeadDim);
    if (s.headDim == 0) s.headDim = defHeadDim;
    s.maxPositions = getU(j, "max_position_embeddings", 0);
    s.rmsNormEps = getD(j, "rms_norm_eps", 1e-6);
    s.ropeTheta = getD(j, "rope_theta", 10000.0);
    if (auto r = j.find("rope_scaling"); r != j.end()) readRope(*r, s);
    if (auto r = j.find("rope_parameters"); r != j.end()) readRope(*r, s);
    s.partialRotaryFactor = getD(j, "partial_rotary_factor", s.partialRotaryFactor);
    // transformers' LlamaConfig, MistralConfig, Qwen2Config and Qwen3Config all default to false.
    s.tieWordEmbeddings = getB(j, "tie_word_embeddings", false);
    s.attentionBias = s.family == arch::Family::Qwen2 ? true : getB(j, "attention_bias", false);
    s.mlpBias = getB(j, "mlp_bias", false);
    s.qkNorm = s.family == arch::Family::Qwen3;
    s.slidingWindow = getB(j, "use_sliding_window", s.family == arch::Family::Mistral) ? getU(j, "sliding_window", 0) : 0;
    s.hiddenAct = getS(j, "hidden_act", "silu");
    s.torchDtype = getS(j, "dtype", getS(j, "torch_dtype"));
    if (auto b = j.find("bos_token_id"); b != j.end() && b->is_number_integer()) s.bosTokenId = b->get<std::int64_t>();
    if (auto e = j.find("eos_token_id"); e != j.end()) {
        if (e->is_number_integer()) s.eosTokenIds.push_back(e->get<std::int64_t>());
        else if (e->is_array())
            for (const auto& x : *e)
                if (x.is_number_integer()) s.eosTokenIds.push_back(x.get<std::int64_t>());
    }
    if (auto pd = j.find("pad_token_id"); pd != j.end() && pd->is_number_integer()) s.padTokenId = pd->get<std::int64_t>();

    if (s.known()) {
        if (s.hiddenSize == 0 || s.numLayers == 0 || s.numHeads == 0 || s.vocabSize == 0 || s.intermediateSize == 0)
            return makeError(ErrorCode::Malformed, label, "config lacks hidden_size, num_hidden_layers, num_attention_heads, intermediate_size or vocab_size");
        if (s.numKvHeads == 0 || s.numHeads % s.numKvHeads != 0)
            return makeError(ErrorCode::Malformed, label, "num_attention_heads is not a multiple of num_key_value_heads");
        if (s.headDim % 2 != 0) return makeError(ErrorCode::Malformed, label, "head_dim must be even for RoPE");
    }
    return s;
}

Result<arch::ModelSpec> readHfConfig(const std::filesystem::path& path)
{
    auto text = readTextFile(path, kMaxConfigBytes);
    if (!text) return std::move(text).error();
    return parseHfConfig(*text, path.string());
}

} // namespace condense::io
