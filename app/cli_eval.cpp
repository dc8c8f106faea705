#include "app/cli_eval.h"
#include "app/cli_output.h"

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/pipeline/eval_request.h"
#include "core/pipeline/run_request.h"

namespace condense::cli {

namespace {

int usage(const std::string& what, const std::string& msg)
{
    std::cerr << "condense-cli: error: " << what << ": " << msg << '\n';
    return 2;
}

std::string baseName(const std::string& p)
{
    std::string s = p;
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    const auto slash = s.find_last_of('/');
    return slash == std::string::npos ? s : s.substr(slash + 1);
}

std::string fmt(const char* f, double v)
{
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

} // namespace

int runEval(const EvalOptions& o, bool progressToTty)
{
    if (o.models.empty()) return usage("eval", "give the base model (and candidates)");
    if (o.protocol != "a" && o.protocol != "b" && o.protocol != "A" && o.protocol != "B")
        return usage("--protocol", "must be a or b");

    pipeline::EvalRequest req;
    for (const auto& m : o.models) {
        req.models.emplace_back(m);
        req.labels.push_back(baseName(m));
    }
    req.text = o.text;
    req.multipleChoice = o.mc;
    req.latency = o.latency;
    req.threads = o.threads;
    if (!o.json.empty() && o.json != "-") req.reportPath = o.json;
    eval::EvalConfig& cfg = req.config;
    cfg.nCtx = o.ctx;
    cfg.protocol = (o.protocol == "a" || o.protocol == "A") ? eval::PplProtocol::A : eval::PplProtocol::B;
    cfg.maxChunks = o.chunks;
    cfg.driftChunks = o.driftChunks;
    cfg.continuationTasks = o.continuation;
    cfg.hellaswagTasks = o.mcTasks;
    TerminalProgress term(progressToTty);
    jobs::ThrottledSink sink(term);
    auto r = pipeline::runEval(req, sink);
    if (!r) return fail(r.error());
    const auto& lat = r->latency;

    const auto& res = r->result;
    if (o.json == "-") {
        std::cout << r->reportJson << '\n';
        return 0;
    }
    std::printf("text %s: %llu tokens, protocol %s, n_ctx %lld, %lld chunks\n\n", res.textLabel.c_str(),
                static_cast<unsigned long long>(res.textTokens), cfg.protocol == eval::PplProtocol::A ? "A" : "B",
                static_cast<long long>(res.nCtx), static_cast<long long>(res.chunks));
    std::printf("%-32s %18s %9s %10s %9s %9s %8s", "model", "PPL", "dPPL", "KLD", "KLD p99", "same top", "top-1");
    const bool hasMc = !res.models.empty() && !res.models[0].mc.empty();
    if (hasMc)
        for (const auto& m : res.models[0].mc) std::printf(" %12s", m.task.c_str());
    if (o.latency) std::printf(" %9s %9s", "pp t/s", "tg t/s");
    std::printf("\n");
    const double basePpl = res.models[0].ppl;
    for (std::size_t i = 0; i < res.models.size(); ++i) {
        const auto& m = res.models[i];
        std::string name = m.label.size() > 32 ? m.label.substr(0, 31) + "~" : m.label;
        std::printf("%-32s %18s %9s %10s %9s %9s %8s", name.c_str(), (fmt("%.4f", m.ppl) + " ± " + fmt("%.4f", m.pplUncertainty)).c_str(),
                    m.isBase ? "base" : fmt("%+.2f%%", 100.0 * (m.ppl / basePpl - 1)).c_str(), fmt("%.6f", m.kldMean).c_str(),
                    fmt("%.5f", m.kldP99).c_str(), fmt("%.2f%%", 100.0 * m.sameTop).c_str(), fmt("%.2f%%", 100.0 * m.top1).c_str());
        for (const auto& mc : m.mc) std::printf(" %12s", fmt("%.2f%%", 100.0 * mc.accuracy()).c_str());
        if (o.latency && lat[i])
            std::printf(" %9s %9s", fmt("%.1f", lat[i]->ppTokensPerSecond).c_str(), fmt("%.1f", lat[i]->tgTokensPerSecond).c_str());
        std::printf("\n");
    }
    for (const auto& m : res.models) {
        if (m.drift.empty()) continue;
        std::printf("\nper-layer drift of %s vs %s (block output hidden state):\n  layer   cosine   rel. error\n",
                    m.label.c_str(), res.models[0].label.c_str());
        for (const auto& d : m.drift) std::printf("  %5d  %.6f  %.5f\n", d.layer, d.cosine, d.relativeError);
    }
    return 0;
}

int runBench(const BenchOptions& o)
{
    pipeline::BenchRequest req;
    req.model = o.model;
    req.promptTokens = o.prompt;
    req.genTokens = o.gen;
    req.repetitions = o.repetitions;
    req.threads = o.threads;
    jobs::NullSink sink;
    auto r = pipeline::runBench(req, sink);
    if (!r) return fail(r.error());
    if (o.json) {
        nlohmann::json j = {{"model", o.model},
                            {"threads", r->threads},
                            {"pp_tokens", o.prompt},
                            {"pp_tokens_per_s", r->ppTokensPerSecond},
                            {"pp_stddev", r->ppStdDev},
                            {"tg_tokens", o.gen},
                            {"tg_tokens_per_s", r->tgTokensPerSecond},
                            {"tg_stddev", r->tgStdDev},
                            {"peak_rss_bytes", r->peakRssBytes}};
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    std::printf("%-40s %7s %12s %16s\n", "model", "threads", "test", "t/s");
    if (o.prompt > 0)
        std::printf("%-40s %7d %12s %16s\n", baseName(o.model).c_str(), r->threads, ("pp" + std::to_string(o.prompt)).c_str(),
                    (fmt("%.2f", r->ppTokensPerSecond) + " ± " + fmt("%.2f", r->ppStdDev)).c_str());
    if (o.gen > 0)
        std::printf("%-40s %7d %12s %16s\n", baseName(o.model).c_str(), r->threads, ("tg" + std::to_string(o.gen)).c_str(),
                    (fmt("%.2f", r->tgTokensPerSecond) + " ± " + fmt("%.2f", r->tgStdDev)).c_str());
    std::printf("peak RSS: %.1f MB\n", static_cast<double>(r->peakRssBytes) / 1e6);
    return 0;
}

int runGenerate(const GenerateOptions& o)
{
    pipeline::GenerateRequest req;
    req.model = o.model;
    req.prompt = o.prompt;
    req.tokens = o.tokens;
    req.threads = o.threads;
    req.onText = [](std::string_view text, bool replaced) {
        if (replaced) std::cout << "\n";
        std::cout << text << std::flush;
    };
    jobs::NullSink sink;
    auto r = pipeline::runGenerate(req, sink);
    if (!r) {
        if (r.error().code == ErrorCode::InvalidArgument && r.error().detail == "the prompt gives no tokens")
            return usage("--prompt", "the prompt gives no tokens");
        return fail(r.error());
    }
    std::cout << '\n';
    return 0;
}

} // namespace condense::cli
