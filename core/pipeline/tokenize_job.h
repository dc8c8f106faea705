#pragma once
// Tokenize a text with a model's own tokenizer, as llama.cpp's llama-tokenize does: the job
// behind `condense-cli tokenize`. The model is anything io::openCheckpoint opens (a Hugging
// Face folder, a .safetensors file beside its tokenizer, a GGUF, including a vocabulary-only
// GGUF that holds tokenizer.* keys and no tensors); the tokenizer is the one
// tokenizer::loadTokenizer gives for it, the same object eval runs.
//
// special = true:  the model's BOS/EOS (or post-processor tokens) are added and text spelling a
//                  special token becomes that token (llama.cpp add_special = parse_special = true).
// special = false: nothing is added and special-token text is plain text (both false).
// pieces[i] is Tokenizer::tokenText(ids[i]): the bytes the token stands for, which may be a
// fragment of a UTF-8 sequence; how to show such bytes is the caller's choice.

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/jobs/progress.h"

namespace condense::pipeline {

struct TokenizeRequest {
    std::string model;          // path of the model folder or file
    std::string text;           // UTF-8 (invalid bytes are tokenized as the tokenizer treats them)
    std::filesystem::path file; // when set, the text is this file's contents (read size-checked)
    bool special = true;
};

struct TokenizeResult {
    std::vector<std::int32_t> ids;
    std::vector<std::string> pieces;      // one per id
    std::vector<std::string> validPieces; // pieces with every byte that does not start valid UTF-8 as U+FFFD (for JSON)
};

// Errors: those of openCheckpoint and loadTokenizer (NotFound, MissingTokenizer,
// UnsupportedFormat naming the file, ...); Cancelled when `stop` is requested.
Result<TokenizeResult> runTokenize(const TokenizeRequest& request, jobs::ProgressSink& progress, std::stop_token stop);

} // namespace condense::pipeline
