#pragma once
// LanguageModel over core/model's engine: a Model plus one Session. evaluate() resets the
// session (an empty cache), runs the tokens in batches and copies block outputs when asked.

#include <memory>

#include "core/eval/language_model.h"
#include "core/model/model.h"
#include "core/model/session.h"

namespace condense::eval {

class EngineModel final : public LanguageModel {
public:
    static Result<std::unique_ptr<EngineModel>> create(std::shared_ptr<const model::Model> model, std::string label,
                                                       std::int64_t nCtx, int threads);

    std::string label() const override { return m_label; }
    std::int64_t vocabSize() const override;
    int numLayers() const override;
    std::int64_t hiddenSize() const override;
    std::int64_t contextLength() const override;
    Status evaluate(std::span<const std::int32_t> tokens, std::int64_t firstLogit, std::span<float> logits,
                    LayerStates* layers, std::stop_token stop) override;

    model::Session& session() { return *m_session; }
    const model::Model& model() const { return *m_model; }

private:
    EngineModel() = default;
    std::shared_ptr<const model::Model> m_model;
    std::unique_ptr<model::Session> m_session;
    std::string m_label;
};

} // namespace condense::eval
