#include "core/model/activation_batch.h"

#include <algorithm>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

namespace condense::model {

void ActivationBatch::reset(const float* x, std::int64_t ldx, std::int64_t n, std::int64_t k)
{
    m_x = x;
    m_ldx = ldx;
    m_n = n;
    m_k = k;
    m_valid.fill(false);
}

const std::byte* ActivationBatch::prepared(kernels::ActLayout layout, kernels::PrepareActFn prepare,
                                           std::size_t& rowBytes)
{
    rowBytes = kernels::actRowBytes(layout, m_k);
    if (layout == kernels::ActLayout::F32) {
        rowBytes = static_cast<std::size_t>(m_ldx) * sizeof(float);
        return reinterpret_cast<const std::byte*>(m_x);
    }
    const auto idx = static_cast<std::size_t>(layout);
    AlignedBuffer& buf = m_buffers[idx];
    if (!m_valid[idx]) {
        // Row layouts: one unit per token; panel layouts: one unit per kPanel tokens.
        const std::int64_t per = layout == kernels::ActLayout::F32Panel ? kernels::kFloatPanel
                                 : kernels::isPanelLayout(layout)       ? kernels::kPanel
                                                                        : 1;
        const std::int64_t units = (m_n + per - 1) / per;
        buf.reserve(rowBytes * static_cast<std::size_t>(units));
        std::byte* dst = buf.data();
        const std::size_t rb = rowBytes;
        auto convert = [&](std::int64_t u) {
            prepare(m_x + u * per * m_ldx, m_ldx, std::min(per, m_n - u * per), dst + static_cast<std::size_t>(u) * rb, m_k);
        };
        if (units == 1 || m_n * m_k < (1 << 16)) {
            for (std::int64_t u = 0; u < units; ++u) convert(u);
        } else {
            tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, units), [&](const tbb::blocked_range<std::int64_t>& r) {
                for (std::int64_t u = r.begin(); u != r.end(); ++u) convert(u);
            });
        }
        m_valid[idx] = true;
    }
    return buf.data();
}

} // namespace condense::model
