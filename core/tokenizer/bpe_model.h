#pragma once
// Rank-based BPE over one pre-tokenized word, as Hugging Face tokenizers' BPE model
// (tokenizers/src/models/bpe/model.rs merge_word, word.rs merge_all) and llama.cpp's BPE
// tokenizer (src/llama-vocab.cpp, llm_tokenizer_bpe_session) do it:
//
//   1. Each character of the word becomes a symbol holding its vocabulary id. A character
//      that is not in the vocabulary becomes its <0xNN> byte tokens (byte_fallback), else
//      <unk> (consecutive ones fused into one when fuse_unk), else it is dropped.
//   2. Every adjacent pair (a, b) listed in the merges is pushed on a min-heap keyed by
//      (merge rank, position). Pop the lowest; skip it if the pair at that position is no
//      longer (a, b); else replace the two symbols by the id of "ab" and push the pairs the new
//      symbol forms with its neighbours. Repeat until the heap is empty.
//
// A merge rule (a, b) is kept only when a, b and "ab" are all in the vocabulary (tokenizers
// refuses other files; llama.cpp would form "ab" and then spell it as bytes).
// Encoding is const and thread-safe; a WordCache, owned by the caller, remembers the ids of
// words already seen during one long text (a word list repeats a lot: the GPT-2 regex cuts
// WikiText into ~270k words of which ~30k are distinct).

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/tokenizer/token_types.h"

namespace condense::tokenizer {

class BpeModel {
public:
    struct Options {
        std::int32_t unkId = -1;
        bool fuseUnk = false;
        bool byteFallback = false;
        bool ignoreMerges = false; // a word that is itself a token skips the merges
        std::string continuingSubwordPrefix;
        std::string endOfWordSuffix;
    };

    class WordCache {
    public:
        const std::int32_t* find(std::string_view word, std::size_t& count) const;
        void insert(std::string_view word, const std::int32_t* ids, std::size_t count);

    private:
        std::unordered_map<std::string, std::pair<std::uint32_t, std::uint32_t>, StringHash, std::equal_to<>> m_index;
        std::vector<std::int32_t> m_ids;
    };

    BpeModel() = default;
    // `vocab` maps token text to id; `merges` are in rank order. `skippedMerges` receives the
    // number of rules dropped because a part or the result is not in the vocabulary.
    BpeModel(StringIdMap vocab, const std::vector<std::pair<std::string, std::string>>& merges, Options options,
             std::size_t* skippedMerges = nullptr);

    // Appends the ids of one word. `cache` may be null.
    void encodeWord(std::string_view word, std::vector<std::int32_t>& out, WordCache* cache = nullptr) const;

    std::int32_t find(std::string_view token) const;
    const StringIdMap& vocab() const { return m_vocab; }
    const Options& options() const { return m_options; }

private:
    struct Merge {
        std::uint32_t rank;
        std::int32_t newId;
    };
    static std::uint64_t key(std::int32_t a, std::int32_t b)
    {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
    }
    void mergeWord(std::string_view word, std::vector<std::int32_t>& out) const;
    void encodePiece(std::string_view word, std::vector<std::int32_t>& out, WordCache* cache) const;

    StringIdMap m_vocab;
    std::unordered_map<std::uint64_t, Merge> m_merges;
    std::int32_t m_byteIds[256] = {};
    Options m_options;
    // Metaspace vocabularies (U+2581 for spaces, words not pre-split): a word may be cut before
    // every U+2581 that follows another character, as no merge can span such a point.
    bool m_cutAtSpace = false;
};

} // namespace condense::tokenizer
