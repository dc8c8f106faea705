#pragma once
// SentencePiece-BPE tokenizer from a tokenizer.model (behaves like the sentencepiece library)
// or from a GGUF "llama" vocabulary (behaves like llama.cpp).
//
// tokenizer.model: sentencepiece's Normalizer (src/normalizer.cc Normalize): the precompiled
//   charsmap rules if any (longest match), user-defined pieces passed through, malformed UTF-8
//   bytes -> U+FFFD, remove_extra_whitespaces (drop leading/trailing spaces, squeeze runs),
//   add_dummy_prefix (a U+2581 in front, or at the end with treat_whitespace_as_suffix),
//   escape_whitespaces (' ' -> U+2581); then SentencePieceBpe (SentencePiece flavour).
//   split_digits and split_by_whitespace are trainer options: encoding does not split words.
// GGUF llama: llama.cpp's llama_vocab::impl::tokenize for LLAMA_VOCAB_TYPE_SPM: user-defined
//   tokens (and control/unknown ones when parsing special text) are cut out longest first;
//   every text fragment gets a ' ' in front when tokenizer.ggml.add_space_prefix (default
//   true), spaces become U+2581, then SentencePieceBpe (LlamaCpp flavour). No normalization.
// Decoding follows sentencepiece's DecodeIds (sentencepiece_processor.cc Decode): control
// pieces are invisible, consecutive <0xNN> pieces are joined into bytes, U+2581 -> ' ', and
// one leading U+2581 of the first visible piece is dropped when a dummy prefix is added.
// Malformed byte runs: U+FFFD per byte (tokenizer.model) or the raw bytes (GGUF, as llama.cpp's
// token_to_piece). Differences, on purpose: with skipSpecial false, control and unknown pieces
// are shown as their text (sentencepiece shows none, and " \u2047 " for <unk>; with skipSpecial
// both are dropped); on GGUF the leading space is dropped after a skipped BOS too (llama.cpp's
// detokenize keeps it there). Because of that first-piece rule, a token decoded on its own
// loses its leading space: to stream generated text, decode the whole sequence and print what
// was added.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/tokenizer/precompiled_charsmap.h"
#include "core/tokenizer/sentencepiece_bpe.h"
#include "core/tokenizer/sentencepiece_model.h"
#include "core/tokenizer/special_token_splitter.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::tokenizer {

class SpmTokenizer final : public Tokenizer {
public:
    // Special tokens and flags of a GGUF llama vocabulary (-1: none).
    struct GgufVocab {
        std::vector<std::string> pieces;
        std::vector<float> scores;
        std::vector<TokenAttr> attrs;
        std::int32_t bos = -1, eos = -1, unk = -1, pad = -1;
        bool addBos = true, addEos = false, addSpacePrefix = true;
    };

    // `addBos`/`addEos` from tokenizer_config.json when it says; else BOS yes, EOS no (Llama).
    static Result<std::unique_ptr<SpmTokenizer>> fromSentencePiece(const SentencePieceModel& model, const std::string& file,
                                                                   std::optional<bool> addBos, std::optional<bool> addEos);
    static Result<std::unique_ptr<SpmTokenizer>> fromGguf(GgufVocab vocab, const std::string& file);

    std::vector<std::int32_t> encode(std::string_view text, bool addSpecial, bool parseSpecial) const override;
    std::string decode(std::span<const std::int32_t> ids, bool skipSpecial) const override;

    // sentencepiece's normalization of one text (tokenizer.model only; GGUF: escape only).
    std::string normalize(std::string_view text) const;

private:
    SpmTokenizer() = default;
    std::pair<std::string_view, std::size_t> normalizePrefix(std::string_view input) const;

    std::unique_ptr<SentencePieceBpe> m_bpe;
    SpecialTokenSplitter m_splitter;
    bool m_llama = false;
    // NormalizerSpec (tokenizer.model) / add_space_prefix (GGUF: m_addDummyPrefix)
    bool m_addDummyPrefix = true;
    bool m_removeExtraWhitespaces = false;
    bool m_escapeWhitespaces = true;
    bool m_treatWhitespaceAsSuffix = false;
    PrecompiledCharsmap m_charsmap;
};

} // namespace condense::tokenizer
