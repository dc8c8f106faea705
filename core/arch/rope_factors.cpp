#include "core/arch/rope_factors.h"

#include <cmath>
#include <numbers>

namespace condense::arch {

template <typename Real>
std::vector<Real> llama3RopeFactors(const Llama3RopeScaling& s, std::uint64_t rotaryDims)
{
    // Each quantity is formed in double where the converter forms it in double (the JSON
    // numbers and their quotients) and rounded to Real where torch's float32 tensors take over.
    const Real base = static_cast<Real>(s.theta);
    const Real factor = static_cast<Real>(s.factor);
    const Real lowWavelen = static_cast<Real>(s.originalContext / s.lowFreqFactor);
    const Real highWavelen = static_cast<Real>(s.originalContext / s.highFreqFactor);
    const Real oldContext = static_cast<Real>(s.originalContext);
    const Real lowFreqFactor = static_cast<Real>(s.lowFreqFactor);
    const Real smoothRange = static_cast<Real>(s.highFreqFactor - s.lowFreqFactor);
    const Real twoPi = static_cast<Real>(2.0 * std::numbers::pi);
    std::vector<Real> out;
    out.reserve(static_cast<std::size_t>((rotaryDims + 1) / 2));
    for (std::uint64_t i = 0; i < rotaryDims; i += 2) {
        const Real freq = Real(1) / std::pow(base, static_cast<Real>(i) / static_cast<Real>(rotaryDims));
        const Real wavelen = twoPi / freq;
        if (wavelen < highWavelen) {
            out.push_back(Real(1));
        } else if (wavelen > lowWavelen) {
            out.push_back(factor);
        } else {
            const Real smooth = (oldContext / wavelen - lowFreqFactor) / smoothRange;
            out.push_back(Real(1) / ((Real(1) - smooth) / factor + smooth));
        }
    }
    return out;
}

template std::vector<float> llama3RopeFactors<float>(const Llama3RopeScaling&, std::uint64_t);
template std::vector<double> llama3RopeFactors<double>(const Llama3RopeScaling&, std::uint64_t);

} // namespace condense::arch
