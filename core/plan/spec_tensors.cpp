#include "core/plan/spec_tensors.h"

#include <algorithm>

namespace condense::plan {

Result<std::vector<PlanTensorInput>> tensorsFromSpec(const arch::ModelSpec& s, const std::string& label)
{
    if (!s.known())
        return makeError(ErrorCode::UnsupportedArchitecture, label,
                         "architecture '" + (s.hfArchitecture.empty() ? s.modelType : s.hfArchitecture) +
                             "' cannot be planned from its config (supported: llama, mistral, qwen2, qwen3)");
    if (s.numExperts > 0) return makeError(ErrorCode::UnsupportedArchitecture, label, "mixture-of-experts models cannot be planned from their config yet");
    const auto need = [&](std::uint64_t v, const char* key) -> Status {
        if (v == 0) return makeError(ErrorCode::Malformed, label, std::string("config.json lacks ") + key);
        return okStatus();
    };
    CONDENSE_TRY(need(s.hiddenSize, "hidden_size"));
    CONDENSE_TRY(need(s.intermediateSize, "intermediate_size"));
    CONDENSE_TRY(need(s.numLayers, "num_hidden_layers"));
    CONDENSE_TRY(need(s.numHeads, "num_attention_heads"));
    CONDENSE_TRY(need(s.numKvHeads, "num_key_value_heads"));
    CONDENSE_TRY(need(s.headDim, "head_dim"));
    CONDENSE_TRY(need(s.vocabSize, "vocab_size"));

    const std::uint64_t h = s.hiddenSize, f = s.intermediateSize, v = s.vocabSize, d = s.headDim;
    const std::uint64_t q = s.numHeads * d, k = s.numKvHeads * d;
    const bool llamaArch = s.family == arch::Family::Llama || s.family == arch::Family::Mistral;
    std::vector<PlanTensorInput> out;
    const auto add = [&](std::string name, std::vector<std::uint64_t> ne) {
        const DType t = ne.size() >= 2 && name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0 &&
                                (name.size() < 12 || name.compare(name.size() - 12, 12, "_norm.weight") != 0)
                            ? DType::F16
                            : DType::F32;
        out.push_back({std::move(name), std::move(ne), t});
    };
    if (llamaArch && s.ropeScaling.type == "llama3") {
        const auto rotary = static_cast<std::uint64_t>(static_cast<double>(d) * s.partialRotaryFactor);
        add("rope_freqs.weight", {(rotary + 1) / 2});
    }
    add("token_embd.weight", {h, v});
    add("output_norm.weight", {h});
    if (!s.tieWordEmbeddings) add("output.weight", {h, v});
    const bool qkvBias = s.attentionBias || s.family == arch::Family::Qwen2;
    const bool oBias = s.attentionBias && s.family != arch::Family::Qwen2;
    for (std::uint64_t i = 0; i < s.numLayers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        add(b + "attn_norm.weight", {h});
        add(b + "attn_q.weight", {h, q});
        add(b + "attn_k.weight", {h, k});
        add(b + "attn_v.weight", {h, k});
        add(b + "attn_output.weight", {q, h});
        if (qkvBias) {
            add(b + "attn_q.bias", {q});
            add(b + "attn_k.bias", {k});
            add(b + "attn_v.bias", {k});
        }
        if (oBias) add(b + "attn_output.bias", {h});
        if (s.qkNorm) {
            add(b + "attn_q_norm.weight", {d});
            add(b + "attn_k_norm.weight", {d});
        }
        add(b + "ffn_norm.weight", {h});
        add(b + "ffn_gate.weight", {h, f});
        add(b + "ffn_up.weight", {h, f});
        add(b + "ffn_down.weight", {f, h});
        if (s.mlpBias) {
            add(b + "ffn_gate.bias", {f});
            add(b + "ffn_up.bias", {f});
            add(b + "ffn_down.bias", {h});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const PlanTensorInput& a, const PlanTensorInput& b) { return llamaTensorOrderLess(a.name, b.name); });
    return out;
}

} // namespace condense::plan
