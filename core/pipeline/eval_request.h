#pragma once
// EvalRequest -> runEval: a base model and candidates evaluated side by side on one text
// (core/eval/evaluator.h), optionally with their speed (core/eval/latency.h), as the CLI's
// `eval` and the GUI's Results page ask for it. Opens the models and the base's tokenizer,
// reads the text and multiple-choice files (size-checked), and writes the JSON report
// (core/report/eval_report.h) through AtomicFile when reportPath is given.
//
// Progress: one job-wide fraction over the stages loading (weight 1 per model), evaluation
// (the evaluator's own weighted stages) and latency (weight 1 per model), so the ETA holds
// from the first report to the last metric.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/eval/evaluator.h"
#include "core/eval/latency.h"
#include "core/jobs/progress.h"
#include "core/report/eval_report.h"

namespace condense::pipeline {

struct EvalRequest {
    std::vector<std::filesystem::path> models; // base first, then candidates
    std::vector<std::string> labels;           // per model (empty: the file or folder name)
    std::filesystem::path text;                // evaluation text
    std::optional<std::string> textContent;    // the text itself instead of reading `text` (which then labels it)
    std::filesystem::path multipleChoice;      // llama.cpp HellaSwag text format (empty: none)
    eval::EvalConfig config;
    bool latency = false;                      // also measure pp/tg tokens per second
    eval::LatencyConfig latencyConfig;         // its sizes (threads and BOS come from here and the vocab)
    std::filesystem::path reportPath;          // write the JSON report here (empty: don't)
    int threads = 0;
};

struct EvalOutcome {
    eval::EvalResult result;
    std::vector<std::optional<report::LatencyFigures>> latency; // per model (when asked)
    std::string reportJson;                                     // the report document
    double evaluationSeconds = 0;                               // wall time of opening + evaluating
    double latencySeconds = 0;                                  // wall time of the latency runs
};

Result<EvalOutcome> runEval(const EvalRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

} // namespace condense::pipeline
