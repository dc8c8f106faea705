#pragma once
// AWQ (Lin, Tang, Tang, Yang, Chen, Wang, Xiao, Dang, Gan, Han, "AWQ: Activation-aware Weight
// Quantization for LLM Compression and Acceleration", MLSys 2024): the per-linear arithmetic,
// as AutoAWQ runs it (casper-hansen/AutoAWQ awq/quantize/quantizer.py, scale.py;
// ../shared/reference/formats.md section 7.1). The model-level procedure (capture, scaling
// groups, folding, the order of the steps) is core/model/awq_model.h.
//
// W is rows x cols floats, row-major (row = output channel, column = input channel); groups are
// `groupSize` consecutive columns of one row (the whole row when groupSize is -1).
//
// Pseudo-quantization of one group w (pseudo_quantize_tensor), maxInt = 2^bits - 1:
//   zero point (asymmetric, default):
//     scale = max(max w - min w, 1e-5) / maxInt       (the range is NOT widened to hold 0)
//     zero  = clamp(-round(min w / scale), 0, maxInt)
//     q     = clamp(round(w / scale) + zero, 0, maxInt),   value = (q - zero) * scale
//   symmetric:
//     scale = max(max |w|, 1e-5) / (2^(bits-1) - 1)
//     q     = clamp(round(w / scale), -2^(bits-1), 2^(bits-1) - 1),   value = q * scale
//     (as a GptqResult: code = q + 2^(bits-1), zero = 2^(bits-1))
//   round = half to even (torch.round).
// awqFakeQuantize computes with float scales (the search); awqQuantize, the final step, rounds
// each scale to f16 first when halfScales (AutoAWQ stores fp16 scales) and derives zero and q
// from that scale, so `dequantized` is exactly what the checkpoint decodes.
//
// Scale search of one scaling group (linears sharing an input x), grid step k < nGrid,
// alpha = k / nGrid:
//   x_mean[j] = mean over tokens of |x[:, j]|
//   w_mean[j] = mean over the rows of all the group's linears of |W[r, j]| / (max |W[r, g(j)]| + 1e-6)
//   s = duoScaling ? x_mean^alpha / (w_mean^(1 - alpha) + 1e-4) : x_mean^alpha;  s = max(s, 1e-4)
//   s = s / sqrt(max s * min s);  non-finite s -> 1
//   loss(s) measured by the caller with W <- Q(W diag(s)) diag(s)^-1 in every linear of the group;
//   the first step with the strictly smallest loss wins (so equal losses keep alpha = 0).
//
// Clipping search of one linear (apply_clip; the caller skips q and k): x = up to
// clipSampleTokens rows of its input, already divided by the group's s, every
// ceil(n / clipSampleTokens)-th token (AutoAWQ strides by floor(n / 512), which may take up to
// 1023 rows; the two agree when n is a multiple of 512); for each row r and group g:
//   m0 = max |W[r, g]|;  for t < int(maxShrink * nGrid): m = m0 (1 - t / nGrid)
//   err(m) = mean over the sampled tokens of ( sum_{j in g} x_j (Q(clamp(W, -m, m)) - W)[r, j] )^2
//   keep the first m with the strictly smallest err (t = 0 is no clipping, so the kept error
//   never exceeds the unclipped one), then W[r, g] <- clamp(W[r, g], -m, m).
//
// Errors (InvalidArgument, naming the problem): bits outside 2..8, a group size that is 0, < -1
// or does not divide the columns, sizes that do not match, non-finite weights, nGrid < 1,
// maxShrink outside [0, 1). Long loops honour a stop request (ErrorCode::Cancelled).

#include <cstdint>
#include <functional>
#include <span>
#include <stop_token>
#include <vector>

#include "core/common/result.h"
#include "core/quant/gptq.h"

namespace condense::quant {

struct AwqOptions {
    int bits = 4;                 // 2 .. 8
    std::int64_t groupSize = 128; // -1: one group per row
    bool zeroPoint = true;        // asymmetric (AutoAWQ's default); false: symmetric
    bool duoScaling = true;
    int nGrid = 20;
    bool applyClip = true;
    double maxShrink = 0.5;
    std::int64_t clipSampleTokens = 512;
    bool halfScales = true; // final scales rounded to f16
};

// Checks the options against a linear with `cols` input columns.
Status checkAwqOptions(const AwqOptions& options, std::int64_t cols);

// In place: w <- Q(w) with float scales (the search's pseudo-quantization).
void awqFakeQuantize(std::span<float> w, std::int64_t rows, std::int64_t cols, const AwqOptions& options);

// The final pseudo-quantization as a GptqResult (natural groups, gIdx[c] = c / groupSize, order
// the identity, scales and zeros groups x rows, zeros the true zero points).
Result<GptqResult> awqQuantize(std::span<const float> w, std::int64_t rows, std::int64_t cols,
                               const AwqOptions& options);

// One linear of a scaling group (rows x cols, row-major).
struct AwqMatrix {
    std::span<const float> values;
    std::int64_t rows = 0;
};

// w_mean over the rows of all `linears` (same cols).
std::vector<double> awqWeightMean(std::span<const AwqMatrix> linears, std::int64_t cols, std::int64_t groupSize);

// The scales of one grid step (see above).
std::vector<float> awqStepScales(std::span<const double> xMean, std::span<const double> wMean, double alpha,
                                 bool duoScaling);

struct AwqScaleSearch {
    int bestStep = 0;
    double alpha = 0.0;
    std::vector<float> scales;  // of the best step
    std::vector<double> losses; // per grid step
};

// loss(s): the caller's measure of the group's output error with W <- Q(W s) / s.
using AwqLossFn = std::function<Result<double>(std::span<const float> scales)>;

Result<AwqScaleSearch> awqSearchScales(std::span<const double> xMean, std::span<const double> wMean,
                                       const AwqOptions& options, const AwqLossFn& loss, std::stop_token stop = {});

// W <- Q(W diag(s)) diag(s)^-1 (what awqSearchScales' loss is measured with).
std::vector<float> awqScaledFakeQuant(std::span<const float> w, std::int64_t rows, std::int64_t cols,
                                      std::span<const float> scales, const AwqOptions& options);

// The loss of a group whose module is its linear itself (o_proj, down_proj): mean over
// tokens and outputs of (Q(W s)/s x - W x)^2, x: n x cols. Used by the driver and the tests.
double awqLinearLoss(std::span<const float> w, std::int64_t rows, std::int64_t cols, std::span<const float> x,
                     std::int64_t n, std::span<const float> scales, const AwqOptions& options);

struct AwqClip {
    std::int64_t rows = 0;
    std::int64_t groups = 0;
    std::vector<float> maxVal;        // rows x groups: the clipping bound (m0 when unclipped)
    std::vector<double> errUnclipped; // rows x groups: err(m0)
    std::vector<double> errClipped;   // rows x groups: err of the kept bound (<= errUnclipped)
    std::int64_t sampledTokens = 0;
};

// x: n x cols rows of the linear's (scaled) input; samples as described above.
Result<AwqClip> awqSearchClip(std::span<const float> w, std::int64_t rows, std::int64_t cols, std::span<const float> x,
                              std::int64_t n, const AwqOptions& options, std::stop_token stop = {});

// W[r, g] <- clamp(W[r, g], -maxVal, maxVal).
void awqApplyClip(std::span<float> w, std::int64_t rows, std::int64_t cols, const AwqClip& clip,
                  std::int64_t groupSize);

} // namespace condense::quant
