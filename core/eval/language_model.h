#pragma once
// What the evaluation engine needs from a model: run a token sequence from an empty context
// and hand back logits (and, on request, every block's output hidden state). core/model's
// engine implements it; tests implement it with synthetic models. Keeping eval behind this
// interface lets every metric be tested without a network, and lets the engine change freely.

#include <cstdint>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace condense::eval {

// Block outputs of one evaluation: states[layer] holds n_tokens × hidden floats, row-major.
struct LayerStates {
    std::vector<std::vector<float>> states;
};

class LanguageModel {
public:
    virtual ~LanguageModel() = default;
    virtual std::string label() const = 0;
    virtual std::int64_t vocabSize() const = 0;
    virtual int numLayers() const = 0;
    virtual std::int64_t hiddenSize() const = 0;
    virtual std::int64_t contextLength() const = 0; // largest sequence evaluate() accepts

    // Evaluates `tokens` at positions 0..n-1 from an empty cache. Writes the logits of
    // positions [firstLogit, n) to `logits` ((n - firstLogit) × vocab, row-major). When
    // `layers` is not null it receives each block's output for all n positions.
    virtual Status evaluate(std::span<const std::int32_t> tokens, std::int64_t firstLogit, std::span<float> logits,
                            LayerStates* layers, std::stop_token stop) = 0;
};

} // namespace condense::eval
