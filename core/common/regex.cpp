#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/common/regex.h"

#include <cstdint>

#include <pcre2.h>

namespace condense {

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
int matchAt(const pcre2_code* code, std::string_view text, std::size_t offset, std::uint32_t options, pcre2_match_data* md)
{
    const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    int rc = pcre2_match(code, subject, text.size(), offset, options, md, nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(code, subject, text.size(), offset, options | PCRE2_NO_JIT, md, nullptr);
    return rc;
}

// The length a UTF-8 lead byte announces (1 for ASCII, continuation and invalid bytes).
std::size_t leadLength(unsigned char lead)
{
    constexpr std::uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return kLen[lead >> 4];
}

} // namespace

Result<Regex> Regex::compile(std::string_view pattern, RegexOptions options)
{
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    const std::uint32_t flags = PCRE2_UTF | (options.unicodeProperties ? PCRE2_UCP : 0u);
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), flags, &errorCode,
                                     &errorOffset, nullptr);
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof(message));
        return makeError(ErrorCode::InvalidArgument, {},
                         "does not compile at offset " + std::to_string(errorOffset) + ": " +
                             reinterpret_cast<const char*>(message));
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // optional: without JIT the interpreter runs
    Regex r;
    r.m_code = std::shared_ptr<pcre2_code>(code, [](pcre2_code* c) { pcre2_code_free(c); });
    r.m_pattern = std::string(pattern);
    r.m_matchOptions = options.validUtf8Subjects ? PCRE2_NO_UTF_CHECK : 0u;
    return r;
}

std::optional<Regex::Range> Regex::find(std::string_view text, std::size_t offset) const
{
    if (!m_code || offset > text.size()) return std::nullopt;
    MatchData data(m_code.get());
    if (!data.md) return std::nullopt;
    if (matchAt(m_code.get(), text, offset, m_matchOptions, data.md) < 0) return std::nullopt;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.md);
    return Range{ov[0], ov[1]};
}

void Regex::findAll(std::string_view text, std::vector<Range>& out) const
{
    out.clear();
    if (!m_code || text.empty()) return;
    MatchData data(m_code.get());
    if (!data.md) return;
    std::size_t offset = 0;
    while (offset <= text.size()) {
        const int rc = matchAt(m_code.get(), text, offset, m_matchOptions, data.md);
        if (rc < 0) break; // no match (or a resource limit): the rest stays unmatched
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.md);
        const std::size_t b = ov[0], e = ov[1];
        if (e > b) {
            out.emplace_back(b, e);
            offset = e;
        } else {
            // Empty match: nothing to split off; move past one character.
            if (b >= text.size()) break;
            offset = b + leadLength(static_cast<unsigned char>(text[b]));
        }
    }
}

} // namespace condense
