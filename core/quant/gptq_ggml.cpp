#include "core/quant/gptq_ggml.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Core>

#include "core/jobs/thread_arena.h"
#include "core/quant/block_grid.h"
#include "core/quant/gptq_factor.h"
#include "core/quant/subtract_product.h"

namespace condense::quant {

namespace {

using MatrixD = Eigen::MatrixXd;
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

Status checkInput(DType type, std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                  std::span<const double> hessian, const GgufGptqOptions& o)
{
    if (!BlockGrid::supports(type))
        return invalid("type " + std::string(dtypeName(type)) + " has no GPTQ path (Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_XS Q4_0 Q8_0)");
    if (rows <= 0 || cols <= 0) return invalid("weight shape " + std::to_string(rows) + " x " + std::to_string(cols));
    constexpr std::int64_t kMaxDim = std::int64_t{1} << 31;
    if (rows > kMaxDim || cols > kMaxDim) return invalid("weight dimension too large");
    const int block = BlockGrid::elements(type);
    if (cols % block != 0)
        return invalid("row length " + std::to_string(cols) + " is not a multiple of " + std::string(dtypeName(type)) +
                       "'s block of " + std::to_string(block));
    if (weight.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        return invalid("weight holds " + std::to_string(weight.size()) + " values, shape " + std::to_string(rows) +
                       " x " + std::to_string(cols) + " needs " + std::to_string(rows * cols));
    if (hessian.size() != static_cast<std::size_t>(cols) * static_cast<std::size_t>(cols))
        return invalid("Hessian holds " + std::to_string(hessian.size()) + " values, " + std::to_string(cols) +
                       " input columns need " + std::to_string(cols) + "^2");
    if (!std::isfinite(o.percDamp) || o.percDamp < 0.0) return invalid("damping " + std::to_string(o.percDamp));
    if (!std::isfinite(o.dampIncrement) || o.dampIncrement < 0.0)
        return invalid("damping increment " + std::to_string(o.dampIncrement));
    if (o.lazyColumns <= 0) return invalid("lazy batch width " + std::to_string(o.lazyColumns));
    if (o.rowsPerTask <= 0) return invalid("rows per task " + std::to_string(o.rowsPerTask));
    if (!std::all_of(weight.begin(), weight.end(), [](float x) { return std::isfinite(x); }))
        return invalid("weight has a non-finite value");
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
    return okStatus();
}

// The sweep over every column of rows [r0, r0 + n): writes their bytes and values and returns
// their share of the loss; false when stopped.
struct SweepContext {
    DType type;
    std::int64_t cols;
    int block;
    std::size_t blockBytes;
    std::size_t rowBytes;
    std::int64_t lazy;
    const MatrixD* u;
    const std::vector<std::int64_t>* order; // original column processed at each position
    const std::vector<float>* importance;      // original column order
    const std::vector<float>* otherImportance; // the candidates' second search (nullptr: none)
    const RowMajorF* weight; // after dead columns were zeroed
    const GgufGptqOptions* options;
    GgufGptqResult* out;
};

// GPTQ loss of one row's block on the scales of `block`: the column sweep inside the block
// (in-block updates only), sum of ((w - q) / U_cc)^2. `ub`: the block's U, row-major B x B.
double blockLoss(DType type, const BlockGrid& g, const std::uint8_t* block, bool searchCodes, const double* x,
                 const double* ub, const int* elem, int n, double* y)
{
    // x, y, ub: processing order; elem[j]: the block element processed j-th.
    std::copy(x, x + n, y);
    double loss = 0.0;
    for (int j = 0; j < n; ++j) {
        const double v = y[j];
        const int e = elem[j];
        int code = BlockGrid::code(type, block, e);
        if (!searchCodes || v != x[j]) {
            const int nearest = g.nearestCode(e, static_cast<float>(v));
            if (nearest >= 0) code = nearest;
        }
        const double err = (v - static_cast<double>(g.value(e, code))) / ub[j * n + j];
        loss += err * err;
        for (int k = j + 1; k < n; ++k) y[k] -= err * ub[j * n + k];
    }
    return loss;
}

bool sweepRows(const SweepContext& s, std::int64_t r0, std::int64_t n, const std::stop_token& stop)
{
    const std::int64_t cols = s.cols;
    const MatrixD& u = *s.u;
    MatrixD w(n, cols); // processing order
    for (std::int64_t c = 0; c < cols; ++c) w.col(c) = s.weight->col((*s.order)[static_cast<std::size_t>(c)]).segment(r0, n).cast<double>();
    std::vector<float> sigma2(static_cast<std::size_t>(n), 0.0f); // Q4_0's row mean square
    if (s.type == DType::Q4_0) {
        for (std::int64_t r = 0; r < n; ++r) {
            float sum = 0.0f;
            for (std::int64_t c = 0; c < cols; ++c) {
                const float x = (*s.weight)(r0 + r, c);
                sum += x * x;
            }
            sigma2[static_cast<std::size_t>(r)] = sum / static_cast<float>(cols);
        }
    }
    std::vector<BlockGrid> grids(static_cast<std::size_t>(n));
    MatrixD searched(n, s.block); // the values each row's search saw
    std::vector<float> x(static_cast<std::size_t>(s.block));
    std::vector<double> xd(static_cast<std::size_t>(s.block)), yd(static_cast<std::size_t>(s.block));
    std::vector<double> ub(static_cast<std::size_t>(s.block * s.block));
    std::vector<std::uint8_t> cand(s.blockBytes), base0(s.blockBytes), base1(s.blockBytes);
    std::vector<int> elem(static_cast<std::size_t>(s.block));
    BlockGrid cg;
    MatrixD w1, err1;
    for (std::int64_t i1 = 0; i1 < cols; i1 += s.lazy) {
        if (stop.stop_requested()) return false;
        const std::int64_t i2 = std::min(i1 + s.lazy, cols);
        const std::int64_t count = i2 - i1;
        w1 = w.middleCols(i1, count);
        err1.resize(n, count);
        for (std::int64_t i = 0; i < count; ++i) {
            const std::int64_t c = i1 + i;
            const std::int64_t orig = (*s.order)[static_cast<std::size_t>(c)];
            const int e = static_cast<int>(orig % s.block);
            const std::size_t blockOffset = static_cast<std::size_t>(c / s.block) * s.blockBytes;
            if (c % s.block == 0) {
                const bool candidates = s.options->scaleCandidates;
                if (candidates)
                    for (int j = 0; j < s.block; ++j)
                        for (int k = 0; k < s.block; ++k) ub[static_cast<std::size_t>(j * s.block + k)] = u(c + j, c + k);
                for (int j = 0; j < s.block; ++j)
                    elem[static_cast<std::size_t>(j)] = static_cast<int>((*s.order)[static_cast<std::size_t>(c + j)] - c);
                for (std::int64_t r = 0; r < n; ++r) {
                    for (int j = 0; j < s.block; ++j) { // j: processing order; e: the element
                        const int el = elem[static_cast<std::size_t>(j)];
                        searched(r, el) = w1(r, i + j);
                        xd[static_cast<std::size_t>(j)] = w1(r, i + j);
                        x[static_cast<std::size_t>(el)] = static_cast<float>(w1(r, i + j));
                    }
                    std::uint8_t* dst = s.out->bytes.data() + static_cast<std::size_t>(r0 + r) * s.rowBytes + blockOffset;
                    const float rowSigma2 = sigma2[static_cast<std::size_t>(r)];
                    BlockGrid::search(s.type, x.data(), s.importance->data() + c, rowSigma2, dst);
                    BlockGrid& g = grids[static_cast<std::size_t>(r)];
                    g.decode(s.type, dst);
                    if (!candidates) continue;
                    double best = blockLoss(s.type, g, dst, true, xd.data(), ub.data(), elem.data(), s.block, yd.data());
                    bool bestSearched = true;
                    auto consider = [&](const std::uint8_t* base, bool baseIsSearch) {
                        if (!baseIsSearch) {
                            std::copy(base, base + s.blockBytes, cand.begin());
                            cg.decode(s.type, cand.data());
                            const double l = blockLoss(s.type, cg, cand.data(), true, xd.data(), ub.data(), elem.data(), s.block, yd.data());
                            if (l < best) {
                                best = l;
                                bestSearched = true;
                                std::copy(cand.begin(), cand.end(), dst);
                            }
                        }
                        for (float f : s.options->scaleFactors) {
                            std::copy(base, base + s.blockBytes, cand.begin());
                            BlockGrid::scaleSuperScale(s.type, cand.data(), f);
                            cg.decode(s.type, cand.data());
                            const double l = blockLoss(s.type, cg, cand.data(), false, xd.data(), ub.data(), elem.data(), s.block, yd.data());
                            if (l < best) {
                                best = l;
                                bestSearched = false;
                                std::copy(cand.begin(), cand.end(), dst);
                            }
                        }
                    };
                    std::copy(dst, dst + s.blockBytes, base0.begin());
                    consider(base0.data(), true);
                    if (s.otherImportance) {
                        BlockGrid::search(s.type, x.data(), s.otherImportance->data() + c, rowSigma2, base1.data());
                        consider(base1.data(), false);
                    }
                    if (s.type != DType::Q4_0 && s.type != DType::Q8_0) {
                        BlockGrid::search(s.type, x.data(), nullptr, rowSigma2, base1.data());
                        consider(base1.data(), false);
                    }
                    const int params = BlockGrid::subScaleParams(s.type);
                    int lo = 0, hi = 0;
                    BlockGrid::subScaleRange(s.type, lo, hi);
                    for (int pass = 0; pass < s.options->subScalePasses && params > 0; ++pass) {
                        bool changed = false;
                        for (int p = 0; p < params; ++p) {
                            const int v0 = BlockGrid::subScale(s.type, dst, p);
                            for (int step : {-1, 1}) {
                                const int v = v0 + step;
                                if (v < lo || v > hi) continue;
                                std::copy(dst, dst + s.blockBytes, cand.begin());
                                BlockGrid::setSubScale(s.type, cand.data(), p, v);
                                cg.decode(s.type, cand.data());
                                const double l = blockLoss(s.type, cg, cand.data(), false, xd.data(), ub.data(), elem.data(), s.block, yd.data());
                                if (l < best) {
                                    best = l;
                                    bestSearched = false;
                                    changed = true;
                                    std::copy(cand.begin(), cand.end(), dst);
                                    break;
                                }
                            }
                        }
                        if (!changed) break;
                    }
                    g.decode(s.type, dst);
                    if (!bestSearched)
                        for (int j = 0; j < s.block; ++j) searched(r, j) = std::numeric_limits<double>::quiet_NaN();
                }
            }
            const double d = u(c, c);
            for (std::int64_t r = 0; r < n; ++r) {
                std::uint8_t* dst = s.out->bytes.data() + static_cast<std::size_t>(r0 + r) * s.rowBytes + blockOffset;
                const BlockGrid& g = grids[static_cast<std::size_t>(r)];
                const double v = w1(r, i);
                int code = BlockGrid::code(s.type, dst, e);
                if (v != searched(r, e)) {
                    const int nearest = g.nearestCode(e, static_cast<float>(v));
                    if (nearest >= 0 && nearest != code) {
                        code = nearest;
                        BlockGrid::setCode(s.type, dst, e, code);
                    }
                }
                const float q = g.value(e, code);
                s.out->dequantized[static_cast<std::size_t>((r0 + r) * cols + orig)] = q;
                err1(r, i) = (v - static_cast<double>(q)) / d;
            }
            const std::int64_t rest = count - i - 1;
            if (rest > 0) w1.rightCols(rest).noalias() -= err1.col(i) * u.row(c).segment(c + 1, rest);
        }
        if (i2 < cols) // w.rightCols(cols - i2) -= err1 * u.block(i1, i2, count, cols - i2)
            subtractProduct(w.data() + i2 * n, n, err1.data(), n, u.data() + i2 * u.rows() + i1, u.rows(), n, cols - i2, count);
    }
    return true;
}

// Coordinate descent on rows [r0, r0 + n) after the sweep: loss (w - q)^T H (w - q), H damped,
// natural column order; codes +-1, then sub-block scale / min codes +-1. Writes bytes and values.
bool refineRows(DType type, std::int64_t cols, int block, std::size_t blockBytes, std::size_t rowBytes, const MatrixD& h,
                const RowMajorF& target, int passes, GgufGptqResult& out, std::int64_t r0, std::int64_t n,
                const std::stop_token& stop)
{
    const std::int64_t blocks = cols / block;
    const int params = BlockGrid::subScaleParams(type);
    int lo = 0, hi = 0;
    BlockGrid::subScaleRange(type, lo, hi);
    std::vector<BlockGrid> grids(static_cast<std::size_t>(blocks));
    Eigen::VectorXd err(cols), g(cols);
    std::vector<std::uint8_t> cand(blockBytes);
    std::vector<double> delta(static_cast<std::size_t>(block));
    std::vector<int> touched;
    BlockGrid cg;
    for (std::int64_t r = r0; r < r0 + n; ++r) {
        if (stop.stop_requested()) return false;
        std::uint8_t* row = out.bytes.data() + static_cast<std::size_t>(r) * rowBytes;
        float* q = out.dequantized.data() + static_cast<std::size_t>(r * cols);
        for (std::int64_t c = 0; c < cols; ++c) err(c) = static_cast<double>(target(r, c)) - static_cast<double>(q[c]);
        g.noalias() = h * err; // h symmetric: g = H e
        for (std::int64_t b = 0; b < blocks; ++b) grids[static_cast<std::size_t>(b)].decode(type, row + static_cast<std::size_t>(b) * blockBytes);
        for (int pass = 0; pass < passes; ++pass) {
            bool changed = false;
            for (std::int64_t b = 0; b < blocks; ++b) {
                std::uint8_t* blk = row + static_cast<std::size_t>(b) * blockBytes;
                BlockGrid& gr = grids[static_cast<std::size_t>(b)];
                const std::int64_t c0 = b * block;
                for (int e = 0; e < block; ++e) {
                    const std::int64_t c = c0 + e;
                    const int code = BlockGrid::code(type, blk, e);
                    const double hcc = h(c, c);
                    for (int step : {-1, 1}) {
                        const int nc = code + step;
                        if (nc < gr.codeMin() || nc > gr.codeMax()) continue;
                        const double d = static_cast<double>(gr.value(e, nc)) - static_cast<double>(q[c]);
                        if (d == 0.0) continue;
                        // e' = e - d: loss' - loss = -2 d g_c + d^2 H_cc.
                        if (-2.0 * d * g(c) + d * d * hcc < -1e-12 * hcc * d * d) {
                            g.noalias() -= d * h.col(c);
                            q[c] = gr.value(e, nc);
                            BlockGrid::setCode(type, blk, e, nc);
                            changed = true;
                            break;
                        }
                    }
                }
                for (int p = 0; p < params; ++p) {
                    const int v0 = BlockGrid::subScale(type, blk, p);
                    for (int step : {-1, 1}) {
                        const int v = v0 + step;
                        if (v < lo || v > hi) continue;
                        std::copy(blk, blk + blockBytes, cand.begin());
                        BlockGrid::setSubScale(type, cand.data(), p, v);
                        cg.decode(type, cand.data());
                        touched.clear();
                        for (int e = 0; e < block; ++e) {
                            const double d = static_cast<double>(cg.value(e, BlockGrid::code(type, blk, e))) - static_cast<double>(q[c0 + e]);
                            delta[static_cast<std::size_t>(e)] = d;
                            if (d != 0.0) touched.push_back(e);
                        }
                        if (touched.empty()) continue;
                        double lin = 0.0, quad = 0.0;
                        for (int i : touched) {
                            const double di = delta[static_cast<std::size_t>(i)];
                            lin += di * g(c0 + i);
                            for (int j : touched) quad += di * delta[static_cast<std::size_t>(j)] * h(c0 + i, c0 + j);
                        }
                        if (-2.0 * lin + quad < -1e-12 * std::abs(quad)) {
                            for (int i : touched) {
                                g.noalias() -= delta[static_cast<std::size_t>(i)] * h.col(c0 + i);
                                q[c0 + i] = cg.value(i, BlockGrid::code(type, blk, i));
                            }
                            std::copy(cand.begin(), cand.end(), blk);
                            gr = cg;
                            changed = true;
                            break;
                        }
                    }
                }
            }
            if (!changed) break;
        }
    }
    return true;
}

} // namespace

double ggufGptqAsymmetry(std::int64_t tokens, std::int64_t cols, double shrink) noexcept
{
    if (tokens <= 0) return 0.0;
    const double n = static_cast<double>(tokens);
    return n / (n + std::max(0.0, shrink) * static_cast<double>(std::max<std::int64_t>(cols, 0)));
}

bool ggufGptqSupports(DType type) noexcept
{
    return BlockGrid::supports(type);
}

Result<GgufGptqResult> ggufGptqQuantize(DType type, std::span<const float> weight, std::int64_t rows,
                                        std::int64_t cols, std::span<const double> hessian,
                                        const GgufGptqOptions& options, std::stop_token stop)
{
    return ggufGptqQuantize(type, weight, rows, cols, hessian, std::span<const double>{}, options, std::move(stop));
}

namespace {

// Rows of W per panel of the asymmetric target's products (parallel over panels).
constexpr std::int64_t kTargetPanel = 256;

// T0 = W D for rows [r0, r0 + n) (original column order; w has the dead columns zeroed).
MatrixD targetProduct(const RowMajorF& w, std::span<const double> cross, std::int64_t cols, std::int64_t r0, std::int64_t n)
{
    const Eigen::Map<const RowMajorD> d(cross.data(), cols, cols);
    return w.middleRows(r0, n).cast<double>() * d;
}

Result<GgufGptqResult> quantizeWithCross(DType type, std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                                         std::span<const double> hessian, std::span<const double> cross,
                                         std::vector<double>* crossStorage, const GgufGptqOptions& options, std::stop_token stop);

} // namespace

Result<GgufGptqResult> ggufGptqQuantize(DType type, std::span<const float> weight, std::int64_t rows,
                                        std::int64_t cols, std::span<const double> hessian,
                                        std::span<const double> cross, const GgufGptqOptions& options,
                                        std::stop_token stop)
{
    return quantizeWithCross(type, weight, rows, cols, hessian, cross, nullptr, options, std::move(stop));
}

Result<GgufGptqResult> ggufGptqQuantize(DType type, std::span<const float> weight, std::int64_t rows,
                                        std::int64_t cols, std::span<const double> hessian,
                                        std::vector<double>&& cross, const GgufGptqOptions& options,
                                        std::stop_token stop)
{
    std::vector<double> owned = std::move(cross);
    return quantizeWithCross(type, weight, rows, cols, hessian, owned, &owned, options, std::move(stop));
}

namespace {

Result<GgufGptqResult> quantizeWithCross(DType type, std::span<const float> weight, std::int64_t rows, std::int64_t cols,
                                         std::span<const double> hessian, std::span<const double> cross,
                                         std::vector<double>* crossStorage, const GgufGptqOptions& options, std::stop_token stop)
{
    CONDENSE_TRY(checkInput(type, weight, rows, cols, hessian, options));
    if (!cross.empty() && cross.size() != hessian.size())
        return invalid("cross matrix holds " + std::to_string(cross.size()) + " values, " + std::to_string(cols) +
                       " input columns need " + std::to_string(cols) + "^2");
    if (!std::isfinite(options.asymmetry)) return invalid("asymmetry " + std::to_string(options.asymmetry));
    if (!std::all_of(cross.begin(), cross.end(), [](double x) { return std::isfinite(x); }))
        return invalid("cross matrix has a non-finite value");
    const int block = BlockGrid::elements(type);
    GgufGptqResult out;
    out.type = type;
    out.rows = rows;
    out.cols = cols;
    const std::size_t blockBytes = static_cast<std::size_t>(BlockGrid::bytes(type));
    const std::size_t rowBytes = static_cast<std::size_t>(cols / block) * blockBytes;
    out.bytes.assign(rowBytes * static_cast<std::size_t>(rows), 0);
    out.dequantized.assign(static_cast<std::size_t>(rows * cols), 0.0f);

    // Memory: the caller's H is read where it lies (no copy); the factor is built in place in U;
    // the target's products go by panels of rows. At 5632 columns that is one n x n matrix at
    // the peak besides H (and D while it is needed) instead of three.
    RowMajorF w = Eigen::Map<const RowMajorF>(weight.data(), rows, cols);
    const Eigen::Map<const RowMajorD> hIn(hessian.data(), cols, cols);
    std::vector<std::uint8_t> dead(static_cast<std::size_t>(cols), 0); // H_cc == 0: taken as 1, W's column zeroed
    for (std::int64_t c = 0; c < cols; ++c) {
        if (hIn(c, c) == 0.0) {
            dead[static_cast<std::size_t>(c)] = 1;
            w.col(c).setZero();
            ++out.deadColumns;
        }
    }
    const auto hAt = [&](std::int64_t i, std::int64_t j) {
        return i == j && dead[static_cast<std::size_t>(i)] ? 1.0 : hIn(i, j);
    };
    // Processing order: the blocks in order (their scales are chosen at their first column),
    // inside a block by descending H_cc when asked (act-order; ties: lower column first).
    std::vector<std::int64_t> order(static_cast<std::size_t>(cols));
    for (std::int64_t c = 0; c < cols; ++c) order[static_cast<std::size_t>(c)] = c;
    if (options.actOrder) {
        for (std::int64_t b = 0; b < cols; b += block)
            std::stable_sort(order.begin() + b, order.begin() + b + block,
                             [&hAt](std::int64_t a, std::int64_t c) { return hAt(a, a) > hAt(c, c); });
    }
    Eigen::VectorXd diag(cols); // H's diagonal in the processing order
    for (std::int64_t c = 0; c < cols; ++c) {
        const std::int64_t o = order[static_cast<std::size_t>(c)];
        diag(c) = hAt(o, o);
    }
    const double meanDiag = diag.mean();

    // With the cross matrix the caller's to release, and W D smaller than D: T0 = W D now, D
    // freed before the factorisation (ffn_down: rows x cols = 92 MB instead of cols^2 = 254 MB).
    const bool asymmetric = !cross.empty() && options.asymmetry != 0.0;
    const std::int64_t panels = (rows + kTargetPanel - 1) / kTargetPanel;
    std::vector<MatrixD> early;
    if (asymmetric && crossStorage != nullptr && rows < cols) {
        early.resize(static_cast<std::size_t>(panels));
        if (!jobs::parallelFor(static_cast<std::size_t>(panels), stop, [&](std::size_t p) {
                const std::int64_t r0 = static_cast<std::int64_t>(p) * kTargetPanel;
                early[p] = targetProduct(w, cross, cols, r0, std::min(kTargetPanel, rows - r0));
            }))
            return cancelled();
        cross = {};
        std::vector<double>().swap(*crossStorage);
    }

    // U from J P H P^T J (P: the processing order), written straight into U for each try.
    const auto fillReversed = [&](MatrixD& m) {
        m.resize(cols, cols);
        constexpr std::int64_t kTile = 64;
        for (std::int64_t j0 = 0; j0 < cols; j0 += kTile)
            for (std::int64_t i0 = 0; i0 < cols; i0 += kTile)
                for (std::int64_t j = j0; j < std::min(cols, j0 + kTile); ++j) {
                    const std::int64_t oj = order[static_cast<std::size_t>(cols - 1 - j)];
                    for (std::int64_t i = i0; i < std::min(cols, i0 + kTile); ++i)
                        m(i, j) = hAt(order[static_cast<std::size_t>(cols - 1 - i)], oj);
                }
    };
    MatrixD u;
    const GptqFactor f = gptqDampedFactor(fillReversed, meanDiag, options.percDamp, options.dampIncrement, u, out.damp, out.percDampUsed, stop);
    if (f == GptqFactor::Stopped) return cancelled();
    if (f != GptqFactor::Ok)
        return invalid("Hessian is not positive definite after damping " + std::to_string(out.percDampUsed) +
                       " of its mean diagonal");

    if (asymmetric) {
        // The target W' = W + a W D (H + damp I)^-1, in the processing order: (W D)_p U^T U, by
        // panels of rows (T0 = W D from above, or formed here).
        std::atomic<bool> overflow{false};
        if (!jobs::parallelFor(static_cast<std::size_t>(panels), stop, [&](std::size_t p) {
                const std::int64_t r0 = static_cast<std::int64_t>(p) * kTargetPanel;
                const std::int64_t n = std::min(kTargetPanel, rows - r0);
                MatrixD t0 = early.empty() ? targetProduct(w, cross, cols, r0, n) : std::move(early[p]);
                MatrixD t(n, cols);
                for (std::int64_t c = 0; c < cols; ++c) t.col(c) = t0.col(order[static_cast<std::size_t>(c)]);
                t0.resize(0, 0);
                t = t * u.triangularView<Eigen::Upper>().transpose();
                t = t * u.triangularView<Eigen::Upper>();
                for (std::int64_t c = 0; c < cols; ++c) {
                    const std::int64_t o = order[static_cast<std::size_t>(c)];
                    for (std::int64_t r = 0; r < n; ++r) {
                        const double v = static_cast<double>(w(r0 + r, o)) + options.asymmetry * t(r, c);
                        if (!std::isfinite(v)) overflow = true;
                        w(r0 + r, o) = static_cast<float>(v);
                    }
                }
            }))
            return cancelled();
        if (overflow) return invalid("asymmetric target overflowed");
        early.clear();
    }

    // The scale search's per-column importance, normalised to mean 1 (the searches are scale
    // invariant up to float rounding; this keeps tiny or huge Hessians in float range).
    Eigen::VectorXd imp(cols);
    for (std::int64_t c = 0; c < cols; ++c)
        imp(c) = options.importance == GgufGptqImportance::InverseFactor ? 1.0 / (u(c, c) * u(c, c))
                                                                          : diag(c) + out.damp;
    auto normalised = [cols, &order](const Eigen::VectorXd& v) {
        const double mean = v.mean();
        std::vector<float> n(static_cast<std::size_t>(cols)); // original column order
        for (std::int64_t c = 0; c < cols; ++c)
            n[static_cast<std::size_t>(order[static_cast<std::size_t>(c)])] = mean > 0.0 ? static_cast<float>(v(c) / mean) : 1.0f;
        return n;
    };
    const std::vector<float> importance = normalised(imp);
    Eigen::VectorXd other(cols);
    for (std::int64_t c = 0; c < cols; ++c)
        other(c) = options.importance == GgufGptqImportance::InverseFactor ? diag(c) + out.damp : 1.0 / (u(c, c) * u(c, c));
    const std::vector<float> otherImportance = normalised(other);

    const std::int64_t lazy = (std::max<std::int64_t>(options.lazyColumns, block) + block - 1) / block * block;
    const SweepContext ctx{type, cols, block, blockBytes, rowBytes, lazy, &u, &order, &importance, &otherImportance, &w, &options, &out};
    const std::int64_t perTask = options.rowsPerTask;
    const auto tasks = static_cast<std::size_t>((rows + perTask - 1) / perTask);
    std::atomic<bool> stopped{false};
    const bool done = jobs::parallelFor(tasks, stop, [&](std::size_t t) {
        const std::int64_t r0 = static_cast<std::int64_t>(t) * perTask;
        if (!sweepRows(ctx, r0, std::min(perTask, rows - r0), stop)) stopped = true;
    });
    if (!done || stopped) return cancelled();
    u.resize(0, 0);

    if (options.refinePasses > 0) {
        MatrixD hd = Eigen::Map<const RowMajorD>(hessian.data(), cols, cols);
        for (std::int64_t c = 0; c < cols; ++c) {
            if (hd(c, c) == 0.0) hd(c, c) = 1.0; // dead columns, as above
            hd(c, c) += out.damp;
        }
        const bool refined = jobs::parallelFor(tasks, stop, [&](std::size_t t) {
            const std::int64_t r0 = static_cast<std::int64_t>(t) * perTask;
            if (!refineRows(type, cols, block, blockBytes, rowBytes, hd, w, options.refinePasses, out, r0,
                            std::min(perTask, rows - r0), stop))
                stopped = true;
        });
        if (!refined || stopped) return cancelled();
    }

    // Loss with the caller's H, per row chunk (parallel, summed in chunk order).
    const Eigen::Map<const RowMajorD> hOrig(hessian.data(), cols, cols);
    const Eigen::Map<const RowMajorF> wOrig(weight.data(), rows, cols);
    const Eigen::Map<const RowMajorF> wq(out.dequantized.data(), rows, cols);
    std::vector<double> partial(tasks, 0.0);
    if (!jobs::parallelFor(tasks, stop, [&](std::size_t t) {
            const std::int64_t r0 = static_cast<std::int64_t>(t) * perTask;
            const std::int64_t n = std::min(perTask, rows - r0);
            const MatrixD d = wOrig.middleRows(r0, n).cast<double>() - wq.middleRows(r0, n).cast<double>();
            const MatrixD dh = d * hOrig;
            partial[t] = dh.cwiseProduct(d).sum();
        }))
        return cancelled();
    for (double p : partial) out.loss += p;
    if (!std::isfinite(out.loss))
        return invalid("error compensation overflowed (Hessian too ill-conditioned after damping " +
                       std::to_string(out.percDampUsed) + ")");
    return out;
}

} // namespace

} // namespace condense::quant
