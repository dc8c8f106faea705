#include "core/report/run_report.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <system_error>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "core/io/json_file.h"

namespace condense::report {

namespace {

using nlohmann::json;

// Run reports hold a few hundred bytes per tensor: 64 MB is far beyond any model's.
constexpr std::uint64_t kMaxRunReportBytes = 64ull << 20;

json latencyJson(const LatencyFigures& l)
{
    return {{"threads", l.threads},   {"pp_tokens", l.ppTokens}, {"pp_tokens_per_s", l.ppTokensPerSecond},
            {"tg_tokens", l.tgTokens}, {"tg_tokens_per_s", l.tgTokensPerSecond}, {"peak_rss_bytes", l.peakRssBytes}};
}

json modelJson(const RunModelFigures& m)
{
    json j;
    j["label"] = m.label;
    j["path"] = m.path;
    j["bytes"] = m.bytes;
    j["bits_per_weight"] = m.bitsPerWeight;
    j["ppl"] = m.ppl;
    j["ppl_uncertainty"] = m.pplUncertainty;
    j["mean_nll"] = m.meanNll;
    j["top1_accuracy"] = m.top1;
    j["kld"] = {{"mean", m.kld.mean}, {"uncertainty", m.kld.uncertainty}, {"median", m.kld.median},
                {"p90", m.kld.p90},   {"p99", m.kld.p99},                 {"max", m.kld.max}};
    j["same_top"] = {{"share", m.sameTop}, {"uncertainty", m.sameTopUncertainty}};
    json mc = json::array();
    for (const auto& t : m.mc) mc.push_back({{"task", t.task}, {"tasks", t.tasks}, {"correct", t.correct}, {"accuracy", t.accuracy}});
    j["multiple_choice"] = std::move(mc);
    if (m.latency) j["latency"] = latencyJson(*m.latency);
    return j;
}

// Reading: every field is looked up through these, so an error names the field's path.
struct Reader {
    const std::string& label;
    std::string error;

    const json* at(const json& obj, const std::string& key, const std::string& where)
    {
        if (!error.empty()) return nullptr;
        if (!obj.is_object()) {
            error = where + ": not an object";
            return nullptr;
        }
        const auto it = obj.find(key);
        if (it == obj.end()) {
            error = where + "." + key + ": missing";
            return nullptr;
        }
        return &*it;
    }
    template <typename T>
    void get(const json& obj, const std::string& key, const std::string& where, T& out)
    {
        const json* v = at(obj, key, where);
        if (!v) return;
        bool ok = false;
        if constexpr (std::is_same_v<T, bool>) ok = v->is_boolean();
        else if constexpr (std::is_same_v<T, std::string>) ok = v->is_string();
        else if constexpr (std::is_floating_point_v<T>) ok = v->is_number();
        else if constexpr (std::is_unsigned_v<T>) ok = v->is_number_unsigned() || (v->is_number_integer() && v->get<std::int64_t>() >= 0);
        else ok = v->is_number_integer();
        if (!ok) {
            error = where + "." + key + ": wrong type";
            return;
        }
        out = v->get<T>();
    }
    const json* array(const json& obj, const std::string& key, const std::string& where)
    {
        const json* v = at(obj, key, where);
        if (v && !v->is_array()) {
            error = where + "." + key + ": not an array";
            return nullptr;
        }
        return v;
    }
};

void readLatency(Reader& r, const json& j, const std::string& w, LatencyFigures& l)
{
    r.get(j, "threads", w, l.threads);
    r.get(j, "pp_tokens", w, l.ppTokens);
    r.get(j, "pp_tokens_per_s", w, l.ppTokensPerSecond);
    r.get(j, "tg_tokens", w, l.tgTokens);
    r.get(j, "tg_tokens_per_s", w, l.tgTokensPerSecond);
    r.get(j, "peak_rss_bytes", w, l.peakRssBytes);
}

void readModel(Reader& r, const json& root, const std::string& key, RunModelFigures& m)
{
    const json* jp = r.at(root, key, "$");
    if (!jp) return;
    const json& j = *jp;
    const std::string w = "$." + key;
    r.get(j, "label", w, m.label);
    r.get(j, "path", w, m.path);
    r.get(j, "bytes", w, m.bytes);
    r.get(j, "bits_per_weight", w, m.bitsPerWeight);
    r.get(j, "ppl", w, m.ppl);
    r.get(j, "ppl_uncertainty", w, m.pplUncertainty);
    r.get(j, "mean_nll", w, m.meanNll);
    r.get(j, "top1_accuracy", w, m.top1);
    if (const json* k = r.at(j, "kld", w)) {
        const std::string wk = w + ".kld";
        r.get(*k, "mean", wk, m.kld.mean);
        r.get(*k, "uncertainty", wk, m.kld.uncertainty);
        r.get(*k, "median", wk, m.kld.median);
        r.get(*k, "p90", wk, m.kld.p90);
        r.get(*k, "p99", wk, m.kld.p99);
        r.get(*k, "max", wk, m.kld.max);
    }
    if (const json* s = r.at(j, "same_top", w)) {
        r.get(*s, "share", w + ".same_top", m.sameTop);
        r.get(*s, "uncertainty", w + ".same_top", m.sameTopUncertainty);
    }
    if (const json* mc = r.array(j, "multiple_choice", w)) {
        for (std::size_t i = 0; i < mc->size(); ++i) {
            const std::string wi = w + ".multiple_choice[" + std::to_string(i) + "]";
            RunMcFigures t;
            r.get((*mc)[i], "task", wi, t.task);
            r.get((*mc)[i], "tasks", wi, t.tasks);
            r.get((*mc)[i], "correct", wi, t.correct);
            r.get((*mc)[i], "accuracy", wi, t.accuracy);
            m.mc.push_back(std::move(t));
        }
    }
    if (r.error.empty() && j.is_object() && j.contains("latency")) {
        LatencyFigures l;
        readLatency(r, j["latency"], w + ".latency", l);
        m.latency = l;
    }
}

} // namespace

void markWorstLayers(std::vector<RunLayer>& layers)
{
    const std::size_t n = layers.size();
    if (n == 0) return;
    const std::size_t k = std::max<std::size_t>(1, (n + 7) / 8);
    std::vector<double> added(n);
    for (std::size_t i = 0; i < n; ++i)
        added[i] = layers[i].driftRelativeError - (i ? layers[i - 1].driftRelativeError : 0.0);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return added[a] > added[b]; });
    for (auto& l : layers) l.worstDrift = l.worstWeight = false;
    for (std::size_t i = 0; i < k; ++i) layers[order[i]].worstDrift = true;
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return layers[a].weightRelativeRmse > layers[b].weightRelativeRmse; });
    for (std::size_t i = 0; i < k; ++i) layers[order[i]].worstWeight = true;
}

std::string runReportJson(const RunReport& r, int indent)
{
    json j;
    j["schema"] = kRunSchema;
    j["created"] = r.created;
    j["model"] = r.model;
    j["input"] = r.input;
    j["output"] = r.output;
    j["plan"] = {{"source", r.planSource},         {"mix", r.mix},
                 {"file_type", r.fileType},        {"tensors", r.tensorCount},
                 {"predicted_bytes", r.predictedBytes}, {"bits_per_weight", r.bitsPerWeight},
                 {"method", r.method},             {"calibration", r.calibration},
                 {"format", r.format}};
    if (r.format != "gguf") {
        j["plan"]["bits"] = r.bits;
        j["plan"]["group_size"] = r.groupSize;
        j["plan"]["symmetric"] = r.symmetric;
        j["plan"]["act_order"] = r.actOrder;
    }
    j["eval"] = {{"text", r.evalText},   {"protocol", r.protocol},         {"n_ctx", r.nCtx},
                 {"chunks", r.chunks},   {"text_tokens", r.textTokens},    {"drift_chunks", r.driftChunks},
                 {"threads", r.threads}};
    j["original"] = modelJson(r.original);
    j["quantized"] = modelJson(r.quantized);
    json layers = json::array();
    for (const auto& l : r.layers)
        layers.push_back({{"layer", l.layer},
                          {"drift_relative_error", l.driftRelativeError},
                          {"drift_cosine", l.driftCosine},
                          {"weight_relative_rmse", l.weightRelativeRmse},
                          {"worst_drift", l.worstDrift},
                          {"worst_weight", l.worstWeight}});
    j["layers"] = std::move(layers);
    json tensors = json::array();
    for (const auto& t : r.tensors)
        tensors.push_back({{"name", t.name},         {"layer", t.layer}, {"input_type", t.inputType}, {"type", t.type},
                           {"elements", t.elements}, {"bytes", t.bytes}, {"relative_rmse", t.relativeRmse}});
    j["tensors"] = std::move(tensors);
    json stages = json::array();
    for (const auto& s : r.stages) stages.push_back({{"stage", s.stage}, {"seconds", s.seconds}});
    j["stages"] = std::move(stages);
    json warnings = json::array();
    for (const auto& m : r.warnings) {
        json fields = json::object();
        for (const auto& [k, v] : m.fields) fields[k] = v;
        warnings.push_back({{"code", std::string(messageCodeKey(m.code))}, {"tensor", m.tensor}, {"fields", std::move(fields)}});
    }
    j["warnings"] = std::move(warnings);
    // Non-finite numbers (a diverged model's PPL) become null in JSON; the reader refuses those,
    // which is right: such a report has nothing to compare.
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

Result<RunReport> runReportFromJson(std::string_view text, const std::string& label)
{
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return makeError(ErrorCode::Malformed, label, "invalid JSON");
    if (!j.is_object() || !j.contains("schema") || !j["schema"].is_string())
        return makeError(ErrorCode::Malformed, label, "$.schema: missing (not a run report)");
    const std::string schema = j["schema"].get<std::string>();
    if (schema != kRunSchema) {
        if (schema.rfind("condense.run/", 0) == 0)
            return makeError(ErrorCode::UnsupportedVersion, label, "run report schema '" + schema + "', this version reads '" +
                                                                       std::string(kRunSchema) + "'");
        return makeError(ErrorCode::Malformed, label, "$.schema: '" + schema + "' is not a run report");
    }
    Reader rd{label, {}};
    RunReport r;
    rd.get(j, "created", "$", r.created);
    rd.get(j, "model", "$", r.model);
    rd.get(j, "input", "$", r.input);
    rd.get(j, "output", "$", r.output);
    if (const json* p = rd.at(j, "plan", "$")) {
        rd.get(*p, "source", "$.plan", r.planSource);
        rd.get(*p, "mix", "$.plan", r.mix);
        rd.get(*p, "file_type", "$.plan", r.fileType);
        rd.get(*p, "tensors", "$.plan", r.tensorCount);
        rd.get(*p, "predicted_bytes", "$.plan", r.predictedBytes);
        rd.get(*p, "bits_per_weight", "$.plan", r.bitsPerWeight);
        // Reports written before calibrated methods existed have neither key.
        if (p->contains("method")) rd.get(*p, "method", "$.plan", r.method);
        if (p->contains("calibration")) rd.get(*p, "calibration", "$.plan", r.calibration);
        // Reports written before the HF formats ran in the pipeline: GGUF.
        if (p->contains("format")) rd.get(*p, "format", "$.plan", r.format);
        if (p->contains("bits")) rd.get(*p, "bits", "$.plan", r.bits);
        if (p->contains("group_size")) rd.get(*p, "group_size", "$.plan", r.groupSize);
        if (p->contains("symmetric")) rd.get(*p, "symmetric", "$.plan", r.symmetric);
        if (p->contains("act_order")) rd.get(*p, "act_order", "$.plan", r.actOrder);
    }
    if (const json* e = rd.at(j, "eval", "$")) {
        rd.get(*e, "text", "$.eval", r.evalText);
        rd.get(*e, "protocol", "$.eval", r.protocol);
        rd.get(*e, "n_ctx", "$.eval", r.nCtx);
        rd.get(*e, "chunks", "$.eval", r.chunks);
        rd.get(*e, "text_tokens", "$.eval", r.textTokens);
        rd.get(*e, "drift_chunks", "$.eval", r.driftChunks);
        rd.get(*e, "threads", "$.eval", r.threads);
    }
    readModel(rd, j, "original", r.original);
    readModel(rd, j, "quantized", r.quantized);
    if (const json* a = rd.array(j, "layers", "$")) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string w = "$.layers[" + std::to_string(i) + "]";
            RunLayer l;
            rd.get((*a)[i], "layer", w, l.layer);
            rd.get((*a)[i], "drift_relative_error", w, l.driftRelativeError);
            rd.get((*a)[i], "drift_cosine", w, l.driftCosine);
            rd.get((*a)[i], "weight_relative_rmse", w, l.weightRelativeRmse);
            rd.get((*a)[i], "worst_drift", w, l.worstDrift);
            rd.get((*a)[i], "worst_weight", w, l.worstWeight);
            r.layers.push_back(l);
        }
    }
    if (const json* a = rd.array(j, "tensors", "$")) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string w = "$.tensors[" + std::to_string(i) + "]";
            RunTensor t;
            rd.get((*a)[i], "name", w, t.name);
            rd.get((*a)[i], "layer", w, t.layer);
            rd.get((*a)[i], "input_type", w, t.inputType);
            rd.get((*a)[i], "type", w, t.type);
            rd.get((*a)[i], "elements", w, t.elements);
            rd.get((*a)[i], "bytes", w, t.bytes);
            rd.get((*a)[i], "relative_rmse", w, t.relativeRmse);
            r.tensors.push_back(std::move(t));
        }
    }
    if (const json* a = rd.array(j, "stages", "$")) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string w = "$.stages[" + std::to_string(i) + "]";
            RunStageTime s;
            rd.get((*a)[i], "stage", w, s.stage);
            rd.get((*a)[i], "seconds", w, s.seconds);
            r.stages.push_back(std::move(s));
        }
    }
    if (const json* a = rd.array(j, "warnings", "$")) {
        for (std::size_t i = 0; i < a->size() && rd.error.empty(); ++i) {
            const std::string w = "$.warnings[" + std::to_string(i) + "]";
            std::string code;
            Message m;
            rd.get((*a)[i], "code", w, code);
            rd.get((*a)[i], "tensor", w, m.tensor);
            if (!rd.error.empty()) break;
            const auto c = messageCodeFromKey(code);
            if (!c) {
                rd.error = w + ".code: unknown '" + code + "'";
                break;
            }
            m.code = *c;
            if (const json* f = rd.at((*a)[i], "fields", w)) {
                if (!f->is_object()) {
                    rd.error = w + ".fields: not an object";
                    break;
                }
                for (const auto& [k, v] : f->items()) {
                    if (!v.is_string()) {
                        rd.error = w + ".fields." + k + ": wrong type";
                        break;
                    }
                    m.fields.emplace_back(k, v.get<std::string>());
                }
            }
            r.warnings.push_back(std::move(m));
        }
    }
    if (!rd.error.empty()) return makeError(ErrorCode::Malformed, label, rd.error);
    return r;
}

Result<RunReport> readRunReport(const std::filesystem::path& path)
{
    auto text = io::readTextFile(path, kMaxRunReportBytes);
    if (!text) return std::move(text).error();
    return runReportFromJson(*text, path.string());
}

Result<RunIndex> listRunReports(const std::filesystem::path& folder, std::string_view model)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) return makeError(ErrorCode::NotFound, folder.string(), "not a folder");
    std::vector<std::filesystem::path> candidates;
    if (std::filesystem::is_regular_file(folder / kRunReportFile, ec)) candidates.push_back(folder / kRunReportFile);
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code ec2;
        if (!it->is_directory(ec2)) continue;
        const auto p = it->path() / kRunReportFile;
        if (std::filesystem::is_regular_file(p, ec2)) candidates.push_back(p);
    }
    if (ec) return makeError(ErrorCode::IoError, folder.string(), ec.message());
    RunIndex index;
    for (const auto& p : candidates) {
        auto r = readRunReport(p);
        if (!r) {
            index.skipped.push_back(std::move(r).error());
            continue;
        }
        if (!model.empty() && r->model != model) continue;
        index.runs.push_back({p, std::move(*r)});
    }
    std::sort(index.runs.begin(), index.runs.end(), [](const RunIndexEntry& a, const RunIndexEntry& b) {
        if (a.report.created != b.report.created) return a.report.created < b.report.created;
        return a.reportPath < b.reportPath;
    });
    return index;
}

} // namespace condense::report
