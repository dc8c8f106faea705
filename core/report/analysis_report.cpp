#include "core/report/analysis_report.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace condense::report {

namespace {

using nlohmann::json;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json previewJson(const analysis::PreviewSums& s)
{
    return json{{"rel_rmse", num(s.relRmse())},
                {"snr_db", num(s.snrDb())},
                {"max_abs_error", num(s.maxAbsError)},
                {"weighted_rel_rmse", s.weighted ? num(s.weightedRelRmse()) : json(nullptr)}};
}

} // namespace

std::string analysisJson(const io::Checkpoint& ck, const analysis::ModelAnalysis& a, const std::string& previewLabel,
                         bool details, int indent)
{
    json j;
    j["schema"] = "condense.analysis";
    j["version"] = 1;
    j["path"] = ck.path().string();
    j["format"] = io::checkpointFormatName(ck.format());
    j["preview"] = previewLabel.empty() ? json(nullptr) : json(previewLabel);
    j["histogram_bins"] = analysis::kHistogramBins;
    j["histogram_range"] = "sample mean -+ 8 sample std";
    j["summary"] = {{"tensors", a.tensors.size()},
                    {"analyzed", a.analyzed},
                    {"from_cache", a.fromCache},
                    {"failed", a.failed},
                    {"non_finite", a.nonFinite}};
    json tensors = json::array();
    for (const auto& tp : a.tensors) {
        const analysis::TensorAnalysis& t = *tp;
        json jt;
        jt["name"] = t.name;
        jt["type"] = std::string(dtypeName(t.dtype));
        jt["shape"] = t.shape;
        jt["rows"] = t.rows;
        jt["cols"] = t.cols;
        jt["layer"] = t.layer;
        jt["from_cache"] = t.fromCache;
        if (t.error) {
            jt["error"] = {{"code", errorCodeName(t.error->code)}, {"detail", t.error->detail}};
            tensors.push_back(std::move(jt));
            continue;
        }
        jt["error"] = nullptr;
        const analysis::TensorStats& s = t.stats;
        jt["non_finite"] = s.hasNonFinite();
        jt["stats"] = {{"count", s.count},   {"finite", s.finite},     {"nan", s.nan},
                       {"inf", s.inf},       {"zeros", s.zeros},       {"mean", num(s.mean)},
                       {"std", num(s.std)},  {"min", num(s.min)},      {"max", num(s.max)},
                       {"abs_max", num(s.absMax)}, {"kurtosis", num(s.kurtosis)},
                       {"beyond_3std", num(s.beyond3Std)}, {"beyond_6std", num(s.beyond6Std)}};
        json top = json::array();
        for (const auto& o : t.top) top.push_back({{"row", o.row}, {"col", o.col}, {"value", num(o.value)}});
        jt["top_outliers"] = std::move(top);
        if (t.preview) {
            json p = previewJson(t.preview->sums);
            p["type"] = std::string(dtypeName(t.preview->type));
            jt["preview"] = std::move(p);
        } else {
            jt["preview"] = nullptr;
        }
        if (details) {
            jt["histogram"] = {{"lo", t.histogram.lo},
                               {"hi", t.histogram.hi},
                               {"under", t.histogram.under},
                               {"over", t.histogram.over},
                               {"bins", t.histogram.bins}};
            jt["outlier_map"] = {{"rows", t.outlierMap.cellRows}, {"cols", t.outlierMap.cellCols}, {"cells", t.outlierMap.cells}};
            jt["columns"] = {{"l2", t.columnL2}, {"max_abs", t.columnMaxAbs}};
        }
        tensors.push_back(std::move(jt));
    }
    j["tensors"] = std::move(tensors);
    json layers = json::array();
    for (const auto& l : a.layers) {
        json jl = previewJson(l.sums);
        jl["layer"] = l.layer;
        layers.push_back(std::move(jl));
    }
    j["layers"] = std::move(layers);
    j["total"] = a.total ? previewJson(*a.total) : json(nullptr);
    return j.dump(indent);
}

} // namespace condense::report
