// condense_quant_bench: throughput and peak memory of `condense-cli quantize` on a synthetic
// F16 GGUF with TinyLlama-1.1B's shapes (hidden 2048, ffn 5632, 22 layers, 32 heads, 4 KV heads,
// vocab 32000; heavy-tailed weights, tests/support/synthetic_gguf.h), made once and cached in
// the build tree. Each quantization runs in a child process so its peak RSS is its own
// (wait4's ru_maxrss). With LLAMA_QUANTIZE=/path/to/llama-quantize the same file is also
// quantized by llama-quantize in the same run; the table then shows the throughput ratio and
// whether both outputs are byte-identical.
//
//   condense_quant_bench [--types Q8_0,Q4_0,Q4_K_M,Q6_K,Q2_K] [--threads 1,2] [--repeat N]
//
// Input MB/s = input file bytes / wall time of the whole command (open, plan, quantize, write,
// re-validate). The input is read once before timing so every run starts from the page cache.
// Not a test: not registered with ctest.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/child_run.h"

#include "tests/support/synthetic_gguf.h"

namespace fs = std::filesystem;

namespace {

using Run = condense::bench::ChildRun;
using condense::bench::runChild;

bool sameFiles(const fs::path& a, const fs::path& b)
{
    std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
    if (!fa || !fb) return false;
    std::vector<char> ba(1 << 20), bb(1 << 20);
    while (true) {
        fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
        fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
        if (fa.gcount() != fb.gcount()) return false;
        if (fa.gcount() == 0) return true;
        if (std::memcmp(ba.data(), bb.data(), static_cast<std::size_t>(fa.gcount())) != 0) return false;
    }
}

void readWhole(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    std::vector<char> buf(8 << 20);
    while (f.read(buf.data(), static_cast<std::streamsize>(buf.size())) || f.gcount() > 0) {
    }
}

std::vector<std::string> split(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string x; std::getline(ss, x, ',');)
        if (!x.empty()) out.push_back(x);
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> types = {"Q8_0", "Q4_0", "Q4_K_M", "Q6_K", "Q2_K"};
    std::vector<std::string> threads = {"1", "2"};
    int repeat = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--types" && i + 1 < argc) types = split(argv[++i]);
        else if (a == "--threads" && i + 1 < argc) threads = split(argv[++i]);
        else if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: %s [--types A,B] [--threads 1,2] [--repeat N]\n", argv[0]);
            return 2;
        }
    }
    const fs::path dataDir = CONDENSE_BENCH_DATA_DIR;
    const fs::path cli = CONDENSE_CLI_PATH;
    fs::create_directories(dataDir);
    const fs::path input = dataDir / "tinyllama-1.1b-synthetic-F16.gguf";
    if (!fs::exists(input)) {
        std::printf("generating %s (once) ...\n", input.c_str());
        std::fflush(stdout);
        condense::test::SyntheticLlama s;
        s.nEmbd = 2048, s.nHead = 32, s.nHeadKv = 4, s.nFf = 5632, s.nLayer = 22, s.nVocab = 32000, s.seed = 11;
        s.name = "TinyLlama-1.1B synthetic";
        const std::string err = condense::test::writeSyntheticLlama(input, s);
        if (!err.empty()) {
            std::fprintf(stderr, "cannot write %s: %s\n", input.c_str(), err.c_str());
            return 1;
        }
    }
    const double inMB = static_cast<double>(fs::file_size(input)) / 1e6;
    const char* llama = std::getenv("LLAMA_QUANTIZE");
    std::printf("input: %s (%.1f MB)\ncondense-cli: %s\nllama-quantize: %s\n\n", input.c_str(), inMB, cli.c_str(), llama ? llama : "(not set)");
    readWhole(input);

    std::printf("%-7s %3s  %10s %10s %10s", "type", "thr", "cond MB/s", "cond RSS", "cond s");
    if (llama) std::printf("  %10s %10s %10s  %6s  %s", "llama MB/s", "llama RSS", "llama s", "ratio", "identical");
    std::printf("\n");
    for (const auto& type : types)
        for (const auto& thr : threads) {
            const fs::path ours = dataDir / ("out-condense-" + type + ".gguf");
            const fs::path theirs = dataDir / ("out-llama-" + type + ".gguf");
            Run best;
            for (int k = 0; k < repeat; ++k) {
                const Run r = runChild({cli.string(), "quantize", input.string(), "-o", ours.string(), "--type", type, "--threads", thr},
                                       dataDir / "condense.log");
                if (!r.ok) {
                    std::printf("%-7s %3s  condense-cli failed (see %s)\n", type.c_str(), thr.c_str(), (dataDir / "condense.log").c_str());
                    best = r;
                    break;
                }
                if (!best.ok || r.wall < best.wall) best = r;
            }
            if (!best.ok) continue;
            std::printf("%-7s %3s  %10.1f %8.0f MB %10.2f", type.c_str(), thr.c_str(), inMB / best.wall,
                        static_cast<double>(best.maxRssKb) / 1024.0, best.wall);
            if (llama) {
                Run lb;
                for (int k = 0; k < repeat; ++k) {
                    const Run r = runChild({llama, input.string(), theirs.string(), type, thr}, dataDir / "llama.log");
                    if (!r.ok) {
                        lb = r;
                        break;
                    }
                    if (!lb.ok || r.wall < lb.wall) lb = r;
                }
                if (lb.ok)
                    std::printf("  %10.1f %8.0f MB %10.2f  %5.2fx  %s", inMB / lb.wall, static_cast<double>(lb.maxRssKb) / 1024.0,
                                lb.wall, lb.wall / best.wall, sameFiles(ours, theirs) ? "yes" : "NO");
                else
                    std::printf("  llama-quantize failed (see %s)", (dataDir / "llama.log").c_str());
                fs::remove(theirs);
            }
            std::printf("\n");
            std::fflush(stdout);
            fs::remove(ours);
        }
    return 0;
}
