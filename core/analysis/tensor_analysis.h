#pragma once
// TensorAnalysis: what one streaming pass over a weight tensor finds, without running the model.
// Rows x columns: a tensor of shape [..., cols] (outermost first; GGUF ne reversed) is read as
// rows = elements / cols rows of cols contiguous values (the columns are the input channels a
// linear layer multiplies, the ones AWQ-style outlier protection cares about).
//
// The pass (analyzeTensor):
//   0. a sample of up to 64 evenly spaced rows (about 64 K values) gives a provisional mean m_s
//      and std s_s (finite values, double precision);
//   1. one parallel pass over all rows (contiguous row parts, merged in part order, so results
//      do not depend on the thread count) computes, over the FINITE values:
//        count (all elements), nan/inf counts, exact zeros (+0 and -0), min, max, abs max,
//        mean, std (population: divided by n), excess kurtosis m4 / m2^2 - 3 (0 when m2 == 0;
//        central moments from sums of powers of (w - m_s): float lanes over 64 values, then
//        double; row_kernels.h, whose AVX2 kernel gives the scalar reference's bits),
//        share of values with |w - mean| > 3 std and > 6 std (exact: values near the
//        provisional thresholds are kept and resolved once mean/std are known; when the
//        provisional std was too far off, a second pass counts them),
//        the histogram: kHistogramBins bins over [lo, hi) = m_s -+ 8 s_s (the sample's mean and
//        std, as floats: stated in the result; half-width at most FLT_MAX / 4 and both ends
//        inside the floats, so weights near the float limit still fall in a bin or under/
//        over), t = (w - lo) * scale with scale = bins / (hi - lo), all in float; t < 0 ->
//        under, t >= bins -> over, else bin floor(t);
//        bins + under + over = finite count,
//        the outlier map: the rows and columns split into at most 256 x 256 cells (cell of row r:
//        r * cellRows / rows, of column c: c * cellCols / cols), each cell max |w| / std,
//        the 32 values of largest |w| (ties: lower flat index first) with row, column, value,
//        per column: L2 norm sqrt(sum w^2) and max |w| over the rows;
//      and, when a preview type is given, the quantization preview: each row quantized with
//      core/quant's kernels (the quantizer's own, importance included) and dequantized:
//        sum (w - q)^2, sum w^2, max |w - q|, and with importance imp[c] the weighted sums
//        sum imp[c] (w - q)^2, sum imp[c] w^2;
//        relative RMSE = sqrt(sum e^2 / sum w^2), SNR = 10 log10(sum w^2 / sum e^2) dB;
//        a round trip value that is Inf/NaN (a block scale beyond F16 for huge weights) is an
//        infinite error: relative RMSE +inf, SNR -inf dB, never NaN.
//      A tensor with NaN/Inf values has no preview (the quantizer refuses it).
//   F16 / BF16 tensors: the pass counts every 16-bit code instead (row_kernels.h); count,
//   zeros, min, max, the moments (in double, from the counts: more exact than the float lanes),
//   the histogram (the same float formula on each code's value) and the tail shares (exact, no
//   second pass) come from the counts; the 32 largest |w| from the 32nd largest |code| and
//   the rows that reach it; map and columns as above, on the codes.

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/cpu_features.h"
#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/tensor/dtype.h"

namespace condense::analysis {

inline constexpr std::size_t kHistogramBins = 256;
inline constexpr std::uint32_t kOutlierMapMaxCells = 256;
inline constexpr std::size_t kTopOutliers = 32;
inline constexpr double kHistogramStds = 8.0;

struct TensorStats {
    std::uint64_t count = 0;     // all elements
    std::uint64_t finite = 0;    // count - nan - inf
    std::uint64_t nan = 0;
    std::uint64_t inf = 0;
    std::uint64_t zeros = 0;     // exact zeros
    double mean = 0, std = 0, min = 0, max = 0, absMax = 0;
    double kurtosis = 0;         // excess
    double beyond3Std = 0;       // share of the finite values with |w - mean| > 3 std
    double beyond6Std = 0;
    bool hasNonFinite() const { return nan + inf > 0; }
};

struct Histogram {
    float lo = 0, hi = 0; // [lo, hi): provisional mean -+ 8 provisional std
    std::array<std::uint64_t, kHistogramBins> bins{};
    std::uint64_t under = 0, over = 0;
    // Bin of a finite w: t = (w - lo) * scale() in float; t < 0 under, t >= bins over, else floor(t).
    float scale() const { return hi > lo ? static_cast<float>(kHistogramBins) / (hi - lo) : 0.0f; }
};

struct OutlierMap {
    std::uint32_t cellRows = 0, cellCols = 0; // at most 256 x 256
    std::vector<float> cells;                 // cellRows x cellCols, row-major: max |w| / std (0 when std == 0)
};

struct Outlier {
    std::uint64_t row = 0, col = 0;
    float value = 0;
};

// Error sums of a quantize-dequantize round trip; they add over tensors (per-layer figures).
struct PreviewSums {
    std::uint64_t count = 0;
    double errSq = 0, refSq = 0, maxAbsError = 0;
    double weightedErrSq = 0, weightedRefSq = 0; // 0 without importance
    bool weighted = false;

    void add(const PreviewSums& o);
    double relRmse() const { return refSq > 0 ? std::sqrt(errSq / refSq) : 0.0; }
    double snrDb() const; // +inf when errSq == 0
    double weightedRelRmse() const { return weightedRefSq > 0 ? std::sqrt(weightedErrSq / weightedRefSq) : 0.0; }
};

struct QuantPreview {
    DType type = DType::Q4_K;
    PreviewSums sums;
};

// The result for one tensor: an immutable snapshot once published (shared_ptr<const>).
struct TensorAnalysis {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape; // outermost first
    std::uint64_t rows = 0, cols = 0;
    int layer = -1;                   // block index (arch::classifyTensor), -1 outside blocks
    std::optional<Error> error;       // the tensor could not be read: nothing else is valid
    TensorStats stats;
    Histogram histogram;
    OutlierMap outlierMap;
    std::vector<Outlier> top;         // largest |w| first
    std::vector<float> columnL2;      // cols values
    std::vector<float> columnMaxAbs;  // cols values
    std::optional<QuantPreview> preview;
    bool fromCache = false;
};

struct TensorAnalysisConfig {
    std::optional<DType> previewType;   // quantize-dequantize with this type's kernels
    const float* importance = nullptr;  // per column (x n_mat for 3-D tensors: cols * dim1 values), or null
    CpuLevel cpuLevel = CpuLevel::Best; // the row kernel (Scalar: the reference); results are identical
    // false: the preview alone (the caller has the statistics, e.g. from the cache): only
    // name/shape/rows/cols/layer/count and `preview` are filled, with the full pass's sums.
    bool statistics = true;
};

// Analyses tensor `index` of `ck` inside the caller's arena (jobs::ThreadArena): parallel over
// row parts. A tensor that cannot be read gives a result with `error` set (never a failed call);
// the only error returned is Cancelled. A preview type the tensor's rows do not fit (row length
// not a multiple of the block size) or without kernels gives no preview.
Result<TensorAnalysis> analyzeTensor(const io::Checkpoint& ck, std::size_t index, const TensorAnalysisConfig& config,
                                     std::stop_token stop = {});

} // namespace condense::analysis
