#include "core/model/paired_input_accumulator.h"

#include <algorithm>

#include "core/quant/subtract_product.h"

namespace condense::model {

PairedInputAccumulator::PairedInputAccumulator(CpuLevel level) : m_hessians(level), m_level(level) {}

void PairedInputAccumulator::OriginalSide::observe(const LinearInput& in)
{
    if (!m_owner.wants(in.layer) || in.nTokens <= 0) return;
    Rows& r = m_owner.m_rows[{in.layer, static_cast<int>(in.site)}];
    if (r.cols != in.cols) {
        r = Rows{};
        r.cols = in.cols;
    }
    const auto end = static_cast<std::size_t>(in.firstPosition + in.nTokens);
    if (in.firstPosition == 0) std::fill(r.seen.begin(), r.seen.end(), std::uint8_t{0}); // a new chunk
    if (r.seen.size() < end) {
        r.seen.resize(end, 0);
        r.rows.resize(end * static_cast<std::size_t>(in.cols));
    }
    std::copy_n(in.rows, static_cast<std::size_t>(in.nTokens * in.cols),
                r.rows.data() + static_cast<std::size_t>(in.firstPosition * in.cols));
    std::fill_n(r.seen.begin() + in.firstPosition, in.nTokens, std::uint8_t{1});
}

void PairedInputAccumulator::observe(const LinearInput& in)
{
    m_hessians.observe(in);
    if (!wants(in.layer) || in.nTokens <= 0) return;
    const auto it = m_rows.find({in.layer, static_cast<int>(in.site)});
    if (it == m_rows.end() || it->second.cols != in.cols) return;
    Rows& r = it->second;
    const auto end = static_cast<std::size_t>(in.firstPosition + in.nTokens);
    if (r.seen.size() < end ||
        !std::all_of(r.seen.begin() + in.firstPosition, r.seen.begin() + static_cast<std::ptrdiff_t>(end), [](std::uint8_t s) { return s != 0; }))
        return;
    Cross& c = m_cross[{in.layer, static_cast<int>(in.site)}];
    if (c.cols != in.cols) {
        c = Cross{};
        c.cols = in.cols;
        c.d.assign(static_cast<std::size_t>(in.cols * in.cols), 0.0);
    }
    // D^T (column-major = D row-major) -= Q^T (x_q - x_o): A = Q^T (cols x tokens, the rows as
    // they lie), B = (x_q - x_o) column-major (tokens x cols), by the packed FMA tiles.
    const std::int64_t n = in.cols, tokens = in.nTokens;
    const float* xo = r.rows.data() + in.firstPosition * n;
    m_a.resize(static_cast<std::size_t>(tokens * n));
    m_b.resize(static_cast<std::size_t>(tokens * n));
    for (std::int64_t t = 0; t < tokens; ++t) {
        const float* q = in.row(t);
        const float* o = xo + t * n;
        double* a = m_a.data() + t * n;
        for (std::int64_t i = 0; i < n; ++i) {
            a[i] = static_cast<double>(q[i]);
            m_b[static_cast<std::size_t>(i * tokens + t)] = static_cast<double>(q[i]) - static_cast<double>(o[i]);
        }
    }
    quant::subtractProduct(c.d.data(), n, m_a.data(), n, m_b.data(), tokens, n, n, tokens, m_level);
    c.tokens += in.nTokens;
}

std::vector<double> PairedInputAccumulator::takeCross(std::int64_t layer, LinearSite site)
{
    const Key k{layer, static_cast<int>(site)};
    m_rows.erase(k);
    const auto it = m_cross.find(k);
    if (it == m_cross.end()) return {};
    std::vector<double> d = std::move(it->second.d);
    m_cross.erase(it);
    return d;
}

std::int64_t PairedInputAccumulator::pairedTokens(std::int64_t layer, LinearSite site) const
{
    const auto it = m_cross.find({layer, static_cast<int>(site)});
    return it == m_cross.end() ? 0 : it->second.tokens;
}

std::size_t PairedInputAccumulator::heldBytes() const
{
    std::size_t n = m_hessians.heldBytes();
    for (const auto& [k, c] : m_cross) n += c.d.size() * sizeof(double);
    for (const auto& [k, r] : m_rows) n += r.rows.size() * sizeof(float);
    return n;
}

void PairedInputAccumulator::clear()
{
    m_hessians.clear();
    m_rows.clear();
    m_cross.clear();
}

} // namespace condense::model
