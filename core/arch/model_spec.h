#pragma once
// ModelSpec: the architecture facts of a decoder-only transformer, from a Hugging Face
// config.json (core/io/hf_config.h) or from GGUF metadata (core/io/checkpoint.h specFromGguf). Fields the
// source lacks keep their defaults; `known` says whether the architecture is one we can
// convert and run (llama, mistral, qwen2, qwen3). Unknown architectures still open for
// inspection.

#include <cstdint>
#include <string>
#include <vector>

namespace condense::arch {

enum class Family : std::uint8_t { Unknown, Llama, Mistral, Qwen2, Qwen3 };

struct RopeScaling {
    std::string type = "default"; // default | linear | dynamic | yarn | longrope | llama3
    double factor = 1.0;
    std::uint64_t originalMaxPositions = 0;
    double lowFreqFactor = 1.0;   // llama3
    double highFreqFactor = 4.0;  // llama3
    double attentionFactor = 0.0; // yarn (0: unset)
    double betaFast = 32.0;       // yarn
    double betaSlow = 1.0;        // yarn
};

struct ModelSpec {
    Family family = Family::Unknown;
    std::string hfArchitecture; // "LlamaForCausalLM" (empty for GGUF input without it)
    std::string modelType;      // config.json model_type, or GGUF general.architecture
    std::string name;           // general.name / folder name

    std::uint64_t vocabSize = 0;
    std::uint64_t hiddenSize = 0;
    std::uint64_t intermediateSize = 0;
    std::uint64_t numLayers = 0;
    std::uint64_t numHeads = 0;
    std::uint64_t numKvHeads = 0;
    std::uint64_t numExperts = 0; // MoE experts per layer (0: dense)
    std::uint64_t headDim = 0;
    std::uint64_t maxPositions = 0;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    RopeScaling ropeScaling;
    double partialRotaryFactor = 1.0;
    bool tieWordEmbeddings = false;
    bool attentionBias = false; // q/k/v biases (qwen2: always)
    bool mlpBias = false;
    bool qkNorm = false;        // qwen3
    std::uint64_t slidingWindow = 0;
    std::string hiddenAct = "silu";
    std::string torchDtype;     // "float16", "bfloat16", ...
    std::int64_t bosTokenId = -1;
    std::vector<std::int64_t> eosTokenIds;
    std::int64_t padTokenId = -1;

    bool known() const { return family != Family::Unknown; }
    // GGUF general.architecture for this family ("llama" for llama and mistral).
    std::string ggufArchitecture() const;
};

const char* familyName(Family f) noexcept;

} // namespace condense::arch
