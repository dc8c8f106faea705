#include "core/eval/token_stats.h"

#include <cmath>

namespace condense::eval {

LogSoftmax logSoftmaxStats(std::span<const float> logits)
{
    LogSoftmax s;
    if (logits.empty()) return s;
    float mx = logits[0];
    std::int32_t am = 0;
    for (std::size_t i = 1; i < logits.size(); ++i)
        if (logits[i] > mx) { mx = logits[i]; am = static_cast<std::int32_t>(i); }
    double sum = 0;
    for (float l : logits) sum += static_cast<double>(std::exp(l - mx));
    s.maxLogit = mx;
    s.argmax = am;
    s.logSumExp = std::log(sum) + static_cast<double>(mx);
    return s;
}

double negLogLikelihood(std::span<const float> logits, const LogSoftmax& s, std::int32_t target)
{
    return s.logSumExp - static_cast<double>(logits[static_cast<std::size_t>(target)]);
}

double klDivergence(std::span<const float> baseLogits, const LogSoftmax& base, std::span<const float> candLogits,
                    const LogSoftmax& cand)
{
    double kl = 0;
    for (std::size_t v = 0; v < baseLogits.size(); ++v) {
        const double lpb = static_cast<double>(baseLogits[v]) - base.logSumExp;
        const double lpq = static_cast<double>(candLogits[v]) - cand.logSumExp;
        kl += std::exp(lpb) * (lpb - lpq);
    }
    return kl < 0 ? 0 : kl; // rounding can make identical distributions a hair negative
}

MeanUnc meanAndUncertainty(double sum, double sum2, std::uint64_t n)
{
    MeanUnc r;
    if (n == 0) return r;
    const double dn = static_cast<double>(n);
    r.mean = sum / dn;
    if (n > 1) {
        const double var = sum2 / dn - r.mean * r.mean;
        r.uncertainty = var > 0 ? std::sqrt(var / (dn - 1)) : 0;
    }
    return r;
}

double percentileSorted(std::span<const double> v, double f)
{
    if (v.empty()) return 0;
    if (v.size() == 1) return v[0];
    const double pos = f * static_cast<double>(v.size() - 1);
    const auto k = static_cast<std::size_t>(std::floor(pos));
    if (k + 1 >= v.size()) return v.back();
    const double r = pos - static_cast<double>(k);
    return (1 - r) * v[k] + r * v[k + 1];
}

double medianSorted(std::span<const double> v)
{
    if (v.empty()) return 0;
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace condense::eval
