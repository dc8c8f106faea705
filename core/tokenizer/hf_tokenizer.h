#pragma once
// A Hugging Face tokenizer.json with a BPE model, run the way huggingface/tokenizers runs it
// (tokenizer/mod.rs encode_single_sequence; transformers 5 calls exactly this):
//
//   1. added tokens with normalized = false are cut out of the raw text (AddedVocabulary,
//      leftmost-longest; special ones only when special text is parsed);
//   2. each remaining segment goes through the normalizer, then added tokens with
//      normalized = true are cut out of the normalized text;
//   3. each remaining piece goes through the pre-tokenizer, and every word through the BPE
//      model (BpeModel: merges by rank, byte_fallback, unk/fuse_unk, ignore_merges,
//      continuing_subword_prefix, end_of_word_suffix);
//   4. with addSpecial, the post-processor's tokens around the sequence (TemplateProcessing
//      "single", Roberta/BertProcessing cls/sep, ByteLevel (none), Sequence of these).
// Decoding: the token strings of the ids (special added tokens dropped when skipSpecial), the
// decoder chain (HfDecoder), then transformers' clean_up_tokenization when tokenizer_config.json
// sets clean_up_tokenization_spaces.
//
// Special token ids: bos/eos/unk/pad_token of tokenizer_config.json, else of
// special_tokens_map.json (a string or {"content": ...}), looked up among the added tokens and
// the vocabulary; unk also from the BPE model's unk_token. Text that is not valid UTF-8 (which
// Python strings never are) has each bad byte replaced by U+FFFD first.
// Truncation, padding and BPE dropout settings in the file are ignored (transformers disables
// the first two; dropout is a training-time option).

#include <filesystem>
#include <memory>
#include <vector>

#include "core/common/result.h"
#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/hf_decoder.h"
#include "core/tokenizer/hf_normalizer.h"
#include "core/tokenizer/hf_pre_tokenizer.h"
#include "core/tokenizer/special_token_splitter.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::tokenizer {

class HfTokenizer final : public Tokenizer {
public:
    // Reads `folder`/tokenizer.json (and tokenizer_config.json, special_tokens_map.json).
    static Result<std::unique_ptr<HfTokenizer>> load(const std::filesystem::path& folder);

    std::vector<std::int32_t> encode(std::string_view text, bool addSpecial, bool parseSpecial) const override;
    std::string decode(std::span<const std::int32_t> ids, bool skipSpecial) const override;

private:
    HfTokenizer() = default;

    HfNormalizer m_normalizer;
    HfPreTokenizer m_preTokenizer;
    BpeModel m_model;
    HfDecoder m_decoder;
    SpecialTokenSplitter m_rawTokens;        // added tokens with normalized = false
    SpecialTokenSplitter m_normalizedTokens; // added tokens with normalized = true (normalized content)
    std::vector<std::int32_t> m_prefix, m_suffix; // post-processor, single sequence
    bool m_cleanUpSpaces = false;
};

} // namespace condense::tokenizer
