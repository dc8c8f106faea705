#include "core/model/paired_input_accumulator.h"

#include <algorithm>

#include <Eigen/Core>

namespace condense::model {

namespace {

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

} // namespace

PairedInputAccumulator::PairedInputAccumulator() = default;

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
    const Eigen::Map<const RowMajorF> xq(in.rows, in.nTokens, in.cols);
    const Eigen::Map<const RowMajorF> xo(r.rows.data() + in.firstPosition * in.cols, in.nTokens, in.cols);
    const RowMajorD q = xq.cast<double>();
    const RowMajorD delta = xo.cast<double>() - q;
    Eigen::Map<RowMajorD> d(c.d.data(), in.cols, in.cols);
    d.noalias() += delta.transpose() * q;
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
