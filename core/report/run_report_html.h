#pragma once
// report.html: one self-contained page per run (no network). It inlines Chart.js
// (embedded_assets.h) and the run's report JSON (run_report.h, plus a summary of the model's
// other runs) and draws, in the browser:
//   - the headline table "original -> quantized (change)": size, bits per weight, perplexity,
//     KLD, top-token agreement, top-1, multiple-choice accuracy, pp/tg tokens per second;
//   - the per-layer chart: weight error (bars) and hidden-state drift (line) by block, the
//     worst layers drawn in red;
//   - the comparison of every run of this model (size against KLD, points labelled by type,
//     Pareto front) when there are several;
//   - the tensors with the largest weight error and the time of each stage.
// Hovering shows exact values (Chart.js tooltips). When everything has rendered, the script sets
// <html data-rendered="ok"> (data-rendered="error" and data-error="..." on a script error), which
// the headless-browser test checks.
//
// Escaping: the JSON sits in <script type="application/json"> with every '<', '>' and '&'
// written as \u003c, \u003e, \u0026 (and non-ASCII as \uXXXX), so no string in it (a model named
// "</script>") can end the element; the script reads it with JSON.parse. Text reaches the page
// only through textContent, never as markup.

#include <string>
#include <vector>

#include "core/report/run_report.h"

namespace condense::report {

// `runsOfModel`: the model's runs for the comparison chart (listRunReports); those evaluated
// differently (another text, context, chunk count or protocol) are left out, since their KLD and
// perplexity do not compare; `run` is added when it is not among them (same "created" and "output").
std::string runReportHtml(const RunReport& run, const std::vector<RunReport>& runsOfModel = {});

// The JSON text made safe to sit inside a <script> element (exposed for tests).
std::string scriptSafeJson(const std::string& json);

} // namespace condense::report
