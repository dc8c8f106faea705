#include "core/eval/latency.h"

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include <sys/resource.h>

#include "core/model/session.h"

namespace condense::eval {

std::uint64_t peakRssBytes()
{
    struct rusage ru {};
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
#ifdef __APPLE__
    return static_cast<std::uint64_t>(ru.ru_maxrss);
#else
    return static_cast<std::uint64_t>(ru.ru_maxrss) * 1024u;
#endif
}

namespace {
void meanSd(const std::vector<double>& v, double& mean, double& sd)
{
    mean = 0;
    sd = 0;
    if (v.empty()) return;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    if (v.size() > 1) {
        double s = 0;
        for (double x : v) s += (x - mean) * (x - mean);
        sd = std::sqrt(s / static_cast<double>(v.size() - 1));
    }
}
} // namespace

Result<LatencyResult> measureLatency(std::shared_ptr<const model::Model> m, const LatencyConfig& cfg, std::stop_token stop)
{
    const std::int64_t vocab = m->dims().vocab;
    model::SessionConfig sc;
    sc.nCtx = std::max<std::int64_t>(cfg.promptTokens, cfg.genTokens + 1);
    sc.threads = cfg.threads;
    sc.maxBatch = std::max<std::int64_t>(1, std::min<std::int64_t>(cfg.promptTokens, 512));
    auto sr = model::Session::create(m, sc);
    if (!sr) return std::move(sr).error();
    model::Session& s = **sr;
    std::mt19937 rng(cfg.seed);
    auto randomToken = [&] { return static_cast<std::int32_t>(rng() % static_cast<std::uint32_t>(vocab)); };

    LatencyResult out;
    out.threads = s.threads();
    std::vector<float> lastLogits(static_cast<std::size_t>(vocab));
    using Clock = std::chrono::steady_clock;

    if (cfg.promptTokens > 0) {
        std::vector<double> tps;
        std::vector<std::int32_t> prompt(static_cast<std::size_t>(cfg.promptTokens));
        for (int rep = -1; rep < cfg.repetitions; ++rep) { // rep -1: warm-up
            for (auto& t : prompt) t = randomToken();
            if (cfg.bosToken >= 0) prompt[0] = cfg.bosToken;
            s.reset();
            model::EvalOptions opt;
            opt.logits = model::LogitsMode::Last;
            const auto t0 = Clock::now();
            CONDENSE_TRY(s.eval(prompt, lastLogits, opt, stop));
            const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
            if (rep >= 0) tps.push_back(static_cast<double>(cfg.promptTokens) / sec);
        }
        meanSd(tps, out.ppTokensPerSecond, out.ppStdDev);
    }
    if (cfg.genTokens > 0) {
        std::vector<double> tps;
        for (int rep = -1; rep < cfg.repetitions; ++rep) {
            s.reset();
            model::EvalOptions opt;
            opt.logits = model::LogitsMode::Last;
            std::int32_t tok = cfg.bosToken >= 0 ? cfg.bosToken : randomToken();
            const auto t0 = Clock::now();
            for (std::int64_t i = 0; i < cfg.genTokens; ++i) {
                CONDENSE_TRY(s.eval(std::span<const std::int32_t>(&tok, 1), lastLogits, opt, stop));
                tok = randomToken();
            }
            const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
            if (rep >= 0) tps.push_back(static_cast<double>(cfg.genTokens) / sec);
        }
        meanSd(tps, out.tgTokensPerSecond, out.tgStdDev);
    }
    out.peakRssBytes = peakRssBytes();
    return out;
}

} // namespace condense::eval
