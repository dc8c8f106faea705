#include "core/quant/awq.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include <Eigen/Core>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "core/tensor/float_convert.h"

namespace condense::quant {

namespace {

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

Error invalid(std::string detail)
{
    return makeError(ErrorCode::InvalidArgument, {}, std::move(detail));
}
Error cancelled()
{
    return makeError(ErrorCode::Cancelled, {}, "AWQ stopped");
}

std::int64_t groupWidth(const AwqOptions& o, std::int64_t cols)
{
    return o.groupSize > 0 ? o.groupSize : cols;
}

// Runs fn(r) for rows [0, n) in parallel (in the caller's arena).
template <typename F> void forRows(std::int64_t n, const F& fn)
{
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n), [&](const tbb::blocked_range<std::int64_t>& r) {
        for (std::int64_t i = r.begin(); i != r.end(); ++i)
            fn(i);
    });
}

float roundToHalf(float v)
{
    float h = fp16ToFp32(fp32ToFp16(v));
    if (h == 0.0f && v > 0.0f) h = fp16ToFp32(1); // the smallest subnormal: never a zero scale
    return h;
}

// The grid of one group: scale and zero point (the code of 0).
struct Grid {
    float scale = 1.0f;
    int zero = 0;
};

Grid findGrid(const float* w, std::int64_t n, const AwqOptions& o, bool half)
{
    Grid g;
    if (o.zeroPoint) {
        const auto [mnIt, mxIt] = std::minmax_element(w, w + n);
        const int maxInt = (1 << o.bits) - 1;
        g.scale = std::max(*mxIt - *mnIt, 1e-5f) / static_cast<float>(maxInt);
        if (half) g.scale = roundToHalf(g.scale);
        const float zero = -std::nearbyint(*mnIt / g.scale);
        g.zero = static_cast<int>(std::clamp(zero, 0.0f, static_cast<float>(maxInt)));
    } else {
        float mx = 0.0f;
        for (std::int64_t i = 0; i < n; ++i)
            mx = std::max(mx, std::fabs(w[i]));
        const int maxInt = (1 << (o.bits - 1)) - 1;
        g.scale = std::max(mx, 1e-5f) / static_cast<float>(maxInt);
        if (half) g.scale = roundToHalf(g.scale);
        g.zero = 1 << (o.bits - 1);
    }
    return g;
}

int codeOf(float w, const Grid& g, const AwqOptions& o)
{
    const float r = std::nearbyint(w / g.scale);
    if (o.zeroPoint) {
        const auto maxInt = static_cast<float>((1 << o.bits) - 1);
        return static_cast<int>(std::clamp(r + static_cast<float>(g.zero), 0.0f, maxInt));
    }
    const auto lo = static_cast<float>(-(1 << (o.bits - 1)));
    const auto hi = static_cast<float>((1 << (o.bits - 1)) - 1);
    return static_cast<int>(std::clamp(r, lo, hi)) + g.zero;
}

float valueOf(int code, const Grid& g)
{
    return static_cast<float>(code - g.zero) * g.scale;
}

// In place Q(w) over one group with float scales.
void fakeQuantGroup(float* w, std::int64_t n, const AwqOptions& o)
{
    const Grid g = findGrid(w, n, o, false);
    for (std::int64_t i = 0; i < n; ++i)
        w[i] = valueOf(codeOf(w[i], g, o), g);
}

void fakeQuantRow(float* w, std::int64_t cols, std::int64_t width, const AwqOptions& o)
{
    for (std::int64_t c0 = 0; c0 < cols; c0 += width)
        fakeQuantGroup(w + c0, std::min(width, cols - c0), o);
}

} // namespace

Status checkAwqOptions(const AwqOptions& o, std::int64_t cols)
{
    if (o.bits < 2 || o.bits > 8) return invalid("bits " + std::to_string(o.bits) + " (2 to 8)");
    if (o.groupSize == 0 || o.groupSize < -1) return invalid("group size " + std::to_string(o.groupSize));
    if (cols <= 0) return invalid("weight has " + std::to_string(cols) + " input columns");
    if (o.groupSize > 0 && cols % o.groupSize != 0)
        return invalid("group size " + std::to_string(o.groupSize) + " does not divide the " + std::to_string(cols) +
                       " input columns");
    if (o.nGrid < 1) return invalid("grid size " + std::to_string(o.nGrid));
    if (!(o.maxShrink >= 0.0 && o.maxShrink < 1.0))
        return invalid("clipping max shrink " + std::to_string(o.maxShrink));
    if (o.clipSampleTokens < 1) return invalid("clipping sample tokens " + std::to_string(o.clipSampleTokens));
    return okStatus();
}

void awqFakeQuantize(std::span<float> w, std::int64_t rows, std::int64_t cols, const AwqOptions& o)
{
    const std::int64_t width = groupWidth(o, cols);
    forRows(rows, [&](std::int64_t r) { fakeQuantRow(w.data() + r * cols, cols, width, o); });
}

Result<GptqResult> awqQuantize(std::span<const float> w, std::int64_t rows, std::int64_t cols, const AwqOptions& o)
{
    CONDENSE_TRY(checkAwqOptions(o, cols));
    if (rows <= 0 || w.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        return invalid("weight holds " + std::to_string(w.size()) + " values, shape " + std::to_string(rows) + " x " +
                       std::to_string(cols));
    if (std::any_of(w.begin(), w.end(), [](float v) { return !std::isfinite(v); }))
        return invalid("weight has a non-finite value");
    const std::int64_t width = groupWidth(o, cols);
    GptqResult out;
    out.rows = rows;
    out.cols = cols;
    out.groups = cols / width;
    const auto n = static_cast<std::size_t>(rows * cols);
    out.codes.assign(n, 0);
    out.dequantized.assign(n, 0.0f);
    out.scales.assign(static_cast<std::size_t>(out.groups * rows), 0.0f);
    out.zeros.assign(static_cast<std::size_t>(out.groups * rows), 0);
    out.gIdx.resize(static_cast<std::size_t>(cols));
    for (std::int64_t c = 0; c < cols; ++c)
        out.gIdx[static_cast<std::size_t>(c)] = static_cast<std::int32_t>(c / width);
    out.order.resize(static_cast<std::size_t>(cols));
    std::iota(out.order.begin(), out.order.end(), 0);
    std::atomic<bool> overflow{false};
    forRows(rows, [&](std::int64_t r) {
        for (std::int64_t g = 0; g < out.groups; ++g) {
            const std::size_t base = static_cast<std::size_t>(r * cols + g * width);
            const Grid grid = findGrid(w.data() + base, width, o, o.halfScales);
            if (!std::isfinite(grid.scale)) overflow = true;
            const auto gi = static_cast<std::size_t>(g * rows + r);
            out.scales[gi] = grid.scale;
            out.zeros[gi] = static_cast<std::uint8_t>(grid.zero);
            for (std::int64_t j = 0; j < width; ++j) {
                const int code = codeOf(w[base + static_cast<std::size_t>(j)], grid, o);
                out.codes[base + static_cast<std::size_t>(j)] = static_cast<std::uint8_t>(code);
                out.dequantized[base + static_cast<std::size_t>(j)] = valueOf(code, grid);
            }
        }
    });
    if (overflow) return invalid("a group's scale does not fit f16");
    return out;
}

std::vector<double> awqWeightMean(std::span<const AwqMatrix> linears, std::int64_t cols, std::int64_t groupSize)
{
    const std::int64_t width = groupSize > 0 ? groupSize : cols;
    std::vector<double> mean(static_cast<std::size_t>(cols), 0.0);
    std::int64_t totalRows = 0;
    for (const AwqMatrix& m : linears)
        totalRows += m.rows;
    if (totalRows == 0) return mean;
    const std::int64_t groups = (cols + width - 1) / width;
    forRows(groups, [&](std::int64_t g) {
        const std::int64_t c0 = g * width, n = std::min(width, cols - c0);
        for (const AwqMatrix& m : linears) {
            for (std::int64_t r = 0; r < m.rows; ++r) {
                const float* w = m.values.data() + r * cols + c0;
                float mx = 0.0f;
                for (std::int64_t j = 0; j < n; ++j)
                    mx = std::max(mx, std::fabs(w[j]));
                const double denom = static_cast<double>(mx) + 1e-6;
                for (std::int64_t j = 0; j < n; ++j)
                    mean[static_cast<std::size_t>(c0 + j)] += static_cast<double>(std::fabs(w[j])) / denom;
            }
        }
        for (std::int64_t j = 0; j < n; ++j)
            mean[static_cast<std::size_t>(c0 + j)] /= static_cast<double>(totalRows);
    });
    return mean;
}

std::vector<float> awqStepScales(std::span<const double> xMean, std::span<const double> wMean, double alpha,
                                 bool duoScaling)
{
    const std::size_t n = xMean.size();
    std::vector<double> s(n);
    for (std::size_t j = 0; j < n; ++j) {
        double v = std::pow(xMean[j], alpha);
        if (duoScaling) v /= std::pow(wMean[j], 1.0 - alpha) + 1e-4;
        s[j] = std::max(v, 1e-4);
    }
    const auto [mn, mx] = std::minmax_element(s.begin(), s.end());
    const double norm = n > 0 ? std::sqrt(*mx * *mn) : 1.0;
    std::vector<float> out(n);
    for (std::size_t j = 0; j < n; ++j) {
        const auto v = static_cast<float>(s[j] / norm);
        out[j] = std::isfinite(v) ? v : 1.0f;
    }
    return out;
}

Result<AwqScaleSearch> awqSearchScales(std::span<const double> xMean, std::span<const double> wMean,
                                       const AwqOptions& o, const AwqLossFn& loss, std::stop_token stop)
{
    if (o.nGrid < 1) return invalid("grid size " + std::to_string(o.nGrid));
    if (xMean.empty() || (o.duoScaling && wMean.size() != xMean.size()))
        return invalid("activation means of " + std::to_string(xMean.size()) + " channels, weight means of " +
                       std::to_string(wMean.size()));
    AwqScaleSearch out;
    out.bestStep = -1;
    double best = std::numeric_limits<double>::infinity();
    for (int k = 0; k < o.nGrid; ++k) {
        if (stop.stop_requested()) return cancelled();
        const double alpha = static_cast<double>(k) / o.nGrid;
        std::vector<float> s = awqStepScales(xMean, wMean, alpha, o.duoScaling);
        auto l = loss(s);
        if (!l) return std::move(l).error();
        out.losses.push_back(*l);
        if (*l < best) {
            best = *l;
            out.bestStep = k;
            out.alpha = alpha;
            out.scales = std::move(s);
        }
    }
    if (out.bestStep < 0) return invalid("no grid step gave a finite loss");
    return out;
}

std::vector<float> awqScaledFakeQuant(std::span<const float> w, std::int64_t rows, std::int64_t cols,
                                      std::span<const float> scales, const AwqOptions& o)
{
    std::vector<float> out(w.begin(), w.end());
    const std::int64_t width = groupWidth(o, cols);
    forRows(rows, [&](std::int64_t r) {
        float* row = out.data() + r * cols;
        for (std::int64_t c = 0; c < cols; ++c)
            row[c] *= scales[static_cast<std::size_t>(c)];
        fakeQuantRow(row, cols, width, o);
        for (std::int64_t c = 0; c < cols; ++c)
            row[c] /= scales[static_cast<std::size_t>(c)];
    });
    return out;
}

double awqLinearLoss(std::span<const float> w, std::int64_t rows, std::int64_t cols, std::span<const float> x,
                     std::int64_t n, std::span<const float> scales, const AwqOptions& o)
{
    const std::vector<float> q = awqScaledFakeQuant(w, rows, cols, scales, o);
    RowMajorF d = Eigen::Map<const RowMajorF>(q.data(), rows, cols) - Eigen::Map<const RowMajorF>(w.data(), rows, cols);
    constexpr std::int64_t kTokens = 64;
    const std::int64_t blocks = (n + kTokens - 1) / kTokens;
    std::vector<double> partial(static_cast<std::size_t>(blocks), 0.0);
    forRows(blocks, [&](std::int64_t b) {
        const std::int64_t t0 = b * kTokens, nt = std::min(kTokens, n - t0);
        const RowMajorF e = Eigen::Map<const RowMajorF>(x.data() + t0 * cols, nt, cols) * d.transpose();
        partial[static_cast<std::size_t>(b)] = e.cast<double>().squaredNorm();
    });
    const double sum = std::accumulate(partial.begin(), partial.end(), 0.0);
    return n > 0 && rows > 0 ? sum / (static_cast<double>(n) * static_cast<double>(rows)) : 0.0;
}

Result<AwqClip> awqSearchClip(std::span<const float> w, std::int64_t rows, std::int64_t cols, std::span<const float> x,
                              std::int64_t n, const AwqOptions& o, std::stop_token stop)
{
    CONDENSE_TRY(checkAwqOptions(o, cols));
    if (rows <= 0 || w.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        return invalid("weight holds " + std::to_string(w.size()) + " values, shape " + std::to_string(rows) + " x " +
                       std::to_string(cols));
    if (n <= 0 || x.size() < static_cast<std::size_t>(n) * static_cast<std::size_t>(cols))
        return invalid("clipping needs input rows of " + std::to_string(cols) + " columns, got " +
                       std::to_string(x.size()) + " values for " + std::to_string(n) + " tokens");
    const std::int64_t width = groupWidth(o, cols), groups = cols / width;
    const std::int64_t stride = (n + o.clipSampleTokens - 1) / o.clipSampleTokens;
    const std::int64_t ns = (n + stride - 1) / stride;
    RowMajorF xs(ns, cols);
    for (std::int64_t i = 0; i < ns; ++i)
        xs.row(i) = Eigen::Map<const Eigen::RowVectorXf>(x.data() + i * stride * cols, cols);
    const int steps = std::max(1, static_cast<int>(o.maxShrink * o.nGrid));

    AwqClip out;
    out.rows = rows;
    out.groups = groups;
    out.sampledTokens = ns;
    const auto cells = static_cast<std::size_t>(rows * groups);
    out.maxVal.assign(cells, 0.0f);
    out.errUnclipped.assign(cells, 0.0);
    out.errClipped.assign(cells, 0.0);
    std::atomic<bool> stopped{false};
    forRows(rows, [&](std::int64_t r) {
        if (stopped.load(std::memory_order_relaxed)) return;
        if (stop.stop_requested()) {
            stopped = true;
            return;
        }
        ColMajorF d(width, steps);
        std::vector<float> cur(static_cast<std::size_t>(width));
        for (std::int64_t g = 0; g < groups; ++g) {
            const float* wg = w.data() + r * cols + g * width;
            float m0 = 0.0f;
            for (std::int64_t j = 0; j < width; ++j)
                m0 = std::max(m0, std::fabs(wg[j]));
            for (int t = 0; t < steps; ++t) {
                const float m = m0 * (1.0f - static_cast<float>(t) / static_cast<float>(o.nGrid));
                for (std::int64_t j = 0; j < width; ++j)
                    cur[static_cast<std::size_t>(j)] = std::clamp(wg[j], -m, m);
                fakeQuantGroup(cur.data(), width, o);
                for (std::int64_t j = 0; j < width; ++j)
                    d(j, t) = cur[static_cast<std::size_t>(j)] - wg[j];
            }
            // e(token, step) = x_token[g] . (Q(clamp(w)) - w)
            const ColMajorF e = xs.middleCols(g * width, width) * d;
            double best = std::numeric_limits<double>::infinity();
            float bestM = m0;
            for (int t = 0; t < steps; ++t) {
                const double err = e.col(t).cast<double>().squaredNorm() / static_cast<double>(ns);
                const auto cell = static_cast<std::size_t>(r * groups + g);
                if (t == 0) out.errUnclipped[cell] = err;
                if (err < best) {
                    best = err;
                    bestM = m0 * (1.0f - static_cast<float>(t) / static_cast<float>(o.nGrid));
                }
            }
            const auto cell = static_cast<std::size_t>(r * groups + g);
            out.maxVal[cell] = bestM;
            out.errClipped[cell] = best;
        }
    });
    if (stopped) return cancelled();
    return out;
}

void awqApplyClip(std::span<float> w, std::int64_t rows, std::int64_t cols, const AwqClip& clip, std::int64_t groupSize)
{
    const std::int64_t width = groupSize > 0 ? groupSize : cols;
    const std::int64_t groups = cols / width;
    forRows(rows, [&](std::int64_t r) {
        for (std::int64_t g = 0; g < groups; ++g) {
            const float m = clip.maxVal[static_cast<std::size_t>(r * groups + g)];
            float* wg = w.data() + r * cols + g * width;
            for (std::int64_t j = 0; j < width; ++j)
                wg[j] = std::clamp(wg[j], -m, m);
        }
    });
}

} // namespace condense::quant
