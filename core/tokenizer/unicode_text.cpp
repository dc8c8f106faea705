#include "core/tokenizer/unicode_text.h"

#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>

#include "core/tokenizer/utf8.h"

namespace condense::tokenizer::unicode {

namespace {

const icu::Normalizer2* instance(NormalForm form)
{
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = nullptr;
    switch (form) {
    case NormalForm::NFC: n = icu::Normalizer2::getNFCInstance(status); break;
    case NormalForm::NFD: n = icu::Normalizer2::getNFDInstance(status); break;
    case NormalForm::NFKC: n = icu::Normalizer2::getNFKCInstance(status); break;
    case NormalForm::NFKD: n = icu::Normalizer2::getNFKDInstance(status); break;
    }
    return U_SUCCESS(status) ? n : nullptr;
}

icu::StringPiece piece(std::string_view s) { return {s.data(), static_cast<std::int32_t>(s.size())}; }

} // namespace

std::string normalize(std::string_view text, NormalForm form)
{
    const icu::Normalizer2* n = instance(form);
    if (!n || text.empty()) return std::string(text); // no ICU data: leave the text as it is
    UErrorCode status = U_ZERO_ERROR;
    if (n->isNormalizedUTF8(piece(text), status) && U_SUCCESS(status)) return std::string(text);
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    icu::StringByteSink<std::string> sink(&out);
    status = U_ZERO_ERROR;
    n->normalizeUTF8(0, piece(text), sink, nullptr, status);
    if (U_FAILURE(status)) return std::string(text);
    return out;
}

std::string toLower(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    icu::StringByteSink<std::string> sink(&out);
    UErrorCode status = U_ZERO_ERROR;
    icu::CaseMap::utf8ToLower("", 0, piece(text), sink, nullptr, status);
    if (U_FAILURE(status)) return std::string(text);
    return out;
}

std::string stripMarks(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = utf8::validLength(text, i);
        if (n == 0) n = 1;
        const auto type = u_charType(static_cast<UChar32>(utf8::decodeAt(text, i, n)));
        if (type != U_NON_SPACING_MARK && type != U_COMBINING_SPACING_MARK && type != U_ENCLOSING_MARK) out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

bool isWhiteSpace(char32_t cp) noexcept { return u_isUWhiteSpace(static_cast<UChar32>(cp)) != 0; }

bool isWordChar(char32_t cp) noexcept
{
    const auto c = static_cast<UChar32>(cp);
    if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL)) return true;
    switch (u_charType(c)) {
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_CONNECTOR_PUNCTUATION: return true;
    default: return false;
    }
}

} // namespace condense::tokenizer::unicode
