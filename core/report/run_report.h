#pragma once
// The run report: what `condense-cli run` and the GUI's Results page write for one pipeline run
// (plan -> quantize -> evaluate against the original; core/pipeline/pipeline_run.h), and read
// back: the Results page persists runs as these files and lists them per model (listRunReports).
// One file per run, "report.json" in the run's output folder, beside the GGUF and report.html.
//
// Schema (version 1). Every number is a JSON number; ratios are in [0, 1]; byte counts are
// integers; "error" values are relative (0 = exact). Readers refuse other versions
// (UnsupportedVersion) and name the missing or mistyped field (Malformed). Evolution: a new
// optional field (the fit planner's predictions, say) keeps version 1, since readers ignore
// fields they do not know; renaming, removing or re-meaning a field makes version 2.
// {
//   "schema": "condense.run/1",
//   "created": "2026-12-06T05:40:00Z",      // UTC, when the run finished
//   "model": "demo",                        // model name (input folder or file stem): the index key
//   "input": "resources/demo",              // as given
//   "output": "demo-Q4_K_M.gguf",           // the GGUF (or HF folder), in the report's folder
//   "plan": { "source": "mix" | "plan",     // how the plan was chosen ("profile" reserved)
//             "mix": "Q4_K_M", "file_type": 15, "tensors": 57,
//             "predicted_bytes": N,         // tensor bytes the plan predicts
//             "bits_per_weight": 5.08,
//             "method": "rtn", "calibration": "",   // optional (older reports: rtn, none)
//             "format": "gguf",             // optional (older reports: gguf); "gptq" | "awq" |
//                                           // "compressed-tensors": "output" is a folder, and
//             "bits": 4, "group_size": 128, "symmetric": true, "act_order": false },  // (HF only)
//   "eval": { "text": "<label>", "protocol": "A" | "B", "n_ctx": 512, "chunks": 8,
//             "text_tokens": N, "drift_chunks": 4, "threads": 2 },
//   "original":  { MODEL },                 // the input
//   "quantized": { MODEL },                 // the GGUF written
//   "layers": [ { "layer": 0,               // one per block, ascending
//                 "drift_relative_error": e, // mean over tokens of |h_q - h_o| / |h_o|, block output
//                 "drift_cosine": c,
//                 "weight_relative_rmse": r, // sqrt(sum (q - w)^2 / sum w^2) over the block's matrices
//                 "worst_drift": bool,       // among the layers that add the most drift
//                 "worst_weight": bool } ],  // among the layers with the largest weight error
//   "tensors": [ { "name": "blk.0.attn_q.weight", "layer": 0 (-1 outside blocks),
//                  "input_type": "F16", "type": "Q4_K", "elements": N, "bytes": N,
//                  "relative_rmse": r } ],   // every tensor of 2 or more dimensions, plan order
//   "stages": [ { "stage": "quantize", "seconds": s } ], // plan, quantize, evaluate, latency,
//                                                        // weight_error, report
//   "warnings": [ { "code": "requantizing", "tensor": "", "fields": { "count": "3" } } ]
// }
// MODEL:
//   { "label": "demo", "path": "...", "bytes": N,         // tensor data bytes
//     "bits_per_weight": b, "ppl": p, "ppl_uncertainty": u, "mean_nll": x, "top1_accuracy": a,
//     "kld": { "mean", "uncertainty", "median", "p90", "p99", "max" },   // 0 for the original
//     "same_top": { "share", "uncertainty" },                            // 1 for the original
//     "multiple_choice": [ { "task": "continuation", "tasks": n, "correct": k, "accuracy": a } ],
//     "latency": { "threads", "pp_tokens", "pp_tokens_per_s", "tg_tokens", "tg_tokens_per_s",
//                  "peak_rss_bytes" } }                                 // optional
//
// Worst layers: the ceil(layers / 8) layers (at least one) with the largest drift increase over
// the previous layer (drift accumulates through the blocks, so the increase is what a layer adds),
// and as many with the largest weight error.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/report/eval_report.h"

namespace condense::report {

inline constexpr std::string_view kRunSchema = "condense.run/1";
inline constexpr int kRunSchemaVersion = 1;
inline constexpr std::string_view kRunReportFile = "report.json";
inline constexpr std::string_view kRunReportHtmlFile = "report.html";

struct RunMcFigures {
    std::string task;
    std::uint64_t tasks = 0;
    std::uint64_t correct = 0;
    double accuracy = 0;
    bool operator==(const RunMcFigures&) const = default;
};

struct RunKld {
    double mean = 0, uncertainty = 0, median = 0, p90 = 0, p99 = 0, max = 0;
    bool operator==(const RunKld&) const = default;
};

struct RunModelFigures {
    std::string label;
    std::string path;
    std::uint64_t bytes = 0;
    double bitsPerWeight = 0;
    double ppl = 0, pplUncertainty = 0, meanNll = 0;
    double top1 = 0;
    RunKld kld;
    double sameTop = 1, sameTopUncertainty = 0;
    std::vector<RunMcFigures> mc;
    std::optional<LatencyFigures> latency;
    bool operator==(const RunModelFigures&) const = default;
};

struct RunLayer {
    int layer = 0;
    double driftRelativeError = 0;
    double driftCosine = 1;
    double weightRelativeRmse = 0;
    bool worstDrift = false;
    bool worstWeight = false;
    bool operator==(const RunLayer&) const = default;
};

struct RunTensor {
    std::string name;
    int layer = -1;
    std::string inputType;
    std::string type;
    std::uint64_t elements = 0;
    std::uint64_t bytes = 0;
    double relativeRmse = 0;
    bool operator==(const RunTensor&) const = default;
};

struct RunStageTime {
    std::string stage; // "plan", "quantize", "evaluate", "latency", "weight_error", "report"
    double seconds = 0;
    bool operator==(const RunStageTime&) const = default;
};

struct RunReport {
    std::string created; // ISO 8601 UTC
    std::string model;
    std::string input;
    std::string output;
    // plan
    std::string planSource = "mix";
    std::string mix;
    std::string method = "rtn";   // rtn | imatrix | gptq (how the types were filled; optional in the JSON)
    std::string calibration;      // the calibration text of a gptq / imatrix-from-text run ("" none)
    std::string format = "gguf";  // gguf | gptq | awq | compressed-tensors (optional in the JSON)
    int bits = 0;                 // HF formats: bits, group size (0: one group per row), symmetry, act-order
    std::int64_t groupSize = 0;
    bool symmetric = true;
    bool actOrder = false;
    std::uint32_t fileType = 0;
    std::uint64_t tensorCount = 0;
    std::uint64_t predictedBytes = 0;
    double bitsPerWeight = 0;
    // evaluation setup
    std::string evalText;
    std::string protocol = "B";
    std::int64_t nCtx = 0;
    std::int64_t chunks = 0;
    std::uint64_t textTokens = 0;
    std::int64_t driftChunks = 0;
    int threads = 0;

    RunModelFigures original;
    RunModelFigures quantized;
    std::vector<RunLayer> layers;
    std::vector<RunTensor> tensors;
    std::vector<RunStageTime> stages;
    std::vector<Message> warnings;

    bool operator==(const RunReport&) const = default;
};

// Sets worstDrift / worstWeight on `layers` (see the header comment).
void markWorstLayers(std::vector<RunLayer>& layers);

std::string runReportJson(const RunReport& report, int indent = 2);
// Parses a version 1 document; `label` names the source in errors (usually the path).
Result<RunReport> runReportFromJson(std::string_view text, const std::string& label);
// Reads and parses a report file (size-checked).
Result<RunReport> readRunReport(const std::filesystem::path& path);

// The run index: the reports of runs in `folder` (its own report.json and those of its
// immediate subfolders, one run per folder), of model `model` (empty: every model), oldest
// first (by "created", then path). Reports that cannot be read are skipped and listed in
// `skipped` with their error, so one damaged file does not hide the others.
struct RunIndexEntry {
    std::filesystem::path reportPath;
    RunReport report;
};
struct RunIndex {
    std::vector<RunIndexEntry> runs;
    std::vector<Error> skipped;
};
Result<RunIndex> listRunReports(const std::filesystem::path& folder, std::string_view model = {});

} // namespace condense::report
