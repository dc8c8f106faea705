#include "core/report/eval_report.h"

#include <nlohmann/json.hpp>

namespace condense::report {

std::string evalJson(const eval::EvalResult& r, const std::vector<std::optional<LatencyFigures>>& latency, int indent)
{
    using nlohmann::json;
    json j;
    j["schema"] = "condense.eval/1";
    j["text"] = r.textLabel;
    j["protocol"] = r.protocol == eval::PplProtocol::A ? "A" : "B";
    j["n_ctx"] = r.nCtx;
    j["chunks"] = r.chunks;
    j["text_tokens"] = r.textTokens;
    json models = json::array();
    for (std::size_t i = 0; i < r.models.size(); ++i) {
        const auto& m = r.models[i];
        json jm;
        jm["label"] = m.label;
        jm["base"] = m.isBase;
        jm["scored_tokens"] = m.scored;
        jm["ppl"] = m.ppl;
        jm["ppl_uncertainty"] = m.pplUncertainty;
        jm["mean_nll"] = m.meanNll;
        jm["top1_accuracy"] = m.top1;
        jm["kld"] = {{"mean", m.kldMean}, {"uncertainty", m.kldUncertainty}, {"median", m.kldMedian},
                     {"p90", m.kldP90},   {"p99", m.kldP99},                 {"max", m.kldMax}};
        jm["same_top"] = {{"share", m.sameTop}, {"uncertainty", m.sameTopUncertainty}};
        jm["mean_ln_ppl_ratio"] = m.lnPplRatio;
        json layers = json::array();
        for (const auto& d : m.drift) layers.push_back({{"layer", d.layer}, {"cosine", d.cosine}, {"relative_error", d.relativeError}});
        jm["layers"] = std::move(layers);
        json mc = json::array();
        for (const auto& t : m.mc)
            mc.push_back({{"task", t.task}, {"tasks", t.tasks}, {"correct", t.correct}, {"accuracy", t.accuracy()},
                          {"uncertainty", t.uncertainty()}});
        jm["multiple_choice"] = std::move(mc);
        json chunks = json::array();
        for (const auto& c : m.chunks)
            chunks.push_back({{"nll_sum", c.nllSum}, {"scored", c.scored}, {"top1", c.top1}, {"kld_sum", c.kldSum}, {"same_top", c.sameTop}});
        jm["chunks"] = std::move(chunks);
        if (i < latency.size() && latency[i]) {
            const auto& l = *latency[i];
            jm["latency"] = {{"threads", l.threads},         {"pp_tokens", l.ppTokens}, {"pp_tokens_per_s", l.ppTokensPerSecond},
                             {"tg_tokens", l.tgTokens},      {"tg_tokens_per_s", l.tgTokensPerSecond},
                             {"peak_rss_bytes", l.peakRssBytes}};
        }
        models.push_back(std::move(jm));
    }
    j["models"] = std::move(models);
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

} // namespace condense::report
