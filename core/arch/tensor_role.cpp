#include "core/arch/tensor_role.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "core/arch/tensor_naming.h"

namespace condense::arch {

namespace {

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

std::optional<int> layerNumber(std::string_view s)
{
    if (s.empty() || s.size() > 9) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

// The next dot-separated component of `s` from `pos` (pos moves past it).
std::string_view nextPart(std::string_view s, std::size_t& pos)
{
    if (pos > s.size()) return {};
    const std::size_t dot = s.find('.', pos);
    const std::string_view part = s.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    pos = dot == std::string_view::npos ? s.size() + 1 : dot + 1;
    return part;
}

TensorRole blockRole(std::string_view base, bool& experts)
{
    static constexpr std::array<std::pair<std::string_view, TensorRole>, 11> kExact{{
        {"attn_norm", TensorRole::AttnNorm},
        {"attn_q", TensorRole::AttnQ},
        {"attn_k", TensorRole::AttnK},
        {"attn_v", TensorRole::AttnV},
        {"attn_qkv", TensorRole::AttnQkv},
        {"attn_kv_b", TensorRole::AttnKvB},
        {"attn_output", TensorRole::AttnOutput},
        {"attn_q_norm", TensorRole::AttnQNorm},
        {"attn_k_norm", TensorRole::AttnKNorm},
        {"ffn_norm", TensorRole::FfnNorm},
        {"ffn_gate_inp", TensorRole::FfnGateInp},
    }};
    for (const auto& [name, role] : kExact)
        if (base == name) return role;
    experts = contains(base, "_exps") || contains(base, "_shexp") || contains(base, "_chexp");
    if (startsWith(base, "ffn_gate")) return TensorRole::FfnGate;
    if (startsWith(base, "ffn_up")) return TensorRole::FfnUp;
    if (startsWith(base, "ffn_down")) return TensorRole::FfnDown;
    experts = false;
    return TensorRole::Other;
}

TensorRole topLevelRole(std::string_view base)
{
    if (base == "token_embd" || base == "per_layer_token_embd" || base == "tok_embeddings" || base == "embed_tokens")
        return TensorRole::TokenEmbd;
    if (base == "output") return TensorRole::Output;
    if (base == "output_norm" || base == "norm") return TensorRole::OutputNorm;
    if (base == "rope_freqs") return TensorRole::RopeFreqs;
    return TensorRole::Other;
}

TensorPart partOf(std::string_view suffix)
{
    if (suffix == "weight") return TensorPart::Weight;
    if (suffix == "bias") return TensorPart::Bias;
    return TensorPart::Other;
}

TensorId classifyLlamaCpp(std::string_view name)
{
    TensorId id;
    // Look for "<blk|layers>.<N>." anywhere (a prefix such as "enc." may stand before it).
    std::size_t pos = 0;
    std::string_view prev;
    while (pos <= name.size()) {
        const std::string_view part = nextPart(name, pos);
        if (prev == "blk" || prev == "layers") {
            if (const auto n = layerNumber(part)) {
                id.layer = *n;
                const std::string_view base = nextPart(name, pos);
                id.role = blockRole(base, id.experts);
                id.part = pos <= name.size() ? partOf(name.substr(pos)) : TensorPart::Other;
                return id;
            }
        }
        prev = part;
    }
    pos = 0;
    const std::string_view base = nextPart(name, pos);
    id.role = topLevelRole(base);
    id.part = pos <= name.size() ? partOf(name.substr(pos)) : TensorPart::Other;
    return id;
}

} // namespace

bool TensorId::isLinear() const
{
    if (part != TensorPart::Weight) return false;
    switch (role) {
    case TensorRole::AttnQ: case TensorRole::AttnK: case TensorRole::AttnV: case TensorRole::AttnQkv:
    case TensorRole::AttnKvB: case TensorRole::AttnOutput: case TensorRole::FfnGate: case TensorRole::FfnUp:
    case TensorRole::FfnDown: case TensorRole::Output:
        return true;
    default: return false;
    }
}

TensorId classifyTensor(std::string_view name)
{
    // Hugging Face names first go through the llama.cpp name map.
    if (startsWith(name, "model.") || startsWith(name, "lm_head.") || contains(name, "language_model.")) {
        if (const auto mapped = ggufTensorName(name)) return classifyLlamaCpp(*mapped);
        TensorId id;
        const int b = hfBlockId(name);
        id.layer = b;
        if (b < 0 && startsWith(name, "model.embed_tokens.")) id.role = TensorRole::TokenEmbd;
        return id;
    }
    return classifyLlamaCpp(name);
}

const char* tensorRoleKey(TensorRole role) noexcept
{
    switch (role) {
    case TensorRole::TokenEmbd: return "token_embd";
    case TensorRole::AttnNorm: return "attn_norm";
    case TensorRole::AttnQ: return "attn_q";
    case TensorRole::AttnK: return "attn_k";
    case TensorRole::AttnV: return "attn_v";
    case TensorRole::AttnQkv: return "attn_qkv";
    case TensorRole::AttnKvB: return "attn_kv_b";
    case TensorRole::AttnOutput: return "attn_output";
    case TensorRole::AttnQNorm: return "attn_q_norm";
    case TensorRole::AttnKNorm: return "attn_k_norm";
    case TensorRole::FfnNorm: return "ffn_norm";
    case TensorRole::FfnGate: return "ffn_gate";
    case TensorRole::FfnUp: return "ffn_up";
    case TensorRole::FfnDown: return "ffn_down";
    case TensorRole::FfnGateInp: return "ffn_gate_inp";
    case TensorRole::OutputNorm: return "output_norm";
    case TensorRole::Output: return "output";
    case TensorRole::RopeFreqs: return "rope_freqs";
    case TensorRole::Other: break;
    }
    return "other";
}

} // namespace condense::arch
