#include "core/quant/gptq.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stop_token>
#include <string>

#include <Eigen/Core>

#include "core/quant/gptq_factor.h"
#include "core/quant/subtract_product.h"

namespace condense::quant {

namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Error invalid(std::string detail)
{
    return makeError(ErrorCode::InvalidArgument, {}, std::move(detail));
}

Error cancelled()
{
    return makeError(ErrorCode::Cancelled, {}, "GPTQ stopped");
}

// One grid per output row.
struct Grids {
    std::vector<float> scale;
    std::vector<std::uint8_t> zero;
};

Status checkShapes(std::size_t weightSize, std::int64_t rows, std::int64_t cols, const GptqOptions& o)
{
    if (rows <= 0 || cols <= 0) return invalid("weight shape " + std::to_string(rows) + " x " + std::to_string(cols));
    constexpr std::int64_t kMaxDim = std::int64_t{1} << 31;
    if (rows > kMaxDim || cols > kMaxDim) return invalid("weight dimension too large");
    if (weightSize != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        return invalid("weight holds " + std::to_string(weightSize) + " values, shape " + std::to_string(rows) + " x " +
                       std::to_string(cols) + " needs " + std::to_string(rows * cols));
    if (o.bits != 2 && o.bits != 3 && o.bits != 4 && o.bits != 8)
        return invalid("bits " + std::to_string(o.bits) + " (2, 3, 4 or 8)");
    if (o.groupSize == 0 || o.groupSize < -1) return invalid("group size " + std::to_string(o.groupSize));
    if (o.staticGroups && o.groupSize < 0) return invalid("static groups need a group size");
    if (o.blockSize <= 0) return invalid("block size " + std::to_string(o.blockSize));
    if (!std::isfinite(o.percDamp) || o.percDamp < 0.0) return invalid("damping " + std::to_string(o.percDamp));
    if (!std::isfinite(o.dampIncrement) || o.dampIncrement < 0.0)
        return invalid("damping increment " + std::to_string(o.dampIncrement));
    return okStatus();
}

bool allFinite(std::span<const float> v)
{
    return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

// The reference's Quantizer.find_params (per channel) over columns [c0, c0 + n) of w.
Grids findGrids(const MatrixD& w, std::int64_t c0, std::int64_t n, int maxq, bool symmetric)
{
    const std::int64_t rows = w.rows();
    Grids g;
    g.scale.resize(static_cast<std::size_t>(rows));
    g.zero.resize(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) {
        double xmin = 0.0;
        double xmax = 0.0;
        for (std::int64_t c = c0; c < c0 + n; ++c) {
            xmin = std::min(xmin, w(r, c));
            xmax = std::max(xmax, w(r, c));
        }
        if (symmetric) {
            xmax = std::max(-xmin, xmax);
            if (xmin < 0.0) xmin = -xmax;
        }
        if (xmin == 0.0 && xmax == 0.0) {
            xmin = -1.0;
            xmax = 1.0;
        }
        float scale = static_cast<float>((xmax - xmin) / maxq);
        if (!(scale >= std::numeric_limits<float>::min())) scale = std::numeric_limits<float>::min(); // subnormal ranges
        double zero = symmetric ? (maxq + 1) / 2 : std::nearbyint(-xmin / static_cast<double>(scale));
        zero = std::clamp(zero, 0.0, static_cast<double>(maxq));
        g.scale[static_cast<std::size_t>(r)] = scale;
        g.zero[static_cast<std::size_t>(r)] = static_cast<std::uint8_t>(zero);
    }
    return g;
}

std::uint8_t quantizeValue(double w, float scale, std::uint8_t zero, int maxq)
{
    const double q = std::nearbyint(w / static_cast<double>(scale)) + zero;
    if (!(q >= 0.0)) return 0; // also NaN (the caller rejects a non-finite loss)
    return static_cast<std::uint8_t>(std::min(q, static_cast<double>(maxq)));
}

void storeGrids(GptqResult& out, std::int64_t group, const Grids& g)
{
    const auto base = static_cast<std::size_t>(group * out.rows);
    std::copy(g.scale.begin(), g.scale.end(), out.scales.begin() + static_cast<std::ptrdiff_t>(base));
    std::copy(g.zero.begin(), g.zero.end(), out.zeros.begin() + static_cast<std::ptrdiff_t>(base));
}

void initResult(GptqResult& out, std::int64_t rows, std::int64_t cols, const GptqOptions& o)
{
    out.rows = rows;
    out.cols = cols;
    out.groups = o.groupSize > 0 ? (cols + o.groupSize - 1) / o.groupSize : 1;
    const auto n = static_cast<std::size_t>(rows * cols);
    out.codes.assign(n, 0);
    out.scales.assign(static_cast<std::size_t>(out.groups * rows), 0.0f);
    out.zeros.assign(static_cast<std::size_t>(out.groups * rows), 0);
    out.gIdx.assign(static_cast<std::size_t>(cols), 0);
    out.order.resize(static_cast<std::size_t>(cols));
    std::iota(out.order.begin(), out.order.end(), 0);
}

void dequantize(GptqResult& out)
{
    out.dequantized.resize(static_cast<std::size_t>(out.rows * out.cols)); // made last: not held during the sweep
    for (std::int64_t r = 0; r < out.rows; ++r) {
        for (std::int64_t c = 0; c < out.cols; ++c) {
            const auto i = static_cast<std::size_t>(r * out.cols + c);
            const auto g = static_cast<std::size_t>(out.gIdx[static_cast<std::size_t>(c)] * out.rows + r);
            const double v = static_cast<double>(out.scales[g]) * (double(out.codes[i]) - double(out.zeros[g]));
            out.dequantized[i] = static_cast<float>(v);
        }
    }
}

} // namespace

namespace {

// gptqQuantize on a Hessian buffer it may overwrite and frees once it is no longer needed.
Result<GptqResult> quantizeConsuming(std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                                     std::vector<double>& buffer, const GptqOptions& options, const std::stop_token& stop)
{
    const std::span<const double> hessian(buffer);
    CONDENSE_TRY(checkShapes(weight.size(), rows, cols, options));
    if (hessian.size() != static_cast<std::size_t>(cols) * static_cast<std::size_t>(cols))
        return invalid("Hessian holds " + std::to_string(hessian.size()) + " values, " + std::to_string(cols) +
                       " input columns need " + std::to_string(cols) + "^2");
    if (!allFinite(weight)) return invalid("weight has a non-finite value");
    for (std::int64_t i = 0; i < cols; ++i) {
        for (std::int64_t j = 0; j <= i; ++j) {
            const double a = hessian[static_cast<std::size_t>(i * cols + j)];
            const double b = hessian[static_cast<std::size_t>(j * cols + i)];
            if (!std::isfinite(a) || !std::isfinite(b)) return invalid("Hessian has a non-finite value");
            if (std::abs(a - b) > 1e-9 * (std::abs(a) + std::abs(b)))
                return invalid("Hessian is not symmetric at (" + std::to_string(i) + ", " + std::to_string(j) + ")");
        }
        if (hessian[static_cast<std::size_t>(i * cols + i)] < 0.0)
            return invalid("Hessian has a negative diagonal entry at column " + std::to_string(i));
    }

    const GptqOptions& o = options;
    const int maxq = (1 << o.bits) - 1;
    GptqResult out;
    initResult(out, rows, cols, o);

    // H first (dead columns, act-order, damping, the factor U), then W as doubles: the two
    // are never held together with H's copies (memory peak: U and H's reversal).
    // H is symmetric: the row-major buffer read column-major is the same matrix.
    Eigen::Map<MatrixD> h(buffer.data(), cols, cols);
    std::vector<std::int64_t> dead;
    for (std::int64_t c = 0; c < cols; ++c) {
        if (h(c, c) == 0.0) {
            h(c, c) = 1.0;
            dead.push_back(c);
            ++out.deadColumns;
        }
    }

    std::vector<std::int32_t>& order = out.order;
    if (o.actOrder) {
        std::stable_sort(order.begin(), order.end(), [&h](std::int32_t a, std::int32_t b) { return h(a, a) > h(b, b); });
        MatrixD hp(cols, cols);
        for (std::int64_t j = 0; j < cols; ++j) {
            const auto oj = order[static_cast<std::size_t>(j)];
            for (std::int64_t i = 0; i < cols; ++i) hp(i, j) = h(order[static_cast<std::size_t>(i)], oj);
        }
        h = hp;
    }

    // Damping; when the factorisation fails, more of it (GPTQModel's damp_auto_increment)
    // while the fraction stays below 1, when the caller asked for that.
    const double meanDiag = h.diagonal().mean();
    MatrixD reversed = h.reverse();
    std::vector<double>().swap(buffer); // h is not used after this
    MatrixD u;
    const GptqFactor f = gptqDampedFactor(reversed, meanDiag, o.percDamp, o.dampIncrement, u, out.damp, out.percDampUsed, stop);
    if (f == GptqFactor::Stopped) return cancelled();
    if (f != GptqFactor::Ok)
        return invalid("Hessian is not positive definite after damping " + std::to_string(out.percDampUsed) +
                       " of its mean diagonal");
    reversed.resize(0, 0);

    MatrixD w = Eigen::Map<const RowMajorF>(weight.data(), rows, cols).cast<double>();
    Grids rowGrids;
    if (o.groupSize < 0) {
        rowGrids = findGrids(w, 0, cols, maxq, o.symmetric);
        storeGrids(out, 0, rowGrids);
    }
    for (std::int64_t c : dead) w.col(c).setZero();

    std::vector<Grids> staticGrids;
    if (o.staticGroups) {
        for (std::int64_t g = 0; g < out.groups; ++g) {
            const std::int64_t c0 = g * o.groupSize;
            staticGrids.push_back(findGrids(w, c0, std::min(o.groupSize, cols - c0), maxq, o.symmetric));
            storeGrids(out, g, staticGrids.back());
        }
    }
    if (o.actOrder) {
        MatrixD wp(rows, cols);
        for (std::int64_t j = 0; j < cols; ++j) wp.col(j) = w.col(order[static_cast<std::size_t>(j)]);
        w.swap(wp);
    }

    const Grids* grids = o.groupSize < 0 ? &rowGrids : nullptr;
    Grids groupGrids;
    MatrixD w1;
    MatrixD err1;
    for (std::int64_t i1 = 0; i1 < cols; i1 += o.blockSize) {
        if (stop.stop_requested()) return cancelled();
        const std::int64_t i2 = std::min(i1 + o.blockSize, cols);
        const std::int64_t count = i2 - i1;
        w1 = w.middleCols(i1, count);
        err1.resize(rows, count);
        for (std::int64_t i = 0; i < count; ++i) {
            const std::int64_t c = i1 + i;
            const std::int32_t orig = order[static_cast<std::size_t>(c)];
            if (o.groupSize > 0) {
                if (o.staticGroups) {
                    out.gIdx[static_cast<std::size_t>(orig)] = static_cast<std::int32_t>(orig / o.groupSize);
                    grids = &staticGrids[static_cast<std::size_t>(orig / o.groupSize)];
                } else {
                    if (c % o.groupSize == 0) {
                        // From w, not w1: the updates inside this block are not seen (as the reference).
                        groupGrids = findGrids(w, c, std::min(o.groupSize, cols - c), maxq, o.symmetric);
                        storeGrids(out, c / o.groupSize, groupGrids);
                    }
                    out.gIdx[static_cast<std::size_t>(orig)] = static_cast<std::int32_t>(c / o.groupSize);
                    grids = &groupGrids;
                }
            }
            const double d = u(c, c);
            for (std::int64_t r = 0; r < rows; ++r) {
                const double x = w1(r, i);
                const float scale = grids->scale[static_cast<std::size_t>(r)];
                const std::uint8_t zero = grids->zero[static_cast<std::size_t>(r)];
                const std::uint8_t code = quantizeValue(x, scale, zero, maxq);
                out.codes[static_cast<std::size_t>(r * cols + orig)] = code;
                const double q = static_cast<double>(scale) * (double(code) - double(zero));
                const double e = (x - q) / d;
                out.loss += 0.5 * e * e;
                err1(r, i) = e;
            }
            const std::int64_t rest = count - i - 1;
            if (rest > 0) w1.rightCols(rest).noalias() -= err1.col(i) * u.row(c).segment(c + 1, rest);
        }
        if (i2 < cols) // w.rightCols(cols - i2) -= err1 * u.block(i1, i2, count, cols - i2)
            subtractProduct(w.data() + i2 * rows, rows, err1.data(), rows, u.data() + i2 * u.rows() + i1, u.rows(), rows, cols - i2,
                            count);
    }

    if (!std::isfinite(out.loss))
        return invalid("error compensation overflowed (Hessian too ill-conditioned after damping " +
                       std::to_string(out.percDampUsed) + ")");
    dequantize(out);
    return out;
}

} // namespace

Result<GptqResult> gptqQuantize(std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                                std::span<const double> hessian, const GptqOptions& options, std::stop_token stop)
{
    std::vector<double> copy(hessian.begin(), hessian.end());
    return quantizeConsuming(weight, rows, cols, copy, options, stop);
}

Result<GptqResult> gptqQuantizeConsuming(std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                                         std::vector<double>&& hessian, const GptqOptions& options, std::stop_token stop)
{
    std::vector<double> own = std::move(hessian);
    return quantizeConsuming(weight, rows, cols, own, options, stop);
}

Result<GptqResult> rtnQuantize(std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                               const GptqOptions& options)
{
    GptqOptions o = options;
    o.staticGroups = false;
    CONDENSE_TRY(checkShapes(weight.size(), rows, cols, o));
    if (!allFinite(weight)) return invalid("weight has a non-finite value");
    const int maxq = (1 << o.bits) - 1;
    GptqResult out;
    initResult(out, rows, cols, o);
    const MatrixD w = Eigen::Map<const RowMajorF>(weight.data(), rows, cols).cast<double>();
    const std::int64_t width = o.groupSize > 0 ? o.groupSize : cols;
    for (std::int64_t g = 0; g < out.groups; ++g) {
        const std::int64_t c0 = g * width;
        const std::int64_t n = std::min(width, cols - c0);
        const Grids grids = findGrids(w, c0, n, maxq, o.symmetric);
        storeGrids(out, g, grids);
        for (std::int64_t c = c0; c < c0 + n; ++c) {
            out.gIdx[static_cast<std::size_t>(c)] = static_cast<std::int32_t>(g);
            for (std::int64_t r = 0; r < rows; ++r)
                out.codes[static_cast<std::size_t>(r * cols + c)] = quantizeValue(
                    w(r, c), grids.scale[static_cast<std::size_t>(r)], grids.zero[static_cast<std::size_t>(r)], maxq);
        }
    }
    dequantize(out);
    return out;
}

double gptqOutputError(std::span<const float> weight, std::span<const float> quantized, std::int64_t rows,
                       std::int64_t cols, std::span<const double> hessian)
{
    const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    if (rows <= 0 || cols <= 0 || weight.size() != n || quantized.size() != n ||
        hessian.size() != static_cast<std::size_t>(cols) * static_cast<std::size_t>(cols))
        return std::numeric_limits<double>::quiet_NaN();
    const MatrixD d = Eigen::Map<const RowMajorF>(weight.data(), rows, cols).cast<double>() -
                      Eigen::Map<const RowMajorF>(quantized.data(), rows, cols).cast<double>();
    const MatrixD dh = d * Eigen::Map<const RowMajorD>(hessian.data(), cols, cols);
    return dh.cwiseProduct(d).sum();
}

} // namespace condense::quant
