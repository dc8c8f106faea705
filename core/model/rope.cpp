#include "core/model/rope.h"

#include <cmath>

#include "core/arch/rope_factors.h"

namespace condense::model {

Result<Rope> Rope::create(const arch::ModelSpec& spec, std::int64_t headDim, std::int64_t nRot, RopeLayout layout,
                          std::vector<float> freqFactors, const std::string& file)
{
    if (nRot <= 0 || nRot % 2 != 0 || nRot > headDim)
        return makeError(ErrorCode::UnsupportedArchitecture, file,
                         "rotary dimensions " + std::to_string(nRot) + " must be even and at most head_dim " +
                             std::to_string(headDim));
    if (!(spec.ropeTheta > 0.0) || !std::isfinite(spec.ropeTheta))
        return makeError(ErrorCode::UnsupportedArchitecture, file, "rope theta must be positive");
    const std::int64_t half = nRot / 2;
    if (!freqFactors.empty() && static_cast<std::int64_t>(freqFactors.size()) != half)
        return makeError(ErrorCode::Malformed, file,
                         "rope_freqs has " + std::to_string(freqFactors.size()) + " values, expected " +
                             std::to_string(half));

    Rope r;
    r.m_headDim = headDim;
    r.m_nRot = nRot;
    r.m_layout = layout;
    r.m_invFreq.resize(static_cast<std::size_t>(half));
    for (std::int64_t i = 0; i < half; ++i)
        r.m_invFreq[static_cast<std::size_t>(i)] =
            1.0 / std::pow(spec.ropeTheta, static_cast<double>(2 * i) / static_cast<double>(nRot));

    const arch::RopeScaling& s = spec.ropeScaling;
    const std::string& type = s.type;
    if (!freqFactors.empty()) {
        for (std::int64_t i = 0; i < half; ++i) {
            const double f = freqFactors[static_cast<std::size_t>(i)];
            if (!(f > 0.0) || !std::isfinite(f))
                return makeError(ErrorCode::Malformed, file, "rope_freqs holds a non-positive factor");
            r.m_invFreq[static_cast<std::size_t>(i)] /= f;
        }
    } else if (type == "linear") {
        if (!(s.factor > 0.0)) return makeError(ErrorCode::UnsupportedArchitecture, file, "linear rope factor must be positive");
        for (double& f : r.m_invFreq) f /= s.factor;
    } else if (type == "llama3") {
        const double orig = static_cast<double>(s.originalMaxPositions);
        if (!(s.factor > 0.0) || orig <= 0.0 || !(s.highFreqFactor > s.lowFreqFactor) || !(s.lowFreqFactor > 0.0))
            return makeError(ErrorCode::UnsupportedArchitecture, file, "llama3 rope scaling parameters are invalid");
        const arch::Llama3RopeScaling scaling{spec.ropeTheta, s.factor, s.lowFreqFactor, s.highFreqFactor, orig};
        const std::vector<double> factors = arch::llama3RopeFactors<double>(scaling, static_cast<std::uint64_t>(nRot));
        for (std::int64_t i = 0; i < half; ++i) r.m_invFreq[static_cast<std::size_t>(i)] /= factors[static_cast<std::size_t>(i)];
    } else if (!(type.empty() || type == "default" || type == "none")) {
        return makeError(ErrorCode::UnsupportedArchitecture, file, "rope scaling '" + type + "' is not supported");
    }
    return r;
}

void Rope::angles(std::int64_t pos, float* cosOut, float* sinOut) const
{
    const double p = static_cast<double>(pos);
    for (std::size_t i = 0; i < m_invFreq.size(); ++i) {
        const double a = p * m_invFreq[i];
        cosOut[i] = static_cast<float>(std::cos(a));
        sinOut[i] = static_cast<float>(std::sin(a));
    }
}

void Rope::rotate(float* head, const float* cosv, const float* sinv) const
{
    const std::int64_t half = m_nRot / 2;
    if (m_layout == RopeLayout::Neox) {
        for (std::int64_t i = 0; i < half; ++i) {
            const float a = head[i], b = head[i + half];
            head[i] = a * cosv[i] - b * sinv[i];
            head[i + half] = a * sinv[i] + b * cosv[i];
        }
    } else {
        for (std::int64_t i = 0; i < half; ++i) {
            const float a = head[2 * i], b = head[2 * i + 1];
            head[2 * i] = a * cosv[i] - b * sinv[i];
            head[2 * i + 1] = a * sinv[i] + b * cosv[i];
        }
    }
}

} // namespace condense::model
