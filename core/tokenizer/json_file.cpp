#include "core/tokenizer/json_file.h"

#include <nlohmann/json.hpp>

#include "core/io/error_text.h"
#include "core/io/mapped_file.h"

namespace condense::tokenizer {

Result<nlohmann::json> readJsonFile(const std::filesystem::path& path)
{
    auto f = io::MappedFile::open(path);
    if (!f) return std::move(f).error();
    constexpr std::uint64_t kLimit = 1ull << 30;
    if ((*f)->size() > kLimit)
        return makeError(ErrorCode::OutOfRange, path.string(), "file is " + std::to_string((*f)->size()) + " bytes, too large for a tokenizer file");
    const auto bytes = (*f)->bytes();
    const auto* begin = reinterpret_cast<const char*>(bytes.data());
    try {
        return nlohmann::json::parse(begin, begin + bytes.size());
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Malformed, path.string(), std::string("invalid JSON: ") + io::printableText(e.what()));
    }
}

Result<std::optional<nlohmann::json>> readOptionalJsonFile(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::optional<nlohmann::json>{};
    auto j = readJsonFile(path);
    if (!j) return std::move(j).error();
    return std::optional<nlohmann::json>(std::move(*j));
}

} // namespace condense::tokenizer
