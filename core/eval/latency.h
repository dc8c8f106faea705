#pragma once
// Prompt-processing and generation speed, measured as llama-bench does
// (ggml-org/llama.cpp tools/llama-bench; ../shared/reference/formats.md 5.3):
//   pp: n_prompt random token ids (BOS first when the vocab adds one) decoded in batches,
//       from an empty cache;  tg: from BOS (or a random token), n_gen single-token decodes.
// Each repetition's t/s = tokens / seconds of the decode calls only; reported as mean and
// standard deviation over the repetitions, after one warm-up run. Peak RSS is the process's
// high-water mark (getrusage) after the runs.

#include <cstdint>
#include <stop_token>

#include "core/common/result.h"
#include "core/model/model.h"

namespace condense::eval {

struct LatencyConfig {
    std::int64_t promptTokens = 512; // 0: skip pp
    std::int64_t genTokens = 128;    // 0: skip tg
    int repetitions = 3;
    int threads = 0;
    std::int32_t bosToken = -1;      // first token when >= 0
    std::uint32_t seed = 1;
};

struct LatencyResult {
    int threads = 0;
    double ppTokensPerSecond = 0, ppStdDev = 0;
    double tgTokensPerSecond = 0, tgStdDev = 0;
    std::uint64_t peakRssBytes = 0;
};

Result<LatencyResult> measureLatency(std::shared_ptr<const model::Model> model, const LatencyConfig& config,
                                     std::stop_token stop = {});

std::uint64_t peakRssBytes();

} // namespace condense::eval
