#pragma once
// How the tokenizers compile their regexes (core/common/regex.h): Unicode properties for \s \w
// \d and the POSIX classes (as Oniguruma and Rust's regex crate), and no per-call UTF-8 check
// (every tokenizer path sanitizes its text first). A pattern that does not compile makes the
// tokenizer unsupported: ErrorCode::UnsupportedFormat in `file`.

#include <string>
#include <string_view>

#include "core/common/regex.h"
#include "core/common/result.h"
#include "core/io/error_text.h"

namespace condense::tokenizer {

inline Result<Regex> compileTokenizerRegex(std::string_view pattern, const std::string& file)
{
    auto r = Regex::compile(pattern, RegexOptions{.unicodeProperties = true, .validUtf8Subjects = true});
    if (!r)
        return makeError(ErrorCode::UnsupportedFormat, file, "pre-tokenizer regex " + io::printableText(pattern) + " " + r.error().detail);
    return r;
}

} // namespace condense::tokenizer
