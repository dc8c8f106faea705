#pragma once
// Byte-level BPE tokenizer from a GGUF "gpt2" vocabulary, behaving like llama.cpp
// (src/llama-vocab.cpp: tokenize for LLAMA_VOCAB_TYPE_BPE, llm_tokenizer_bpe,
// llm_tokenizer_bpe_session; src/unicode.cpp unicode_regex_split):
//
//   1. user-defined tokens, and control/unknown tokens when parsing special text, are cut out
//      longest first (SpecialTokenSplitter LongestFirst);
//   2. each text fragment is split by the pre-tokenizer regexes of tokenizer.ggml.pre, applied
//      in turn (each regex splits every piece into its matches and the text between them);
//   3. every word is mapped byte -> GPT-2 character and merged by tokenizer.ggml.merges rank
//      (BpeModel); with ignore_merges (llama3, tekken) a word that is a token stays whole;
//   4. BOS / EOS per tokenizer.ggml.add_bos_token / add_eos_token when adding special tokens.
// The regexes are llama.cpp's for each pre-tokenizer name (its "adapted" forms spell the
// (?i:'s|...) contractions as [sS] classes), run with PCRE2; llama.cpp runs its own splitter
// (custom code for the common ones, std::regex over category-collapsed text otherwise), which
// agrees on ordinary text. There is no Unicode normalization (llama.cpp has none), so a model
// whose tokenizer.json normalizes to NFC tokenizes decomposed text differently here.
// Decoding: normal tokens through the byte mapping, user-defined tokens as they are, control
// and unknown tokens only when not skipping special ones; then llama.cpp's clean-up of spaces
// before punctuation for the pre-tokenizers that enable it (clean_spaces).

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/regex.h"
#include "core/common/result.h"
#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/special_token_splitter.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::tokenizer {

class GgufBpeTokenizer final : public Tokenizer {
public:
    struct GgufVocab {
        std::vector<std::string> pieces;
        std::vector<TokenAttr> attrs;
        std::vector<std::pair<std::string, std::string>> merges;
        std::string pre; // tokenizer.ggml.pre ("" when absent: "default")
        std::int32_t bos = -1, eos = -1, unk = -1, pad = -1;
        std::optional<bool> addBos, addEos; // the keys, when present
    };

    // UnsupportedFormat when `pre` names a pre-tokenizer we do not know.
    static Result<std::unique_ptr<GgufBpeTokenizer>> create(GgufVocab vocab, const std::string& file);

    std::vector<std::int32_t> encode(std::string_view text, bool addSpecial, bool parseSpecial) const override;
    std::string decode(std::span<const std::int32_t> ids, bool skipSpecial) const override;

    const std::string& preTokenizer() const { return m_pre; }

private:
    GgufBpeTokenizer() = default;

    std::vector<Regex> m_regexes;
    BpeModel m_model;
    SpecialTokenSplitter m_splitter;
    std::string m_pre;
    bool m_cleanSpaces = true;
};

} // namespace condense::tokenizer
