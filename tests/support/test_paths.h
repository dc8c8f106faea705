#pragma once
// Where tests find things. This file (with the CMake variable CONDENSE_SHARED_DIR) is the only
// place that decides paths.
//
// Default suite: in-repo data only. modelsDir() is a folder assembled in the build tree
// (build/<preset>/test-data/models) with the layout of ../shared/models:
//   tiny-llama-spm/   the model files of resources/demo (byte-identical to ../shared's), the
//                     goldens and llama.cpp metadata of tests/data/tiny-llama-spm, and
//                     reference-gguf/ whose GGUF files are made by condense-cli from that folder
//                     and checked, SHA-256 of the whole file, against the manifests of the
//                     llama.cpp reference files in tests/data/tiny-llama-spm/reference-gguf
//                     (same bytes, or every test that uses them fails naming the difference);
//   eval/corpus-val.txt (tests/data/eval).
// Extended suite (ctest label `extended`, registered only when CONDENSE_SHARED_DIR holds the
// reference set): the same folder also links ../shared's small-qwen2-bpe/ and
// eval/wikitext-2-raw-test.txt, and sharedDir() gives ../shared itself.
// A data file that is missing is a test failure naming the file, never a skip.
#include <filesystem>

namespace condense::test {

std::filesystem::path sourceDir();
std::filesystem::path binaryDir();                     // the CMake build tree
std::filesystem::path cliPath();                       // built condense-cli
std::filesystem::path dataDir();                       // tests/data (in-repo)
std::filesystem::path demoDir();                       // resources/demo
std::filesystem::path modelsDir();                     // assembled, see above
std::filesystem::path tinyLlamaDir();                  // modelsDir()/tiny-llama-spm
std::filesystem::path referenceGguf(const char* type); // tinyLlamaDir()/reference-gguf/tiny-llama-spm-<type>.gguf
std::filesystem::path tinyQwen2Dir();                  // tests/data/tiny-qwen2-bf16-sharded (byte-level BPE, sharded BF16)
bool extendedData();                                   // CONDENSE_SHARED_DIR holds the reference set
std::filesystem::path sharedDir();                     // CONDENSE_SHARED_DIR (extended tests only)
std::filesystem::path qwen2Dir();                      // sharedDir()/models/small-qwen2-bpe (extended tests only)
std::filesystem::path sharedTinyLlamaDir();            // sharedDir()/models/tiny-llama-spm (extended tests only)

// p, after a gtest failure naming it when it does not exist.
const std::filesystem::path& requireFile(const std::filesystem::path& p);

} // namespace condense::test
