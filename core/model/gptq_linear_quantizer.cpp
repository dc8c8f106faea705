#include "core/model/gptq_linear_quantizer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <tuple>

namespace condense::model {

namespace {

std::string fraction(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

} // namespace

PackedGptqLinear PackedGptqLinear::pack(const quant::GptqResult& r, int bits)
{
    PackedGptqLinear p;
    p.rows = r.rows;
    p.cols = r.cols;
    p.groups = r.groups;
    p.bits = bits;
    const std::uint64_t n = static_cast<std::uint64_t>(r.rows) * static_cast<std::uint64_t>(r.cols);
    p.codes.assign(static_cast<std::size_t>((n * static_cast<std::uint64_t>(bits) + 7) / 8), 0);
    const auto b = static_cast<std::uint64_t>(bits);
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t bit = i * b;
        const unsigned v = r.codes[static_cast<std::size_t>(i)];
        const auto byte = static_cast<std::size_t>(bit / 8);
        const unsigned shift = static_cast<unsigned>(bit % 8);
        p.codes[byte] = static_cast<std::uint8_t>(p.codes[byte] | ((v << shift) & 0xffu));
        if (shift + b > 8) p.codes[byte + 1] = static_cast<std::uint8_t>(p.codes[byte + 1] | (v >> (8 - shift)));
    }
    p.scales = r.scales;
    p.zeros = r.zeros;
    p.gIdx = r.gIdx;
    p.order = r.order;
    return p;
}

std::uint8_t PackedGptqLinear::code(std::int64_t row, std::int64_t col) const
{
    const auto b = static_cast<std::uint64_t>(bits);
    const std::uint64_t bit = (static_cast<std::uint64_t>(row) * static_cast<std::uint64_t>(cols) + static_cast<std::uint64_t>(col)) * b;
    const auto byte = static_cast<std::size_t>(bit / 8);
    const unsigned shift = static_cast<unsigned>(bit % 8);
    unsigned v = codes[byte] >> shift;
    if (shift + b > 8) v |= static_cast<unsigned>(codes[byte + 1]) << (8 - shift);
    return static_cast<std::uint8_t>(v & ((1u << bits) - 1));
}

quant::GptqResult PackedGptqLinear::unpack(bool withDequantized) const
{
    quant::GptqResult r;
    r.rows = rows;
    r.cols = cols;
    r.groups = groups;
    r.codes.resize(static_cast<std::size_t>(rows * cols));
    for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < cols; ++j) r.codes[static_cast<std::size_t>(i * cols + j)] = code(i, j);
    r.scales = scales;
    r.zeros = zeros;
    r.gIdx = gIdx;
    r.order = order;
    if (withDequantized) {
        r.dequantized.resize(r.codes.size());
        for (std::int64_t i = 0; i < rows; ++i)
            for (std::int64_t j = 0; j < cols; ++j) {
                const auto g = static_cast<std::size_t>(gIdx[static_cast<std::size_t>(j)]) * static_cast<std::size_t>(rows) +
                               static_cast<std::size_t>(i);
                const auto k = static_cast<std::size_t>(i * cols + j);
                r.dequantized[k] = scales[g] * (static_cast<float>(r.codes[k]) - static_cast<float>(zeros[g]));
            }
    }
    return r;
}

std::uint64_t PackedGptqLinear::bytes() const
{
    return codes.size() + scales.size() * sizeof(float) + zeros.size() + (gIdx.size() + order.size()) * sizeof(std::int32_t);
}

GptqLinearQuantizer::GptqLinearQuantizer(quant::GptqOptions options) : m_options(options) {}

LinearQuantizer GptqLinearQuantizer::quantizer()
{
    return [this](const LinearJob& job, std::stop_token stop) { return quantize(job, std::move(stop)); };
}

Result<std::vector<float>> GptqLinearQuantizer::quantize(const LinearJob& job, std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    GptqLinearReport rep;
    rep.layer = job.layer;
    rep.role = job.role;
    rep.hfName = job.hfName;
    rep.ggufName = job.ggufName;
    rep.rows = job.rows;
    rep.cols = job.cols;
    rep.tokens = job.tokens;

    // The last linear of a site takes the Hessian's buffer (one cols^2 copy less at peak);
    // the loss of an RTN fallback then cannot be measured on it.
    const bool consumed = job.hessianOwned != nullptr;
    auto r = consumed ? quant::gptqQuantizeConsuming(job.weight, job.rows, job.cols, std::move(*job.hessianOwned), m_options, stop)
                      : quant::gptqQuantize(job.weight, job.rows, job.cols, job.hessian, m_options, stop);
    if (!r && r.error().code == ErrorCode::Cancelled) return std::move(r).error();
    if (!r) {
        // Last damping tried: percDamp raised while below 1 (gptq.h).
        double last = m_options.percDamp;
        if (m_options.dampIncrement > 0)
            while (last + m_options.dampIncrement < 1.0) last += m_options.dampIncrement;
        auto rtn = quant::rtnQuantize(job.weight, job.rows, job.cols, m_options);
        if (!rtn) {
            Error e = std::move(rtn).error();
            e.tensor = job.hfName;
            return e;
        }
        r = std::move(rtn);
        rep.rtnFallback = true;
        rep.percDampUsed = last;
        rep.loss = consumed ? std::numeric_limits<double>::quiet_NaN()
                            : 0.5 * quant::gptqOutputError(job.weight, r->dequantized, job.rows, job.cols, job.hessian);
    } else {
        rep.percDampUsed = r->percDampUsed;
        rep.loss = r->loss;
        rep.deadColumns = r->deadColumns;
    }
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, {}, "quantization stopped");
    std::vector<float> deq = std::move(r->dequantized);
    PackedGptqLinear packed = PackedGptqLinear::pack(*r, m_options.bits);
    r = Error{}; // free the unpacked codes now
    rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    {
        std::lock_guard lock(m_mutex);
        if (m_onResult) {
            Status st = m_onResult(rep, std::move(packed));
            if (!st.ok()) return std::move(st).error();
        } else {
            m_results[job.hfName] = std::move(packed);
        }
        m_reports.push_back(std::move(rep));
    }
    return deq;
}

std::optional<PackedGptqLinear> GptqLinearQuantizer::take(const std::string& hfName)
{
    std::lock_guard lock(m_mutex);
    auto it = m_results.find(hfName);
    if (it == m_results.end()) return std::nullopt;
    PackedGptqLinear p = std::move(it->second);
    m_results.erase(it);
    return p;
}

std::vector<GptqLinearReport> GptqLinearQuantizer::reports() const
{
    std::vector<GptqLinearReport> out;
    {
        std::lock_guard lock(m_mutex);
        out = m_reports;
    }
    // Blocks in order, the head (-1) last; roles in WeightRole order.
    std::sort(out.begin(), out.end(), [](const GptqLinearReport& a, const GptqLinearReport& b) {
        const auto la = a.layer < 0 ? INT64_MAX : a.layer, lb = b.layer < 0 ? INT64_MAX : b.layer;
        return std::tie(la, a.role) < std::tie(lb, b.role);
    });
    return out;
}

std::vector<Message> GptqLinearQuantizer::warnings() const
{
    std::vector<Message> out;
    for (const GptqLinearReport& r : reports()) {
        if (r.rtnFallback)
            out.emplace_back(MessageCode::GptqRtnFallback, r.hfName,
                             std::vector<std::pair<std::string, std::string>>{{"damping", fraction(r.percDampUsed)}});
        else if (r.percDampUsed > m_options.percDamp)
            out.emplace_back(MessageCode::GptqDampingRaised, r.hfName,
                             std::vector<std::pair<std::string, std::string>>{{"from", fraction(m_options.percDamp)},
                                                                              {"to", fraction(r.percDampUsed)}});
    }
    return out;
}

std::uint64_t GptqLinearQuantizer::resultBytes() const
{
    std::lock_guard lock(m_mutex);
    std::uint64_t n = 0;
    for (const auto& [name, p] : m_results) n += p.bytes();
    return n;
}

} // namespace condense::model
