#include "core/pipeline/run_request.h"

#include <vector>

#include "core/eval/latency.h"
#include "core/io/checkpoint.h"
#include "core/model/model.h"
#include "core/model/session.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::pipeline {

namespace {

struct Loaded {
    std::shared_ptr<const io::Checkpoint> checkpoint;
    std::shared_ptr<const model::Model> model;
};

Result<Loaded> load(const std::filesystem::path& path, jobs::ProgressSink& progress, std::stop_token stop)
{
    progress.report(jobs::Stage::Opening, 0, 1, path.string());
    jobs::NullSink quiet;
    auto ck = io::openCheckpoint(path, quiet, stop);
    if (!ck) return std::move(ck).error();
    auto m = model::loadModel(*ck);
    if (!m) return std::move(m).error();
    progress.report(jobs::Stage::Opening, 1, 1, path.string());
    return Loaded{*ck, *m};
}

} // namespace

Result<BenchOutcome> runBench(const BenchRequest& r, jobs::ProgressSink& sink, std::stop_token stop)
{
    jobs::WeightedProgress progress(sink, {{jobs::Stage::Opening, 2}, {jobs::Stage::Measuring, 98}});
    auto l = load(r.model, progress, stop);
    if (!l) return std::move(l).error();
    eval::LatencyConfig lc;
    lc.promptTokens = r.promptTokens;
    lc.genTokens = r.genTokens;
    lc.repetitions = r.repetitions;
    lc.threads = r.threads;
    // A missing tokenizer only means no BOS in front (llama-bench's prompt is random tokens).
    if (auto tok = tokenizer::loadTokenizer(*l->checkpoint); tok && (*tok)->addBos()) lc.bosToken = (*tok)->bosId();
    progress.report(jobs::Stage::Measuring, 0, 1, r.model.string());
    auto m = eval::measureLatency(l->model, lc, stop);
    if (!m) return std::move(m).error();
    progress.report(jobs::Stage::Measuring, 1, 1, r.model.string());
    BenchOutcome out;
    out.threads = m->threads;
    out.ppTokensPerSecond = m->ppTokensPerSecond;
    out.ppStdDev = m->ppStdDev;
    out.tgTokensPerSecond = m->tgTokensPerSecond;
    out.tgStdDev = m->tgStdDev;
    out.peakRssBytes = m->peakRssBytes;
    return out;
}

Result<GenerateOutcome> runGenerate(const GenerateRequest& r, jobs::ProgressSink& sink, std::stop_token stop)
{
    jobs::WeightedProgress progress(sink, {{jobs::Stage::Opening, 5}, {jobs::Stage::Generating, 95}});
    auto l = load(r.model, progress, stop);
    if (!l) return std::move(l).error();
    auto tok = tokenizer::loadTokenizer(*l->checkpoint);
    if (!tok) return std::move(tok).error();
    const tokenizer::Tokenizer& t = **tok;
    std::vector<std::int32_t> ids = t.encode(r.prompt, true, true);
    if (ids.empty()) return makeError(ErrorCode::InvalidArgument, {}, "the prompt gives no tokens");
    if (r.tokens < 0) return makeError(ErrorCode::InvalidArgument, {}, "negative token count");
    model::SessionConfig sc;
    sc.nCtx = static_cast<std::int64_t>(ids.size()) + r.tokens;
    sc.threads = r.threads;
    auto s = model::Session::create(l->model, sc);
    if (!s) return std::move(s).error();
    const auto vocab = static_cast<std::size_t>(l->model->dims().vocab);
    std::vector<float> logits(vocab);
    model::EvalOptions opt;
    opt.logits = model::LogitsMode::Last;
    CONDENSE_TRY((*s)->eval(ids, logits, opt, stop));
    GenerateOutcome out;
    out.text = t.decode(ids, true);
    if (r.onText) r.onText(out.text, false);
    std::vector<std::int32_t> all = ids;
    for (std::int64_t i = 0; i < r.tokens; ++i) {
        progress.report(jobs::Stage::Generating, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(r.tokens));
        std::int32_t next = 0;
        for (std::size_t v = 1; v < vocab; ++v)
            if (logits[v] > logits[static_cast<std::size_t>(next)]) next = static_cast<std::int32_t>(v);
        if (next == t.eosId()) break;
        all.push_back(next);
        ++out.generated;
        // Decoding the whole sequence keeps multi-byte characters and SentencePiece spaces right.
        const std::string text = t.decode(all, true);
        if (r.onText) {
            if (text.size() >= out.text.size() && text.compare(0, out.text.size(), out.text) == 0)
                r.onText(std::string_view(text).substr(out.text.size()), false);
            else
                r.onText(text, true);
        }
        out.text = text;
        CONDENSE_TRY((*s)->eval(std::span<const std::int32_t>(&next, 1), logits, opt, stop));
    }
    progress.report(jobs::Stage::Generating, static_cast<std::uint64_t>(r.tokens), static_cast<std::uint64_t>(r.tokens));
    return out;
}

} // namespace condense::pipeline
