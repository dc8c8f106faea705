#include "core/arch/model_spec.h"

namespace condense::arch {

const char* familyName(Family f) noexcept
{
    switch (f) {
    case Family::Llama: return "llama";
    case Family::Mistral: return "mistral";
    case Family::Qwen2: return "qwen2";
    case Family::Qwen3: return "qwen3";
    case Family::Unknown: break;
    }
    return "unknown";
}

std::string ModelSpec::ggufArchitecture() const
{
    switch (family) {
    case Family::Llama:
    case Family::Mistral: return "llama"; // llama.cpp converts Mistral to arch "llama"
    case Family::Qwen2: return "qwen2";
    case Family::Qwen3: return "qwen3";
    case Family::Unknown: break;
    }
    return modelType;
}

} // namespace condense::arch
