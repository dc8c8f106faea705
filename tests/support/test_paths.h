#pragma once
// Where tests find things: ../shared (reference models, goldens), the build tree (the
// condense-cli binary) and the source tree (resources/).
#include <filesystem>

namespace condense::test {

std::filesystem::path sharedDir();                 // CONDENSE_SHARED_DIR
std::filesystem::path modelsDir();                 // sharedDir()/models
std::filesystem::path tinyLlamaDir();              // models/tiny-llama-spm
std::filesystem::path qwen2Dir();                  // models/small-qwen2-bpe
std::filesystem::path referenceGguf(const char* type); // tiny-llama-spm-<type>.gguf
std::filesystem::path binaryDir();                 // the CMake build tree
std::filesystem::path sourceDir();
std::filesystem::path cliPath();                   // built condense-cli

} // namespace condense::test
