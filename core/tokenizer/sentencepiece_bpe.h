#pragma once
// Score-based BPE segmentation, the algorithm of sentencepiece's BPE model
// (google/sentencepiece src/bpe_model.cc, Model::SampleEncode without dropout) and of
// llama.cpp's SPM tokenizer (src/llama-vocab.cpp, llm_tokenizer_spm_session):
//
//   1. Cut the normalized text (spaces already U+2581) into characters; each is a symbol in a
//      doubly linked list.
//   2. For every adjacent pair whose concatenation is a vocabulary piece, push
//      (score of that piece, left index) on a max-heap; ties go to the leftmost pair.
//   3. Pop the best pair; skip it if either symbol has changed since it was pushed (its length
//      no longer adds up); otherwise merge right into left and push the new pairs with the
//      left and right neighbours. Repeat until the heap is empty.
//   4. Map every remaining symbol to its id.
//
// The two flavours differ only in details:
//   SentencePiece: merges form only NORMAL, USER_DEFINED and UNUSED pieces; user-defined pieces
//     are matched first (longest prefix) and never merged further; a resulting UNUSED piece is
//     split back into the two symbols it was made of; a symbol with no piece is <unk>, which
//     byte_fallback turns into <0xNN> pieces, or else a run of consecutive <unk> becomes one
//     (sentencepiece_processor.cc PopulateSentencePieceText).
//   LlamaCpp: any token of the vocabulary can be formed, with its score; a symbol with no
//     token becomes its bytes' <0xNN> tokens (or the one-byte token), else <unk>.
// Complexity O(n log n) in the number of characters. Both libraries run one heap over the
// whole text; we cut the text before every U+2581 that follows another character whenever no
// piece a merge can form contains such a U+2581 (checked at construction; true for vocabularies
// trained with split_by_whitespace). No merge can then cross a cut, so the chunks segment
// exactly as the whole text would, in small cache-friendly heaps, and a chunk seen before
// (a repeated word) reuses its ids.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/prefix_matcher.h"
#include "core/tokenizer/token_types.h"

namespace condense::tokenizer {

class SentencePieceBpe {
public:
    enum class Flavor : std::uint8_t { SentencePiece, LlamaCpp };

    // pieces/scores/attrs are indexed by id and have the same length.
    SentencePieceBpe(const std::vector<std::string>& pieces, const std::vector<float>& scores, const std::vector<TokenAttr>& attrs,
                     std::int32_t unkId, bool byteFallback, Flavor flavor);

    // Appends the ids of `normalized` (valid UTF-8 for the SentencePiece flavour).
    void encode(std::string_view normalized, std::vector<std::int32_t>& out) const;

    // sentencepiece's PieceToId: reserved pieces (control, unknown, byte) first, then the others;
    // -1 when absent.
    std::int32_t find(std::string_view piece) const;
    const PrefixMatcher& userDefined() const { return m_userDefined; }

private:
    struct Scratch;
    std::size_t symbolLength(std::string_view text, std::size_t pos, bool& freeze) const;
    void encodeChunk(std::string_view text, std::vector<std::int32_t>& out, bool& prevUnk, Scratch& scratch) const;
    void emitSymbol(std::string_view text, std::vector<std::int32_t>& out, bool& prevUnk) const;

    Flavor m_flavor;
    StringIdMap m_mergeable; // pieces a merge may form
    StringIdMap m_reserved;  // SentencePiece flavour: control, unknown and byte pieces
    std::vector<float> m_scores;
    std::vector<TokenAttr> m_attrs;
    std::array<std::int32_t, 256> m_byteIds{};
    std::int32_t m_unk = -1;
    bool m_byteFallback = false;
    bool m_hasUnused = false;
    bool m_cutAtSpace = false;
    PrefixMatcher m_userDefined;
};

} // namespace condense::tokenizer
