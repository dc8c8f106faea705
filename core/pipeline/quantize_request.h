#pragma once
// QuantizeRequest -> runQuantize: the one entry point the CLI and the GUI use to turn a model
// into a file. It routes by what is asked:
//
//   - a float type (F32/F16/BF16) with no quantization options: the Hugging Face -> GGUF
//     conversion (gguf_convert.h: convert_hf_to_gguf.py's file), or a GGUF re-typed to floats;
//   - a llama-quantize mix (Q4_K_M, ...), a float type with quantization options, or a replayed
//     plan: the streaming quantizer (quantize_job.h: llama-quantize's file);
//   - dryRun: the plan only, nothing written (planOut still saved when given). A folder holding
//     only a config.json is enough for a dry run with a mix (plan_request.h readPlanModel).
//
// It opens the input, reads the importance matrix and the plan file (size-checked), and saves
// the plan followed (planOut) through AtomicFile. Errors name the file they concern.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/plan/mixes.h"
#include "core/plan/quant_plan.h"
#include "core/tensor/dtype.h"

namespace condense::pipeline {

struct QuantizeRequest {
    std::filesystem::path input;   // Hugging Face folder, .safetensors or .gguf
    std::filesystem::path output;  // the .gguf to write (unused with dryRun)
    std::string type = "Q4_K_M";   // F32/F16/BF16 or a mix name; ignored when a plan is given
    std::filesystem::path imatrix; // llama-imatrix GGUF or .dat; empty: none
    std::string imatrixLabel;      // quantize.imatrix.file; empty: the path as given
    std::vector<plan::TensorTypeOverride> overrides; // --tensor-type, first match wins
    std::optional<DType> outputTensorType;
    std::optional<DType> tokenEmbeddingType;
    bool pure = false;
    bool leaveOutputTensor = false;
    std::filesystem::path planFile;       // replay this plan file
    std::optional<plan::QuantPlan> plan;  // or this plan (the GUI's edited plan)
    std::filesystem::path planOut;        // save the plan followed (or planned) here
    bool dryRun = false;
    int threads = 0;
};

struct QuantizeOutcome {
    bool conversion = false;             // the float conversion ran (no plan)
    bool dryRun = false;
    std::filesystem::path output;
    std::uint64_t fileBytes = 0;
    std::uint64_t tensors = 0;
    std::optional<plan::QuantPlan> plan; // the plan followed (quantizer) or planned (dryRun)
    std::vector<Message> warnings;
};

Result<QuantizeOutcome> runQuantize(const QuantizeRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

// Request building helpers (the CLI's --tensor-type etc. and the GUI's editors use the same):
// "REGEX=TYPE" -> an override (InvalidArgument naming what is wrong).
Result<plan::TensorTypeOverride> parseTensorTypeOverride(std::string_view text);
// A type runQuantize can write (float types and the block types with kernels), or nullopt.
std::optional<DType> writableType(std::string_view name);
// Whether `type` names a float type that gives the plain conversion.
bool isFloatType(std::string_view type);

} // namespace condense::pipeline
