#include "core/quant/gptq_factor.h"

#include <algorithm>

#include <Eigen/Cholesky>

namespace condense::quant {

namespace {

using MatrixD = Eigen::MatrixXd;

// Work is split into panels so a stop request is seen within one panel's products (well
// under a second at 5632 columns).
constexpr Eigen::Index kPanel = 64;
constexpr Eigen::Index kCholeskyPanel = 128;

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
    auto b = m.topRightCorner(k, n - k);
    for (Eigen::Index j = 0; j < n - k; j += kPanel) { // B <- A^-1 B, column panels
        if (stop.stop_requested()) return false;
        const Eigen::Index w = std::min(kPanel, n - k - j);
        const MatrixD t = m.topLeftCorner(k, k).triangularView<Eigen::Upper>() * b.middleCols(j, w);
        b.middleCols(j, w) = t;
    }
    for (Eigen::Index i = 0; i < k; i += kPanel) { // B <- -B C^-1, row panels
        if (stop.stop_requested()) return false;
        const Eigen::Index h = std::min(kPanel, k - i);
        const MatrixD t = b.middleRows(i, h) * m.bottomRightCorner(n - k, n - k).triangularView<Eigen::Upper>();
        b.middleRows(i, h) = -t;
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
            a.block(k + b, k + b, rest, rest).selfadjointView<Eigen::Lower>().rankUpdate(below, -1.0);
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

} // namespace condense::quant
