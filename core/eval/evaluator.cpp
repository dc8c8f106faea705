#include "core/eval/evaluator.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "core/eval/token_stats.h"

namespace condense::eval {

double McResult::uncertainty() const
{
    if (tasks < 2) return 0;
    const double p = accuracy();
    return std::sqrt(p * (1 - p) / static_cast<double>(tasks - 1));
}

Result<ChunkPlan> planChunks(const std::vector<std::int32_t>& tokens, const EvalConfig& config, const EvalInput& input)
{
    const std::int64_t n = config.nCtx;
    if (n < 2) return makeError(ErrorCode::InvalidArgument, input.textLabel, "context length must be at least 2");
    const auto total = static_cast<std::int64_t>(tokens.size());
    const std::int64_t needed = config.protocol == PplProtocol::B ? 2 * n : n;
    if (total < needed)
        return makeError(ErrorCode::InvalidArgument, input.textLabel,
                         "text has " + std::to_string(total) + " tokens, fewer than the " + std::to_string(needed) +
                             " needed for " + (config.protocol == PplProtocol::B ? "two chunks" : "one chunk") +
                             " of " + std::to_string(n));
    std::int64_t nChunks = total / n;
    if (config.maxChunks > 0) nChunks = std::min(nChunks, config.maxChunks);
    ChunkPlan plan;
    plan.firstScored = config.protocol == PplProtocol::B ? n / 2 : 0;
    for (std::int64_t c = 0; c < nChunks; ++c) {
        std::vector<std::int32_t> chunk(tokens.begin() + c * n, tokens.begin() + (c + 1) * n);
        plan.targets.push_back(chunk);
        if (config.protocol == PplProtocol::B && input.addBos && input.bosToken >= 0) chunk[0] = input.bosToken;
        plan.chunks.push_back(std::move(chunk));
    }
    return plan;
}

Result<std::vector<McTask>> parseHellaswag(std::string_view text, const std::string& label, const TokenizeFn& tokenize,
                                           std::int64_t maxTasks)
{
    std::vector<std::string> lines;
    std::string cur;
    std::istringstream in{std::string(text)};
    while (std::getline(in, cur)) {
        if (!cur.empty() && cur.back() == '\r') cur.pop_back();
        lines.push_back(cur);
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.empty() || lines.size() % 6 != 0)
        return makeError(ErrorCode::Malformed, label,
                         "HellaSwag file has " + std::to_string(lines.size()) + " lines, not a positive multiple of 6");
    std::vector<McTask> tasks;
    const std::size_t count = lines.size() / 6;
    for (std::size_t t = 0; t < count; ++t) {
        if (maxTasks > 0 && static_cast<std::int64_t>(t) >= maxTasks) break;
        const std::string& gold = lines[t * 6 + 1];
        if (gold.size() != 1 || gold[0] < '0' || gold[0] > '3')
            return makeError(ErrorCode::Malformed, label,
                             "task " + std::to_string(t + 1) + " (line " + std::to_string(t * 6 + 2) +
                                 "): gold ending index is not 0..3");
        McTask task;
        task.gold = static_cast<std::size_t>(gold[0] - '0');
        for (int e = 0; e < 4; ++e)
            task.endings.push_back(tokenize(lines[t * 6] + " " + lines[t * 6 + 2 + static_cast<std::size_t>(e)], true));
        tasks.push_back(std::move(task));
    }
    return tasks;
}

std::vector<McTask> makeContinuationTasks(const std::vector<std::int32_t>& tokens, std::int64_t nTasks,
                                          std::int64_t contextLen, std::int64_t spanLen)
{
    std::vector<McTask> tasks;
    const auto total = static_cast<std::int64_t>(tokens.size());
    const std::int64_t room = total - contextLen - spanLen;
    if (nTasks <= 0 || room <= 4 * spanLen) return tasks;
    std::mt19937 rng(20261127u); // mt19937's output sequence is fixed by the standard
    for (std::int64_t i = 0; i < nTasks; ++i) {
        const std::int64_t p = i * room / nTasks;
        const auto ctxBegin = tokens.begin() + p;
        const auto spanBegin = ctxBegin + contextLen;
        std::vector<std::int32_t> context(ctxBegin, spanBegin);
        std::vector<std::int32_t> truth(spanBegin, spanBegin + spanLen);
        std::vector<std::vector<std::int32_t>> spans{truth};
        int guard = 0;
        while (spans.size() < 4 && guard++ < 1000) {
            const auto q = static_cast<std::int64_t>(rng() % static_cast<std::uint32_t>(total - spanLen));
            if (std::llabs(q - (p + contextLen)) < 2 * spanLen) continue;
            std::vector<std::int32_t> s(tokens.begin() + q, tokens.begin() + q + spanLen);
            if (std::find(spans.begin(), spans.end(), s) != spans.end()) continue;
            spans.push_back(std::move(s));
        }
        if (spans.size() < 4) continue;
        McTask task;
        task.context = context;
        task.gold = static_cast<std::size_t>(rng() % 4u); // where the true span goes
        std::swap(spans[0], spans[task.gold]);
        for (auto& s : spans) {
            std::vector<std::int32_t> seq = context;
            seq.insert(seq.end(), s.begin(), s.end());
            task.endings.push_back(std::move(seq));
        }
        tasks.push_back(std::move(task));
    }
    return tasks;
}

namespace {

struct Accum {
    double nllSum = 0, nll2Sum = 0;
    std::uint64_t n = 0, top1 = 0;
    double kldSum = 0, kld2Sum = 0;
    std::uint64_t sameTop = 0;
    std::vector<double> klds;
    double lnRatioSum = 0, lnRatio2Sum = 0; // per-token nll_c - nll_b
    std::vector<double> cosSum, relSum;
    std::uint64_t driftTokens = 0;
};

// Scores one multiple-choice task: index of the ending with the highest mean log-prob.
Result<std::size_t> scoreTask(LanguageModel& m, const McTask& task, std::stop_token stop)
{
    std::size_t prefix = task.endings[0].size();
    for (const auto& e : task.endings) {
        std::size_t k = 0;
        while (k < prefix && k < e.size() && e[k] == task.endings[0][k]) ++k;
        prefix = k;
    }
    const std::int64_t vocab = m.vocabSize();
    double best = -INFINITY;
    std::size_t bestIdx = 0;
    std::vector<float> logits;
    for (std::size_t s = 0; s < task.endings.size(); ++s) {
        const auto& seq = task.endings[s];
        if (seq.size() < 2) continue;
        const std::size_t first = std::max<std::size_t>(prefix, 1) - 1; // position predicting the first ending token
        const auto n = static_cast<std::int64_t>(seq.size());
        if (n > m.contextLength())
            return makeError(ErrorCode::InvalidArgument, m.label(), "a multiple-choice sequence is longer than the context");
        logits.assign(static_cast<std::size_t>((n - static_cast<std::int64_t>(first)) * vocab), 0.f);
        CONDENSE_TRY(m.evaluate(seq, static_cast<std::int64_t>(first), logits, nullptr, stop));
        double sum = 0;
        std::size_t count = 0;
        for (std::size_t j = first; j + 1 < seq.size(); ++j) {
            std::span<const float> row(logits.data() + (j - first) * static_cast<std::size_t>(vocab), static_cast<std::size_t>(vocab));
            const auto st = logSoftmaxStats(row);
            sum -= negLogLikelihood(row, st, seq[j + 1]);
            ++count;
        }
        const double mean = count ? sum / static_cast<double>(count) : -INFINITY;
        if (mean > best) {
            best = mean;
            bestIdx = s;
        }
    }
    return bestIdx;
}

// Scores every task; `done` advances by each task's tokens and is reported against `work`.
Result<McResult> runMc(LanguageModel& m, const std::string& name, const std::vector<McTask>& tasks, jobs::ProgressSink& progress,
                       std::uint64_t& done, std::uint64_t work, std::stop_token stop)
{
    McResult r;
    r.task = name;
    for (const auto& t : tasks) {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, m.label(), "cancelled");
        progress.report(jobs::Stage::Evaluating, done, work, m.label());
        for (const auto& e : t.endings) done += e.size();
        auto pick = scoreTask(m, t, stop);
        if (!pick) return std::move(pick).error();
        ++r.tasks;
        r.correct += *pick == t.gold;
    }
    return r;
}

} // namespace

Result<EvalResult> runEvaluation(const EvalInput& input, LanguageModel& base, const std::vector<LanguageModel*>& candidates,
                                 const EvalConfig& config, jobs::ProgressSink& progress, std::stop_token stop)
{
    for (auto* c : candidates)
        if (c->vocabSize() != base.vocabSize())
            return makeError(ErrorCode::InvalidArgument, c->label(),
                             "vocabulary size " + std::to_string(c->vocabSize()) + " differs from the base model's " +
                                 std::to_string(base.vocabSize()));
    if (config.nCtx > base.contextLength())
        return makeError(ErrorCode::InvalidArgument, base.label(),
                         "context " + std::to_string(config.nCtx) + " exceeds the model's " + std::to_string(base.contextLength()));

    const bool special = config.protocol == PplProtocol::B;
    const std::vector<std::int32_t> tokens = input.tokenize(input.text, special);
    auto planR = planChunks(tokens, config, input);
    if (!planR) return std::move(planR).error();
    const ChunkPlan& plan = *planR;

    std::vector<LanguageModel*> models{&base};
    models.insert(models.end(), candidates.begin(), candidates.end());
    std::vector<Accum> acc(models.size());
    std::vector<std::vector<ChunkStats>> chunkStats(models.size());

    const std::int64_t vocab = base.vocabSize();
    const std::int64_t n = config.nCtx;
    const std::int64_t first = plan.firstScored;
    const std::size_t rows = static_cast<std::size_t>(n - first);
    std::vector<float> baseLogits(rows * static_cast<std::size_t>(vocab));
    std::vector<float> candLogits(rows * static_cast<std::size_t>(vocab));
    std::vector<LogSoftmax> baseStats(rows);
    std::vector<double> baseNll(rows); // the base's NLL per scored row, reused by every candidate
    LayerStates baseLayers, candLayers;

    // Multiple-choice tasks are built first, so the progress covers them from the start.
    std::vector<McTask> hsTasks, contTasks;
    if (!input.hellaswag.empty()) {
        auto t = parseHellaswag(input.hellaswag, input.hellaswagLabel, input.tokenize, config.hellaswagTasks);
        if (!t) return std::move(t).error();
        hsTasks = std::move(*t);
    }
    if (config.continuationTasks > 0) {
        const auto plain = special ? input.tokenize(input.text, false) : tokens;
        contTasks = makeContinuationTasks(plain, config.continuationTasks, config.continuationContext, config.continuationSpan);
    }


    // Progress in tokens run through a model: a chunk is nCtx tokens, a task the tokens of
    // all its endings. It reaches the total only when the last multiple-choice task is scored.
    const auto nChunks = static_cast<std::uint64_t>(plan.chunks.size());
    const auto taskTokens = [](const std::vector<McTask>& tasks) {
        std::uint64_t t = 0;
        for (const auto& task : tasks)
            for (const auto& e : task.endings) t += e.size();
        return t;
    };
    const std::uint64_t chunkWork = static_cast<std::uint64_t>(n);
    const std::uint64_t mcWorkPerModel = taskTokens(hsTasks) + taskTokens(contTasks);
    const std::uint64_t work = (nChunks * chunkWork + mcWorkPerModel) * models.size();
    std::uint64_t workDone = 0;
    for (std::uint64_t c = 0; c < nChunks; ++c) {
        const bool drift = static_cast<std::int64_t>(c) < config.driftChunks && !candidates.empty();
        const auto& feed = plan.chunks[c];
        const auto& target = plan.targets[c];
        for (std::size_t mi = 0; mi < models.size(); ++mi) {
            if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, input.textLabel, "cancelled");
            progress.report(jobs::Stage::Evaluating, workDone, work, models[mi]->label());
            workDone += chunkWork;
            const bool isBase = mi == 0;
            std::vector<float>& logits = isBase ? baseLogits : candLogits;
            LayerStates* layers = drift ? (isBase ? &baseLayers : &candLayers) : nullptr;
            CONDENSE_TRY(models[mi]->evaluate(feed, first, logits, layers, stop));
            Accum& a = acc[mi];
            ChunkStats cs;
            for (std::int64_t k = first; k + 1 < n; ++k) {
                const std::size_t r = static_cast<std::size_t>(k - first);
                std::span<const float> row(logits.data() + r * static_cast<std::size_t>(vocab), static_cast<std::size_t>(vocab));
                const LogSoftmax st = logSoftmaxStats(row);
                const std::int32_t t = target[static_cast<std::size_t>(k + 1)];
                const double nll = negLogLikelihood(row, st, t);
                cs.nllSum += nll;
                cs.scored++;
                cs.top1 += st.argmax == t;
                a.nllSum += nll;
                a.nll2Sum += nll * nll;
                a.n++;
                a.top1 += st.argmax == t;
                if (isBase) {
                    baseStats[r] = st;
                    baseNll[r] = nll;
                } else {
                    std::span<const float> brow(baseLogits.data() + r * static_cast<std::size_t>(vocab), static_cast<std::size_t>(vocab));
                    const double kld = klDivergence(brow, baseStats[r], row, st);
                    cs.kldSum += kld;
                    cs.sameTop += baseStats[r].argmax == st.argmax;
                    a.kldSum += kld;
                    a.kld2Sum += kld * kld;
                    a.klds.push_back(kld);
                    a.sameTop += baseStats[r].argmax == st.argmax;
                    a.lnRatioSum += nll - baseNll[r];
                    a.lnRatio2Sum += (nll - baseNll[r]) * (nll - baseNll[r]);
                }
            }
            chunkStats[mi].push_back(cs);
            if (drift && !isBase) {
                const std::size_t L = std::min(baseLayers.states.size(), candLayers.states.size());
                a.cosSum.resize(L, 0);
                a.relSum.resize(L, 0);
                const auto hidden = static_cast<std::size_t>(base.hiddenSize());
                const std::size_t toks = feed.size();
                for (std::size_t l = 0; l < L; ++l) {
                    const float* hb = baseLayers.states[l].data();
                    const float* hc = candLayers.states[l].data();
                    for (std::size_t t = 0; t < toks; ++t) {
                        double dot = 0, nb = 0, nc = 0, diff = 0;
                        for (std::size_t h = 0; h < hidden; ++h) {
                            const double b = hb[t * hidden + h], q = hc[t * hidden + h];
                            dot += b * q;
                            nb += b * b;
                            nc += q * q;
                            diff += (q - b) * (q - b);
                        }
                        a.cosSum[l] += (nb > 0 && nc > 0) ? dot / std::sqrt(nb * nc) : 1.0;
                        a.relSum[l] += nb > 0 ? std::sqrt(diff / nb) : 0.0;
                    }
                }
                a.driftTokens += toks;
            }
        }
    }

    EvalResult result;
    result.textLabel = input.textLabel;
    result.protocol = config.protocol;
    result.nCtx = n;
    result.chunks = static_cast<std::int64_t>(nChunks);
    result.textTokens = tokens.size();
    for (std::size_t mi = 0; mi < models.size(); ++mi) {
        Accum& a = acc[mi];
        ModelEval e;
        e.label = models[mi]->label();
        e.isBase = mi == 0;
        e.scored = a.n;
        const MeanUnc nll = meanAndUncertainty(a.nllSum, a.nll2Sum, a.n);
        e.meanNll = nll.mean;
        e.nllUncertainty = nll.uncertainty;
        e.ppl = std::exp(nll.mean);
        e.pplUncertainty = e.ppl * nll.uncertainty;
        e.top1 = a.n ? static_cast<double>(a.top1) / static_cast<double>(a.n) : 0;
        e.chunks = std::move(chunkStats[mi]);
        if (mi > 0 && a.n > 0) {
            const MeanUnc kld = meanAndUncertainty(a.kldSum, a.kld2Sum, a.n);
            e.kldMean = kld.mean;
            e.kldUncertainty = kld.uncertainty;
            std::sort(a.klds.begin(), a.klds.end());
            e.kldMedian = medianSorted(a.klds);
            e.kldP90 = percentileSorted(a.klds, 0.90);
            e.kldP99 = percentileSorted(a.klds, 0.99);
            e.kldMax = a.klds.back();
            const double p = static_cast<double>(a.sameTop) / static_cast<double>(a.n);
            e.sameTop = p;
            e.sameTopUncertainty = a.n > 1 ? std::sqrt(p * (1 - p) / static_cast<double>(a.n - 1)) : 0;
            e.lnPplRatio = meanAndUncertainty(a.lnRatioSum, a.lnRatio2Sum, a.n).mean;
            for (std::size_t l = 0; l < a.cosSum.size(); ++l)
                e.drift.push_back({static_cast<int>(l), a.cosSum[l] / static_cast<double>(a.driftTokens),
                                   a.relSum[l] / static_cast<double>(a.driftTokens)});
        }
        if (!hsTasks.empty()) {
            auto r = runMc(*models[mi], "hellaswag", hsTasks, progress, workDone, work, stop);
            if (!r) return std::move(r).error();
            e.mc.push_back(*r);
        }
        if (!contTasks.empty()) {
            auto r = runMc(*models[mi], "continuation", contTasks, progress, workDone, work, stop);
            if (!r) return std::move(r).error();
            e.mc.push_back(*r);
        }
        result.models.push_back(std::move(e));
    }
    progress.report(jobs::Stage::Evaluating, work, work, {});
    return result;
}

} // namespace condense::eval
