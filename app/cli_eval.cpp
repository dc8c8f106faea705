#include "app/cli_eval.h"
#include "app/cli_output.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/eval/engine_model.h"
#include "core/eval/evaluator.h"
#include "core/eval/latency.h"
#include "core/io/checkpoint.h"
#include "core/model/model.h"
#include "core/model/session.h"
#include "core/report/eval_report.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::cli {

namespace {

int usage(const std::string& what, const std::string& msg)
{
    std::cerr << "condense-cli: error: " << what << ": " << msg << '\n';
    return 2;
}

struct Loaded {
    std::shared_ptr<const io::Checkpoint> checkpoint;
    std::shared_ptr<const model::Model> model;
};

Result<Loaded> load(const std::string& path)
{
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(path, sink);
    if (!ck) return std::move(ck).error();
    auto m = model::loadModel(*ck);
    if (!m) return std::move(m).error();
    return Loaded{*ck, *m};
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
    std::ifstream tf(o.text, std::ios::binary);
    if (!tf) return fail(makeError(ErrorCode::NotFound, o.text, "cannot open the evaluation text"));
    std::ostringstream ts;
    ts << tf.rdbuf();

    eval::EvalInput input;
    input.text = ts.str();
    input.textLabel = o.text;
    if (!o.mc.empty()) {
        std::ifstream mf(o.mc, std::ios::binary);
        if (!mf) return fail(makeError(ErrorCode::NotFound, o.mc, "cannot open the multiple-choice file"));
        std::ostringstream ms;
        ms << mf.rdbuf();
        input.hellaswag = ms.str();
        input.hellaswagLabel = o.mc;
    }

    std::vector<Loaded> loaded;
    for (const auto& p : o.models) {
        auto l = load(p);
        if (!l) return fail(l.error());
        loaded.push_back(std::move(*l));
    }
    auto tok = tokenizer::loadTokenizer(*loaded[0].checkpoint);
    if (!tok) return fail(tok.error());
    const tokenizer::Tokenizer& t = **tok;
    input.tokenize = [&t](std::string_view s, bool special) { return t.encode(s, special, false); };
    input.bosToken = t.bosId();
    input.addBos = t.addBos();

    std::vector<std::unique_ptr<eval::EngineModel>> engines;
    for (std::size_t i = 0; i < loaded.size(); ++i) {
        auto e = eval::EngineModel::create(loaded[i].model, baseName(o.models[i]), o.ctx, o.threads);
        if (!e) return fail(e.error());
        engines.push_back(std::move(*e));
    }
    std::vector<eval::LanguageModel*> cands;
    for (std::size_t i = 1; i < engines.size(); ++i) cands.push_back(engines[i].get());

    eval::EvalConfig cfg;
    cfg.nCtx = o.ctx;
    cfg.protocol = (o.protocol == "a" || o.protocol == "A") ? eval::PplProtocol::A : eval::PplProtocol::B;
    cfg.maxChunks = o.chunks;
    cfg.driftChunks = o.driftChunks;
    cfg.continuationTasks = o.continuation;
    cfg.hellaswagTasks = o.mcTasks;
    TerminalProgress term(progressToTty);
    jobs::ThrottledSink sink(term);
    auto r = eval::runEvaluation(input, *engines[0], cands, cfg, sink);
    if (!r) return fail(r.error());

    std::vector<std::optional<report::LatencyFigures>> lat(loaded.size());
    if (o.latency) {
        for (std::size_t i = 0; i < loaded.size(); ++i) {
            eval::LatencyConfig lc;
            lc.threads = o.threads;
            lc.bosToken = t.addBos() ? t.bosId() : -1;
            auto l = eval::measureLatency(loaded[i].model, lc);
            if (!l) return fail(l.error());
            report::LatencyFigures f;
            f.threads = l->threads;
            f.ppTokens = lc.promptTokens;
            f.ppTokensPerSecond = l->ppTokensPerSecond;
            f.tgTokens = lc.genTokens;
            f.tgTokensPerSecond = l->tgTokensPerSecond;
            f.peakRssBytes = l->peakRssBytes;
            lat[i] = f;
        }
    }

    const auto& res = *r;
    if (o.json == "-") {
        std::cout << report::evalJson(res, lat) << '\n';
        return 0;
    }
    if (!o.json.empty()) {
        std::ofstream jf(o.json, std::ios::binary | std::ios::trunc);
        if (!jf) return fail(makeError(ErrorCode::IoError, o.json, "cannot write the report"));
        jf << report::evalJson(res, lat) << '\n';
        if (!jf) return fail(makeError(ErrorCode::IoError, o.json, "write failed"));
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
    auto l = load(o.model);
    if (!l) return fail(l.error());
    auto tok = tokenizer::loadTokenizer(*l->checkpoint);
    eval::LatencyConfig lc;
    lc.promptTokens = o.prompt;
    lc.genTokens = o.gen;
    lc.repetitions = o.repetitions;
    lc.threads = o.threads;
    if (tok && (*tok)->addBos()) lc.bosToken = (*tok)->bosId();
    auto r = eval::measureLatency(l->model, lc);
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
    auto l = load(o.model);
    if (!l) return fail(l.error());
    auto tok = tokenizer::loadTokenizer(*l->checkpoint);
    if (!tok) return fail(tok.error());
    const tokenizer::Tokenizer& t = **tok;
    std::vector<std::int32_t> ids = t.encode(o.prompt, true, true);
    if (ids.empty()) return usage("--prompt", "the prompt gives no tokens");
    model::SessionConfig sc;
    sc.nCtx = static_cast<std::int64_t>(ids.size()) + o.tokens;
    sc.threads = o.threads;
    auto s = model::Session::create(l->model, sc);
    if (!s) return fail(s.error());
    const auto vocab = static_cast<std::size_t>(l->model->dims().vocab);
    std::vector<float> logits(vocab);
    model::EvalOptions opt;
    opt.logits = model::LogitsMode::Last;
    auto st = (*s)->eval(ids, logits, opt);
    if (!st) return fail(st.error());
    std::string shown = t.decode(ids, true);
    std::cout << shown << std::flush;
    std::vector<std::int32_t> all = ids;
    for (std::int64_t i = 0; i < o.tokens; ++i) {
        std::int32_t next = 0;
        for (std::size_t v = 1; v < vocab; ++v)
            if (logits[v] > logits[static_cast<std::size_t>(next)]) next = static_cast<std::int32_t>(v);
        if (next == t.eosId()) break;
        all.push_back(next);
        const std::string text = t.decode(all, true);
        // Print what the new token added (decoding the whole sequence keeps multi-byte
        // characters and SentencePiece spaces right).
        if (text.size() >= shown.size() && text.compare(0, shown.size(), shown) == 0) std::cout << text.substr(shown.size());
        else std::cout << "\n" << text;
        std::cout << std::flush;
        shown = text;
        st = (*s)->eval(std::span<const std::int32_t>(&next, 1), logits, opt);
        if (!st) return fail(st.error());
    }
    std::cout << '\n';
    return 0;
}

} // namespace condense::cli
