#pragma once
// GPT-2's reversible byte <-> character mapping (openai/gpt-2 src/encoder.py bytes_to_unicode,
// used by Hugging Face tokenizers' ByteLevel pre-tokenizer/decoder and llama.cpp's BPE vocab).
// The 188 bytes that are printable Latin-1 ('!'..'~', '¡'..'¬', '®'..'ÿ') map to the code point
// of the same value; the other 68 bytes (0x00-0x20, 0x7F-0xA0, 0xAD), in increasing order, map
// to U+0100, U+0101, ... U+0143. So ' ' (0x20) is 'Ġ' (U+0120) and '\n' (0x0A) is 'Ċ' (U+010A).

#include <cstdint>
#include <string>
#include <string_view>

namespace condense::tokenizer::byte_level {

// UTF-8 of the character byte `b` maps to.
std::string_view charOf(std::uint8_t b) noexcept;
// The byte a code point stands for, or -1 if it is not one of the 256 mapped characters.
int byteOf(char32_t cp) noexcept;

// Appends the mapped characters of every byte of `bytes`.
void encode(std::string_view bytes, std::string& out);

// Hugging Face ByteLevel decoder for one token: the bytes of its characters when every
// character is a mapped one, else the token's own UTF-8 bytes. Appends to `out`.
void decodeToken(std::string_view token, std::string& out);

} // namespace condense::tokenizer::byte_level
