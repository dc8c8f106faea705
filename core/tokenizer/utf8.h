#pragma once
// UTF-8 helpers for the tokenizers (RFC 3629). Two notions of "one character" are needed:
//   - charLength(): the length a lead byte announces (1 for ASCII, continuation and invalid
//     bytes), without validation. llama.cpp's tokenizers cut text this way
//     (unicode_len_utf8), so the GGUF paths use it to stay byte-compatible with them.
//   - validLength(): the length of a well-formed sequence (no overlongs, no surrogates,
//     nothing above U+10FFFF) or 0; sentencepiece replaces a malformed byte with U+FFFD and
//     Hugging Face tokenizers only ever see valid UTF-8, so those paths sanitize first.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/io/error_text.h"

namespace condense::tokenizer::utf8 {

inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

inline std::size_t charLength(unsigned char lead) noexcept
{
    constexpr std::uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return kLen[lead >> 4];
}

// Length of the well-formed sequence at s[i], or 0.
inline std::size_t validLength(std::string_view s, std::size_t i) noexcept { return io::utf8SequenceLength(s, i); }

inline bool isValid(std::string_view s) noexcept
{
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = validLength(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

// Every byte that does not start a well-formed sequence becomes U+FFFD (one per byte, as
// sentencepiece's normalizer and Python's errors="replace" per byte do).
inline std::string sanitize(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = validLength(s, i);
        if (n == 0) {
            out += kReplacement;
            ++i;
        } else {
            out.append(s.data() + i, n);
            i += n;
        }
    }
    return out;
}

// Code point of the well-formed sequence of length n at s[i] (n from validLength).
inline char32_t decodeAt(std::string_view s, std::size_t i, std::size_t n) noexcept
{
    const auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
    switch (n) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    case 4: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    default: return 0xFFFD;
    }
}

inline void append(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Python/Rust String::from_utf8_lossy: each maximal invalid subsequence becomes one U+FFFD.
// (Rust replaces a truncated but otherwise valid prefix as a whole; we follow the WHATWG /
// Unicode "maximal subpart" rule that Rust implements.)
std::string fromUtf8Lossy(std::string_view bytes);

} // namespace condense::tokenizer::utf8
