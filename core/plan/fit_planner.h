#pragma once
// Fit planner v1: hardware profile + model + context length + KV-cache type -> the
// highest-quality llama-quantize mix that fits the machine, its QuantPlan (plan::planMix), the
// memory it needs (each part shown), GPU offload, and predicted size and speed. Every decision
// is a Message (core/common/message.h) so the CLI and the GUI explain it in their words.
//
// Quality order of the mixes (best first): the mean KL divergence against FP16 of
// Llama-3-8B on WikiText-2 in llama.cpp's tools/perplexity/README.md ("LLaMA 3 8b Scoreboard",
// no importance matrix; ../shared/reference/formats.md 8.3):
//   F32 > BF16 > F16 > Q8_0 (0.001355) > Q6_K (0.005452) > Q5_K_M (0.010762) > Q5_K_S (0.016595)
//   > Q5_1 (0.018045) > Q5_0 (0.022239) > Q4_K_M (0.031273) > Q4_K_S (0.043136) > IQ4_NL (0.035742*)
//   > IQ4_XS (0.036334*) > Q4_1 (0.071683) > Q4_0 (0.071940) > Q3_K_L (0.087176) > Q3_K_M (0.101913)
//   > Q3_K_S (0.228217) > Q2_K (0.445132)
//   (*: only measured with an importance matrix, where they rank below Q4_K_S's 0.031951; Q2_K_S
//   needs an importance matrix and is never chosen here.)
// Candidates: the profile's preferred formats in that order; when none of them fits, every other
// mix in that order (reason FitOutsidePreferred).
//
// Memory (bytes; what llama.cpp allocates when it loads the model with -c ctx):
//   weights  = sum of the plan's tensor bytes (the mmapped / uploaded tensor data)
//   kv cache = n_layer x n_kv_heads x head_dim x ctx x 2 (K and V) x bytes per element,
//              f16: 2 bytes, q8_0: 34/32 bytes (a 34-byte block per 32 values); llama.cpp's
//              llama_kv_cache allocates K and V of n_embd_k_gqa = n_kv_heads x head_dim per cell
//              per layer, for all n_ctx cells, at load time
//   compute  = 4 bytes x n_ubatch (512, llama.cpp's default) x (n_vocab + 4 x n_embd + 3 x n_ff):
//              an estimate of the graph's largest live f32 activations (the logits of a ubatch,
//              the residual stream, the FFN's gate/up/down) with flash attention on (llama.cpp's
//              default -fa auto), so no n_ctx x n_ctx score matrix; llama.cpp reports the real
//              figure as "compute buffer size" at load
//   overhead = the runtime itself: the profile's runtime_overhead_mib, else 256 MiB (CPU),
//              512 MiB (Metal), 768 MiB (CUDA context and cuBLAS workspace)
// A cpu or apple profile fits when the sum is at most the usable RAM / unified memory.
// A gpu profile: llama.cpp keeps token_embd on the host and offloads the last -ngl of the
// n_layer + 1 "layers" (the repeating blocks, then the output layer: output_norm + output) --
// llama_model::load_tensors' i_gpu_start = n_layer + 1 - ngl. Full offload when all n_layer + 1
// fit in usable VRAM with their KV cache, the compute buffer and the overhead (reason
// FitFullOffload); else the largest ngl whose part fits, the rest (with its KV cache and a host
// compute buffer) in RAM (FitPartialOffload), as llama.cpp's --fit searches. Among mixes, a full
// offload beats a partial one: the first mix in quality order that fits fully wins; only if none
// does, the first that fits with partial offload.
//
// Speed (predictions, never measurements):
//   tg tok/s = 1 / sum over memory pools of (bytes read per token there / (bandwidth x tg efficiency))
//              bytes read per token = every weight except token_embd (one row of it is read;
//              a tied token_embd is read whole as the output), at an empty context (as
//              llama-bench's tg128 measures)
//   pp tok/s = 1 / sum over processors of (2 x weights multiplied there per token /
//              (peak FLOPS x pp efficiency))   (2 FLOP per weight per token: a multiply-add)
// Predicted file size = tensor bytes + 32-byte alignment padding per tensor (16 on average) +
// metadata, estimated as 4 KiB + 64 bytes per vocabulary entry (the tokenizer arrays dominate it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch/model_spec.h"
#include "core/common/message.h"
#include "core/common/result.h"
#include "core/plan/hardware_profile.h"
#include "core/plan/mixes.h"
#include "core/plan/quant_plan.h"

namespace condense::plan {

enum class KvCacheType : std::uint8_t { F16, Q8_0 };
std::string_view kvCacheTypeKey(KvCacheType t) noexcept; // "f16", "q8_0"
std::optional<KvCacheType> kvCacheTypeFromKey(std::string_view key) noexcept;

// n_layer x n_kv_heads x head_dim x ctx x 2 x bytes per element (q8_0: 34 bytes per 32).
std::uint64_t kvCacheBytes(std::uint64_t layers, std::uint64_t kvHeads, std::uint64_t headDim, std::uint64_t ctx, KvCacheType type);

// Quality rank of a mix in the order above (0 = best); -1 for a mix the planner never picks.
int mixQualityRank(std::string_view mix) noexcept;
// Every plannable mix, best first.
std::vector<std::string> mixesByQuality();

struct FitOptions {
    std::uint64_t context = 4096;
    KvCacheType kvType = KvCacheType::F16;
    // Only these mixes, in quality order (empty: the profile's preferred formats, then the rest).
    std::vector<std::string> mixes;
};

struct MemoryBreakdown {
    std::uint64_t weights = 0;
    std::uint64_t kvCache = 0;
    std::uint64_t compute = 0;
    std::uint64_t overhead = 0;
    std::uint64_t total() const { return weights + kvCache + compute + overhead; }
};

// One mix the planner looked at.
struct FitCandidate {
    std::string mix;
    std::uint64_t weightBytes = 0;
    MemoryBreakdown device;          // gpu: the VRAM part; else the whole (in the primary pool)
    MemoryBreakdown host;            // gpu: the RAM part; else zero
    std::uint32_t gpuLayers = 0;     // gpu: layers offloaded (of n_layer + 1); else 0
    bool fits = false;
    bool fullOffload = false;        // gpu: all layers on the GPU
    // By how much it misses: the pool that overflows, and its need vs its usable bytes.
    std::string shortPool;           // "ram", "vram", "unified" ("" when it fits)
    std::uint64_t needed = 0;
    std::uint64_t available = 0;
};

struct FitResult {
    bool fits = false;
    std::string profileId;
    std::uint64_t context = 0;
    KvCacheType kvType = KvCacheType::F16;

    QuantPlan plan;                  // the chosen mix's plan (when fits)
    FitCandidate chosen;             // the chosen candidate (when fits), else the smallest one tried
    std::uint32_t layers = 0;        // n_layer + 1 (the offloadable layers)
    std::uint64_t fileBytes = 0;     // predicted GGUF size
    double bitsPerWeight = 0.0;      // of the plan (QuantPlan::bitsPerWeight)
    double tgTokensPerSecond = 0.0;
    double ppTokensPerSecond = 0.0;

    std::vector<FitCandidate> candidates; // every mix tried, in order
    std::vector<Message> reasons;         // the decisions, in order (FitChoseMix, FitMixTooLarge, ...)
    std::vector<Message> warnings;        // FitContextBeyondModel, ...
};

// `tensors` in llama-quantize's output order (spec_tensors.h or the checkpoint's list).
// Errors only for bad input (an unknown mix in options.mixes, a profile missing the pool its
// kind needs, a plan error); "nothing fits" is a result with fits = false and a FitNothingFits
// reason naming the smallest candidate's need and the usable memory.
Result<FitResult> planFit(const HardwareProfile& profile, const arch::ModelSpec& spec,
                          const std::vector<PlanTensorInput>& tensors, const FitOptions& options,
                          const std::string& label);

// The JSON form of a result (what `condense-cli plan --json` prints): profile, context, kv type,
// fits, mix, memory parts, offload, predictions, candidates, reasons (code key + fields) and the
// plan itself (toJson's object).
std::string fitResultJson(const FitResult& r, int indent = 2);

} // namespace condense::plan
