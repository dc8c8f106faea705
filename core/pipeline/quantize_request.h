#pragma once
// QuantizeRequest -> runQuantize: the one entry point the CLI and the GUI use to turn a model
// into a file. It routes by what is asked:
//
//   - a float type (F32/F16/BF16) with no quantization options: the Hugging Face -> GGUF
//     conversion (gguf_convert.h: convert_hf_to_gguf.py's file), or a GGUF re-typed to floats;
//   - a llama-quantize mix (Q4_K_M, ...), a float type with quantization options, or a replayed
//     plan: the streaming quantizer (quantize_job.h: llama-quantize's file);
//   - format gptq / awq / compressed-tensors: a Hugging Face quantized checkpoint folder
//     (hf_export.h): method rtn, or gptq / awq with a calibration run first
//     (calibrated_export.h; a caller with its own results sets `hfQuantizer`, see below);
//   - a llama-quantize mix with method gptq: the mix's plan, GPTQ inside its ggml block types on
//     calibration text (gguf_gptq_run.h), then the streaming quantizer writing those linears'
//     bytes verbatim (QuantizeConfig::precomputed) and every other tensor as the mix does: the
//     same tensor types and sizes as the round-to-nearest file. No GGUF key records the method
//     (llama-quantize writes quantize.imatrix.* for an imatrix file only; none fits GPTQ);
//     QuantizeOutcome::plan carries method gptq;
//   - dryRun: the plan only, nothing written (planOut still saved when given). A folder holding
//     only a config.json is enough for a dry run with a mix (plan_request.h readPlanModel).
//
// It opens the input, reads the importance matrix and the plan file (size-checked), and saves
// the plan followed (planOut) through AtomicFile. Errors name the file they concern.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/pipeline/hf_export.h"
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

    // ---- output format and method (issue 10) ----
    std::string format = "gguf";    // gguf | gptq | awq | compressed-tensors (HF formats: output is a folder)
    std::string method;             // rtn | imatrix | gptq | awq; empty: the format's default
                                    // (gguf: rtn, imatrix with an imatrix; gptq: gptq; awq: awq;
                                    // compressed-tensors: rtn)
    int bits = 4;                   // HF formats
    std::int64_t group = 128;       // HF formats; -1: one group per output row
    std::optional<bool> symmetric;  // HF formats; default: symmetric except awq
    bool actOrder = false;          // desc_act (gptq method only)
    std::string calibration;        // calibration set name or file (gptq / awq methods; GGUF gptq / imatrix); empty: general
    std::int64_t calibrationTokens = 0; // 0: 128 chunks (x 512 tokens)
    std::int64_t calibrationCtx = 0;    // GGUF gptq / imatrix: tokens per chunk; 0 = 512 capped by the model's positions
    // For --method gptq / awq on HF formats: results a caller already has (hf_export.h
    // HfLinearQuantizer / replacements). Empty: runQuantize runs the calibration itself
    // (calibrated_export.h) on `calibration` (default: the bundled "general" set) with at most
    // calibrationTokens tokens (0: 128 x 512).
    HfLinearQuantizer hfQuantizer;
    std::map<std::string, std::vector<float>> hfReplacements;
};

struct QuantizeOutcome {
    bool conversion = false;             // the float conversion ran (no plan)
    bool dryRun = false;
    std::filesystem::path output;
    std::uint64_t fileBytes = 0;
    std::uint64_t tensors = 0;
    std::optional<plan::QuantPlan> plan; // the plan followed (quantizer) or planned (dryRun)
    bool hfExport = false;               // an HF quantized folder was written (fields below)
    std::string formatLabel;             // "gptq", "gptq_v2", "compressed-tensors", "awq"
    std::string method;
    std::uint64_t quantizedLinears = 0;
    std::uint64_t shards = 0;
    std::vector<Message> warnings;
    // GGUF gptq: the calibration run
    std::string calibrationLabel;
    std::int64_t calibrationChunks = 0;
    std::int64_t calibrationCtx = 0;
    std::int64_t gptqTensors = 0;     // linears by the GPTQ sweep
    std::int64_t fallbackTensors = 0; // linears by weighted rounding (types GPTQ does not cover)
    // Wall seconds of the GPTQ run's stages (gguf_gptq_run.h) and of writing the file.
    double gptqSeconds = 0, forwardSeconds = 0, statisticsSeconds = 0, quantizeSeconds = 0, rerunSeconds = 0, writeSeconds = 0;
};

Result<QuantizeOutcome> runQuantize(const QuantizeRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

// Request building helpers (the CLI's --tensor-type etc. and the GUI's editors use the same):
// "REGEX=TYPE" -> an override (InvalidArgument naming what is wrong).
Result<plan::TensorTypeOverride> parseTensorTypeOverride(std::string_view text);
// A type runQuantize can write (float types and the block types with kernels), or nullopt.
std::optional<DType> writableType(std::string_view name);
// Resolves format / method / bits / group / symmetry of an HF-format request into the export's
// request (InvalidArgument naming the option when something does not fit the format).
Result<HfExportRequest> hfExportRequest(const QuantizeRequest& request);
// The method a request runs: `method`, or the format's default.
std::string effectiveMethod(const QuantizeRequest& request);
// Whether `type` names a float type that gives the plain conversion.
bool isFloatType(std::string_view type);

} // namespace condense::pipeline
