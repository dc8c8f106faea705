#include "core/model/hessian_accumulator.h"

#include <algorithm>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

namespace condense::model {

namespace {

// Tile edge: a 64 x 64 tile of doubles is 32 KB, and the two 64-float row pieces it reads per
// token stay in L1 beside it.
constexpr std::int64_t kTile = 64;
// Below this many multiply-adds a batch is summed on the calling thread.
constexpr std::int64_t kSerialWork = std::int64_t{1} << 18;

// H[i][j] += sum_t x_t[i] x_t[j] for i in [i0, i1), j in [max(i, j0), j1).
void accumulateTile(const LinearInput& in, double* h, std::int64_t i0, std::int64_t i1, std::int64_t j0, std::int64_t j1)
{
    const std::int64_t n = in.cols;
    for (std::int64_t t = 0; t < in.nTokens; ++t) {
        const float* x = in.row(t);
        for (std::int64_t i = i0; i < i1; ++i) {
            const double xi = x[i];
            double* hi = h + i * n;
            for (std::int64_t j = std::max(i, j0); j < j1; ++j) hi[j] += xi * static_cast<double>(x[j]);
        }
    }
}

} // namespace

void HessianAccumulator::observe(const LinearInput& in)
{
    if (!wants(in.layer) || in.nTokens <= 0 || in.cols <= 0) return;
    Entry& e = m_entries[Key{in.layer, static_cast<int>(in.site)}];
    if (e.h.empty()) {
        e.cols = in.cols;
        e.h.assign(static_cast<std::size_t>(in.cols * in.cols), 0.0);
    }
    if (e.cols != in.cols) return; // a site has one width per model; never happens
    e.tokens += in.nTokens;
    double* h = e.h.data();
    const std::int64_t n = in.cols;
    const std::int64_t tiles = (n + kTile - 1) / kTile;
    // The upper-triangle tiles (ti <= tj), numbered row by row; each tile owns its part of H.
    const std::int64_t count = tiles * (tiles + 1) / 2;
    auto tileAt = [&](std::int64_t k, std::int64_t& ti, std::int64_t& tj) {
        ti = 0;
        while (k >= tiles - ti) {
            k -= tiles - ti;
            ++ti;
        }
        tj = ti + k;
    };
    auto run = [&](std::int64_t k0, std::int64_t k1) {
        for (std::int64_t k = k0; k < k1; ++k) {
            std::int64_t ti = 0, tj = 0;
            tileAt(k, ti, tj);
            accumulateTile(in, h, ti * kTile, std::min(n, (ti + 1) * kTile), tj * kTile, std::min(n, (tj + 1) * kTile));
        }
    };
    if (in.nTokens * n * n / 2 < kSerialWork) {
        run(0, count);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, count),
                      [&](const tbb::blocked_range<std::int64_t>& r) { run(r.begin(), r.end()); });
}

std::vector<double> HessianAccumulator::take(std::int64_t layer, LinearSite site)
{
    auto it = m_entries.find(Key{layer, static_cast<int>(site)});
    if (it == m_entries.end()) return {};
    std::vector<double> h = std::move(it->second.h);
    const std::int64_t n = it->second.cols;
    m_entries.erase(it);
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = i + 1; j < n; ++j) h[static_cast<std::size_t>(j * n + i)] = h[static_cast<std::size_t>(i * n + j)];
    return h;
}

std::int64_t HessianAccumulator::tokens(std::int64_t layer, LinearSite site) const
{
    auto it = m_entries.find(Key{layer, static_cast<int>(site)});
    return it == m_entries.end() ? 0 : it->second.tokens;
}

std::int64_t HessianAccumulator::cols(std::int64_t layer, LinearSite site) const
{
    auto it = m_entries.find(Key{layer, static_cast<int>(site)});
    return it == m_entries.end() ? 0 : it->second.cols;
}

std::size_t HessianAccumulator::heldBytes() const
{
    std::size_t bytes = 0;
    for (const auto& [key, e] : m_entries) bytes += e.h.size() * sizeof(double);
    return bytes;
}

} // namespace condense::model
