#pragma once
// The weights of one transformer block as the forward pass uses them. Matrices are views
// into the checkpoint's mapping (weight_view.h); the small 1-D tensors (norm weights, biases)
// are float copies. Empty vectors mean "absent" (no bias, no q/k norm).
//
// WeightRole names each weight matrix the forward pass multiplies (or, for TokenEmbd, reads
// rows of), so calibration and sensitivity code can say which tensor an activation feeds
// (activation_observer.h) or which one a Session should replace (Session::overrideWeight).
// tensorName() gives llama.cpp's name ("blk.3.attn_q.weight", "output.weight").

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/model/weight_view.h"

namespace condense::model {

enum class WeightRole : std::uint8_t {
    AttnQ, AttnK, AttnV, AttnOutput, FfnGate, FfnUp, FfnDown, // per block
    TokenEmbd, Output,                                        // model-wide (layer -1)
};
inline constexpr int kBlockWeightRoles = 7; // AttnQ .. FfnDown

inline bool isBlockRole(WeightRole r) { return static_cast<int>(r) < kBlockWeightRoles; }

// "attn_q", ..., "ffn_down", "token_embd", "output".
inline const char* weightRoleName(WeightRole r)
{
    switch (r) {
    case WeightRole::AttnQ: return "attn_q";
    case WeightRole::AttnK: return "attn_k";
    case WeightRole::AttnV: return "attn_v";
    case WeightRole::AttnOutput: return "attn_output";
    case WeightRole::FfnGate: return "ffn_gate";
    case WeightRole::FfnUp: return "ffn_up";
    case WeightRole::FfnDown: return "ffn_down";
    case WeightRole::TokenEmbd: return "token_embd";
    case WeightRole::Output: return "output";
    }
    return "";
}

// llama.cpp's tensor name: "blk.<layer>.<role>.weight" for block roles, "<role>.weight" else.
inline std::string tensorName(std::int64_t layer, WeightRole r)
{
    const std::string base = std::string(weightRoleName(r)) + ".weight";
    return isBlockRole(r) ? "blk." + std::to_string(layer) + "." + base : base;
}

struct LayerWeights {
    std::vector<float> attnNorm;        // [hidden]
    WeightView q, k, v, o;              // [heads*headDim, hidden], [kv*headDim, hidden] x2, [hidden, heads*headDim]
    std::vector<float> qBias, kBias, vBias; // qwen2
    std::vector<float> qNorm, kNorm;    // qwen3: [headDim], applied per head before RoPE
    std::vector<float> ffnNorm;         // [hidden]
    WeightView gate, up, down;          // [ff, hidden] x2, [hidden, ff]

    // The matrix of a block role (isBlockRole(r) must hold).
    const WeightView& matrix(WeightRole r) const { return pick(*this, r); }
    WeightView& matrix(WeightRole r) { return pick(*this, r); }

private:
    template <typename Self>
    static std::conditional_t<std::is_const_v<Self>, const WeightView, WeightView>& pick(Self& s, WeightRole r)
    {
        switch (r) {
        case WeightRole::AttnQ: return s.q;
        case WeightRole::AttnK: return s.k;
        case WeightRole::AttnV: return s.v;
        case WeightRole::AttnOutput: return s.o;
        case WeightRole::FfnGate: return s.gate;
        case WeightRole::FfnUp: return s.up;
        default: return s.down;
        }
    }
};

} // namespace condense::model
