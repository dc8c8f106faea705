#include "core/eval/engine_model.h"

#include <algorithm>
#include <cstring>

namespace condense::eval {

Result<std::unique_ptr<EngineModel>> EngineModel::create(std::shared_ptr<const model::Model> m, std::string label,
                                                         std::int64_t nCtx, int threads)
{
    model::SessionConfig cfg;
    cfg.nCtx = nCtx;
    cfg.threads = threads;
    auto s = model::Session::create(m, cfg);
    if (!s) return std::move(s).error();
    std::unique_ptr<EngineModel> e(new EngineModel());
    e->m_model = std::move(m);
    e->m_session = std::move(*s);
    e->m_label = std::move(label);
    return e;
}

std::int64_t EngineModel::vocabSize() const { return m_model->dims().vocab; }
int EngineModel::numLayers() const { return static_cast<int>(m_model->dims().layers); }
std::int64_t EngineModel::hiddenSize() const { return m_model->dims().hidden; }
std::int64_t EngineModel::contextLength() const { return m_session->contextSize(); }

Status EngineModel::evaluate(std::span<const std::int32_t> tokens, std::int64_t firstLogit, std::span<float> logits,
                             LayerStates* layers, std::stop_token stop)
{
    m_session->reset();
    model::EvalOptions opt;
    opt.logits = model::LogitsMode::All;
    opt.firstLogit = firstLogit;
    const auto n = static_cast<std::int64_t>(tokens.size());
    const auto hidden = static_cast<std::size_t>(hiddenSize());
    if (layers) {
        layers->states.assign(static_cast<std::size_t>(numLayers()), std::vector<float>(static_cast<std::size_t>(n) * hidden));
        opt.blockOutput = [layers, hidden](std::int64_t layer, std::int64_t firstPos, std::int64_t count, const float* h) {
            auto& dst = layers->states[static_cast<std::size_t>(layer)];
            std::memcpy(dst.data() + static_cast<std::size_t>(firstPos) * hidden, h,
                        static_cast<std::size_t>(count) * hidden * sizeof(float));
        };
    }
    return m_session->eval(tokens, logits, opt, stop);
}

} // namespace condense::eval
