#include "tests/support/small_run.h"

#include "tests/support/test_paths.h"

namespace condense::test {

pipeline::RunRequest smallDemoRun(const std::filesystem::path& evalText, const std::filesystem::path& out, const std::string& mix,
                                  std::int64_t maxChunks)
{
    pipeline::RunRequest r;
    r.input = demoDir();
    r.outputDir = out;
    r.mix = mix;
    r.evalText = evalText;
    r.eval.nCtx = 128;
    r.eval.maxChunks = maxChunks;
    r.eval.driftChunks = 2;
    r.eval.continuationTasks = 10;
    r.eval.continuationContext = 24;
    r.eval.continuationSpan = 6;
    r.latencyConfig.promptTokens = 16;
    r.latencyConfig.genTokens = 4;
    r.latencyConfig.repetitions = 1;
    r.threads = 2;
    return r;
}

} // namespace condense::test
