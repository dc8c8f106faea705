#pragma once
// Small text and JSON files of a model folder (config.json, the shard index, tokenizer.json,
// tokenizer_config.json, generation_config.json, chat templates): read whole, with the size
// checked against a limit before anything is allocated. The one place core reads such files.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "core/common/result.h"

namespace condense::io {

constexpr std::uint64_t kMaxSmallFileBytes = 1ull << 30;

// NotFound when the file does not exist, IoError when it cannot be read, OutOfRange (naming
// the size) when it is larger than `limit`.
Result<std::string> readTextFile(const std::filesystem::path& path, std::uint64_t limit = kMaxSmallFileBytes);
// As readTextFile, then Malformed ("invalid JSON: ...", naming the file) when it is not JSON.
Result<nlohmann::json> readJsonFile(const std::filesystem::path& path, std::uint64_t limit = kMaxSmallFileBytes);
// nullopt when there is no such regular file; an error when it exists but is broken.
Result<std::optional<nlohmann::json>> readOptionalJsonFile(const std::filesystem::path& path,
                                                           std::uint64_t limit = kMaxSmallFileBytes);

} // namespace condense::io
