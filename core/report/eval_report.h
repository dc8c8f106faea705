#pragma once
// The evaluation report: one JSON document shared by `condense-cli eval --json` and the GUI's
// Results page. Schema (version 1; every number is a JSON number, ratios in [0,1]):
// {
//   "schema": "condense.eval/1",
//   "text": "<file name>", "protocol": "A" | "B", "n_ctx": 512, "chunks": 231, "text_tokens": 118505,
//   "models": [                       // base first
//     { "label": "<file name>", "base": true|false, "scored_tokens": N,
//       "ppl": P, "ppl_uncertainty": U, "mean_nll": x, "top1_accuracy": a,
//       "kld": { "mean", "uncertainty", "median", "p90", "p99", "max" },     // 0 for the base
//       "same_top": { "share", "uncertainty" },                              // 1 for the base
//       "mean_ln_ppl_ratio": r,
//       "layers": [ { "layer": i, "cosine": c, "relative_error": e } ],    // per-layer drift
//       "multiple_choice": [ { "task": "hellaswag"|"continuation", "tasks", "correct", "accuracy", "uncertainty" } ],
//       "chunks": [ { "nll_sum", "scored", "top1", "kld_sum", "same_top" } ],
//       "latency": { "threads", "pp_tokens", "pp_tokens_per_s", "tg_tokens", "tg_tokens_per_s", "peak_rss_bytes" }  // optional
//     } ]
// }

#include <optional>
#include <string>
#include <vector>

#include "core/eval/evaluator.h"

namespace condense::report {

struct LatencyFigures {
    int threads = 0;
    std::int64_t ppTokens = 0;
    double ppTokensPerSecond = 0;
    std::int64_t tgTokens = 0;
    double tgTokensPerSecond = 0;
    std::uint64_t peakRssBytes = 0;
    bool operator==(const LatencyFigures&) const = default;
};

// `latency[i]` belongs to result.models[i] (may be shorter or empty).
std::string evalJson(const eval::EvalResult& result, const std::vector<std::optional<LatencyFigures>>& latency = {},
                     int indent = 2);

} // namespace condense::report
