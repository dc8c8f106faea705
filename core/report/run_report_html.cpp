#include "core/report/run_report_html.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/report/embedded_assets.h"

namespace condense::report {

namespace {

using nlohmann::json;

std::string htmlEscape(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

constexpr std::string_view kHead = R"HTML(<!DOCTYPE html>
<html lang="en" data-rendered="no">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Condense run report</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto; max-width: 1100px; color: #1d2330; background: #fff; padding: 0 16px; }
h1 { font-size: 1.5em; margin-bottom: 4px; } h2 { font-size: 1.15em; margin-top: 28px; }
.sub { color: #5a6270; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 5px 12px; border-bottom: 1px solid #e3e6ea; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f5f8; font-weight: 600; }
.better { color: #1a7f37; } .worse { color: #c0392b; }
.chart { position: relative; height: 360px; width: 100%; }
.note { color: #5a6270; font-size: 0.9em; }
footer { margin-top: 36px; color: #5a6270; font-size: 0.85em; }
pre { white-space: pre-wrap; }
</style>
</head>
<body>
<h1 id="title">Condense run report</h1>
<p class="sub" id="subtitle"></p>
<h2>Original &rarr; quantized</h2>
<table id="headline"><thead><tr><th>Metric</th><th>Original</th><th>Quantized</th><th>Change</th></tr></thead><tbody></tbody></table>
<p class="note" id="evalnote"></p>
<h2>By layer</h2>
<p class="note">Bars: relative RMS error of the layer's quantized weight matrices. Line: relative error of the block's output hidden state against the original, averaged over the drift chunks. Red: the worst layers.</p>
<div class="chart"><canvas id="layers" aria-label="Per-layer drift and weight error" role="img"></canvas></div>
<h2>Runs of this model</h2>
<p class="note" id="runsnote"></p>
<div class="chart" id="runsbox"><canvas id="runs" aria-label="Size against KL divergence of every run" role="img"></canvas></div>
<h2>Tensors with the largest weight error</h2>
<table id="tensors"><thead><tr><th>Tensor</th><th>Type</th><th>From</th><th>Elements</th><th>Relative RMSE</th></tr></thead><tbody></tbody></table>
<h2>Stages</h2>
<table id="stages"><thead><tr><th>Stage</th><th>Seconds</th></tr></thead><tbody></tbody></table>
<footer>
<p>Written by Condense. Charts drawn by Chart.js (MIT licence), inlined into this file.</p>
<details><summary>Chart.js licence</summary><pre>)HTML";

constexpr std::string_view kScript = R"JS(
(function () {
  'use strict';
  var root = document.documentElement;
  var consoleErrors = 0;
  var origError = console.error;
  console.error = function () { consoleErrors++; root.setAttribute('data-console-errors', String(consoleErrors)); return origError.apply(console, arguments); };
  function fail(msg) { root.setAttribute('data-rendered', 'error'); root.setAttribute('data-error', String(msg)); }
  window.addEventListener('error', function (e) { fail(e.message); });
  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    var run = data.run, o = run.original, q = run.quantized;
    function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
    function bytes(n) { var u = ['B', 'kB', 'MB', 'GB', 'TB'], i = 0; while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; } return (i ? n.toFixed(1) : String(n)) + ' ' + u[i]; }
    function pct(x) { return (100 * x).toFixed(2) + ' %'; }
    function num(x, d) { return x.toFixed(d); }
    function exact(x) { return Number(x).toPrecision(6); }
    function mcOf(m) { for (var i = 0; i < m.multiple_choice.length; i++) if (m.multiple_choice[i].task === 'continuation') return m.multiple_choice[i]; return m.multiple_choice[0]; }

    document.getElementById('title').textContent = run.model + ' \u2192 ' + run.plan.mix;
    document.getElementById('subtitle').textContent = run.input + ' \u2192 ' + run.output + ' \u00b7 ' + run.created;
    document.getElementById('evalnote').textContent = 'Evaluated on ' + run.eval.text + ': ' + run.eval.chunks + ' chunks of ' +
      run.eval.n_ctx + ' tokens (protocol ' + run.eval.protocol + '), ' + run.eval.threads + ' threads. KLD and top-token agreement compare the quantized model\u2019s next-token distribution with the original\u2019s.';

    // Headline: [label, original, quantized, format, kind of change, lower is better]
    var rows = [
      ['File size', o.bytes, q.bytes, bytes, 'ratio', true],
      ['Bits per weight', o.bits_per_weight, q.bits_per_weight, function (x) { return num(x, 3); }, 'ratio', true],
      ['Predicted size (plan)', null, run.plan.predicted_bytes, bytes, 'none', true],
      ['Perplexity', o.ppl, q.ppl, function (x) { return num(x, 4); }, 'ratio', true],
      ['KL divergence (mean)', o.kld.mean, q.kld.mean, function (x) { return num(x, 6); }, 'diff', true],
      ['KL divergence (p99)', o.kld.p99, q.kld.p99, function (x) { return num(x, 5); }, 'diff', true],
      ['Top-token agreement', o.same_top.share, q.same_top.share, pct, 'points', false],
      ['Top-1 accuracy', o.top1_accuracy, q.top1_accuracy, pct, 'points', false]
    ];
    var mo = mcOf(o), mq = mcOf(q);
    if (mo && mq) rows.push(['Multiple choice (' + mo.task + ', ' + mo.tasks + ' tasks)', mo.accuracy, mq.accuracy, pct, 'points', false]);
    if (o.latency && q.latency) {
      rows.push(['Prompt processing (pp' + o.latency.pp_tokens + '), tokens/s', o.latency.pp_tokens_per_s, q.latency.pp_tokens_per_s, function (x) { return num(x, 1); }, 'ratio', false]);
      rows.push(['Generation (tg' + o.latency.tg_tokens + '), tokens/s', o.latency.tg_tokens_per_s, q.latency.tg_tokens_per_s, function (x) { return num(x, 1); }, 'ratio', false]);
    }
    var tbody = document.querySelector('#headline tbody');
    rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', r[0]));
      var a = el('td', r[1] === null ? '\u2014' : r[3](r[1])); if (r[1] !== null) a.title = exact(r[1]); tr.appendChild(a);
      var b = el('td', r[3](r[2])); b.title = exact(r[2]); tr.appendChild(b);
      var change = '', cls;
      if (r[1] !== null && r[4] !== 'none') {
        var d;
        if (r[4] === 'ratio' && r[1] !== 0) { d = r[2] / r[1] - 1; change = (d >= 0 ? '+' : '') + (100 * d).toFixed(2) + ' %'; }
        else if (r[4] === 'points') { d = r[2] - r[1]; change = (d >= 0 ? '+' : '') + (100 * d).toFixed(2) + ' pt'; }
        else { d = r[2] - r[1]; change = (d >= 0 ? '+' : '') + exact(d); }
        if (d !== 0 && d === d) cls = ((d < 0) === r[5]) ? 'better' : 'worse';
      }
      tr.appendChild(el('td', change, cls));
      tbody.appendChild(tr);
    });

    Chart.defaults.animation = false;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    var red = '#c0392b', blue = '#3b6fb6', orange = '#e08a1e';
    var L = run.layers;
    new Chart(document.getElementById('layers'), {
      data: {
        labels: L.map(function (l) { return String(l.layer); }),
        datasets: [
          { type: 'bar', label: 'Weight relative RMSE', yAxisID: 'y', order: 2,
            data: L.map(function (l) { return l.weight_relative_rmse; }),
            backgroundColor: L.map(function (l) { return l.worst_weight ? red : blue; }) },
          { type: 'line', label: 'Hidden-state drift (relative error)', yAxisID: 'y1', order: 1,
            data: L.map(function (l) { return l.drift_relative_error; }), borderColor: orange, backgroundColor: orange,
            pointRadius: L.map(function (l) { return l.worst_drift ? 7 : 3; }),
            pointBackgroundColor: L.map(function (l) { return l.worst_drift ? red : orange; }) }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
        scales: {
          x: { title: { display: true, text: 'Layer' } },
          y: { position: 'left', beginAtZero: true, title: { display: true, text: 'Weight relative RMSE' } },
          y1: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'Drift (relative error)' } }
        },
        plugins: { legend: { labels: { generateLabels: function (chart) {
            // The bars' legend swatch in the ordinary colour, whichever layer comes first.
            var items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
            items.forEach(function (it) { var c = it.datasetIndex === 0 ? blue : orange; it.fillStyle = c; it.strokeStyle = c; });
            return items; } } },
          tooltip: { callbacks: {
          title: function (items) { var l = L[items[0].dataIndex]; return 'Layer ' + l.layer + (l.worst_drift || l.worst_weight ? ' (worst: ' + [l.worst_weight ? 'weight error' : '', l.worst_drift ? 'drift' : ''].filter(Boolean).join(', ') + ')' : ''); },
          label: function (c) { return c.dataset.label + ': ' + exact(c.parsed.y); },
          afterBody: function (items) { return 'Drift cosine: ' + exact(L[items[0].dataIndex].drift_cosine); }
        } } }
      }
    });

    var runs = data.runs;
    if (runs.length > 1) {
      document.getElementById('runsnote').textContent = runs.length + ' runs of ' + run.model + ' evaluated the same way: file size against mean KL divergence to the original. The line joins the runs no other run beats on both.';
      var pts = runs.map(function (r) { return { x: r.bytes / 1e6, y: r.kld, label: r.type, ppl: r.ppl, current: r.current }; });
      var sorted = pts.slice().sort(function (a, b) { return a.x - b.x || a.y - b.y; });
      var front = [], best = Infinity;
      sorted.forEach(function (p) { if (p.y < best) { front.push(p); best = p.y; } });
      var labels = { id: 'pointLabels', afterDatasetsDraw: function (chart) {
        var ctx = chart.ctx, meta = chart.getDatasetMeta(0); ctx.save(); ctx.fillStyle = '#1d2330'; ctx.font = '12px sans-serif';
        meta.data.forEach(function (pt, i) { ctx.fillText(pts[i].label, pt.x + 8, pt.y - 6); }); ctx.restore(); } };
      new Chart(document.getElementById('runs'), {
        type: 'scatter',
        data: { datasets: [
          { label: 'Runs', data: pts, pointRadius: pts.map(function (p) { return p.current ? 8 : 5; }),
            backgroundColor: pts.map(function (p) { return p.current ? red : blue; }) },
          { type: 'line', label: 'Pareto front', data: front, borderColor: '#8a94a6', borderDash: [6, 4], pointRadius: 0, fill: false }
        ] },
        options: { responsive: true, maintainAspectRatio: false,
          scales: { x: { title: { display: true, text: 'File size (MB)' } }, y: { beginAtZero: true, title: { display: true, text: 'KL divergence (mean)' } } },
          plugins: { tooltip: { callbacks: { label: function (c) { var p = c.raw; return (p.label || '') + ': ' + exact(p.x) + ' MB, KLD ' + exact(p.y) + (p.ppl !== undefined ? ', PPL ' + exact(p.ppl) : ''); } } } } },
        plugins: [labels]
      });
    } else {
      document.getElementById('runsnote').textContent = 'Only this run so far: runs of the same model in sibling folders appear here, size against KL divergence.';
      document.getElementById('runsbox').style.display = 'none';
    }

    var tt = run.tensors.slice().sort(function (a, b) { return b.relative_rmse - a.relative_rmse; }).slice(0, 12);
    var tb = document.querySelector('#tensors tbody');
    tt.forEach(function (t) {
      var tr = el('tr');
      tr.appendChild(el('td', t.name)); tr.appendChild(el('td', t.type)); tr.appendChild(el('td', t.input_type));
      tr.appendChild(el('td', String(t.elements))); tr.appendChild(el('td', exact(t.relative_rmse)));
      tb.appendChild(tr);
    });
    var sb = document.querySelector('#stages tbody');
    run.stages.forEach(function (s) { var tr = el('tr'); tr.appendChild(el('td', s.stage)); tr.appendChild(el('td', num(s.seconds, 2))); sb.appendChild(tr); });

    if (root.getAttribute('data-rendered') !== 'error') root.setAttribute('data-rendered', 'ok');
  } catch (e) {
    fail(e && e.message ? e.message : e);
  }
})();
)JS";

} // namespace

std::string scriptSafeJson(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '<': out += "\\u003c"; break;
        case '>': out += "\\u003e"; break;
        case '&': out += "\\u0026"; break;
        default: out += c;
        }
    }
    return out;
}

std::string runReportHtml(const RunReport& run, const std::vector<RunReport>& runsOfModel)
{
    std::vector<const RunReport*> runs;
    bool present = false;
    for (const auto& r : runsOfModel) {
        // KLD and perplexity compare only on the same text, context and chunks.
        if (r.evalText != run.evalText || r.nCtx != run.nCtx || r.chunks != run.chunks || r.protocol != run.protocol) continue;
        runs.push_back(&r);
        present = present || (r.created == run.created && r.output == run.output);
    }
    if (!present) runs.push_back(&run);
    json summary = json::array();
    for (const RunReport* r : runs)
        summary.push_back({{"type", r->mix},
                           {"bytes", r->quantized.bytes},
                           {"kld", r->quantized.kld.mean},
                           {"ppl", r->quantized.ppl},
                           {"current", r->created == run.created && r->output == run.output}});

    json data = json::parse(runReportJson(run, -1), nullptr, false);
    json doc = {{"run", std::move(data)}, {"runs", std::move(summary)}};
    // ensure_ascii: non-ASCII as \uXXXX, so U+2028/2029 and any encoding question disappear.
    const std::string payload = scriptSafeJson(doc.dump(-1, ' ', true, json::error_handler_t::replace));

    std::string html;
    const auto chart = chartJsSource();
    html.reserve(chart.size() + payload.size() + 16384);
    html += kHead;
    html += htmlEscape(chartJsLicense());
    html += "</pre></details>\n</footer>\n<script type=\"application/json\" id=\"report-data\">";
    html += payload;
    html += "</script>\n<script>\n";
    html += chart;
    html += "\n</script>\n<script>";
    html += kScript;
    html += "</script>\n</body>\n</html>\n";
    return html;
}

} // namespace condense::report
