#pragma once
// The CLI's subcommands: option structs and runners returning the process exit code
// (0 success, 1 error, 2 usage). Errors print "condense-cli: error: <file>: <problem>".

#include <string>
#include <vector>

namespace condense::cli {

struct InspectOptions {
    std::string path;
    bool json = false;
};
int runInspect(const InspectOptions& o);

struct QuantizeOptions {
    std::string input;
    std::string output;
    std::string type = "F16";
    int threads = 0;
    std::string imatrix;                  // --imatrix FILE
    std::vector<std::string> tensorTypes; // --tensor-type REGEX=TYPE (first match wins)
    std::string outputTensorType;         // --output-tensor-type TYPE
    std::string tokenEmbeddingType;       // --token-embedding-type TYPE
    bool pure = false;                    // --pure
    bool leaveOutputTensor = false;       // --leave-output-tensor
    std::string plan;                     // --plan plan.json (replay)
    std::string planOut;                  // --plan-out FILE (save the plan followed)
    bool dryRun = false;                  // --dry-run: print the plan, write no model
    bool json = false;                    // with --dry-run: the plan as JSON on stdout
    bool typeGiven = false;               // --type was on the command line
    std::string format = "gguf";          // --format gguf|gptq|awq|compressed-tensors
    std::string method;                   // --method rtn|imatrix|gptq|awq (empty: the format's default)
    int bits = 4;                         // --bits N (HF formats)
    long long group = 128;                // --group N (HF formats; -1: per output row)
    bool sym = false;                     // --sym
    bool asym = false;                    // --asym
    bool actOrder = false;                // --act-order
    std::string calibration;              // --calibration SET|FILE
    long long calibrationTokens = 0;      // --calibration-tokens N
    bool bitsGiven = false;               // --bits / --group given (refused with --format gguf)
};
int runQuantize(const QuantizeOptions& o, bool progressToTty);

struct CalibrateOptions {
    std::string model;
    std::string set;      // --set general|code|chat|multilingual|FILE
    long long tokens = 0; // --tokens N (0: the whole text)
    long long ctx = 512;  // --ctx N
    std::string output;   // -o imatrix.gguf
    int threads = 0;
};
int runCalibrate(const CalibrateOptions& o, bool progressToTty);

} // namespace condense::cli
