#pragma once
// Hugging Face config.json -> ModelSpec (huggingface/transformers configuration_*.py,
// modeling_rope_utils.py; ../shared/reference/formats.md 1.3). Accepts both the legacy keys
// (rope_theta, rope_scaling, torch_dtype) and transformers 5's (rope_parameters, dtype).
// Unknown architectures parse with family Unknown (inspection still works).

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/common/result.h"
#include "core/arch/model_spec.h"

namespace condense::io {

// A config.json is a few kB; anything beyond this is not one (and is not read into memory).
constexpr std::uint64_t kMaxConfigBytes = 16ull << 20;

Result<arch::ModelSpec> parseHfConfig(std::string_view json, const std::string& fileLabel);
Result<arch::ModelSpec> readHfConfig(const std::filesystem::path& configJson);

} // namespace condense::io
