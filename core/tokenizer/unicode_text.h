#pragma once
// Unicode text operations the tokenizer normalizers need, done by ICU (libicu, Unicode 15 in
// ICU 72): normalization forms (UAX #15), full lowercase mapping (Unicode SpecialCasing, with
// the final-sigma context, as Rust's str::to_lowercase), combining-mark removal and the
// White_Space property. Input must be valid UTF-8 (callers sanitize).

#include <cstdint>
#include <string>
#include <string_view>

namespace condense::tokenizer::unicode {

enum class NormalForm : std::uint8_t { NFC, NFD, NFKC, NFKD };

// `text` in the given normal form (returned unchanged when it already is).
std::string normalize(std::string_view text, NormalForm form);
std::string toLower(std::string_view text);
// Removes combining marks (general categories Mn, Mc, Me), as tokenizers' StripAccents.
std::string stripMarks(std::string_view text);
bool isWhiteSpace(char32_t cp) noexcept;
// Rust regex's \w: Alphabetic, marks (Mn Mc Me), decimal digits (Nd), connector punctuation (Pc),
// Join_Control.
bool isWordChar(char32_t cp) noexcept;

} // namespace condense::tokenizer::unicode
