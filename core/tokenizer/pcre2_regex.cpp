#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/tokenizer/pcre2_regex.h"

#include <pcre2.h>

#include "core/io/error_text.h"
#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

struct MatchData {
    explicit MatchData(const pcre2_code* code) : md(pcre2_match_data_create_from_pattern(code, nullptr)) {}
    ~MatchData() { pcre2_match_data_free(md); }
    MatchData(const MatchData&) = delete;
    MatchData& operator=(const MatchData&) = delete;
    pcre2_match_data* md;
};

// One match at or after `offset`; returns the pcre2_match result (>= 0 on a match). A JIT
// stack overflow (deep backtracking on a long run) is retried with the interpreter, which
// has no such small stack.
int matchAt(const pcre2_code* code, std::string_view text, std::size_t offset, pcre2_match_data* md)
{
    const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    int rc = pcre2_match(code, subject, text.size(), offset, PCRE2_NO_UTF_CHECK, md, nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(code, subject, text.size(), offset, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md, nullptr);
    return rc;
}

} // namespace

Result<Pcre2Regex> Pcre2Regex::compile(std::string_view pattern, const std::string& label)
{
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                                     &errorCode, &errorOffset, nullptr);
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof(message));
        return makeError(ErrorCode::UnsupportedFormat, label,
                         "pre-tokenizer regex " + io::printableText(pattern) + " does not compile at offset " +
                             std::to_string(errorOffset) + ": " + reinterpret_cast<const char*>(message));
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // optional: without JIT the interpreter runs
    Pcre2Regex r;
    r.m_code = std::shared_ptr<pcre2_code>(code, [](pcre2_code* c) { pcre2_code_free(c); });
    r.m_pattern = std::string(pattern);
    return r;
}

void Pcre2Regex::findAll(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& out) const
{
    out.clear();
    if (!m_code || text.empty()) return;
    MatchData data(m_code.get());
    if (!data.md) return;
    std::size_t offset = 0;
    while (offset <= text.size()) {
        const int rc = matchAt(m_code.get(), text, offset, data.md);
        if (rc < 0) break; // no match (or a resource limit): the rest stays unmatched
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.md);
        const std::size_t b = ov[0], e = ov[1];
        if (e > b) {
            out.emplace_back(b, e);
            offset = e;
        } else {
            // Empty match: nothing to split off; move past one character.
            if (b >= text.size()) break;
            offset = b + utf8::charLength(static_cast<unsigned char>(text[b]));
        }
    }
}

bool Pcre2Regex::search(std::string_view text) const
{
    if (!m_code) return false;
    MatchData data(m_code.get());
    if (!data.md) return false;
    return matchAt(m_code.get(), text, 0, data.md) >= 0;
}

} // namespace condense::tokenizer
