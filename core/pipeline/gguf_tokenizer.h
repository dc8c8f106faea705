#pragma once
// Tokenizer metadata for a GGUF made from a Hugging Face folder, as llama.cpp's converter
// writes it (ggml-org/llama.cpp conversion/base.py _set_vocab_sentencepiece,
// _create_vocab_sentencepiece, _set_vocab_llama_hf, _set_vocab_gpt2, get_vocab_base;
// gguf-py/gguf/vocab.py SpecialVocab, LlamaHfVocab; ../shared/reference/formats.md 2.2).
//
// Which vocabulary (the converter's order of attempts):
//   llama / mistral: tokenizer.model (SentencePiece, model "llama"); else tokenizer.json with a
//                    BPE model with byte_fallback and a Sequence decoder (model "llama", every
//                    score -1000 as LlamaHfVocab writes); else tokenizer.json byte-level BPE ("gpt2").
//   qwen2 / qwen3:   tokenizer.model if present, else tokenizer.json byte-level BPE ("gpt2").
//
// Keys, in the order the converter adds them:
//   [tokenizer.ggml.add_space_prefix (llama family, from tokenizer_config add_prefix_space)]
//   tokenizer.ggml.model, .pre, .tokens (string[]), [.scores (f32[])], .token_type (i32[]:
//   1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte), [.merges (string[] "a b")],
//   special token ids (u32: bos, eos, unknown, seperator, padding, mask, eot, eom) in the order
//   SpecialVocab finds them (tokenizer_config.json via tokenizer.json added_tokens, then
//   config.json *_token_id), add_bos/add_sep/add_eos flags (bool, from tokenizer.json's
//   post_processor and tokenizer_config.json), tokenizer.chat_template (tokenizer_config.json,
//   chat_template.jinja or chat_template.json), normalizer lowercase/strip_accents flags.
//
// tokenizer.ggml.pre for byte-level BPE: llama.cpp's converter hashes the token ids of a fixed
// test string, which needs a BPE tokenizer core does not have yet. We recognize the
// pre-tokenizer regex in tokenizer.json instead: the Qwen2 split regex -> "qwen2", Llama-3's
// (\p{N}{1,3}) -> "llama-bpe", Qwen3.5's -> "qwen35", GPT-4o's -> "gpt-4o", Tekken's -> "tekken",
// a plain ByteLevel pre-tokenizer with its GPT-2 regex -> "gpt-2". Anything else is written as
// "default" with a warning (llama.cpp's converter refuses such a model).

#include <filesystem>
#include <string>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/io/gguf_value.h"
#include "core/arch/model_spec.h"

namespace condense::pipeline {

struct GgufTokenizerMetadata {
    std::vector<io::GgufKV> kv;            // in the converter's order
    std::vector<Message> warnings; // what the converter would log as warnings
    std::string model;                 // "llama" or "gpt2"
};

// Builds the tokenizer keys for the model in `folder` (config.json, tokenizer.model,
// tokenizer.json, tokenizer_config.json, added_tokens.json, special_tokens_map.json,
// chat_template.jinja/json, merges.txt). ErrorCode::MissingTokenizer when no usable tokenizer.
Result<GgufTokenizerMetadata> buildGgufTokenizer(const std::filesystem::path& folder, arch::Family family);

} // namespace condense::pipeline
