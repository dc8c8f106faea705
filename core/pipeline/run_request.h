#pragma once
// Running one model: speed (`bench`, measured as llama-bench does) and greedy continuation
// (`generate`). The CLI's bench/generate and, later, the GUI's "try it" box fill these requests.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/jobs/progress.h"

namespace condense::pipeline {

struct BenchRequest {
    std::filesystem::path model;
    std::int64_t promptTokens = 512;
    std::int64_t genTokens = 128;
    int repetitions = 3;
    int threads = 0;
};

struct BenchOutcome {
    int threads = 0;
    double ppTokensPerSecond = 0, ppStdDev = 0;
    double tgTokensPerSecond = 0, tgStdDev = 0;
    std::uint64_t peakRssBytes = 0;
};

Result<BenchOutcome> runBench(const BenchRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

struct GenerateRequest {
    std::filesystem::path model;
    std::string prompt;
    std::int64_t tokens = 64;
    int threads = 0;
    // Receives the text as it grows: first the prompt as decoded, then each addition. When a
    // new token changes earlier text (rare: a byte sequence completing), `replaced` is true and
    // `text` is the whole decoded sequence.
    std::function<void(std::string_view text, bool replaced)> onText;
};

struct GenerateOutcome {
    std::string text;          // the whole decoded sequence
    std::int64_t generated = 0;
};

Result<GenerateOutcome> runGenerate(const GenerateRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

} // namespace condense::pipeline
