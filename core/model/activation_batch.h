#pragma once
// ActivationBatch: the n input rows (k floats each) of one or more matrix products, plus the
// same rows converted on demand into the activation layouts the weight kernels need
// (gemm_kernels.h: ggml's Q8_0 / Q8_1 / Q8_K blocks, or a kernel's private layout). The Q, K
// and V projections (and gate and up) read the same rows, so each conversion is done once per
// batch and reused. reset() invalidates the conversions; the float rows are not copied.

#include <array>
#include <cstdint>

#include "core/model/aligned_buffer.h"
#include "core/model/gemm_kernels.h"

namespace condense::model {

class ActivationBatch {
public:
    void reset(const float* x, std::int64_t ldx, std::int64_t n, std::int64_t k);

    const float* x() const { return m_x; }
    std::int64_t ldx() const { return m_ldx; }
    std::int64_t n() const { return m_n; }
    std::int64_t k() const { return m_k; }

    // The rows in `layout` (row i at result + i * rowBytes), converted with `prepare` on the
    // first request since reset(); rows are converted in parallel in the caller's arena.
    const std::byte* prepared(kernels::ActLayout layout, kernels::PrepareActFn prepare, std::size_t& rowBytes);

private:
    static constexpr std::size_t kLayouts = static_cast<std::size_t>(kernels::ActLayout::Count);
    const float* m_x = nullptr;
    std::int64_t m_ldx = 0;
    std::int64_t m_n = 0;
    std::int64_t m_k = 0;
    std::array<AlignedBuffer, kLayouts> m_buffers;
    std::array<bool, kLayouts> m_valid{};
};

} // namespace condense::model
