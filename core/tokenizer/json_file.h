#pragma once
// Reading the JSON files of a Hugging Face folder for the tokenizer loaders (tokenizer.json,
// tokenizer_config.json, special_tokens_map.json). Internal to core/tokenizer.

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>

#include "core/common/result.h"

namespace condense::tokenizer {

// The parsed file; Malformed (naming the file) when it is not JSON, IoError/NotFound when it
// cannot be read. Files over 1 GiB are refused.
Result<nlohmann::json> readJsonFile(const std::filesystem::path& path);
// nullopt when the file does not exist; an error when it exists but is broken.
Result<std::optional<nlohmann::json>> readOptionalJsonFile(const std::filesystem::path& path);

} // namespace condense::tokenizer
