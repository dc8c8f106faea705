#include "core/model/mean_abs_activations.h"

#include <algorithm>
#include <cmath>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

namespace condense::model {

void MeanAbsActivations::observe(const LinearInput& in)
{
    if (in.layer < m_first || in.layer > m_last) return;
    const std::size_t i = index(in.layer, in.site);
    if (i >= m_entries.size()) m_entries.resize(i + 1);
    Entry& e = m_entries[i];
    if (e.sums.empty()) e.sums.assign(static_cast<std::size_t>(in.cols), 0.0);
    e.tokens += in.nTokens;
    // Token-major within a column chunk: contiguous loads, the chunk's sums stay in L1.
    constexpr std::int64_t kChunk = 64;
    auto run = [&](std::int64_t c0, std::int64_t c1) {
        double* s = e.sums.data();
        for (std::int64_t t = 0; t < in.nTokens; ++t) {
            const float* x = in.row(t);
            for (std::int64_t c = c0; c < c1; ++c) s[c] += std::fabs(static_cast<double>(x[c]));
        }
    };
    if (in.nTokens * in.cols < (std::int64_t{1} << 16)) {
        run(0, in.cols);
        return;
    }
    const std::int64_t chunks = (in.cols + kChunk - 1) / kChunk;
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, chunks), [&](const tbb::blocked_range<std::int64_t>& r) {
        run(r.begin() * kChunk, std::min(in.cols, r.end() * kChunk));
    });
}

std::span<const double> MeanAbsActivations::sums(std::int64_t layer, LinearSite site) const
{
    const std::size_t i = index(layer, site);
    return i < m_entries.size() ? std::span<const double>(m_entries[i].sums) : std::span<const double>();
}

std::int64_t MeanAbsActivations::tokens(std::int64_t layer, LinearSite site) const
{
    const std::size_t i = index(layer, site);
    return i < m_entries.size() ? m_entries[i].tokens : 0;
}

std::vector<double> MeanAbsActivations::means(std::int64_t layer, LinearSite site) const
{
    const auto s = sums(layer, site);
    const std::int64_t n = tokens(layer, site);
    std::vector<double> out(s.begin(), s.end());
    if (n > 0)
        for (double& v : out) v /= static_cast<double>(n);
    return out;
}

} // namespace condense::model
