#include "core/quant/gptq_factor.h"

#include <algorithm>

#include <Eigen/Cholesky>

#include "core/quant/subtract_product.h"

namespace condense::quant {

namespace {

using MatrixD = Eigen::MatrixXd;

// Work is split into panels so a stop request is seen within one panel's products (well
// under a second at 5632 columns).
constexpr Eigen::Index kPanel = 64;
constexpr Eigen::Index kCholeskyPanel = 128;
// Row blocks (and column chunks) of the products handed to subtractProduct.
constexpr Eigen::Index kRowBlock = 256;

// In place: m (upper triangular, zeros below) becomes its inverse. Recursive halving,
// [A B; 0 C]^-1 = [A^-1, -A^-1 B C^-1; 0, C^-1], so the work is n^3/3 multiply-adds in
// triangular products instead of the n^3 of solving against the identity. False when stopped.
bool invertUpper(Eigen::Ref<MatrixD> m, const std::stop_token& stop)
{
    if (stop.stop_requested()) return false;
    const Eigen::Index n = m.rows();
    if (n <= kPanel) {
        MatrixD id = MatrixD::Identity(n, n);
        m.triangularView<Eigen::Upper>().solveInPlace(id);
        m = id;
        return true;
    }
    const Eigen::Index k = n / 2;
    if (!invertUpper(m.topLeftCorner(k, k), stop) || !invertUpper(m.bottomRightCorner(n - k, n - k), stop)) return false;
    // The products by subtractProduct (t = -(X Y)), restricted to the triangles' nonzero parts.
    const Eigen::Index ld = m.outerStride();
    double* base = m.data();
    const Eigen::Index cols = n - k;
    MatrixD t;
    for (Eigen::Index j = 0; j < cols; j += kPanel) { // B <- A^-1 B, column panels
        if (stop.stop_requested()) return false;
        const Eigen::Index w = std::min(kPanel, cols - j);
        t.setZero(k, w);
        for (Eigen::Index i0 = 0; i0 < k; i0 += kRowBlock) { // rows i0.. need A^-1's columns i0..k only
            const Eigen::Index i1 = std::min(k, i0 + kRowBlock);
            subtractProduct(t.data() + i0, k, base + i0 * ld + i0, ld, base + (k + j) * ld + i0, ld, i1 - i0, w, k - i0);
        }
        m.block(0, k + j, k, w) = -t;
    }
    // B <- -B C^-1, column chunks from the right (chunk j0..j1 reads B's columns 0..j1, which
    // are still the old ones), each needing C^-1's rows 0..j1 only.
    for (Eigen::Index j1 = cols; j1 > 0;) {
        if (stop.stop_requested()) return false;
        const Eigen::Index j0 = std::max<Eigen::Index>(0, j1 - kPanel);
        t.setZero(k, j1 - j0);
        subtractProduct(t.data(), k, base + k * ld, ld, base + (k + j0) * ld + k, ld, k, j1 - j0, j1);
        m.block(0, k + j0, k, j1 - j0) = t; // -(B C^-1)
        j1 = j0;
    }
    return true;
}

// In place: the lower Cholesky factor of a (right-looking, panels of kCholeskyPanel columns;
// the strict upper triangle is set to zero).
GptqFactor choleskyLower(MatrixD& a, const std::stop_token& stop)
{
    const Eigen::Index n = a.rows();
    for (Eigen::Index k = 0; k < n; k += kCholeskyPanel) {
        if (stop.stop_requested()) return GptqFactor::Stopped;
        const Eigen::Index b = std::min(kCholeskyPanel, n - k);
        const Eigen::Index rest = n - k - b;
        Eigen::Ref<MatrixD> top = a.block(k, k, b, b);
        const Eigen::LLT<Eigen::Ref<MatrixD>> diag(top); // in place
        if (diag.info() != Eigen::Success) return GptqFactor::NotPositiveDefinite;
        if (rest > 0) {
            auto below = a.block(k + b, k, rest, b);
            a.block(k, k, b, b).triangularView<Eigen::Lower>().transpose().solveInPlace<Eigen::OnTheRight>(below);
            // The trailing lower triangle -= below below^T, by column chunks (rows from the
            // chunk's first column down; the few upper entries a chunk also updates are cleared
            // at the end and never read).
            const MatrixD bt = below.transpose();
            const Eigen::Index ld = a.outerStride();
            double* trailing = a.data() + (k + b) * ld + (k + b);
            const double* bl = a.data() + k * ld + (k + b);
            for (Eigen::Index j0 = 0; j0 < rest; j0 += kRowBlock) {
                if (stop.stop_requested()) return GptqFactor::Stopped;
                const Eigen::Index w = std::min(kRowBlock, rest - j0);
                subtractProduct(trailing + j0 * ld + j0, ld, bl + j0, ld, bt.data() + j0 * b, b, rest - j0, w, b);
            }
        }
    }
    a.triangularView<Eigen::StrictlyUpper>().setZero();
    return GptqFactor::Ok;
}

} // namespace

GptqFactor gptqUpperInverseFactor(const Eigen::MatrixXd& reversed, double damp, Eigen::MatrixXd& u,
                                  const std::stop_token& stop)
{
    u = reversed;
    return gptqUpperInverseFactorInPlace(u, damp, stop);
}

GptqFactor gptqUpperInverseFactorInPlace(Eigen::MatrixXd& u, double damp, const std::stop_token& stop)
{
    u.diagonal().array() += damp;
    const GptqFactor f = choleskyLower(u, stop);
    if (f != GptqFactor::Ok) return f;
    u.reverseInPlace(); // no n x n temporary (254 MB at 5632 columns)
    if (!invertUpper(u, stop)) return GptqFactor::Stopped;
    return u.allFinite() && (u.diagonal().array() > 0.0).all() ? GptqFactor::Ok : GptqFactor::NotPositiveDefinite;
}

GptqFactor gptqDampedFactor(const Eigen::MatrixXd& reversed, double meanDiagonal, double percDamp, double dampIncrement,
                            Eigen::MatrixXd& u, double& damp, double& percDampUsed, const std::stop_token& stop)
{
    for (double pd = percDamp;; pd += dampIncrement) {
        percDampUsed = pd;
        damp = pd * meanDiagonal;
        const GptqFactor f = gptqUpperInverseFactor(reversed, damp, u, stop);
        if (f != GptqFactor::NotPositiveDefinite) return f;
        if (dampIncrement <= 0.0 || pd + dampIncrement >= 1.0) return f;
    }
}

GptqFactor gptqDampedFactor(const std::function<void(Eigen::MatrixXd&)>& fillReversed, double meanDiagonal, double percDamp,
                            double dampIncrement, Eigen::MatrixXd& u, double& damp, double& percDampUsed,
                            const std::stop_token& stop)
{
    for (double pd = percDamp;; pd += dampIncrement) {
        percDampUsed = pd;
        damp = pd * meanDiagonal;
        fillReversed(u);
        const GptqFactor f = gptqUpperInverseFactorInPlace(u, damp, stop);
        if (f != GptqFactor::NotPositiveDefinite) return f;
        if (dampIncrement <= 0.0 || pd + dampIncrement >= 1.0) return f;
    }
}

} // namespace condense::quant
