#pragma once
// condense-cli run: the whole pipeline (core/pipeline/pipeline_run.h): plan, quantize, evaluate
// against the original, reports.

#include <cstdint>
#include <string>

namespace condense::cli {

struct RunOptions {
    std::string model;
    std::string type = "Q4_K_M";
    std::string plan;          // plan JSON instead of a mix
    std::string profile;       // plan for this hardware profile instead of a mix
    std::int64_t ctx = 4096;   // the context the model must hold on the profile's machine
    std::string kvType = "f16";
    std::string output;        // folder
    std::int64_t evalCtx = 512;
    std::int64_t chunks = 0;
    std::int64_t continuation = 40;
    std::string evalText;      // empty: the bundled text
    std::string imatrix;
    std::string method;        // empty: the format's default
    std::string calibration;   // gptq/awq: a bundled set or a text file (empty: general)
    std::int64_t calibrationTokens = 0;
    std::string format = "gguf"; // or gptq | awq | compressed-tensors: an HF folder
    int bits = 4;
    std::int64_t group = 128;
    bool sym = false, asym = false, actOrder = false;
    bool bitsGiven = false, typeGiven = false; // --bits / --group, --type given
    bool noLatency = false;
    bool overwrite = false;
    int threads = 0;
};
int runRun(const RunOptions& o, bool progressToTty);

} // namespace condense::cli
