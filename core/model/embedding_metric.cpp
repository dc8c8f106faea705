#include "core/model/embedding_metric.h"

#include <cstddef>

#include "core/model/owned_weight.h"

namespace condense::model {

Result<std::vector<double>> embeddingErrorMetric(const Model& model)
{
    if (model.layers().empty()) return makeError(ErrorCode::InvalidArgument, {}, "the model has no blocks");
    const LayerWeights& l0 = model.layers()[0];
    const auto n = static_cast<std::size_t>(model.tokenEmbedding().cols);
    if (l0.attnNorm.size() != n || l0.ffnNorm.size() != n)
        return makeError(ErrorCode::InvalidArgument, {}, "block 0's norms do not match the embedding width");
    std::vector<double> h(n * n, 0.0);
    std::vector<double> row(n);
    auto add = [&](WeightRole role, const std::vector<float>& g) -> Status {
        auto w = toFloats(l0.matrix(role));
        if (!w) return std::move(w).error();
        const std::size_t rows = w->size() / n;
        for (std::size_t r = 0; r < rows; ++r) {
            const float* wr = w->data() + r * n;
            for (std::size_t i = 0; i < n; ++i) row[i] = static_cast<double>(wr[i]) * static_cast<double>(g[i]);
            for (std::size_t i = 0; i < n; ++i) {
                double* hi = h.data() + i * n;
                const double a = row[i];
                for (std::size_t j = i; j < n; ++j) hi[j] += a * row[j];
            }
        }
        return okStatus();
    };
    for (WeightRole role : {WeightRole::AttnQ, WeightRole::AttnK, WeightRole::AttnV}) CONDENSE_TRY(add(role, l0.attnNorm));
    for (WeightRole role : {WeightRole::FfnGate, WeightRole::FfnUp}) CONDENSE_TRY(add(role, l0.ffnNorm));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < i; ++j) h[i * n + j] = h[j * n + i];
    return h;
}

} // namespace condense::model
