#pragma once
// The CLI's subcommands: option structs and runners returning the process exit code
// (0 success, 1 error, 2 usage). Errors print "condense-cli: error: <file>: <problem>".

#include <string>

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
};
int runQuantize(const QuantizeOptions& o, bool progressToTty);

} // namespace condense::cli
