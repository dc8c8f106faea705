#pragma once
// TensorRole: what a tensor of a decoder-only transformer is, from its name alone: the layer
// it belongs to and its role (token embedding, attention norm, q/k/v/o projection, FFN
// gate/up/down, output head, ...). The one classifier of core: the type mixes (core/plan),
// the GUI's tensor tree (ui/models), and analysis and calibration use it.
//
// Names understood:
//   llama.cpp (GGUF) names        [prefix.]blk.N.<base>.<suffix>, <base>.<suffix>
//                                 base: attn_norm, attn_q, attn_k, attn_v, attn_qkv, attn_kv_b,
//                                 attn_output, attn_q_norm, attn_k_norm, ffn_norm, ffn_gate,
//                                 ffn_up, ffn_down (and their MoE forms ffn_*_exps, ffn_*_shexp),
//                                 ffn_gate_inp (router); token_embd, output, output_norm,
//                                 rope_freqs (llama.cpp gguf-py/gguf/constants.py TENSOR_NAMES)
//   Hugging Face names            mapped to llama.cpp names first (tensor_naming.h), so
//                                 model.layers.3.self_attn.q_proj.weight is layer 3, AttnQ;
//                                 lm_head -> Output, model.norm -> OutputNorm
//   Meta's original names         layers.N.*, tok_embeddings.*, norm.* (layer and group only)
// Anything else is TensorRole::Other (with the layer when the name has one).

#include <cstdint>
#include <string_view>

namespace condense::arch {

enum class TensorRole : std::uint8_t {
    TokenEmbd,
    AttnNorm,
    AttnQ,
    AttnK,
    AttnV,
    AttnQkv,     // fused q/k/v
    AttnKvB,     // MLA's kv_b
    AttnOutput,
    AttnQNorm,
    AttnKNorm,
    FfnNorm,
    FfnGate,
    FfnUp,
    FfnDown,
    FfnGateInp,  // MoE router
    OutputNorm,
    Output,
    RopeFreqs,
    Other,
};

// What the suffix after the role says.
enum class TensorPart : std::uint8_t { Weight, Bias, Other };

struct TensorId {
    TensorRole role = TensorRole::Other;
    TensorPart part = TensorPart::Other;
    int layer = -1;       // block index, -1 for tensors outside the blocks
    bool experts = false; // MoE expert tensor (ffn_*_exps / ffn_*_shexp)

    bool isLinear() const; // a weight matrix a linear layer multiplies with (q/k/v/o, gate/up/down, output)
};

TensorId classifyTensor(std::string_view name);

// A short stable key ("attn_q", "ffn_down", "token_embd", ...), for JSON and lookups; never
// user text (ui/i18n names roles for people).
const char* tensorRoleKey(TensorRole role) noexcept;

} // namespace condense::arch
