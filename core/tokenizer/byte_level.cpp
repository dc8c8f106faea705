#include "core/tokenizer/byte_level.h"

#include <array>

#include "core/tokenizer/utf8.h"

namespace condense::tokenizer::byte_level {

namespace {

struct Tables {
    std::array<std::string, 256> chars;   // byte -> UTF-8 of its character
    std::array<std::int16_t, 0x144> bytes; // code point (< U+0144) -> byte, or -1

    Tables()
    {
        bytes.fill(-1);
        const auto printable = [](int b) { return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
        int next = 0;
        for (int b = 0; b < 256; ++b) {
            const char32_t cp = printable(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(0x100 + next++);
            utf8::append(chars[static_cast<std::size_t>(b)], cp);
            bytes[cp] = static_cast<std::int16_t>(b);
        }
    }
};

const Tables& tables()
{
    static const Tables t;
    return t;
}

} // namespace

std::string_view charOf(std::uint8_t b) noexcept { return tables().chars[b]; }

int byteOf(char32_t cp) noexcept
{
    const auto& t = tables();
    return cp < t.bytes.size() ? t.bytes[cp] : -1;
}

void encode(std::string_view bytes, std::string& out)
{
    const auto& t = tables();
    for (const char c : bytes) out += t.chars[static_cast<unsigned char>(c)];
}

void decodeToken(std::string_view token, std::string& out)
{
    const std::size_t start = out.size();
    for (std::size_t i = 0; i < token.size();) {
        const std::size_t n = utf8::validLength(token, i);
        const int b = n ? byteOf(utf8::decodeAt(token, i, n)) : -1;
        if (b < 0) {
            out.resize(start);
            out.append(token);
            return;
        }
        out += static_cast<char>(b);
        i += n;
    }
}

} // namespace condense::tokenizer::byte_level
