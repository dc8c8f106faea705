#pragma once
// The `quantization_config` of a Hugging Face config.json (or AutoGPTQ's quantize_config.json /
// AutoAWQ's quant_config.json beside it), as the loaders read it, for the integer formats
// Condense reads: GPTQ (transformers GPTQConfig, GPTQModel: bits / w_bit, group_size /
// q_group_size, sym, desc_act, checkpoint_format / format "gptq" | "gptq_v2"), AWQ (AwqConfig:
// version "gemm", zero_point true, bits 4) and compressed-tensors (quant_method
// "compressed-tensors", format "pack-quantized", one config group with int weights of strategy
// "group" or "channel"). ../shared/reference/formats.md 6.3 and 7.2.
//
// nullopt: no quantization. UnsupportedFormat (naming the method or the field) for what we
// cannot read (fp8, bitsandbytes, AWQ gemv, marlin layouts, activation quantization, ...).

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/common/result.h"
#include "core/io/packed_linear_layout.h"

namespace condense::io {

// `config` is config.json's object; `folder` is searched for quantize_config.json /
// quant_config.json when config.json has no quantization_config.
Result<std::optional<PackConfig>> readHfQuantization(const nlohmann::json& config, const std::filesystem::path& folder,
                                                     const std::string& configFile);

// "gptq 4-bit, group 128, symmetric" (inspect's metadata line).
std::string hfQuantizationLabel(const PackConfig& c);

} // namespace condense::io
