#pragma once
// The "normalizer" of a Hugging Face tokenizer.json (huggingface/tokenizers
// tokenizers/src/normalizers/), applied to each text segment between added tokens:
//   NFC / NFD / NFKC / NFKD   Unicode normalization forms (ICU)
//   Lowercase                 full lowercase mapping
//   StripAccents              drop combining marks (meant to follow NFD)
//   Strip {strip_left, strip_right}      trim White_Space
//   Replace {pattern: {String|Regex}, content}   replace every match
//   Prepend {prepend}         prefix a non-empty text
//   Sequence {normalizers}    in order
// Anything else (BertNormalizer, Precompiled, ByteLevel, Nmt) is refused with
// ErrorCode::UnsupportedFormat naming it.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/regex.h"
#include "core/common/result.h"
#include "core/tokenizer/unicode_text.h"

namespace condense::tokenizer {

class HfNormalizer {
public:
    // `j` is the "normalizer" value (null: no normalization); `file` names tokenizer.json.
    static Result<HfNormalizer> parse(const nlohmann::json& j, const std::string& file);

    bool empty() const { return m_steps.empty(); }
    std::string apply(std::string_view text) const;

private:
    enum class Kind : std::uint8_t { Form, Lowercase, StripAccents, Strip, ReplaceString, ReplaceRegex, Prepend };
    struct Step {
        Kind kind = Kind::Form;
        unicode::NormalForm form = unicode::NormalForm::NFC;
        std::string pattern; // ReplaceString
        std::string content; // Replace*, Prepend
        std::optional<Regex> regex;
        bool left = true, right = true;
    };
    static Status parseInto(const nlohmann::json& j, const std::string& file, std::vector<Step>& steps);

    std::vector<Step> m_steps;
};

} // namespace condense::tokenizer
