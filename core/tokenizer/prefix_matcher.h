#pragma once
// Longest-prefix match over a small set of strings (sentencepiece's user-defined symbols,
// normalizer/prefix_matcher.cc): at a position, the longest string of the set that starts
// there. Strings are bucketed by their first byte and kept longest first, so a lookup costs
// one bucket probe for ordinary text.

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace condense::tokenizer {

class PrefixMatcher {
public:
    void add(std::string s)
    {
        if (s.empty()) return;
        auto& bucket = m_buckets[static_cast<unsigned char>(s[0])];
        bucket.push_back(std::move(s));
        std::stable_sort(bucket.begin(), bucket.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
        m_empty = false;
    }
    bool empty() const { return m_empty; }

    // Length of the longest member that `text` starts with, or 0.
    std::size_t match(std::string_view text) const
    {
        if (m_empty || text.empty()) return 0;
        for (const auto& s : m_buckets[static_cast<unsigned char>(text[0])])
            if (text.substr(0, s.size()) == s) return s.size();
        return 0;
    }

private:
    std::array<std::vector<std::string>, 256> m_buckets;
    bool m_empty = true;
};

} // namespace condense::tokenizer
