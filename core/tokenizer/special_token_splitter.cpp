#include "core/tokenizer/special_token_splitter.h"

#include <algorithm>
#include <cctype>
#include <list>

#include "core/tokenizer/unicode_text.h"
#include "core/tokenizer/utf8.h"

namespace condense::tokenizer {

namespace {

// Code point of the last / first character of a valid UTF-8 string.
char32_t lastChar(std::string_view s)
{
    std::size_t i = s.size() - 1;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    const std::size_t n = utf8::validLength(s, i);
    return n ? utf8::decodeAt(s, i, n) : 0xFFFD;
}

char32_t firstChar(std::string_view s)
{
    const std::size_t n = utf8::validLength(s, 0);
    return n ? utf8::decodeAt(s, 0, n) : 0xFFFD;
}

// Start of the run of whitespace that ends `s` (s.size() if none).
std::size_t trailingSpaceStart(std::string_view s)
{
    std::size_t end = s.size();
    while (end > 0) {
        std::size_t i = end - 1;
        while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
        const std::size_t n = utf8::validLength(s, i);
        if (n == 0 || !unicode::isWhiteSpace(utf8::decodeAt(s, i, n))) break;
        end = i;
    }
    return end;
}

// Length of the run of whitespace that starts `s`.
std::size_t leadingSpaceLength(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t n = utf8::validLength(s, i);
        if (n == 0 || !unicode::isWhiteSpace(utf8::decodeAt(s, i, n))) break;
        i += n;
    }
    return i;
}

} // namespace

SpecialTokenSplitter::SpecialTokenSplitter(std::vector<Entry> entries, Mode mode) : m_mode(mode)
{
    for (auto& e : entries)
        if (!e.text.empty() && e.id >= 0) m_entries.push_back(std::move(e));
    std::stable_sort(m_entries.begin(), m_entries.end(), [](const Entry& a, const Entry& b) { return a.text.size() > b.text.size(); });
    if (mode == Mode::LeftmostLongest && !m_entries.empty()) {
        m_buckets.resize(256);
        for (std::size_t i = 0; i < m_entries.size(); ++i)
            m_buckets[static_cast<unsigned char>(m_entries[i].text[0])].push_back(static_cast<std::uint32_t>(i));
    }
}

void SpecialTokenSplitter::split(std::string_view text, bool parseSpecial, std::vector<TextSegment>& out) const
{
    out.clear();
    if (text.empty()) return;
    if (m_entries.empty()) {
        out.push_back(TextSegment{0, text.size(), -1});
        return;
    }
    if (m_mode == Mode::LeftmostLongest) splitLeftmostLongest(text, parseSpecial, out);
    else splitLongestFirst(text, parseSpecial, out);
}

void SpecialTokenSplitter::splitLeftmostLongest(std::string_view text, bool parseSpecial, std::vector<TextSegment>& out) const
{
    std::size_t startOffset = 0; // end of the last token cut out
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto& bucket = m_buckets[static_cast<unsigned char>(text[pos])];
        const Entry* match = nullptr;
        for (const std::uint32_t i : bucket) {
            const Entry& e = m_entries[i];
            if (text.compare(pos, e.text.size(), e.text) == 0) {
                match = &e;
                break;
            }
        }
        if (!match) {
            ++pos;
            continue;
        }
        std::size_t start = pos, stop = pos + match->text.size();
        pos = stop;
        if (match->special && !parseSpecial) continue; // passed over: stays text
        if (match->singleWord) {
            const bool spaceBefore = start == 0 || !unicode::isWordChar(lastChar(text.substr(0, start)));
            const bool spaceAfter = stop == text.size() || !unicode::isWordChar(firstChar(text.substr(stop)));
            if (!spaceBefore || !spaceAfter) continue;
        }
        if (match->lstrip) start = std::max(trailingSpaceStart(text.substr(0, start)), startOffset);
        if (match->rstrip) stop += leadingSpaceLength(text.substr(stop));
        if (startOffset < start) out.push_back(TextSegment{startOffset, start, -1});
        out.push_back(TextSegment{start, stop, match->id});
        startOffset = stop;
        pos = stop;
    }
    if (startOffset < text.size()) out.push_back(TextSegment{startOffset, text.size(), -1});
}

void SpecialTokenSplitter::splitLongestFirst(std::string_view text, bool parseSpecial, std::vector<TextSegment>& out) const
{
    std::list<TextSegment> fragments{TextSegment{0, text.size(), -1}};
    for (const Entry& e : m_entries) {
        if (e.special && !parseSpecial) continue;
        for (auto it = fragments.begin(); it != fragments.end(); ++it) {
            if (it->token >= 0) continue;
            // Cut every occurrence of e.text out of this text fragment, left to right.
            std::size_t base = it->begin;
            const std::size_t fragEnd = it->end;
            auto insertAt = std::next(it);
            bool cut = false;
            while (base < fragEnd) {
                const std::size_t m = text.substr(0, fragEnd).find(e.text, base);
                if (m == std::string_view::npos) break;
                std::size_t leftEnd = m;
                if (e.lstrip)
                    while (leftEnd > base && std::isspace(static_cast<unsigned char>(text[leftEnd - 1]))) --leftEnd;
                if (leftEnd > base) fragments.insert(insertAt, TextSegment{base, leftEnd, -1});
                fragments.insert(insertAt, TextSegment{m, m + e.text.size(), e.id});
                base = m + e.text.size();
                if (e.rstrip)
                    while (base < fragEnd && std::isspace(static_cast<unsigned char>(text[base]))) ++base;
                cut = true;
            }
            if (!cut) continue;
            if (base < fragEnd) fragments.insert(insertAt, TextSegment{base, fragEnd, -1});
            fragments.erase(it);
            it = std::prev(insertAt); // the last piece just inserted; the loop moves past it
        }
    }
    out.assign(fragments.begin(), fragments.end());
}

} // namespace condense::tokenizer
