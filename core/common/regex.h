#pragma once
// core's one regular-expression wrapper: a compiled PCRE2 pattern (8-bit code units, always in
// UTF mode), JIT-compiled when the platform supports it. Used by the tokenizers (the Split
// regexes of tokenizer.json, the GPT-2 and llama.cpp pre-tokenizer regexes) and by the
// quantization plans (--tensor-type patterns, searched in tensor names as llama-quantize does
// with std::regex_search).
//
// RegexOptions::unicodeProperties (PCRE2_UCP) makes \s, \w, \d and the POSIX classes follow
// Unicode properties, as Oniguruma (Hugging Face tokenizers) and Rust's regex crate do.
// RegexOptions::validUtf8Subjects (PCRE2_NO_UTF_CHECK) is for callers that sanitize their text
// first: scanning a long text match by match then stays linear instead of re-validating the
// whole subject on every call. Without it, a subject that is not valid UTF-8 simply does not
// match. Copies share the compiled code; matching is thread-safe.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"

struct pcre2_real_code_8;

namespace condense {

struct RegexOptions {
    bool unicodeProperties = false;
    bool validUtf8Subjects = false;
};

class Regex {
public:
    using Range = std::pair<std::size_t, std::size_t>; // [begin, end) byte offsets

    // ErrorCode::InvalidArgument when the pattern does not compile; the detail reads
    // "does not compile at offset N: <PCRE2's message>" for callers to prefix with what the
    // pattern is.
    static Result<Regex> compile(std::string_view pattern, RegexOptions options = {});

    // The first match starting at or after byte `offset` (a character boundary).
    std::optional<Range> find(std::string_view text, std::size_t offset = 0) const;
    // True if the pattern matches somewhere in `text`.
    bool search(std::string_view text) const { return find(text).has_value(); }
    // All non-overlapping matches, left to right. After an empty match the scan moves on by
    // one character, the length its lead byte announces (as Rust's and Oniguruma's iterators);
    // empty matches are not reported.
    void findAll(std::string_view text, std::vector<Range>& out) const;

    const std::string& pattern() const { return m_pattern; }

private:
    std::shared_ptr<pcre2_real_code_8> m_code;
    std::string m_pattern;
    std::uint32_t m_matchOptions = 0;
};

} // namespace condense
