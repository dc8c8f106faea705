#include "core/pipeline/eval_request.h"

#include <chrono>
#include <memory>

#include "core/eval/engine_model.h"
#include "core/eval/latency.h"
#include "core/io/atomic_file.h"
#include "core/io/checkpoint.h"
#include "core/io/json_file.h"
#include "core/model/model.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::pipeline {

namespace {

// Evaluation texts and multiple-choice files: WikiText-103 is 540 MB; 2 GB is beyond any text
// one would evaluate on, and is checked before anything is read.
constexpr std::uint64_t kMaxTextBytes = 2ull << 30;

std::string defaultLabel(const std::filesystem::path& p)
{
    std::filesystem::path q = p;
    if (q.filename().empty()) q = q.parent_path();
    return q.filename().string();
}

} // namespace

Result<EvalOutcome> runEval(const EvalRequest& r, jobs::ProgressSink& sink, std::stop_token stop)
{
    // Weights: loading is quick (memory-mapped); scoring the text dominates; llama-bench-style
    // latency runs pp512 + tg128 three times per model.
    std::vector<jobs::ProgressPass> passes{{jobs::Stage::Opening, 2}, {jobs::Stage::Evaluating, 90}};
    if (r.latency) passes.push_back({jobs::Stage::Measuring, 8 * static_cast<double>(r.models.size())});
    jobs::WeightedProgress progress(sink, std::move(passes));
    if (r.models.empty()) return makeError(ErrorCode::InvalidArgument, {}, "no model to evaluate");
    if (!r.labels.empty() && r.labels.size() != r.models.size())
        return makeError(ErrorCode::InvalidArgument, {}, "one label per model");

    const auto start = std::chrono::steady_clock::now();
    eval::EvalInput input;
    if (r.textContent) {
        input.text = *r.textContent;
        input.textLabel = r.text.string();
    } else {
        auto text = io::readTextFile(r.text, kMaxTextBytes);
        if (!text) return std::move(text).error();
        input.text = std::move(*text);
        input.textLabel = r.text.string();
    }
    if (!r.multipleChoice.empty()) {
        auto mc = io::readTextFile(r.multipleChoice, kMaxTextBytes);
        if (!mc) return std::move(mc).error();
        input.hellaswag = std::move(*mc);
        input.hellaswagLabel = r.multipleChoice.string();
    }

    struct Loaded {
        std::shared_ptr<const io::Checkpoint> checkpoint;
        std::shared_ptr<const model::Model> model;
    };
    std::vector<Loaded> loaded;
    jobs::NullSink quiet;
    for (std::size_t i = 0; i < r.models.size(); ++i) {
        progress.report(jobs::Stage::Opening, i, r.models.size(), r.models[i].string());
        auto ck = io::openCheckpoint(r.models[i], quiet, stop);
        if (!ck) return std::move(ck).error();
        auto m = model::loadModel(*ck);
        if (!m) return std::move(m).error();
        loaded.push_back({*ck, *m});
    }
    progress.report(jobs::Stage::Opening, r.models.size(), r.models.size());

    auto tok = tokenizer::loadTokenizer(*loaded[0].checkpoint);
    if (!tok) return std::move(tok).error();
    const tokenizer::Tokenizer& t = **tok;
    input.tokenize = [&t](std::string_view s, bool special) { return t.encode(s, special, false); };
    input.bosToken = t.bosId();
    input.addBos = t.addBos();

    std::vector<std::unique_ptr<eval::EngineModel>> engines;
    for (std::size_t i = 0; i < loaded.size(); ++i) {
        const std::string label = r.labels.empty() ? defaultLabel(r.models[i]) : r.labels[i];
        auto e = eval::EngineModel::create(loaded[i].model, label, r.config.nCtx, r.threads);
        if (!e) return std::move(e).error();
        engines.push_back(std::move(*e));
    }
    std::vector<eval::LanguageModel*> candidates;
    for (std::size_t i = 1; i < engines.size(); ++i) candidates.push_back(engines[i].get());

    auto res = eval::runEvaluation(input, *engines[0], candidates, r.config, progress, stop);
    if (!res) return std::move(res).error();

    EvalOutcome out;
    out.result = std::move(*res);
    out.latency.resize(loaded.size());
    const auto evaluated = std::chrono::steady_clock::now();
    out.evaluationSeconds = std::chrono::duration<double>(evaluated - start).count();
    if (r.latency) {
        for (std::size_t i = 0; i < loaded.size(); ++i) {
            progress.report(jobs::Stage::Measuring, i, loaded.size(), out.result.models[i].label);
            eval::LatencyConfig lc = r.latencyConfig;
            lc.threads = r.threads;
            lc.bosToken = t.addBos() ? t.bosId() : -1;
            auto l = eval::measureLatency(loaded[i].model, lc, stop);
            if (!l) return std::move(l).error();
            report::LatencyFigures f;
            f.threads = l->threads;
            f.ppTokens = lc.promptTokens;
            f.ppTokensPerSecond = l->ppTokensPerSecond;
            f.tgTokens = lc.genTokens;
            f.tgTokensPerSecond = l->tgTokensPerSecond;
            f.peakRssBytes = l->peakRssBytes;
            out.latency[i] = f;
        }
        progress.report(jobs::Stage::Measuring, loaded.size(), loaded.size());
        out.latencySeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - evaluated).count();
    }
    out.reportJson = report::evalJson(out.result, out.latency);
    if (!r.reportPath.empty()) {
        std::vector<std::filesystem::path> inputs = r.models;
        if (!r.textContent) inputs.push_back(r.text);
        CONDENSE_TRY(io::writeFileAtomically(r.reportPath, out.reportJson + "\n", inputs));
    }
    return out;
}

} // namespace condense::pipeline
