#include "core/arch/tensor_naming.h"

#include <array>
#include <utility>

namespace condense::arch {

namespace {

bool endsWith(std::string_view s, std::string_view suffix) noexcept
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool isDigits(std::string_view s) noexcept
{
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// Per-layer module (after "model.layers.N.") -> llama.cpp block tensor (after "blk.N.").
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kLayerModules{{
    {"input_layernorm", "attn_norm"},
    {"self_attn.q_proj", "attn_q"},
    {"self_attn.k_proj", "attn_k"},
    {"self_attn.v_proj", "attn_v"},
    {"self_attn.o_proj", "attn_output"},
    {"self_attn.q_norm", "attn_q_norm"},
    {"self_attn.k_norm", "attn_k_norm"},
    {"post_attention_layernorm", "ffn_norm"},
    {"mlp.gate_proj", "ffn_gate"},
    {"mlp.up_proj", "ffn_up"},
    {"mlp.down_proj", "ffn_down"},
}};

} // namespace

bool isSkippedHfTensor(std::string_view n) noexcept
{
    return endsWith(n, ".attention.masked_bias") || endsWith(n, ".attention.bias") || endsWith(n, ".rotary_emb.inv_freq");
}

int hfBlockId(std::string_view n) noexcept
{
    std::size_t start = 0;
    while (start <= n.size()) {
        const std::size_t dot = n.find('.', start);
        const std::string_view part = n.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (isDigits(part) && part.size() < 9) {
            int v = 0;
            for (char c : part) v = v * 10 + (c - '0');
            return v;
        }
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return -1;
}

std::optional<std::string> ggufTensorName(std::string_view n)
{
    std::string stripped;
    if (const auto p = n.find("language_model."); p != std::string_view::npos) {
        stripped = std::string(n.substr(0, p)) + std::string(n.substr(p + 15));
        n = stripped;
    }
    std::string_view suffix;
    if (endsWith(n, ".weight")) suffix = ".weight";
    else if (endsWith(n, ".bias")) suffix = ".bias";
    else return std::nullopt;
    const std::string_view base = n.substr(0, n.size() - suffix.size());

    if (base == "model.embed_tokens") return "token_embd" + std::string(suffix);
    if (base == "model.norm") return "output_norm" + std::string(suffix);
    if (base == "lm_head") return "output" + std::string(suffix);

    constexpr std::string_view kLayers = "model.layers.";
    if (base.substr(0, kLayers.size()) != kLayers) return std::nullopt;
    const std::string_view rest = base.substr(kLayers.size());
    const std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view bid = rest.substr(0, dot);
    if (!isDigits(bid)) return std::nullopt;
    const std::string_view module = rest.substr(dot + 1);
    for (const auto& [hf, gg] : kLayerModules)
        if (module == hf)
            return "blk." + std::string(bid) + "." + std::string(gg) + std::string(suffix);
    return std::nullopt;
}

QkPermute qkPermuteFor(std::string_view n) noexcept
{
    if (endsWith(n, "q_proj.weight") || endsWith(n, "q_proj.bias")) return QkPermute::Query;
    if (endsWith(n, "k_proj.weight") || endsWith(n, "k_proj.bias")) return QkPermute::Key;
    return QkPermute::None;
}

std::uint64_t qkPermutedSourceRow(std::uint64_t dstRow, std::uint64_t rows, std::uint64_t nHead) noexcept
{
    const std::uint64_t d = rows / nHead; // rows per head
    const std::uint64_t h = d / 2;
    const std::uint64_t g = dstRow / d;
    const std::uint64_t within = dstRow % d;
    const std::uint64_t i = within / 2;
    const std::uint64_t j = within % 2;
    return g * d + j * h + i;
}

} // namespace condense::arch
