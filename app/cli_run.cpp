#include "app/cli_run.h"

#include <cstdio>
#include <iostream>
#include <string>

#include "app/cli_output.h"
#include "app/cli_plan.h"
#include "app/message_text.h"
#include "core/pipeline/pipeline_run.h"

namespace condense::cli {

namespace {

std::string fmt(const char* f, double v)
{
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

std::string ratioChange(double before, double after)
{
    return before != 0 ? fmt("%+.2f%%", 100.0 * (after / before - 1)) : std::string();
}

std::string pointsChange(double before, double after)
{
    return fmt("%+.2f pt", 100.0 * (after - before));
}

void row(const std::string& name, const std::string& a, const std::string& b, const std::string& change)
{
    std::printf("  %-30s %14s %14s %12s\n", name.c_str(), a.c_str(), b.c_str(), change.c_str());
}

} // namespace

int runRun(const RunOptions& o, bool progressToTty)
{
    auto usage = [](const std::string& what) {
        std::fprintf(stderr, "condense-cli: error: %s\n", what.c_str());
        return 2;
    };
    if (o.format == "gguf" && (o.bitsGiven || o.sym || o.asym || o.actOrder))
        return usage("--bits, --group, --sym, --asym and --act-order go with --format gptq|awq|compressed-tensors");
    if (o.format != "gguf" && (o.typeGiven || !o.plan.empty() || !o.profile.empty() || !o.imatrix.empty()))
        return usage("--type, --plan, --profile and --imatrix go with --format gguf; --format " + o.format + " takes --bits and --group");
    if (o.format == "gguf" && o.method == "awq") return usage("--method awq goes with --format awq");
    if (o.method != "gptq" && o.method != "awq" && o.method != "imatrix" && (!o.calibration.empty() || o.calibrationTokens > 0) &&
        !(o.format != "gguf" && o.method.empty()))
        return usage("--calibration and --calibration-tokens go with --method gptq, awq or imatrix");
    pipeline::RunRequest req;
    req.input = o.model;
    req.outputDir = o.output;
    req.mix = o.type;
    req.planFile = o.plan;
    req.imatrix = o.imatrix;
    req.evalText = o.evalText;
    req.eval.nCtx = o.evalCtx;
    if (!o.profile.empty()) {
        const auto kv = plan::kvCacheTypeFromKey(o.kvType);
        if (!kv) {
            std::fprintf(stderr, "condense-cli: error: --kv-type must be f16 or q8_0\n");
            return 2;
        }
        req.profile = pipeline::RunRequest::ProfilePlan{o.profile, profilesRequest(), static_cast<std::uint64_t>(o.ctx), *kv};
    }
    req.eval.maxChunks = o.chunks;
    req.eval.continuationTasks = o.continuation;
    req.latency = !o.noLatency;
    req.overwrite = o.overwrite;
    req.threads = o.threads;
    req.method = o.method;
    req.calibration = o.calibration;
    req.calibrationTokens = o.calibrationTokens;
    req.format = o.format;
    req.bits = o.bits;
    req.group = o.group;
    if (o.sym) req.symmetric = true;
    if (o.asym) req.symmetric = false;
    req.actOrder = o.actOrder;

    TerminalProgress term(progressToTty);
    jobs::ThrottledSink sink(term);
    auto r = pipeline::runPipeline(req, sink);
    if (!r) return fail(r.error());
    for (const auto& w : r->warnings) std::cerr << "condense-cli: warning: " << messageText(w) << '\n';

    const auto& rep = r->report;
    const auto& a = rep.original;
    const auto& b = rep.quantized;
    std::printf("%s -> %s: %s, %.4f bits per weight\n", rep.input.c_str(), r->model.string().c_str(), humanBytes(b.bytes).c_str(),
                rep.bitsPerWeight);
    std::printf("reports: %s, %s\n", r->reportJson.string().c_str(), r->reportHtml.string().c_str());
    std::printf("evaluated on %s: %lld chunks of %lld tokens (protocol %s)\n\n", rep.evalText.c_str(),
                static_cast<long long>(rep.chunks), static_cast<long long>(rep.nCtx), rep.protocol.c_str());
    std::printf("  %-30s %14s %14s %12s\n", "", "original", "quantized", "change");
    row("size", humanBytes(a.bytes), humanBytes(b.bytes), ratioChange(static_cast<double>(a.bytes), static_cast<double>(b.bytes)));
    row("bits per weight", fmt("%.3f", a.bitsPerWeight), fmt("%.3f", b.bitsPerWeight), ratioChange(a.bitsPerWeight, b.bitsPerWeight));
    row("perplexity", fmt("%.4f", a.ppl), fmt("%.4f", b.ppl), ratioChange(a.ppl, b.ppl));
    row("KL divergence (mean)", "", fmt("%.6f", b.kld.mean), "");
    row("KL divergence (p99)", "", fmt("%.5f", b.kld.p99), "");
    row("top-token agreement", "", fmt("%.2f%%", 100.0 * b.sameTop), "");
    row("top-1 accuracy", fmt("%.2f%%", 100.0 * a.top1), fmt("%.2f%%", 100.0 * b.top1), pointsChange(a.top1, b.top1));
    for (std::size_t i = 0; i < a.mc.size() && i < b.mc.size(); ++i)
        row(a.mc[i].task + " (" + std::to_string(a.mc[i].tasks) + " tasks)", fmt("%.2f%%", 100.0 * a.mc[i].accuracy),
            fmt("%.2f%%", 100.0 * b.mc[i].accuracy), pointsChange(a.mc[i].accuracy, b.mc[i].accuracy));
    if (a.latency && b.latency) {
        row("pp" + std::to_string(a.latency->ppTokens) + " tokens/s", fmt("%.1f", a.latency->ppTokensPerSecond),
            fmt("%.1f", b.latency->ppTokensPerSecond), ratioChange(a.latency->ppTokensPerSecond, b.latency->ppTokensPerSecond));
        row("tg" + std::to_string(a.latency->tgTokens) + " tokens/s", fmt("%.1f", a.latency->tgTokensPerSecond),
            fmt("%.1f", b.latency->tgTokensPerSecond), ratioChange(a.latency->tgTokensPerSecond, b.latency->tgTokensPerSecond));
    }
    std::printf("\n  layer  drift (rel. error)  weight rel. RMSE\n");
    for (const auto& l : rep.layers)
        std::printf("  %5d  %18.5f%s %16.5f%s\n", l.layer, l.driftRelativeError, l.worstDrift ? "*" : " ", l.weightRelativeRmse,
                    l.worstWeight ? "*" : " ");
    std::printf("  (* the worst layers)\n\nstages:");
    for (const auto& s : rep.stages) std::printf(" %s %.2f s", s.stage.c_str(), s.seconds);
    std::printf("\n");
    return 0;
}

} // namespace condense::cli
