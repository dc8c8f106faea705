#pragma once
// Checkpoint -> GGUF v3 conversion (what llama.cpp's convert_hf_to_gguf.py does, for the
// llama, mistral, qwen2 and qwen3 families), or a GGUF -> GGUF re-typing for float outputs.
// Output types here: F32, F16, BF16 (block types come with core/quant).
//
// What it writes, following ggml-org/llama.cpp conversion/ (../shared/reference/formats.md 2):
//   - tensors renamed to llama.cpp names, in the input's order (shards in order, names sorted),
//     Q/K rows permuted for arch "llama", 1-D tensors, norms and biases as F32;
//   - general.* and {arch}.* hyper-parameter keys, general.file_type;
//   - tokenizer metadata (core/io/gguf_tokenizer.h).
// The file goes to a temporary name in the target folder, is re-opened and validated, and is
// renamed into place only then. On any failure or cancellation nothing is left behind.

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/jobs/progress.h"
#include "core/tensor/dtype.h"

namespace condense::io {

struct ConvertConfig {
    DType outType = DType::F16;
    int threads = 0; // 0: all cores
};

struct ConvertReport {
    std::filesystem::path output;
    std::uint64_t tensors = 0;
    std::uint64_t fileBytes = 0;
    std::vector<std::string> warnings;
};

Result<ConvertReport> convertToGguf(const Checkpoint& input, const std::filesystem::path& output,
                                    const ConvertConfig& config, jobs::ProgressSink& progress,
                                    std::stop_token stop = {});

} // namespace condense::io
