#pragma once
// RunRequest -> runPipeline: the whole pipeline as one job, as `condense-cli run` and the GUI's
// Quantize page (Start, or a model dropped on a profile card) ask for it:
//
//   1. plan      the QuantPlan: the request's plan, else the mix's (runQuantize's dry run:
//                plan::planMix with llama-quantize's rules for this model);
//   2. quantize  the model into a GGUF following that plan (runQuantize);
//   3. evaluate  the GGUF against the original on the evaluation text (runEval): perplexity,
//                KLD, top-token agreement, top-1, the built-in continuation multiple-choice
//                task, per-layer drift (relative error of every block's output hidden state);
//   4. latency   pp/tg tokens per second of both (optional);
//   5. weight error  relative RMSE of every dequantized tensor against the original
//                (sqrt(sum (q - w)^2 / sum w^2), rows read through quant::RowSource);
//   6. report    report.json (core/report/run_report.h) and report.html (run_report_html.h),
//                the HTML comparing this run with the model's other runs in `runsFolder`.
//
// Output folder: <model>-<TYPE>.gguf, report.json, report.html (model: the input folder's name
// or the file's stem; TYPE: the plan's mix). An HF format writes the folder <model>-<LABEL>
// instead (LABEL: plan::hfFormatLabel, "GPTQ-4bit-g128"), evaluated and compared the same way
// (the engine reads such folders as models); a folder of that name that already holds a model
// (or anything) is refused as io::checkOutputFolder says, unless `overwrite`. Everything is built in a hidden staging folder
// inside the output folder (".condense-run-<random>") and moved into place only when all of it
// is done, so Cancel (ErrorCode::Cancelled, checked between stages and inside each) or an error
// at any point leaves the output folder as it was. Existing outputs are never replaced unless
// `overwrite` is set: without it the run refuses before any work (InvalidArgument naming the
// file). The output folder is created when missing (with its parents).
//
// Progress: one job-wide fraction and ETA (jobs::WeightedProgress) over the stages' passes:
// opening (plan and quantize), quantizing, validating, opening (evaluation), evaluating,
// measuring, analyzing (weight error, in tensor bytes), writing (reports). Weights are the
// stages' shares of a run's time on a 1B model.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/eval/evaluator.h"
#include "core/eval/latency.h"
#include "core/jobs/progress.h"
#include "core/pipeline/plan_request.h"
#include "core/plan/quant_plan.h"
#include "core/report/run_report.h"

namespace condense::pipeline {

// The evaluation a run does unless told otherwise: `eval`'s settings plus 40 built-in
// continuation tasks (each scores 4 sequences of 60 tokens per model: on a 1B model 40 tasks
// cost about as much as the perplexity pass over the bundled text).
eval::EvalConfig defaultRunEvalConfig();
// llama-bench's pp512 / tg128, one repetition after the warm-up (a run measures two models).
eval::LatencyConfig defaultRunLatencyConfig();

struct RunRequest {
    std::filesystem::path input;     // Hugging Face folder, .safetensors or .gguf
    std::filesystem::path outputDir; // where <model>-<TYPE>.gguf, report.json, report.html go

    // The plan: `plan` when set (the GUI's edited plan, a planner's result), else `planFile`
    // (a plan JSON, as `quantize --plan`), else the mix.
    // `profile` (when set and `plan` is not): the fit planner's choice for that machine
    // (pipeline::runPlan), refused (InvalidArgument, with needed and usable bytes) when nothing
    // fits; the report's plan source is then "profile".
    std::optional<plan::QuantPlan> plan;
    std::filesystem::path planFile;
    struct ProfilePlan {
        std::string id;                          // a profile of `profiles`
        ProfilesRequest profiles;
        std::uint64_t context = 4096;            // the context the model must hold on that machine
        plan::KvCacheType kvType = plan::KvCacheType::F16;
    };
    std::optional<ProfilePlan> profile;
    std::string mix = "Q4_K_M";      // a llama-quantize mix name, as `quantize --type`
    std::filesystem::path imatrix;   // importance matrix (empty: none)
    // How the mix's types are filled: "rtn" (or "imatrix" with `imatrix`), or "gptq": GPTQ inside
    // the ggml block formats (quantize_request.h), calibrated on `calibration` (a bundled set or
    // a path; empty: "general") with at most calibrationTokens tokens (0: the default). The
    // evaluation text stays the run's own (never the calibration text).
    std::string method;
    std::string calibration;
    std::int64_t calibrationTokens = 0;

    // The output format: "gguf" (the mix's file, above), or "gptq" | "awq" | "compressed-tensors":
    // a Hugging Face quantized folder made from the input folder (hf_export.h), its plan
    // plan::planHfFormat. Then `method` is rtn | gptq | awq (empty: the format's default,
    // quantize_request.h effectiveMethod; gptq and awq calibrate on `calibration` first, a
    // Stage::Calibrating pass), with `bits`, `group` (-1: one group per row), `symmetric`
    // (default: symmetric except awq) and `actOrder` (method gptq); mix, imatrix, planFile and
    // profile are not used. A `plan` of an HF format sets all of these itself (its format,
    // method, act-order and its first quantized tensor's encoding): a GUI plan replays as made.
    std::string format = "gguf";
    int bits = 4;
    std::int64_t group = 128;
    std::optional<bool> symmetric;
    bool actOrder = false;

    std::filesystem::path evalText;  // empty: the bundled text (bundled_eval_text.h)
    eval::EvalConfig eval = defaultRunEvalConfig();
    bool latency = true;
    eval::LatencyConfig latencyConfig = defaultRunLatencyConfig();
    bool weightError = true;

    bool overwrite = false;          // replace existing output files
    std::filesystem::path runsFolder; // the model's other runs, for report.html (empty: outputDir's parent)
    int threads = 0;                 // 0: all cores
};

struct RunOutcome {
    std::filesystem::path model;      // the GGUF (or HF folder) written
    std::filesystem::path reportJson;
    std::filesystem::path reportHtml;
    report::RunReport report;         // what report.json holds
    plan::QuantPlan plan;             // the plan followed
    std::vector<Message> warnings;    // the quantizer's (also in the report)
};

Result<RunOutcome> runPipeline(const RunRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

// The names a run writes into its output folder (also what the overwrite check looks at):
// "<model>-<TYPE>.gguf", with TYPE the plan's mix (or "custom" when it names none).
std::string runModelName(const std::filesystem::path& input);
std::string runOutputFileName(const std::filesystem::path& input, const std::string& type);
// HF formats: the folder "<model>-<LABEL>".
std::string runOutputFolderName(const std::filesystem::path& input, const std::string& label);

} // namespace condense::pipeline
