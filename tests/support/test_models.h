#pragma once
// Models some tests share that are not in the test data: synthetic GGUFs (tests/support/
// synthetic_gguf.h) and our F16 conversion of the Qwen2 folder, made once into the build tree
// and checked by SHA-256 against the files llama.cpp's tools were run on by hand.
#include <filesystem>
#include <string>

namespace condense::test {

// "odd96": llama arch, hidden 96 (not a multiple of 256), 3 heads / 1 KV head, ffn 256,
//          8 layers, vocab 128, untied. Every attention/ffn_up/gate row falls back.
// "odd80": hidden 80 (not even a multiple of 32), 2 heads / 2 KV heads, ffn 96, 2 layers,
//          vocab 64, tied embeddings: no quantized type fits the attention rows.
// "qwen2-F16": `condense-cli quantize small-qwen2-bpe --type F16` (extended tests only: ../shared).
// Returns the path, or an empty path (with a gtest failure) when it cannot be made.
std::filesystem::path testModel(const std::string& name);

} // namespace condense::test
