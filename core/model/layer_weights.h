#pragma once
// The weights of one transformer block as the forward pass uses them. Matrices are views
// into the checkpoint's mapping (weight_view.h); the small 1-D tensors (norm weights, biases)
// are float copies. Empty vectors mean "absent" (no bias, no q/k norm).

#include <vector>

#include "core/model/weight_view.h"

namespace condense::model {

struct LayerWeights {
    std::vector<float> attnNorm;        // [hidden]
    WeightView q, k, v, o;              // [heads*headDim, hidden], [kv*headDim, hidden] x2, [hidden, heads*headDim]
    std::vector<float> qBias, kBias, vBias; // qwen2
    std::vector<float> qNorm, kNorm;    // qwen3: [headDim], applied per head before RoPE
    std::vector<float> ffnNorm;         // [hidden]
    WeightView gate, up, down;          // [ff, hidden] x2, [hidden, ff]
};

} // namespace condense::model
