#pragma once
// SentencePiece model file (`tokenizer.model`) reader: a minimal protobuf wire-format parser
// for the messages of google/sentencepiece src/sentencepiece_model.proto (proto2). We read
// it ourselves so core does not link libsentencepiece (tests use that library as the oracle).
//
//   ModelProto      { repeated SentencePiece pieces = 1; TrainerSpec trainer_spec = 2;
//                     NormalizerSpec normalizer_spec = 3; SelfTestData self_test_data = 4;
//                     NormalizerSpec denormalizer_spec = 5; }
//   SentencePiece   { string piece = 1; float score = 2; Type type = 3 [default NORMAL]; }
//                   Type: 1 NORMAL, 2 UNKNOWN, 3 CONTROL, 4 USER_DEFINED, 5 UNUSED, 6 BYTE
//   TrainerSpec     { ModelType model_type = 3 [UNIGRAM]; int32 vocab_size = 4 [8000];
//                     bool treat_whitespace_as_suffix = 24; bool split_digits = 25;
//                     bool byte_fallback = 35; int32 unk_id = 40 [0]; bos_id = 41 [1];
//                     eos_id = 42 [2]; pad_id = 43 [-1]; string unk_piece = 45; bos_piece = 46;
//                     eos_piece = 47; pad_piece = 48; }   ModelType: 1 UNIGRAM 2 BPE 3 WORD 4 CHAR
//   NormalizerSpec  { string name = 1; bytes precompiled_charsmap = 2;
//                     bool add_dummy_prefix = 3 [true]; bool remove_extra_whitespaces = 4 [true];
//                     bool escape_whitespaces = 5 [true]; }
//
// Wire format (protobuf encoding guide): each field is a varint key (field << 3 | wire type)
// followed by a varint (type 0), 8 bytes (1), a varint length + bytes (2) or 4 bytes (5).
// Unknown fields are skipped; groups (3, 4) are refused. Every length is checked against the
// bytes that remain before use.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace condense::tokenizer {

enum class SpPieceType : std::uint8_t {
    Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6,
};

struct SpPiece {
    std::string piece;
    float score = 0.0f;
    SpPieceType type = SpPieceType::Normal;
};

struct SentencePieceModel {
    std::vector<SpPiece> pieces;

    // TrainerSpec (proto defaults when absent)
    int modelType = 1; // 1 unigram, 2 bpe, 3 word, 4 char
    std::int32_t vocabSize = 8000;
    bool treatWhitespaceAsSuffix = false;
    bool splitDigits = false;
    bool byteFallback = false;
    std::int32_t unkId = 0;
    std::int32_t bosId = 1;
    std::int32_t eosId = 2;
    std::int32_t padId = -1;
    std::string unkPiece = "<unk>";
    std::string bosPiece = "<s>";
    std::string eosPiece = "</s>";
    std::string padPiece = "<pad>";

    // NormalizerSpec
    std::string normalizerName;
    std::string precompiledCharsmap;
    bool addDummyPrefix = true;
    bool removeExtraWhitespaces = true;
    bool escapeWhitespaces = true;
};

// Parses the serialized ModelProto; `label` names the file in errors.
Result<SentencePieceModel> parseSentencePieceModel(std::span<const std::byte> bytes, const std::string& label);
// Reads and parses a tokenizer.model file (at most 1 GiB).
Result<SentencePieceModel> readSentencePieceModel(const std::filesystem::path& path);

} // namespace condense::tokenizer
