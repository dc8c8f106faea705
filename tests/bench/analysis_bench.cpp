// condense_analysis_bench: what the weight analysis (core/analysis) costs against reading the
// same bytes, on the synthetic TinyLlama-1.1B-shaped F16 GGUF of the quantization benchmark
// (tests/support/synthetic_gguf.h, made once into bench-data/, or --input FILE):
//
//   read+sum     every tensor's bytes summed as 64-bit words, parallel over row parts, pages
//                released after each tensor (the access pattern of the analysis)
//   read+f32     the same, the rows converted to float and summed (the analysis's reader)
//   read+count   the same bytes, every 16-bit value counted into a 65536-entry table per
//                worker (F16/BF16 tensors; the others summed as words): the least work any
//                exact histogram does, one counter increment per value
//   analysis     statistics + histogram + outlier map + columns of every tensor (no cache)
//   preview      the same plus the Q4_K_M quantization preview (pipeline::runAnalyze)
//   preview*     the preview alone: the statistics cached by an earlier run (a cache holding
//                them but no preview is put back before each run), as when the window asks
//                for a preview type after the model's analysis
//   quantize     the quantizer itself, Q4_K_M to a file (pipeline::runQuantize)
//
// All with --threads (default 2), the file in the page cache (read once first), --repeat runs
// (default 3); prints each run, the medians, the ratios and each phase's peak RSS (VmHWM,
// reset through /proc/self/clear_refs before each phase). Build Release for meaningful figures.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <oneapi/tbb/enumerable_thread_specific.h>

#include "core/analysis/analysis_cache.h"
#include "core/analysis/model_analysis.h"
#include "core/io/checkpoint.h"
#include "core/jobs/thread_arena.h"
#include "core/pipeline/analyze_request.h"
#include "core/pipeline/quantize_request.h"
#include "core/tensor/float_convert.h"
#include "tests/support/synthetic_gguf.h"

namespace fs = std::filesystem;
using namespace condense;

namespace {

void readWhole(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    std::vector<char> buf(8 << 20);
    while (f.read(buf.data(), static_cast<std::streamsize>(buf.size())) || f.gcount() > 0) {
    }
}

void resetPeak()
{
    std::ofstream f("/proc/self/clear_refs");
    f << "5";
}

long peakRssKb()
{
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

void release(const std::byte* p, std::size_t n)
{
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t b = (a + page - 1) / page * page, e = (a + n) / page * page;
    if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

enum class ReadMode { Words, Floats, Codes };

// Sum of every tensor's bytes (as u64 words, as floats converted from F16/F32, or counted as
// 16-bit codes).
double readAndSum(const io::Checkpoint& ck, int threads, ReadMode mode)
{
    const bool asFloat = mode == ReadMode::Floats;
    tbb::enumerable_thread_specific<std::vector<std::uint32_t>> tables([] { return std::vector<std::uint32_t>(65536, 0); });
    jobs::ThreadArena arena(jobs::ThreadingConfig{threads});
    double total = 0;
    arena.execute([&] {
        for (std::size_t i = 0; i < ck.tensors().size(); ++i) {
            const auto& t = ck.tensors()[i];
            const auto data = ck.tensorData(i);
            const std::uint64_t cols = t.rowLength(), rows = t.elements() / cols, rowBytes = data.size() / rows;
            const std::size_t parts = static_cast<std::size_t>(std::min<std::uint64_t>(rows, 64));
            std::vector<double> sums(parts, 0.0);
            jobs::parallelFor(parts, {}, [&](std::size_t p) {
                const std::uint64_t r0 = p * rows / parts, r1 = (p + 1) * rows / parts;
                if (mode == ReadMode::Codes && (t.dtype == DType::F16 || t.dtype == DType::BF16)) {
                    std::uint32_t* counts = tables.local().data();
                    const auto* b = reinterpret_cast<const unsigned char*>(data.data() + r0 * rowBytes);
                    const std::size_t n = static_cast<std::size_t>((r1 - r0) * cols);
                    for (std::size_t k = 0; k < n; ++k) {
                        std::uint16_t v;
                        std::memcpy(&v, b + 2 * k, 2);
                        ++counts[v];
                    }
                    sums[p] = static_cast<double>(counts[0]);
                } else if (asFloat) {
                    std::vector<float> row(cols);
                    double s = 0;
                    for (std::uint64_t r = r0; r < r1; ++r) {
                        convertToF32(t.dtype, data.data() + r * rowBytes, row.data(), cols);
                        float a = 0;
                        for (float x : row) a += x;
                        s += a;
                    }
                    sums[p] = s;
                } else {
                    std::uint64_t s = 0;
                    const std::byte* b = data.data() + r0 * rowBytes;
                    const std::size_t n = static_cast<std::size_t>((r1 - r0) * rowBytes);
                    std::size_t k = 0;
                    for (; k + 8 <= n; k += 8) {
                        std::uint64_t w;
                        std::memcpy(&w, b + k, 8);
                        s += w;
                    }
                    for (; k < n; ++k) s += static_cast<std::uint8_t>(b[k]);
                    sums[p] = static_cast<double>(s);
                }
            });
            for (double s : sums) total += s;
            release(data.data(), data.size());
        }
    });
    return total;
}

// CPU seconds (user + system) of the whole process so far: on a shared machine the wall time
// of a phase stretches with the load, its CPU time much less.
double cpuSeconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    int threads = 2, repeat = 3;
    bool preview = true;
    std::string only; // run these phases alone ("a,b"; for whole-process timing of one phase)
    fs::path input;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--threads" && i + 1 < argc) threads = std::max(1, std::atoi(argv[++i]));
        else if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--input" && i + 1 < argc) input = argv[++i];
        else if (a == "--no-preview") preview = false;
        else if (a == "--only" && i + 1 < argc) only = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--input F16.gguf] [--threads N] [--repeat N] [--no-preview] [--only PHASE,...]\n", argv[0]);
            return 2;
        }
    }
    const fs::path dataDir = CONDENSE_BENCH_DATA_DIR;
    fs::create_directories(dataDir);
    if (input.empty()) {
        input = dataDir / "tinyllama-1.1b-synthetic-F16.gguf"; // the quantization benchmark's file
        if (!fs::exists(input)) {
            std::printf("generating %s (once) ...\n", input.c_str());
            std::fflush(stdout);
            test::SyntheticLlama s;
            s.nEmbd = 2048, s.nHead = 32, s.nHeadKv = 4, s.nFf = 5632, s.nLayer = 22, s.nVocab = 32000, s.seed = 11;
            s.name = "TinyLlama-1.1B synthetic";
            const std::string err = test::writeSyntheticLlama(input, s);
            if (!err.empty()) {
                std::fprintf(stderr, "cannot write %s: %s\n", input.c_str(), err.c_str());
                return 1;
            }
        }
    }
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(input, sink);
    if (!ck) {
        std::fprintf(stderr, "cannot open %s: %s\n", input.c_str(), describe(ck.error()).c_str());
        return 1;
    }
    std::printf("input: %s (%.1f MB, %zu tensors), %d threads, %d runs\n", input.c_str(),
                static_cast<double>(fs::file_size(input)) / 1e6, (*ck)->tensors().size(), threads, repeat);
    readWhole(input);

    std::map<std::string, std::vector<double>> times, cpu;
    std::map<std::string, long> rss;
    auto timed = [&](const std::string& name, const std::function<bool()>& f) {
        if (!only.empty() && ("," + only + ",").find("," + name + ",") == std::string::npos) return;
        resetPeak();
        const double c0 = cpuSeconds();
        const auto t0 = std::chrono::steady_clock::now();
        const bool ok = f();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double c = cpuSeconds() - c0;
        if (!ok) {
            std::fprintf(stderr, "%s failed\n", name.c_str());
            std::exit(1);
        }
        times[name].push_back(s);
        cpu[name].push_back(c);
        rss[name] = std::max(rss[name], peakRssKb());
        std::printf("  %-11s %8.3f s  (cpu %.3f s)\n", name.c_str(), s, c);
        std::fflush(stdout);
    };
    analysis::ModelAnalysisConfig cfg;
    for (std::size_t i = 0; i < (*ck)->tensors().size(); ++i) cfg.tensors.push_back(i);
    cfg.threads = threads;
    const fs::path qout = dataDir / "analysis-bench-Q4_K_M.gguf";
    // The statistics-only cache that "preview*" starts from.
    const fs::path cacheDir = dataDir / "analysis-bench-cache";
    std::string statsCache;
    fs::path cacheFile;
    if (preview && (only.empty() || ("," + only + ",").find(",preview*,") != std::string::npos)) {
        fs::remove_all(cacheDir);
        auto c = cfg;
        c.cacheDir = cacheDir;
        auto a = analysis::analyzeModel(**ck, c, sink);
        cacheFile = analysis::AnalysisCache::cachePath(cacheDir, **ck);
        std::ifstream in(cacheFile, std::ios::binary);
        statsCache.assign(std::istreambuf_iterator<char>(in), {});
        if (!a.ok() || statsCache.empty()) {
            std::fprintf(stderr, "cannot prepare the statistics cache\n");
            return 1;
        }
        std::printf("analysis cache (statistics, no preview): %.1f MB\n", static_cast<double>(statsCache.size()) / 1e6);
    }
    volatile double sink0 = 0;
    for (int r = 0; r < repeat; ++r) {
        std::printf("run %d\n", r + 1);
        timed("read+sum", [&] { sink0 = sink0 + readAndSum(**ck, threads, ReadMode::Words); return true; });
        timed("read+f32", [&] { sink0 = sink0 + readAndSum(**ck, threads, ReadMode::Floats); return true; });
        timed("read+count", [&] { sink0 = sink0 + readAndSum(**ck, threads, ReadMode::Codes); return true; });
        timed("analysis", [&] {
            auto a = analysis::analyzeModel(**ck, cfg, sink);
            return a.ok() && a->failed == 0 && a->analyzed == cfg.tensors.size();
        });
        if (!preview) continue;
        timed("preview", [&] {
            pipeline::AnalyzeRequest req;
            req.path = input;
            req.previewMix = "Q4_K_M";
            req.threads = threads;
            auto a = pipeline::runAnalyze(req, sink);
            return a.ok() && a->analysis.total.has_value();
        });
        {
            std::ofstream(cacheFile, std::ios::binary | std::ios::trunc) << statsCache; // no preview cached
        }
        timed("preview*", [&] {
            pipeline::AnalyzeRequest req;
            req.path = input;
            req.previewMix = "Q4_K_M";
            req.threads = threads;
            req.cacheDir = cacheDir;
            auto a = pipeline::runAnalyze(req, sink);
            return a.ok() && a->analysis.total.has_value() && !a->analysis.tensors.empty() && a->analysis.tensors.front()->fromCache;
        });
        timed("quantize", [&] {
            pipeline::QuantizeRequest req;
            req.input = input;
            req.output = qout;
            req.type = "Q4_K_M";
            req.threads = threads;
            auto q = pipeline::runQuantize(req, sink);
            return q.ok();
        });
        fs::remove(qout);
    }
    if (!only.empty()) {
        for (const auto& [name, v] : times)
            std::printf("%-11s median %.3f s, cpu %.3f s\n", name.c_str(), median(v), median(cpu[name]));
        return 0;
    }
    const double base = median(times["read+sum"]);
    const double cpuBase = median(cpu["read+sum"]);
    std::printf("\n%-11s %10s %10s %10s %10s %12s\n", "phase", "median s", "ratio", "cpu s", "cpu ratio", "peak RSS MB");
    for (const char* name : {"read+sum", "read+f32", "read+count", "analysis", "preview", "preview*", "quantize"}) {
        if (!times.count(name)) continue;
        std::printf("%-11s %10.3f %10.2f %10.3f %10.2f %12.1f\n", name, median(times[name]), median(times[name]) / base,
                    median(cpu[name]), median(cpu[name]) / cpuBase, static_cast<double>(rss[name]) / 1024.0);
    }
    std::printf("analysis / read+sum = %.2f (target <= 1.5; cpu time %.2f)\n", median(times["analysis"]) / base,
                median(cpu["analysis"]) / cpuBase);
    std::printf("read+count / read+sum = %.2f (cpu time %.2f): the floor of an exact histogram; analysis / read+count = %.2f (cpu %.2f)\n",
                median(times["read+count"]) / base, median(cpu["read+count"]) / cpuBase,
                median(times["analysis"]) / median(times["read+count"]), median(cpu["analysis"]) / median(cpu["read+count"]));
    if (preview)
    {
        std::printf("preview / quantize = %.2f (target <= 1.0; cpu time %.2f)\n", median(times["preview"]) / median(times["quantize"]),
                    median(cpu["preview"]) / median(cpu["quantize"]));
        std::printf("(preview - analysis) / quantize = %.2f (the preview's own share)\n",
                    (median(times["preview"]) - median(times["analysis"])) / median(times["quantize"]));
        std::printf("preview* / quantize = %.2f (statistics cached; cpu time %.2f)\n", median(times["preview*"]) / median(times["quantize"]),
                    median(cpu["preview*"]) / median(cpu["quantize"]));
    }
    return 0;
}
