#pragma once
// Small types shared by the tokenizer implementations.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace condense::tokenizer {

// Token kinds, with the values of SentencePiece's piece types and GGUF's tokenizer.ggml.token_type
// (gguf-py constants.py TokenType). Hugging Face added tokens map to Control (special) or
// UserDefined (not special).
enum class TokenAttr : std::uint8_t {
    Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6,
};

// std::string keys looked up by std::string_view without building a string.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using StringIdMap = std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>>;

// "<0xAB>" -> 0xAB; -1 if `s` is not a byte token of that exact form (upper- or lower-case hex).
inline int byteTokenValue(std::string_view s) noexcept
{
    if (s.size() != 6 || s[0] != '<' || s[1] != '0' || s[2] != 'x' || s[5] != '>') return -1;
    const auto hex = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    const int hi = hex(s[3]), lo = hex(s[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// "<0xAB>" for a byte (upper-case hex, as sentencepiece and tokenizers spell byte pieces).
inline std::string byteTokenText(std::uint8_t b)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    return std::string{'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
}

} // namespace condense::tokenizer
