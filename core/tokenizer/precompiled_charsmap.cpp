#include "core/tokenizer/precompiled_charsmap.h"

#include <cstring>

namespace condense::tokenizer {

namespace {

bool hasLeaf(std::uint32_t u) { return ((u >> 8) & 1) == 1; }
std::uint32_t valueOf(std::uint32_t u) { return u & ((1u << 31) - 1); }
std::uint32_t labelOf(std::uint32_t u) { return u & ((1u << 31) | 0xFF); }
std::uint32_t offsetOf(std::uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

} // namespace

Result<PrecompiledCharsmap> PrecompiledCharsmap::parse(std::string_view blob, const std::string& label)
{
    PrecompiledCharsmap m;
    if (blob.empty()) return m;
    if (blob.size() <= 4) return makeError(ErrorCode::Malformed, label, "precompiled_charsmap is shorter than its header");
    const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
    const std::uint32_t trieSize = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    if (trieSize > blob.size() - 4 || trieSize % 4 != 0)
        return makeError(ErrorCode::Malformed, label, "precompiled_charsmap trie of " + std::to_string(trieSize) + " bytes does not fit its blob");
    m.m_units.resize(trieSize / 4);
    for (std::size_t i = 0; i < m.m_units.size(); ++i) {
        const unsigned char* u = p + 4 + 4 * i;
        m.m_units[i] = u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<std::uint32_t>(u[3]) << 24);
    }
    m.m_replacements.assign(blob.substr(4 + trieSize));
    return m;
}

std::string_view PrecompiledCharsmap::longestMatch(std::string_view input, std::size_t& consumed) const
{
    consumed = 0;
    if (m_units.empty() || input.empty()) return {};
    std::uint32_t best = 0;
    std::size_t pos = offsetOf(m_units[0]);
    for (std::size_t i = 0; i < input.size(); ++i) {
        const auto c = static_cast<unsigned char>(input[i]);
        pos ^= c;
        if (pos >= m_units.size()) break;
        const std::uint32_t u = m_units[pos];
        if (labelOf(u) != c) break;
        pos ^= offsetOf(u);
        if (pos >= m_units.size()) break;
        if (hasLeaf(u)) {
            consumed = i + 1;
            best = valueOf(m_units[pos]);
        }
    }
    if (consumed == 0 || best >= m_replacements.size()) {
        consumed = 0;
        return {};
    }
    const char* s = m_replacements.data() + best;
    const std::size_t len = strnlen(s, m_replacements.size() - best);
    return {s, len};
}

} // namespace condense::tokenizer
