// GPTQ inside ggml block formats (core/quant/gptq_ggml.h), for every type it writes:
// (a) with H = c I no error is fed back: the bytes are the type's own quantizer's with a
//     constant importance (llama-quantize's imatrix path);
// (b) on a small correlated layer it equals a naive column-by-column OBQ sweep written here
//     (explicit inverse Hessian, rank-one downdate after every column, no Cholesky factor, no
//     lazy batches), with and without act-order inside the blocks, that shares only the block
//     codec (BlockGrid);
// (c) on a correlated Hessian its layer-output error tr(dW H dW^T) is below imatrix
//     round-to-nearest's with importance diag(H);
// (d) the type's dequantizer decodes the bytes to exactly the returned floats;
// (e) asymmetric calibration (a cross matrix D): the result is the plain sweep on a naive
//     least-squares target W + a W D (H + damp I)^-1 (direct solve), D = 0 or a = 0 changes
//     nothing, and the error against the original outputs sum |Q xq - W xo|^2 drops;
// (f) refinement after the sweep ends in a local minimum of the damped loss under its moves,
//     checked by naive loss recomputation;
// and bad input (type, shapes, a Hessian that damping cannot make positive definite, with and
// without the damping retry) and cancellation.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Dense>

#include "core/quant/block_grid.h"
#include "core/quant/gptq.h"
#include "core/quant/gptq_ggml.h"
#include "core/quant/quant_registry.h"

namespace condense::quant {
namespace {

const DType kTypes[] = {DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q3_K,
                        DType::Q2_K, DType::IQ4_XS, DType::Q4_0, DType::Q8_0};

constexpr std::int64_t kRows = 24;
constexpr std::int64_t kCols = 512;
constexpr std::int64_t kTokens = 2048;

// Naive double OBQ vs the Cholesky / lazy-batch sweep: codes may differ only where a value
// sits within rounding of a decision boundary; none do on these inputs.
constexpr double kMaxDifferentCodeFraction = 0.0;

std::string name(DType t) { return std::string(dtypeName(t)); }

std::vector<float> makeWeight(std::int64_t rows, std::int64_t cols, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, 0.02f);
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    for (float& x : w) {
        x = n(rng);
        if (rng() % 97 == 0) x *= 6.0f; // a few outliers
    }
    return w;
}

// X^T X of correlated inputs with column scales spread over two decades.
std::vector<double> makeHessian(std::int64_t cols, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> n(0.0, 1.0);
    Eigen::MatrixXd mix = Eigen::MatrixXd::Identity(cols, cols);
    for (std::int64_t i = 0; i < cols; ++i)
        for (std::int64_t k = 1; k <= 4 && i + k < cols; ++k) mix(i + k, i) = 0.5 * n(rng);
    const Eigen::MatrixXd shared = Eigen::MatrixXd::NullaryExpr(kTokens, 4, [&] { return n(rng); });
    const Eigen::MatrixXd load = Eigen::MatrixXd::NullaryExpr(4, cols, [&] { return n(rng); });
    Eigen::MatrixXd x = Eigen::MatrixXd::NullaryExpr(kTokens, cols, [&] { return n(rng); }) * mix + shared * load;
    for (std::int64_t c = 0; c < cols; ++c) x.col(c) *= std::pow(10.0, 2.0 * static_cast<double>(rng() % 1000) / 1000.0 - 1.0);
    const Eigen::MatrixXd h = x.transpose() * x;
    std::vector<double> out(static_cast<std::size_t>(cols * cols));
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(out.data(), cols, cols) = h;
    return out;
}

std::vector<float> dequantize(DType type, const std::vector<std::uint8_t>& bytes, std::int64_t rows, std::int64_t cols)
{
    std::vector<float> out(static_cast<std::size_t>(rows * cols));
    EXPECT_TRUE(dequantizeRows(type, bytes.data(), out.data(), rows, cols));
    return out;
}

// The naive sweep: for every column in order, the block's search at its first column on the
// current row (importance as gptq_ggml.h states it), the code on the block's scales, then
// w_k -= (w_c - q) / Hinv_cc * Hinv_ck for every later k and Hinv <- Hinv - Hinv_:c Hinv_c: / Hinv_cc.
std::vector<std::uint8_t> naiveSweep(DType type, const std::vector<float>& weight, std::int64_t rows,
                                     std::int64_t cols, const std::vector<double>& hessian,
                                     const GgufGptqOptions& o)
{
    const int block = BlockGrid::elements(type);
    const auto blockBytes = static_cast<std::size_t>(BlockGrid::bytes(type));
    const std::size_t rowBytes = static_cast<std::size_t>(cols / block) * blockBytes;
    // Processing order: blocks in order, inside each by descending H_cc with act-order.
    std::vector<std::int64_t> order(static_cast<std::size_t>(cols));
    for (std::int64_t c = 0; c < cols; ++c) order[static_cast<std::size_t>(c)] = c;
    auto hOf = [&](std::int64_t i, std::int64_t j) { return hessian[static_cast<std::size_t>(i * cols + j)]; };
    if (o.actOrder)
        for (std::int64_t b = 0; b < cols; b += block)
            std::stable_sort(order.begin() + b, order.begin() + b + block,
                             [&](std::int64_t a, std::int64_t c) { return hOf(a, a) > hOf(c, c); });
    Eigen::MatrixXd h(cols, cols); // in processing order
    for (std::int64_t i = 0; i < cols; ++i)
        for (std::int64_t j = 0; j < cols; ++j) h(i, j) = hOf(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    const double damp = o.percDamp * h.diagonal().mean();
    h.diagonal().array() += damp;
    const Eigen::MatrixXd hinv0 = h.inverse();

    // Row c of the inverse Hessian of the columns not yet quantized when c is reached (the same
    // for every row of W): the explicit downdate after each column.
    Eigen::MatrixXd hinvRows = Eigen::MatrixXd::Zero(cols, cols);
    {
        Eigen::MatrixXd hinv = hinv0;
        for (std::int64_t c = 0; c < cols; ++c) {
            hinvRows.row(c) = hinv.row(c);
            const std::int64_t rest = cols - c - 1;
            const Eigen::VectorXd col = hinv.col(c).tail(rest);
            hinv.bottomRightCorner(rest, rest) -= col * col.transpose() / hinv(c, c);
        }
    }
    // Importance: diag(H) + damp, or 1 / Hinv_cc at the time column c is reached.
    Eigen::VectorXd imp(cols);
    for (std::int64_t c = 0; c < cols; ++c)
        imp(c) = o.importance == GgufGptqImportance::InverseFactor ? 1.0 / hinvRows(c, c) : h(c, c);
    std::vector<float> qw(static_cast<std::size_t>(cols)); // original column order
    for (std::int64_t c = 0; c < cols; ++c) qw[static_cast<std::size_t>(order[static_cast<std::size_t>(c)])] = static_cast<float>(imp(c) / imp.mean());

    std::vector<std::uint8_t> bytes(rowBytes * static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) {
        std::vector<double> w(static_cast<std::size_t>(cols)); // processing order
        for (std::int64_t c = 0; c < cols; ++c) w[static_cast<std::size_t>(c)] = weight[static_cast<std::size_t>(r * cols + order[static_cast<std::size_t>(c)])];
        float sigma2 = 0.0f;
        for (std::int64_t c = 0; c < cols; ++c) sigma2 += weight[static_cast<std::size_t>(r * cols + c)] * weight[static_cast<std::size_t>(r * cols + c)];
        sigma2 /= static_cast<float>(cols);
        BlockGrid grid;
        std::vector<double> seen(static_cast<std::size_t>(block));
        for (std::int64_t c = 0; c < cols; ++c) {
            const std::int64_t c0 = c / block * block;
            const int e = static_cast<int>(order[static_cast<std::size_t>(c)] - c0);
            std::uint8_t* dst = bytes.data() + static_cast<std::size_t>(r) * rowBytes + static_cast<std::size_t>(c / block) * blockBytes;
            if (c == c0) {
                std::vector<float> x(static_cast<std::size_t>(block));
                for (int j = 0; j < block; ++j) {
                    const auto el = static_cast<std::size_t>(order[static_cast<std::size_t>(c + j)] - c0);
                    seen[el] = w[static_cast<std::size_t>(c + j)];
                    x[el] = static_cast<float>(w[static_cast<std::size_t>(c + j)]);
                }
                BlockGrid::search(type, x.data(), qw.data() + c, sigma2, dst);
                grid.decode(type, dst);
            }
            const double v = w[static_cast<std::size_t>(c)];
            int code = BlockGrid::code(type, dst, e);
            if (v != seen[static_cast<std::size_t>(e)]) {
                const int nearest = grid.nearestCode(e, static_cast<float>(v));
                if (nearest >= 0) code = nearest;
                BlockGrid::setCode(type, dst, e, code);
            }
            const double q = grid.value(e, code);
            const double err = (v - q) / hinvRows(c, c);
            for (std::int64_t k = c + 1; k < cols; ++k) w[static_cast<std::size_t>(k)] -= err * hinvRows(c, k);
        }
    }
    return bytes;
}

TEST(GgufGptq, IdentityHessianIsTheQuantizerWithConstantImportance)
{
    const auto w = makeWeight(kRows, kCols, 1);
    std::vector<double> h(static_cast<std::size_t>(kCols * kCols), 0.0);
    for (std::int64_t i = 0; i < kCols; ++i) h[static_cast<std::size_t>(i * kCols + i)] = 4.0;
    const std::vector<float> ones(static_cast<std::size_t>(kCols), 1.0f);
    for (DType type : kTypes) {
        const std::size_t bytes = static_cast<std::size_t>(kRows * kCols / BlockGrid::elements(type) * BlockGrid::bytes(type));
        std::vector<std::uint8_t> expected(bytes);
        ASSERT_TRUE(quantizeRows(type, w.data(), expected.data(), kRows, kCols, ones.data()));
        for (auto mode : {GgufGptqImportance::HessianDiagonal, GgufGptqImportance::InverseFactor}) {
            for (double pd : {0.0, 0.01}) {
                GgufGptqOptions o;
                o.importance = mode;
                o.percDamp = pd;
                o.scaleCandidates = false; // the search's own scales (the candidates may beat them)
                auto r = ggufGptqQuantize(type, w, kRows, kCols, h, o);
                ASSERT_TRUE(r.ok()) << name(type) << ": " << describe(r.error());
                EXPECT_EQ(r->bytes, expected) << name(type) << " damping " << pd;
            }
        }
    }
}

TEST(GgufGptq, EqualsNaiveColumnByColumnSweep)
{
    constexpr std::int64_t rows = 6;
    const auto w = makeWeight(rows, kCols, 2);
    const auto h = makeHessian(kCols, 3);
    for (DType type : kTypes) {
        for (auto mode : {GgufGptqImportance::HessianDiagonal, GgufGptqImportance::InverseFactor}) {
          for (bool actOrder : {false, true}) {
            GgufGptqOptions o;
            o.importance = mode;
            o.actOrder = actOrder;
            o.scaleCandidates = false; // the naive sweep runs the search alone
            o.lazyColumns = 128; // lazy batches of several blocks for Q4_0 / Q8_0, one block for the rest
            o.rowsPerTask = 4;   // a partial last task
            auto r = ggufGptqQuantize(type, w, rows, kCols, h, o);
            ASSERT_TRUE(r.ok()) << name(type) << ": " << describe(r.error());
            const auto naive = naiveSweep(type, w, rows, kCols, h, o);
            const auto a = dequantize(type, r->bytes, rows, kCols);
            const auto b = dequantize(type, naive, rows, kCols);
            std::int64_t differ = 0;
            for (std::size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
            EXPECT_LE(static_cast<double>(differ), kMaxDifferentCodeFraction * static_cast<double>(a.size()))
                << name(type) << " mode " << static_cast<int>(mode) << " act-order " << actOrder << ": " << differ
                << " values differ";
            EXPECT_EQ(r->bytes == naive, differ == 0) << name(type);
          }
        }
    }
}

TEST(GgufGptq, LowerOutputErrorThanImatrixRoundToNearestAndDecodesExactly)
{
    const auto w = makeWeight(kRows, kCols, 4);
    const auto h = makeHessian(kCols, 5);
    std::vector<float> diag(static_cast<std::size_t>(kCols));
    for (std::int64_t c = 0; c < kCols; ++c) diag[static_cast<std::size_t>(c)] = static_cast<float>(h[static_cast<std::size_t>(c * kCols + c)] / kTokens);
    for (DType type : kTypes) {
        const std::size_t bytes = static_cast<std::size_t>(kRows * kCols / BlockGrid::elements(type) * BlockGrid::bytes(type));
        std::vector<std::uint8_t> rtn(bytes);
        ASSERT_TRUE(quantizeRows(type, w.data(), rtn.data(), kRows, kCols, diag.data()));
        const double rtnLoss = gptqOutputError(w, dequantize(type, rtn, kRows, kCols), kRows, kCols, h);
        for (auto mode : {GgufGptqImportance::HessianDiagonal, GgufGptqImportance::InverseFactor}) {
            GgufGptqOptions o;
            o.importance = mode;
            auto r = ggufGptqQuantize(type, w, kRows, kCols, h, o);
            ASSERT_TRUE(r.ok()) << name(type) << ": " << describe(r.error());
            ASSERT_EQ(r->bytes.size(), bytes);
            // (d) the file's values are the sweep's values, bit for bit.
            EXPECT_EQ(dequantize(type, r->bytes, kRows, kCols), r->dequantized) << name(type);
            EXPECT_NEAR(r->loss, gptqOutputError(w, r->dequantized, kRows, kCols, h), 1e-9 * r->loss) << name(type);
            // (c)
            EXPECT_LT(r->loss, rtnLoss) << name(type) << " mode " << static_cast<int>(mode);
            // The scale candidates and sub-scale descent only ever keep what lowers a block's
            // GPTQ loss: the whole sweep ends lower than with the search alone.
            GgufGptqOptions plain = o;
            plain.scaleCandidates = false;
            auto searchOnly = ggufGptqQuantize(type, w, kRows, kCols, h, plain);
            ASSERT_TRUE(searchOnly.ok());
            EXPECT_LT(searchOnly->loss, rtnLoss) << name(type);
            EXPECT_LE(r->loss, searchOnly->loss) << name(type);
            std::printf("%-7s mode %d  loss / imatrix RTN's: search only %.3f, with candidates %.3f\n", name(type).c_str(),
                        static_cast<int>(mode), searchOnly->loss / rtnLoss, r->loss / rtnLoss);
        }
    }
}

TEST(GgufGptq, BadInput)
{
    const auto w = makeWeight(4, 256, 6);
    std::vector<double> h(256 * 256, 0.0);
    for (int i = 0; i < 256; ++i) h[static_cast<std::size_t>(i * 256 + i)] = 1.0;
    EXPECT_EQ(ggufGptqQuantize(DType::Q5_0, w, 4, 256, h).error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(ggufGptqQuantize(DType::Q4_K, w, 8, 128, std::vector<double>(128 * 128, 1.0)).error().code,
              ErrorCode::InvalidArgument); // 128 columns: not a whole Q4_K block
    EXPECT_EQ(ggufGptqQuantize(DType::Q4_K, w, 4, 256, std::vector<double>(10, 1.0)).error().code,
              ErrorCode::InvalidArgument);
    auto nan = w;
    nan[3] = std::nanf("");
    EXPECT_EQ(ggufGptqQuantize(DType::Q4_K, nan, 4, 256, h).error().code, ErrorCode::InvalidArgument);

    // Indefinite: 1 on the diagonal, 0.9 off it in one 2 x 2 corner with -1: eigenvalue < 0 that
    // 1 % damping cannot lift, 20 % can.
    auto bad = h;
    bad[0] = 1.0;
    bad[1] = bad[256] = 1.5;
    bad[257] = 1.0;
    auto r = ggufGptqQuantize(DType::Q4_K, w, 4, 256, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(describe(r.error()).find("positive definite"), std::string::npos) << describe(r.error());
    GgufGptqOptions o;
    o.dampIncrement = 0.1;
    auto retried = ggufGptqQuantize(DType::Q4_K, w, 4, 256, bad, o);
    ASSERT_TRUE(retried.ok()) << describe(retried.error());
    EXPECT_GT(retried->percDampUsed, o.percDamp);

    // Dead column: zero row and column in H, the weight column becomes 0.
    auto dead = h;
    dead[5 * 256 + 5] = 0.0;
    auto d = ggufGptqQuantize(DType::Q8_0, w, 4, 256, dead);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->deadColumns, 1);
    for (int r2 = 0; r2 < 4; ++r2) EXPECT_EQ(d->dequantized[static_cast<std::size_t>(r2 * 256 + 5)], 0.0f);
}

TEST(GgufGptq, Cancellation)
{
    const auto w = makeWeight(kRows, kCols, 7);
    const auto h = makeHessian(kCols, 8);
    std::stop_source src;
    src.request_stop();
    auto r = ggufGptqQuantize(DType::Q4_K, w, kRows, kCols, h, {}, src.get_token());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);

    // A request in the middle of a larger layer (3072 columns: seconds of work) is seen within
    // a second.
    constexpr std::int64_t cols = 3072;
    std::vector<double> big(static_cast<std::size_t>(cols * cols));
    for (std::int64_t i = 0; i < cols; ++i)
        for (std::int64_t j = 0; j < cols; ++j)
            big[static_cast<std::size_t>(i * cols + j)] = std::exp(-std::abs(static_cast<double>(i - j)) / 8.0);
    const auto wb = makeWeight(64, cols, 9);
    std::stop_source stop;
    std::chrono::steady_clock::time_point requested;
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        requested = std::chrono::steady_clock::now();
        stop.request_stop();
    });
    auto rb = ggufGptqQuantize(DType::Q4_K, wb, 64, cols, big, {}, stop.get_token());
    const auto returned = std::chrono::steady_clock::now();
    stopper.join();
    ASSERT_FALSE(rb.ok());
    EXPECT_EQ(rb.error().code, ErrorCode::Cancelled);
    const double latency = std::chrono::duration<double>(returned - requested).count();
    // The latency is printed, not asserted: tests never assert wall-clock time (a loaded
    // machine can take longer); the benchmarks measure it.
    std::printf("[ stop     ] returned %.3f s after the request\n", latency);
}

// Asymmetric calibration (GPTQv2 / GPTAQ): inputs of the original model xo and of the quantized
// model xq = xo + a correlated drift; H = Xq^T Xq, D = (Xo - Xq)^T Xq.
struct PairedInputs {
    Eigen::MatrixXd xo, xq;
    std::vector<double> h, d;
};

PairedInputs makePairedInputs(std::int64_t cols, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> n(0.0, 1.0);
    PairedInputs p;
    const Eigen::MatrixXd shared = Eigen::MatrixXd::NullaryExpr(kTokens, 4, [&] { return n(rng); });
    const Eigen::MatrixXd load = Eigen::MatrixXd::NullaryExpr(4, cols, [&] { return n(rng); });
    p.xo = Eigen::MatrixXd::NullaryExpr(kTokens, cols, [&] { return n(rng); }) + shared * load;
    for (std::int64_t c = 0; c < cols; ++c) p.xo.col(c) *= std::pow(10.0, static_cast<double>(rng() % 1000) / 1000.0 - 0.5);
    // The drift: part noise, part a linear map of the input (as an upstream quantization error).
    const Eigen::MatrixXd drift = Eigen::MatrixXd::NullaryExpr(cols, cols, [&] { return 0.04 * n(rng); });
    p.xq = p.xo + p.xo * drift + Eigen::MatrixXd::NullaryExpr(kTokens, cols, [&] { return 0.1 * n(rng); });
    using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    p.h.resize(static_cast<std::size_t>(cols * cols));
    p.d.resize(static_cast<std::size_t>(cols * cols));
    Eigen::Map<RowMajorD>(p.h.data(), cols, cols) = p.xq.transpose() * p.xq;
    Eigen::Map<RowMajorD>(p.d.data(), cols, cols) = (p.xo - p.xq).transpose() * p.xq;
    return p;
}

// sum_t |Q xq_t - W xo_t|^2: the output error against the original model's outputs.
double asymmetricError(const std::vector<float>& w, const std::vector<float>& q, std::int64_t rows, std::int64_t cols,
                       const PairedInputs& p)
{
    using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::MatrixXd wm = Eigen::Map<const RowMajorF>(w.data(), rows, cols).cast<double>();
    const Eigen::MatrixXd qm = Eigen::Map<const RowMajorF>(q.data(), rows, cols).cast<double>();
    return (p.xq * qm.transpose() - p.xo * wm.transpose()).squaredNorm();
}

TEST(GgufGptq, AsymmetricSweepIsGptqOnTheNaiveLeastSquaresTarget)
{
    constexpr std::int64_t rows = 8;
    const auto w = makeWeight(rows, kCols, 11);
    const auto p = makePairedInputs(kCols, 12);
    using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::MatrixXd hm = Eigen::Map<const RowMajorD>(p.h.data(), kCols, kCols);
    const Eigen::MatrixXd dm = Eigen::Map<const RowMajorD>(p.d.data(), kCols, kCols);
    for (double a : {1.0, 0.25}) {
        GgufGptqOptions o;
        o.percDamp = 0.1;
        o.asymmetry = a;
        // The naive target: W' = W + a W D (H + damp I)^-1 by a direct solve in the natural order.
        const Eigen::MatrixXd hd = hm + o.percDamp * hm.diagonal().mean() * Eigen::MatrixXd::Identity(kCols, kCols);
        const Eigen::MatrixXd wm = Eigen::Map<const RowMajorF>(w.data(), rows, kCols).cast<double>();
        const Eigen::MatrixXd target = wm + a * hd.ldlt().solve((wm * dm).transpose()).transpose();
        std::vector<float> wt(w.size());
        Eigen::Map<RowMajorF>(wt.data(), rows, kCols) = target.cast<float>();
        for (DType type : kTypes) {
            auto r = ggufGptqQuantize(type, w, rows, kCols, p.h, p.d, o);
            ASSERT_TRUE(r.ok()) << name(type) << ": " << describe(r.error());
            auto ref = ggufGptqQuantize(type, wt, rows, kCols, p.h, o);
            ASSERT_TRUE(ref.ok());
            // The two targets differ by float rounding only: a code may move where a value sits
            // on a decision boundary, nowhere else.
            std::int64_t differ = 0;
            for (std::size_t i = 0; i < w.size(); ++i) differ += r->dequantized[i] != ref->dequantized[i];
            EXPECT_LE(differ, static_cast<std::int64_t>(w.size() / 200)) << name(type) << " a " << a << ": " << differ << " values differ";
            EXPECT_EQ(dequantize(type, r->bytes, rows, kCols), r->dequantized) << name(type);
        }
    }
}

TEST(GgufGptq, AsymmetricSweepLowersTheErrorAgainstTheOriginalOutputs)
{
    constexpr std::int64_t rows = 8;
    const auto w = makeWeight(rows, kCols, 13);
    const auto p = makePairedInputs(kCols, 14);
    for (DType type : kTypes) {
        GgufGptqOptions o;
        o.percDamp = 0.01;
        auto plain = ggufGptqQuantize(type, w, rows, kCols, p.h, o);
        ASSERT_TRUE(plain.ok()) << name(type);
        // No cross matrix, or a zero one, or asymmetry 0: the plain sweep's bytes.
        const std::vector<double> zero(p.d.size(), 0.0);
        auto z = ggufGptqQuantize(type, w, rows, kCols, p.h, zero, o);
        ASSERT_TRUE(z.ok());
        EXPECT_EQ(z->bytes, plain->bytes) << name(type);
        GgufGptqOptions off = o;
        off.asymmetry = 0.0;
        auto z2 = ggufGptqQuantize(type, w, rows, kCols, p.h, p.d, off);
        ASSERT_TRUE(z2.ok());
        EXPECT_EQ(z2->bytes, plain->bytes) << name(type);
        auto asym = ggufGptqQuantize(type, w, rows, kCols, p.h, p.d, o);
        ASSERT_TRUE(asym.ok()) << name(type);
        const double ePlain = asymmetricError(w, plain->dequantized, rows, kCols, p);
        const double eAsym = asymmetricError(w, asym->dequantized, rows, kCols, p);
        EXPECT_LT(eAsym, ePlain) << name(type);
        std::printf("%-7s error against the original outputs: plain GPTQ %.4g, asymmetric %.4g (%.3f)\n", name(type).c_str(),
                    ePlain, eAsym, eAsym / ePlain);
    }
    // The shrinkage of the correction with the calibration size: n / (n + c cols).
    EXPECT_DOUBLE_EQ(ggufGptqAsymmetry(1024, 768, 4.0), 0.25);
    EXPECT_DOUBLE_EQ(ggufGptqAsymmetry(65536, 256, 0.0), 1.0);
    EXPECT_EQ(ggufGptqAsymmetry(0, 256, 4.0), 0.0);
    EXPECT_LT(ggufGptqAsymmetry(16384, 768, 4.0), ggufGptqAsymmetry(65536, 768, 4.0));
    GgufGptqOptions o;
    const std::vector<double> shortCross(10, 0.0);
    EXPECT_FALSE(ggufGptqQuantize(DType::Q4_K, w, rows, kCols, p.h, shortCross, o).ok());
    auto bad = p.d;
    bad[5] = std::nan("");
    EXPECT_FALSE(ggufGptqQuantize(DType::Q4_K, w, rows, kCols, p.h, bad, o).ok());
}

// The consuming overload (D released early where W D is smaller) gives the same bits as the
// one that reads D where it lies, with rows below and above the column count, a dead column,
// and when the sweep is stopped.
TEST(GgufGptq, ConsumedCrossMatrixGivesTheSameBits)
{
    const auto p = makePairedInputs(kCols, 21);
    for (std::int64_t rows : {std::int64_t{8}, kCols + 24}) {
        auto w = makeWeight(rows, kCols, 22);
        auto h = p.h;
        for (std::int64_t i = 0; i < kCols; ++i) // a dead column: input 3 never seen
            h[static_cast<std::size_t>(3 * kCols + i)] = h[static_cast<std::size_t>(i * kCols + 3)] = 0.0;
        for (DType type : {DType::Q4_K, DType::Q6_K, DType::Q4_0}) {
            GgufGptqOptions o;
            o.percDamp = 0.05;
            o.asymmetry = 0.5;
            auto byView = ggufGptqQuantize(type, w, rows, kCols, h, p.d, o);
            ASSERT_TRUE(byView.ok()) << name(type) << ": " << describe(byView.error());
            auto consumed = ggufGptqQuantize(type, w, rows, kCols, h, std::vector<double>(p.d), o);
            ASSERT_TRUE(consumed.ok()) << name(type);
            EXPECT_EQ(consumed->bytes, byView->bytes) << name(type) << " rows " << rows;
            EXPECT_EQ(consumed->dequantized, byView->dequantized) << name(type) << " rows " << rows;
            EXPECT_EQ(consumed->deadColumns, 1);
        }
    }
    std::stop_source stopped;
    stopped.request_stop();
    const auto w = makeWeight(8, kCols, 23);
    auto r = ggufGptqQuantize(DType::Q4_K, w, 8, kCols, p.h, std::vector<double>(p.d), {}, stopped.get_token());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
}

// Refinement after the sweep (refinePasses): run to convergence, the result is a local minimum
// of the damped layer loss (w - q)^T (H + damp I) (w - q) of every row under every single move
// it tries (one code +-1, one sub-block scale / min code +-1), each checked here by recomputing
// the whole loss naively from the decoded block; and the loss is below the sweep's.
TEST(GgufGptq, RefinementEndsInANaiveLocalMinimum)
{
    constexpr std::int64_t rows = 3, cols = 256;
    const auto w = makeWeight(rows, cols, 21);
    const auto h = makeHessian(cols, 22);
    for (DType type : kTypes) {
        GgufGptqOptions o;
        o.percDamp = 0.1;
        auto sweep = ggufGptqQuantize(type, w, rows, cols, h, o);
        ASSERT_TRUE(sweep.ok()) << name(type);
        o.refinePasses = 100;
        auto r = ggufGptqQuantize(type, w, rows, cols, h, o);
        ASSERT_TRUE(r.ok()) << name(type);
        EXPECT_EQ(dequantize(type, r->bytes, rows, cols), r->dequantized) << name(type);
        const int block = BlockGrid::elements(type);
        const std::size_t blockBytes = static_cast<std::size_t>(BlockGrid::bytes(type));
        const std::size_t rowBytes = static_cast<std::size_t>(cols / block) * blockBytes;
        auto loss = [&](std::int64_t row, const std::vector<double>& q) {
            double l = 0;
            for (std::int64_t i = 0; i < cols; ++i)
                for (std::int64_t j = 0; j < cols; ++j)
                    l += (w[static_cast<std::size_t>(row * cols + i)] - q[static_cast<std::size_t>(i)]) *
                         (h[static_cast<std::size_t>(i * cols + j)] + (i == j ? r->damp : 0.0)) *
                         (w[static_cast<std::size_t>(row * cols + j)] - q[static_cast<std::size_t>(j)]);
            return l;
        };
        auto values = [&](const std::vector<std::uint8_t>& rowBytesOf) {
            std::vector<float> f(static_cast<std::size_t>(cols));
            EXPECT_TRUE(dequantizeRows(type, rowBytesOf.data(), f.data(), 1, cols));
            return std::vector<double>(f.begin(), f.end());
        };
        // The damped loss (what the refinement lowers; r->loss is with the undamped H).
        double refined = 0, swept = 0;
        for (std::int64_t row = 0; row < rows; ++row) {
            std::vector<double> a(static_cast<std::size_t>(cols)), b(static_cast<std::size_t>(cols));
            for (std::int64_t c = 0; c < cols; ++c) {
                a[static_cast<std::size_t>(c)] = r->dequantized[static_cast<std::size_t>(row * cols + c)];
                b[static_cast<std::size_t>(c)] = sweep->dequantized[static_cast<std::size_t>(row * cols + c)];
            }
            refined += loss(row, a);
            swept += loss(row, b);
        }
        EXPECT_LT(refined, swept) << name(type);
        std::printf("%-7s damped loss after refinement / the sweep's: %.4f\n", name(type).c_str(), refined / swept);
        int lo = 0, hi = 0;
        BlockGrid::subScaleRange(type, lo, hi);
        std::int64_t better = 0;
        for (std::int64_t row = 0; row < rows; ++row) {
            const std::vector<std::uint8_t> mine(r->bytes.begin() + static_cast<std::ptrdiff_t>(row * rowBytes),
                                                 r->bytes.begin() + static_cast<std::ptrdiff_t>((row + 1) * rowBytes));
            const double l0 = loss(row, values(mine));
            for (std::int64_t b = 0; b < cols / block; ++b) {
                BlockGrid g;
                g.decode(type, mine.data() + b * blockBytes);
                for (int e = 0; e < block; e += 3) { // every third element: the check is O(cols^2) per move
                    for (int step : {-1, 1}) {
                        auto moved = mine;
                        std::uint8_t* blk = moved.data() + b * blockBytes;
                        const int c = BlockGrid::code(type, blk, e) + step;
                        if (c < g.codeMin() || c > g.codeMax()) continue;
                        BlockGrid::setCode(type, blk, e, c);
                        better += loss(row, values(moved)) < l0 * (1 - 1e-12);
                    }
                }
                for (int p = 0; p < BlockGrid::subScaleParams(type); ++p) {
                    for (int step : {-1, 1}) {
                        auto moved = mine;
                        std::uint8_t* blk = moved.data() + b * blockBytes;
                        const int v = BlockGrid::subScale(type, blk, p) + step;
                        if (v < lo || v > hi) continue;
                        BlockGrid::setSubScale(type, blk, p, v);
                        better += loss(row, values(moved)) < l0 * (1 - 1e-12);
                    }
                }
            }
        }
        EXPECT_EQ(better, 0) << name(type) << ": single moves that still lower the loss";
    }
}

} // namespace
} // namespace condense::quant
