#pragma once
// AnalyzeRequest -> runAnalyze: weight statistics, histograms, outlier maps and quantization
// previews of a model's tensors (core/analysis), the one entry point of `condense-cli analyze`
// and the GUI's Inspect page. It opens the checkpoint, selects tensors by regex, works out
// each tensor's preview type (one ggml type for all, a llama-quantize mix's plan, or a given
// plan), reads the importance matrix, runs analyzeModel with the cache folder given and writes
// the JSON report (core/report/analysis_report.h) when asked.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "core/analysis/model_analysis.h"
#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/jobs/progress.h"
#include "core/plan/quant_plan.h"
#include "core/tensor/dtype.h"

namespace condense::pipeline {

struct AnalyzeRequest {
    std::filesystem::path path;          // Hugging Face folder, .safetensors or .gguf
    std::string tensorRegex;             // PCRE2, searched in the stored tensor name; empty: all
    // Preview (at most one of the three): every tensor quantized as this ggml block type ...
    std::optional<DType> previewType;
    // ... or as the given llama-quantize mix ("Q4_K_M") would quantize each ...
    std::string previewMix;
    // ... or as this plan says (tensors named as in the GGUF; for HF input the converted names).
    std::optional<plan::QuantPlan> plan;
    std::filesystem::path imatrix;       // importance matrix: weighted error, and the quantizer uses it
    std::filesystem::path cacheDir;      // empty: no cache
    bool histogram = false;              // the report includes bins, outlier maps and columns
    std::filesystem::path reportPath;    // write the JSON report here (AtomicFile; empty: don't)
    bool reportJson = false;             // fill AnalyzeOutcome::reportJson even without reportPath
    int threads = 0;                     // 0: all cores
};

struct AnalyzeOutcome {
    std::shared_ptr<const io::Checkpoint> checkpoint;
    analysis::ModelAnalysis analysis;
    std::string previewLabel; // "Q4_K", "Q4_K_M", "plan" or ""
    std::string reportJson;   // core/report/analysis_report.h (when asked)
};

// Errors: the model cannot be opened, the regex does not compile, the preview type or mix is
// unknown or has no kernels (InvalidArgument), the importance matrix cannot be read, Cancelled.
// A tensor the analysis cannot read is not an error: its TensorAnalysis carries one.
Result<AnalyzeOutcome> runAnalyze(const AnalyzeRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {},
                                  const analysis::TensorCallback& onTensor = {});

// A preview type by name: a ggml block type with kernels ("q4_k") or nullopt.
std::optional<DType> previewTypeFromName(std::string_view name);

} // namespace condense::pipeline
