#include "tests/support/test_paths.h"

namespace condense::test {

std::filesystem::path sharedDir() { return CONDENSE_SHARED_DIR; }
std::filesystem::path modelsDir() { return sharedDir() / "models"; }
std::filesystem::path tinyLlamaDir() { return modelsDir() / "tiny-llama-spm"; }
std::filesystem::path qwen2Dir() { return modelsDir() / "small-qwen2-bpe"; }
std::filesystem::path referenceGguf(const char* type)
{
    return tinyLlamaDir() / "reference-gguf" / (std::string("tiny-llama-spm-") + type + ".gguf");
}
std::filesystem::path binaryDir() { return CONDENSE_BINARY_DIR; }
std::filesystem::path sourceDir() { return CONDENSE_SOURCE_DIR; }
std::filesystem::path cliPath() { return binaryDir() / "app" / "condense-cli"; }

} // namespace condense::test
