#pragma once
// A quick whole-pipeline run of the demo model (pipeline_run.h) for tests: 128-token chunks,
// few of them, 10 short continuation tasks, a tiny latency probe, 2 threads.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/pipeline/pipeline_run.h"

namespace condense::test {

pipeline::RunRequest smallDemoRun(const std::filesystem::path& evalText, const std::filesystem::path& out, const std::string& mix,
                                  std::int64_t maxChunks);

} // namespace condense::test
