#pragma once
// Per-token statistics over logits, as llama-perplexity computes them
// (ggml-org/llama.cpp tools/perplexity/perplexity.cpp; ../shared/reference/formats.md 5):
//   log-softmax: lse = log(sum_v exp(l_v - max)) + max, with the sum in double and exps in float;
//   nll(target) = lse - l_target;
//   KL(P_base || P_q) = sum_v p_base(v) (log p_base(v) - log p_q(v));
//   mean ± uncertainty: mean, sqrt((E[x²] - E[x]²) / (n - 1)) (0 when n <= 10 for KLD stats);
//   percentile(f) = (1-r) v[k] + r v[k+1], k = floor(f (n-1)), r its fraction (sorted values).
// Unlike llama.cpp's two-run method we compare full-precision logits in lockstep, so there is
// no 16-bit encoding noise floor in our KLD.

#include <cstdint>
#include <span>
#include <vector>

namespace condense::eval {

struct LogSoftmax {
    double logSumExp = 0; // log(sum exp(l))
    float maxLogit = 0;
    std::int32_t argmax = 0;
};

LogSoftmax logSoftmaxStats(std::span<const float> logits);

// -log p(target)
double negLogLikelihood(std::span<const float> logits, const LogSoftmax& s, std::int32_t target);

// KL divergence of the base distribution against a candidate, both as raw logits.
double klDivergence(std::span<const float> baseLogits, const LogSoftmax& base, std::span<const float> candLogits,
                    const LogSoftmax& cand);

struct MeanUnc {
    double mean = 0;
    double uncertainty = 0;
};
MeanUnc meanAndUncertainty(double sum, double sum2, std::uint64_t n);

// Percentile of sorted values (f in [0,1]).
double percentileSorted(std::span<const double> sorted, double f);
double medianSorted(std::span<const double> sorted);

} // namespace condense::eval
