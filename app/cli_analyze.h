#pragma once
// condense-cli analyze: weight statistics, outliers and quantization previews (core/analysis).

#include <string>

namespace condense::cli {

struct AnalyzeOptions {
    std::string model;
    std::string tensorRegex;  // --tensor REGEX
    std::string previewType;  // --preview-type: a ggml block type (Q4_K) or a mix (Q4_K_M)
    std::string imatrix;      // --imatrix FILE
    std::string json;         // --json OUT, "-" for stdout instead of the table
    bool histogram = false;   // --histogram: bins, outlier maps and columns in the JSON
    bool noCache = false;     // --no-cache
    int threads = 0;
};

int runAnalyze(const AnalyzeOptions& o, bool progressToTty);

} // namespace condense::cli
