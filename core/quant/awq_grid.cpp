#include "core/quant/awq_grid.h"

#include <algorithm>
#include <cmath>

#include "core/quant/packed_linear.h"

namespace condense::quant {

namespace {

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

} // namespace

Result<GptqResult> awqGridQuantize(std::span<const float> weight, std::int64_t rows, std::int64_t cols, int bits,
                                   std::int64_t groupSize)
{
    if (bits < 2 || bits > 8) return invalid("bits " + std::to_string(bits) + " (2..8)");
    if (rows <= 0 || cols <= 0 || weight.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        return invalid("weight size does not match its shape");
    if (groupSize <= 0 || cols % groupSize != 0)
        return invalid("group size " + std::to_string(groupSize) + " does not divide in_features " + std::to_string(cols));
    for (float w : weight)
        if (!std::isfinite(w)) return invalid("weight has a non-finite value");
    const int maxq = (1 << bits) - 1;
    GptqResult r;
    r.rows = rows;
    r.cols = cols;
    r.groups = cols / groupSize;
    r.codes.resize(weight.size());
    r.scales.resize(static_cast<std::size_t>(r.groups * rows));
    r.zeros.resize(r.scales.size());
    r.gIdx.resize(static_cast<std::size_t>(cols));
    r.order.resize(static_cast<std::size_t>(cols));
    for (std::int64_t c = 0; c < cols; ++c) {
        r.gIdx[static_cast<std::size_t>(c)] = static_cast<std::int32_t>(c / groupSize);
        r.order[static_cast<std::size_t>(c)] = static_cast<std::int32_t>(c);
    }
    for (std::int64_t row = 0; row < rows; ++row) {
        const float* w = weight.data() + row * cols;
        for (std::int64_t g = 0; g < r.groups; ++g) {
            const float* wg = w + g * groupSize;
            const auto [mn, mx] = std::minmax_element(wg, wg + groupSize);
            const double range = std::max(static_cast<double>(*mx) - static_cast<double>(*mn), 1e-5);
            const auto scale = static_cast<float>(range / maxq);
            const double zero = std::clamp(-std::nearbyint(static_cast<double>(*mn) / static_cast<double>(scale)), 0.0,
                                           static_cast<double>(maxq));
            const auto gi = static_cast<std::size_t>(g * rows + row);
            r.scales[gi] = scale;
            r.zeros[gi] = static_cast<std::uint8_t>(zero);
            for (std::int64_t k = 0; k < groupSize; ++k) {
                const double q = std::clamp(std::nearbyint(static_cast<double>(wg[k]) / static_cast<double>(scale)) + zero, 0.0,
                                            static_cast<double>(maxq));
                r.codes[static_cast<std::size_t>(row * cols + g * groupSize + k)] = static_cast<std::uint8_t>(q);
            }
        }
    }
    dequantizeCodes(r);
    return r;
}

} // namespace condense::quant
