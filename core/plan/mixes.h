#pragma once
// llama-quantize's type mixes ("ftypes") as QuantPlans: which ggml type each tensor of a model
// gets for Q4_K_M, Q8_0, ... Reproduces src/llama-quant.cpp of llama.cpp at commit 34af94cd
// (../shared/reference/formats.md 4.1-4.5, "new" revision), for the mixes we have kernels for.
//
// Per tensor, in llama-quantize's output order (llamaTensorOrderLess):
//   1. Tensors llama-quantize never quantizes keep their input type: fewer than 2 dimensions
//      (trailing 1s do not count), names not ending in "weight", "_norm.weight", MoE routers
//      (ffn_gate_inp), position/token-type embeddings and the other small tensors of
//      tensor_allows_quantization; output.weight with leaveOutputTensor.
//   2. --token-embedding-type / --output-tensor-type win outright (no shape fallback).
//   3. Otherwise, when the mix's default type is a block type: the first --tensor-type regex
//      that matches the name (regex search, pattern lower-cased as llama-quantize does) gives
//      the type; else (unless `pure`) the mix rules by tensor category (attn_v, ffn_down, ...,
//      output and tied token_embd, layer counters use_more_bits etc.). A tensor that took a
//      --tensor-type type does not advance the attn_v / ffn_down layer counters (llama-quantize
//      skips its mix logic altogether for it). Then the shape fallback: row length not a
//      multiple of the block size -> IQ4_NL (IQ types), Q4_0 (Q2_K/Q3_K), Q5_0 (Q4_K),
//      Q5_1 (Q5_K), Q8_0 (Q6_K), and F16 when even that does not fit; other types: error.
//      Float mixes (F32/F16/BF16) give every quantizable tensor the mix's type.
//
// Only Q2_K inside a Q2_K_S mix requires an importance matrix among the types we write
// (tensor_requires_imatrix; never for token_embd.weight / output.weight).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/arch/model_spec.h"
#include "core/plan/quant_plan.h"
#include "core/tensor/dtype.h"

namespace condense::plan {

struct MixInfo {
    std::string_view name;     // llama-quantize's spelling: "Q4_K_M"
    std::uint32_t fileType;    // general.file_type (enum llama_ftype)
    DType defaultType;         // llama_ftype_get_default_type
};

// The mixes we offer, smallest first (F32 last).
std::span<const MixInfo> mixes() noexcept;
// Case-insensitive; "Q3_K", "Q4_K", "Q5_K" are llama-quantize's aliases of the _M mixes.
const MixInfo* findMix(std::string_view name) noexcept;
const MixInfo* findMixByFileType(std::uint32_t fileType) noexcept;

// What the mix rules need to know about the model, derived from its architecture facts.
struct ModelFacts {
    std::string arch;          // general.architecture
    std::uint32_t nLayer = 0;  // {arch}.block_count
    std::uint32_t nHead = 0;   // {arch}.attention.head_count (first layer)
    std::uint32_t nHeadKv = 0; // {arch}.attention.head_count_kv (defaults to nHead)
    std::uint32_t nExpert = 0; // {arch}.expert_count
    bool is70B = false;        // llama.cpp's LLM_TYPE_70B (80-layer llama with GQA, qwen2/deci/olmo 80, jais2 68)

    std::uint32_t gqa() const { return nHeadKv ? nHead / nHeadKv : 0; }
};
Result<ModelFacts> modelFacts(const arch::ModelSpec& spec, const std::string& label);

struct TensorTypeOverride {
    std::string pattern; // regex (PCRE2), searched in the tensor name; lower-cased before use
    DType type;
};

struct MixOptions {
    const MixInfo* mix = nullptr;
    bool haveImatrix = false;                   // some mix rules depend on it
    std::vector<TensorTypeOverride> overrides;  // --tensor-type, first match wins
    std::optional<DType> outputTensorType;      // --output-tensor-type
    std::optional<DType> tokenEmbeddingType;    // --token-embedding-type
    bool pure = false;                          // --pure: no mix rules, default type everywhere
    bool leaveOutputTensor = false;             // --leave-output-tensor
};

struct PlanTensorInput {
    std::string name;
    std::vector<std::uint64_t> ne; // ggml order, as stored
    DType type = DType::F32;       // input type
};

// llama-quantize's tensor order: layer ("blk.%d." prefix, -1 without one) first, then name.
bool llamaTensorOrderLess(const std::string& a, const std::string& b);

// Types for every tensor. `tensors` must already be in output order (llamaTensorOrderLess).
// Errors: a regex that does not compile, a row length no fallback can hold, a layer number
// missing from an MoE ffn tensor name.
Result<QuantPlan> planMix(const std::vector<PlanTensorInput>& tensors, const ModelFacts& facts, const MixOptions& options);

// llama-quantize refuses to write `type` for this tensor without an importance matrix.
bool requiresImatrix(std::string_view tensorName, DType type, std::uint32_t fileType) noexcept;

} // namespace condense::plan
