#pragma once
// sentencepiece's precompiled normalization rules (NormalizerSpec.precompiled_charsmap, e.g.
// the "nmt_nfkc" rule set): google/sentencepiece src/normalizer.cc DecodePrecompiledCharsMap
// and NormalizePrefix, over a darts-clone double array (darts.h).
//
//   blob = u32 LE trie_size | trie (trie_size bytes: u32 LE units) | replacements ('\0'-ended
//          UTF-8 strings; a trie value is the offset of one)
//   unit: has_leaf = bit 8; value = bits 0-30; label = bits 0-7 | bit 31;
//         offset = (unit >> 10) << ((unit & (1 << 9)) >> 6)
//   common-prefix search: pos = units[0].offset; for each key byte c: pos ^= c;
//         u = units[pos]; stop unless label(u) == c; pos ^= offset(u);
//         if has_leaf(u): a match of length i + 1 with value(units[pos]).
// The longest match at the start of the input gives the replacement. Every index is checked
// against the blob, so a corrupt file yields no match rather than a bad read.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace condense::tokenizer {

class PrecompiledCharsmap {
public:
    // An empty blob is valid and maps nothing.
    static Result<PrecompiledCharsmap> parse(std::string_view blob, const std::string& label);

    bool empty() const { return m_units.empty(); }
    // Longest rule matching a prefix of `input`: sets `consumed` (bytes of input) and returns
    // the replacement; `consumed` = 0 when no rule matches.
    std::string_view longestMatch(std::string_view input, std::size_t& consumed) const;

private:
    std::vector<std::uint32_t> m_units;
    std::string m_replacements;
};

} // namespace condense::tokenizer
