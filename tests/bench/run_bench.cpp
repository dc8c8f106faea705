// condense_run_bench: what `condense-cli run` (core/pipeline/pipeline_run.h) costs against its
// parts run on their own: the plan (quantize's dry run), `quantize` (runQuantize) and `eval`
// (runEval of the original against the quantized file, with its latency runs), each stage's wall
// time side by side, plus the run's own stages (the weight error, the reports). The bar:
// the run costs no more than its parts.
//
//   condense_run_bench MODEL [--type Q4_K_M] [-t 2] [--ctx 512] [--chunks 2] [--continuation 8]
//                      [-p 64] [-n 16] [--work DIR]
//
// MODEL: e.g. the synthetic TinyLlama-1.1B-shaped F16 GGUF of condense_quant_bench or
// condense_model_bench --make-synthetic. Both sides evaluate the bundled text with the same
// settings (chunks of --ctx tokens, --chunks of them, --continuation tasks, drift over 4
// chunks) and measure pp(-p) / tg(-n) once after a warm-up. Standalone runs first, then the
// pipeline, so both see a warm page cache for the input. Output files go to --work (default a
// folder under /tmp) and are removed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <unistd.h>

#include "core/pipeline/bundled_eval_text.h"
#include "core/pipeline/eval_request.h"
#include "core/pipeline/pipeline_run.h"
#include "core/pipeline/quantize_request.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

double since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

[[noreturn]] void die(const std::string& what, const Error& e)
{
    std::fprintf(stderr, "condense_run_bench: %s: %s: %s\n", what.c_str(), e.file.c_str(), describe(e).c_str());
    std::exit(1);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: condense_run_bench MODEL [--type Q4_K_M] [-t 2] [--ctx 512] [--chunks 2] [--continuation 8] "
                             "[-p 64] [-n 16] [--work DIR]\n");
        return 2;
    }
    fs::path model = argv[1];
    std::string type = "Q4_K_M";
    int threads = 2;
    std::int64_t ctx = 512, chunks = 2, continuation = 8, pp = 64, tg = 16;
    fs::path work = fs::temp_directory_path() / ("condense-run-bench-" + std::to_string(::getpid()));
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const std::string v = argv[i + 1];
        if (a == "--type") type = v;
        else if (a == "-t") threads = std::stoi(v);
        else if (a == "--ctx") ctx = std::stoll(v);
        else if (a == "--chunks") chunks = std::stoll(v);
        else if (a == "--continuation") continuation = std::stoll(v);
        else if (a == "-p") pp = std::stoll(v);
        else if (a == "-n") tg = std::stoll(v);
        else if (a == "--work") work = v;
        else {
            std::fprintf(stderr, "condense_run_bench: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    fs::create_directories(work);
    jobs::NullSink quiet;

    eval::EvalConfig evalConfig = pipeline::defaultRunEvalConfig();
    evalConfig.nCtx = ctx;
    evalConfig.maxChunks = chunks;
    evalConfig.continuationTasks = continuation;
    eval::LatencyConfig latency = pipeline::defaultRunLatencyConfig();
    latency.promptTokens = pp;
    latency.genTokens = tg;

    // --- The parts on their own.
    std::map<std::string, double> parts;
    auto t0 = std::chrono::steady_clock::now();
    {
        pipeline::QuantizeRequest q;
        q.input = model;
        q.type = type;
        q.dryRun = true;
        q.threads = threads;
        auto r = pipeline::runQuantize(q, quiet);
        if (!r) die("plan", r.error());
    }
    parts["plan"] = since(t0);
    const fs::path standalone = work / "standalone.gguf";
    t0 = std::chrono::steady_clock::now();
    {
        pipeline::QuantizeRequest q;
        q.input = model;
        q.output = standalone;
        q.type = type;
        q.threads = threads;
        auto r = pipeline::runQuantize(q, quiet);
        if (!r) die("quantize", r.error());
    }
    parts["quantize"] = since(t0);
    {
        pipeline::EvalRequest e;
        e.models = {model, standalone};
        e.text = "bundled";
        e.textContent = std::string(pipeline::bundledEvalText());
        e.config = evalConfig;
        e.latency = true;
        e.latencyConfig = latency;
        e.threads = threads;
        auto r = pipeline::runEval(e, quiet);
        if (!r) die("eval", r.error());
        parts["evaluate"] = r->evaluationSeconds;
        parts["latency"] = r->latencySeconds;
    }
    fs::remove(standalone);

    // --- The pipeline.
    pipeline::RunRequest req;
    req.input = model;
    req.outputDir = work / "run";
    req.mix = type;
    req.eval = evalConfig;
    req.latencyConfig = latency;
    req.threads = threads;
    req.overwrite = true;
    req.runsFolder = work / "none";
    fs::create_directories(req.runsFolder);
    t0 = std::chrono::steady_clock::now();
    auto run = pipeline::runPipeline(req, quiet);
    const double runTotal = since(t0);
    if (!run) die("run", run.error());

    std::printf("model %s, %s, %d threads, eval %lld chunks of %lld tokens + %lld continuation tasks, pp%lld/tg%lld\n\n",
                model.string().c_str(), type.c_str(), threads, static_cast<long long>(run->report.chunks),
                static_cast<long long>(ctx), static_cast<long long>(continuation), static_cast<long long>(pp),
                static_cast<long long>(tg));
    std::printf("%-14s %10s %12s %8s\n", "stage", "run (s)", "alone (s)", "ratio");
    double partsTotal = 0;
    for (const auto& s : run->report.stages) {
        const auto it = parts.find(s.stage);
        if (it == parts.end()) {
            std::printf("%-14s %10.2f %12s %8s\n", s.stage.c_str(), s.seconds, "-", "-");
            continue;
        }
        partsTotal += it->second;
        std::printf("%-14s %10.2f %12.2f %8.3f\n", s.stage.c_str(), s.seconds, it->second, s.seconds / it->second);
    }
    std::printf("%-14s %10.2f %12.2f %8.3f\n", "total", runTotal, partsTotal, runTotal / partsTotal);
    std::error_code ec;
    fs::remove_all(work, ec);
    return 0;
}
