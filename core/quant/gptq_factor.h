#pragma once
// The factorisation GPTQ's column sweep runs on (gptq.h step 5, and GPTQ inside ggml block
// formats, gptq_ggml.h): U, the upper Cholesky factor of (H + damp I)^-1 (H^-1 = U^T U), without
// forming H^-1. With J the order reversal, J H J = L L^T gives H = R R^T, R = J L J upper
// triangular, so H^-1 = R^-T R^-1 and U = R^-1 (upper, positive diagonal: the unique factor).
// One factorisation and one triangular inversion (n^3 / 3 + n^3 / 3 multiply-adds), both in
// panels so a stop request is seen within well under a second at 5632 columns.

#include <cstdint>
#include <functional>
#include <stop_token>

#include <Eigen/Core>

namespace condense::quant {

enum class GptqFactor : std::uint8_t { Ok, NotPositiveDefinite, Stopped };

// `reversed` is J H J (undamped, column-major); `u` receives U (the strict lower triangle zero).
GptqFactor gptqUpperInverseFactor(const Eigen::MatrixXd& reversed, double damp, Eigen::MatrixXd& u,
                                  const std::stop_token& stop);

// In place: `u` holds J H J (undamped, column-major, n x n; only its lower triangle is read) and
// receives U; no second n x n matrix is held. On NotPositiveDefinite or Stopped `u` is garbage.
GptqFactor gptqUpperInverseFactorInPlace(Eigen::MatrixXd& u, double damp, const std::stop_token& stop);

// The damping both GPTQ sweeps use: damp = percDamp * meanDiagonal; while the factorisation
// fails, percDamp grows by dampIncrement as long as it stays below 1 (GPTQModel's
// damp_auto_increment; 0: one try). `damp` / `percDampUsed` receive the last values tried.
GptqFactor gptqDampedFactor(const Eigen::MatrixXd& reversed, double meanDiagonal, double percDamp, double dampIncrement,
                            Eigen::MatrixXd& u, double& damp, double& percDampUsed, const std::stop_token& stop);

// The same without a copy of J H J: `fillReversed` writes it into `u` (resized n x n) before
// each try, so the peak is one n x n matrix besides the caller's H (254 MB less at 5632 columns).
GptqFactor gptqDampedFactor(const std::function<void(Eigen::MatrixXd&)>& fillReversed, double meanDiagonal, double percDamp,
                            double dampIncrement, Eigen::MatrixXd& u, double& damp, double& percDampUsed,
                            const std::stop_token& stop);

} // namespace condense::quant
