#pragma once
// Tokenizer: text <-> token ids for the models we run, behaving like the library the model was
// made for:
//
//   source                         algorithm                      behaves like
//   Hugging Face tokenizer.json    BPE (Metaspace + byte fallback, transformers / tokenizers
//                                  or ByteLevel + split regex)    (added tokens, normalizer,
//                                                                 pre-tokenizer, post-processor,
//                                                                 decoder from the file)
//   tokenizer.model (no .json)     SentencePiece BPE (scores)     the sentencepiece library
//   GGUF, tokenizer.ggml.model     SentencePiece BPE (scores)     llama.cpp (llm_tokenizer_spm):
//     = "llama"                                                   always a leading U+2581
//   GGUF, tokenizer.ggml.model     byte-level BPE, pre-tokenizer  llama.cpp (llm_tokenizer_bpe);
//     = "gpt2"                     regexes of tokenizer.ggml.pre  no Unicode normalization
//
// encode(text, addSpecial, parseSpecial):
//   addSpecial   adds what the model adds around a text: BOS/EOS per addBos()/addEos() (GGUF
//                and tokenizer.model), the post-processor template (tokenizer.json).
//   parseSpecial text spelling a special token ("<s>", "<|endoftext|>") becomes that token.
//                transformers always does this; llama.cpp does it when asked. Non-special
//                added / user-defined tokens are always cut out.
// decode(ids, skipSpecial): the text of the ids (tokenizer.json: its decoder chain; SentencePiece
//   sources: pieces with U+2581 -> ' ', <0xNN> bytes joined, one leading space of the first
//   piece dropped, as sentencepiece's DecodeIds; gpt2 GGUF: the byte-level mapping undone).
//   skipSpecial drops control/unknown tokens. Ids outside the vocabulary are ignored. For
//   SentencePiece vocabularies the first piece loses its leading space, so a token decoded on
//   its own does too: to stream generated text, decode the whole sequence and print the part
//   that is new (as transformers' TextStreamer does).
// Instances are immutable after loading; encode/decode are thread-safe.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/tokenizer/token_types.h"

namespace condense::io {
class GgufFile;
class Checkpoint;
} // namespace condense::io

namespace condense::tokenizer {

enum class TokenizerSource : std::uint8_t { HfTokenizerJson, SentencePieceModel, GgufLlama, GgufGpt2 };
const char* tokenizerSourceName(TokenizerSource s) noexcept;

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    virtual std::vector<std::int32_t> encode(std::string_view text, bool addSpecial, bool parseSpecial) const = 0;
    virtual std::string decode(std::span<const std::int32_t> ids, bool skipSpecial) const = 0;

    // The vocabulary entry of a token as stored ("▁Hello", "Ġworld", "<0x0A>", "<s>"); empty
    // for ids outside the vocabulary.
    const std::string& tokenToPiece(std::int32_t id) const;
    // The text one token stands for, as llama.cpp's llama_token_to_piece(special = true) gives
    // it (what llama-tokenize prints): control, unknown and user-defined tokens as stored;
    // byte tokens ("<0x0A>") as their one byte; normal tokens with U+2581 as ' '
    // (SentencePiece-style vocabularies) or through the GPT-2 byte mapping (byte-level ones;
    // a token holding a character outside the mapping keeps its own UTF-8, as Hugging Face's
    // ByteLevel decoder does); unused ids and ids outside the vocabulary give "". Unlike
    // decode(), no leading space is dropped. May be a fragment of a UTF-8 sequence.
    std::string tokenText(std::int32_t id) const;
    std::int32_t vocabSize() const { return static_cast<std::int32_t>(m_pieces.size()); }
    TokenAttr tokenAttr(std::int32_t id) const;
    // Control or unknown token (what skipSpecial drops; HF: special added tokens).
    bool isSpecial(std::int32_t id) const;
    bool isControl(std::int32_t id) const { return tokenAttr(id) == TokenAttr::Control; }

    // -1 when the model has no such token.
    std::int32_t bosId() const { return m_bos; }
    std::int32_t eosId() const { return m_eos; }
    std::int32_t unkId() const { return m_unk; }
    std::int32_t padId() const { return m_pad; }
    // Whether encode(..., addSpecial = true, ...) puts a token in front / at the end.
    bool addBos() const { return m_addBos; }
    bool addEos() const { return m_addEos; }

    TokenizerSource source() const { return m_source; }
    // The file the tokenizer was read from (tokenizer.json, tokenizer.model or the .gguf).
    const std::string& file() const { return m_file; }

protected:
    Tokenizer() = default;

    std::vector<std::string> m_pieces; // by id
    std::vector<TokenAttr> m_attrs;    // by id
    std::int32_t m_bos = -1, m_eos = -1, m_unk = -1, m_pad = -1;
    bool m_addBos = false, m_addEos = false;
    bool m_byteLevelText = false; // normal tokens spell bytes through the GPT-2 mapping
    TokenizerSource m_source = TokenizerSource::HfTokenizerJson;
    std::string m_file;
};

// A Hugging Face model folder: tokenizer.json if present (tokenizer_config.json and
// special_tokens_map.json name the special tokens), else tokenizer.model. `path` may also be
// a .gguf file, or a .safetensors file whose folder holds the tokenizer.
// ErrorCode::MissingTokenizer when there is none; UnsupportedFormat naming the file for a
// tokenizer we cannot run (WordPiece / Unigram / WordLevel models, unknown components).
Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::filesystem::path& path);
// The vocabulary in a GGUF's tokenizer.ggml.* metadata.
Result<std::unique_ptr<Tokenizer>> loadTokenizer(const io::GgufFile& gguf);
// The tokenizer that belongs to an opened checkpoint (its GGUF metadata or its folder).
Result<std::unique_ptr<Tokenizer>> loadTokenizer(const io::Checkpoint& checkpoint);

} // namespace condense::tokenizer
