#include "app/cli_analyze.h"
#include "app/cli_output.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "core/pipeline/analyze_request.h"

namespace condense::cli {

namespace {

// $XDG_CACHE_HOME/condense, else ~/.cache/condense; empty when neither is known.
std::filesystem::path cacheDir()
{
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::filesystem::path(x) / "condense";
    if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".cache" / "condense";
    return {};
}

std::string shapeText(const std::vector<std::uint64_t>& s)
{
    std::string r = "[";
    for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

std::string fmt(const char* f, double v)
{
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

std::string pad(std::string s, std::size_t w, bool right = false)
{
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

} // namespace

int runAnalyze(const AnalyzeOptions& o, bool progressToTty)
{
    pipeline::AnalyzeRequest req;
    req.path = o.model;
    req.tensorRegex = o.tensorRegex;
    if (!o.previewType.empty()) {
        if (auto t = pipeline::previewTypeFromName(o.previewType)) req.previewType = t;
        else req.previewMix = o.previewType; // runAnalyze refuses what is neither
    }
    req.imatrix = o.imatrix;
    if (!o.noCache) req.cacheDir = cacheDir();
    req.histogram = o.histogram;
    req.threads = o.threads;
    if (!o.json.empty() && o.json != "-") req.reportPath = o.json;
    req.reportJson = o.json == "-";

    TerminalProgress term(progressToTty);
    jobs::ThrottledSink sink(term);
    auto r = pipeline::runAnalyze(req, sink);
    if (!r) return fail(r.error());
    if (o.json == "-") {
        std::cout << r->reportJson << '\n';
        return 0;
    }
    const analysis::ModelAnalysis& a = r->analysis;
    std::size_t nameW = 6;
    for (const auto& t : a.tensors) nameW = std::max(nameW, t->name.size());
    const bool preview = !r->previewLabel.empty();
    std::cout << pad("tensor", nameW) << "  " << pad("type", 6) << "  " << pad("shape", 14) << "  " << pad("std", 10, true)
              << "  " << pad("kurtosis", 9, true) << "  " << pad(">3 std", 8, true) << "  " << pad("abs max", 10, true);
    if (preview) std::cout << "  " << pad("preview", 7) << "  " << pad("rel RMSE", 9, true) << "  " << pad("SNR dB", 7, true);
    std::cout << '\n';
    for (const auto& tp : a.tensors) {
        const analysis::TensorAnalysis& t = *tp;
        std::cout << pad(t.name, nameW) << "  " << pad(std::string(dtypeName(t.dtype)), 6) << "  " << pad(shapeText(t.shape), 14)
                  << "  ";
        if (t.error) {
            std::cout << "error: " << describe(*t.error) << '\n';
            continue;
        }
        const analysis::TensorStats& s = t.stats;
        std::cout << pad(fmt("%.4g", s.std), 10, true) << "  " << pad(fmt("%.3f", s.kurtosis), 9, true) << "  "
                  << pad(fmt("%.3f%%", 100.0 * s.beyond3Std), 8, true) << "  " << pad(fmt("%.4g", s.absMax), 10, true);
        if (preview) {
            if (t.preview)
                std::cout << "  " << pad(std::string(dtypeName(t.preview->type)), 7) << "  "
                          << pad(fmt("%.5f", t.preview->sums.relRmse()), 9, true) << "  "
                          << pad(fmt("%.2f", t.preview->sums.snrDb()), 7, true);
            else
                std::cout << "  " << pad("-", 7);
        }
        if (s.hasNonFinite())
            std::cout << "  NaN " << s.nan << ", Inf " << s.inf;
        std::cout << '\n';
    }
    std::cout << '\n' << a.tensors.size() << " tensors: " << a.analyzed << " analysed, " << a.fromCache << " from cache";
    if (a.failed) std::cout << ", " << a.failed << " unreadable";
    if (a.nonFinite) std::cout << ", " << a.nonFinite << " with NaN/Inf";
    std::cout << '\n';
    if (a.total) {
        std::cout << "preview " << r->previewLabel << ": rel RMSE " << fmt("%.5f", a.total->relRmse()) << ", SNR "
                  << fmt("%.2f", a.total->snrDb()) << " dB";
        if (a.total->weighted) std::cout << ", importance-weighted rel RMSE " << fmt("%.5f", a.total->weightedRelRmse());
        std::cout << '\n';
        for (const auto& l : a.layers) {
            if (l.layer < 0) continue;
            std::cout << "  layer " << pad(std::to_string(l.layer), 3, true) << "  rel RMSE " << fmt("%.5f", l.sums.relRmse())
                      << "  SNR " << fmt("%.2f", l.sums.snrDb()) << " dB\n";
        }
    }
    return 0;
}

} // namespace condense::cli
