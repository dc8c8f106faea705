#pragma once
// Cuts special / added tokens out of a text before the text is tokenized, in one of two ways:
//
//   LeftmostLongest (Hugging Face tokenizers, src/tokenizer/added_vocabulary.rs find_matches):
//     scan left to right; at the leftmost position where some token matches, take the
//     longest. A match of a special token when special parsing is off, or of a single_word
//     token touching a word character (Rust regex \w) on either side, is passed over: it
//     stays part of the text and the scan resumes after it. lstrip / rstrip extend a match
//     over the whitespace (Unicode White_Space) before / after it.
//   LongestFirst (llama.cpp, src/llama-vocab.cpp tokenizer_st_partition): the tokens, longest
//     text first, each cut out of every remaining text fragment in turn. Tokens flagged
//     `special` (control and unknown tokens) take part only when special parsing is on;
//     user-defined tokens always do. lstrip / rstrip drop ASCII spaces beside a match.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace condense::tokenizer {

struct TextSegment {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::int32_t token = -1; // -1: text [begin, end) to tokenize; else this token (covering [begin, end))
};

class SpecialTokenSplitter {
public:
    enum class Mode : std::uint8_t { LeftmostLongest, LongestFirst };
    struct Entry {
        std::string text;
        std::int32_t id = -1;
        bool special = false; // matched only when special parsing is on
        bool lstrip = false;
        bool rstrip = false;
        bool singleWord = false;
    };

    SpecialTokenSplitter() = default;
    SpecialTokenSplitter(std::vector<Entry> entries, Mode mode);

    bool empty() const { return m_entries.empty(); }
    // Segments covering `text` in order (text segments are never empty).
    void split(std::string_view text, bool parseSpecial, std::vector<TextSegment>& out) const;

private:
    void splitLeftmostLongest(std::string_view text, bool parseSpecial, std::vector<TextSegment>& out) const;
    void splitLongestFirst(std::string_view text, bool parseSpecial, std::vector<TextSegment>& out) const;

    std::vector<Entry> m_entries;                  // LongestFirst: longest first
    std::vector<std::vector<std::uint32_t>> m_buckets; // LeftmostLongest: by first byte, longest first
    Mode m_mode = Mode::LeftmostLongest;
};

} // namespace condense::tokenizer
