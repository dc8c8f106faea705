#include "core/io/json_file.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/error_text.h"

namespace condense::io {

namespace fs = std::filesystem;

Result<std::string> readTextFile(const fs::path& p, std::uint64_t limit)
{
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) {
        const bool missing = !fs::exists(p);
        return makeError(missing ? ErrorCode::NotFound : ErrorCode::IoError, p.string(),
                         missing ? std::string("no such file") : "cannot read file size: " + ec.message());
    }
    if (size > limit)
        return makeError(ErrorCode::OutOfRange, p.string(),
                         "file is " + std::to_string(size) + " bytes, larger than the " + std::to_string(limit) + " allowed for it");
    std::ifstream in(p, std::ios::binary);
    if (!in) return makeError(ErrorCode::IoError, p.string(), "cannot open file");
    std::string s(static_cast<std::size_t>(size), '\0');
    in.read(s.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::uint64_t>(in.gcount()) != size) return makeError(ErrorCode::IoError, p.string(), "short read");
    return s;
}

Result<nlohmann::json> readJsonFile(const fs::path& p, std::uint64_t limit)
{
    auto text = readTextFile(p, limit);
    if (!text) return std::move(text).error();
    try {
        return nlohmann::json::parse(*text);
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Malformed, p.string(), std::string("invalid JSON: ") + printableText(e.what()));
    }
}

Result<std::optional<nlohmann::json>> readOptionalJsonFile(const fs::path& p, std::uint64_t limit)
{
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return std::optional<nlohmann::json>{};
    auto j = readJsonFile(p, limit);
    if (!j) return std::move(j).error();
    return std::optional<nlohmann::json>(std::move(*j));
}

} // namespace condense::io
