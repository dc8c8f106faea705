#pragma once
// condense-cli eval / bench / generate: running models (core/model, core/eval).

#include <cstdint>
#include <string>
#include <vector>

namespace condense::cli {

struct EvalOptions {
    std::vector<std::string> models; // base first
    std::string text;
    std::int64_t ctx = 512;
    std::string protocol = "b";
    std::int64_t chunks = 0;
    std::string mc;                  // HellaSwag-format file
    std::int64_t mcTasks = 0;
    std::int64_t continuation = 0;   // built-in continuation tasks
    std::int64_t driftChunks = 4;
    std::string json;                // output path, "-" for stdout
    bool latency = false;
    int threads = 0;
};
int runEval(const EvalOptions& o, bool progressToTty);

struct BenchOptions {
    std::string model;
    std::int64_t prompt = 512;
    std::int64_t gen = 128;
    int repetitions = 3;
    int threads = 0;
    bool json = false;
};
int runBench(const BenchOptions& o);

struct GenerateOptions {
    std::string model;
    std::string prompt;
    std::int64_t tokens = 64;
    int threads = 0;
};
int runGenerate(const GenerateOptions& o);

} // namespace condense::cli
