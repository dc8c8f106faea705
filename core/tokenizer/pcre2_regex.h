#pragma once
// A compiled PCRE2 pattern for the pre-tokenizers (Split regexes of tokenizer.json, the GPT-2
// and llama.cpp pre-tokenizer regexes). Compiled with PCRE2_UTF | PCRE2_UCP, so \s, \w, \d and
// the POSIX classes follow Unicode properties as Oniguruma (Hugging Face tokenizers) and
// Rust's regex crate do, and JIT-compiled when the platform supports it.
//
// Subjects must be valid UTF-8 (callers sanitize): matching runs with PCRE2_NO_UTF_CHECK, so
// scanning a long text match by match stays linear instead of re-validating the whole
// subject on every call. Copies share the compiled code; matching is thread-safe.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/common/result.h"

struct pcre2_real_code_8;

namespace condense::tokenizer {

class Pcre2Regex {
public:
    // `label` names the file the pattern comes from, for errors.
    static Result<Pcre2Regex> compile(std::string_view pattern, const std::string& label);

    // All non-overlapping matches, left to right, as [begin, end) byte ranges. After an
    // empty match the scan moves on by one character (as Rust's and Oniguruma's iterators).
    void findAll(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& out) const;
    // True if the pattern matches somewhere in `text`.
    bool search(std::string_view text) const;

    const std::string& pattern() const { return m_pattern; }

private:
    std::shared_ptr<pcre2_real_code_8> m_code;
    std::string m_pattern;
};

} // namespace condense::tokenizer
