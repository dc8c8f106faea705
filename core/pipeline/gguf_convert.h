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

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/io/gguf_value.h"
#include "core/io/gguf_writer.h"
#include "core/jobs/progress.h"
#include "core/tensor/dtype.h"

namespace condense::pipeline {

struct ConvertConfig {
    DType outType = DType::F16;
    int threads = 0; // 0: all cores
};

struct ConvertReport {
    std::filesystem::path output;
    std::uint64_t tensors = 0;
    std::uint64_t fileBytes = 0;
    std::vector<Message> warnings;
};

Result<ConvertReport> convertToGguf(const io::Checkpoint& input, const std::filesystem::path& output,
                                    const ConvertConfig& config, jobs::ProgressSink& progress,
                                    std::stop_token stop = {});

// ---- The conversion's layout, for other writers (core/quant/quantize_job.h streams the same
// tensors into block types) ------------------------------------------------------------------

// One tensor of the converted GGUF and where its values come from.
struct ConvertedTensor {
    std::string name;                 // llama.cpp name
    DType outType = DType::F32;       // type the float conversion writes
    std::vector<std::uint64_t> shape; // outermost first (PyTorch order)
    std::int64_t source = -1;         // Checkpoint tensor index, or -1 for generated data
    DType srcType = DType::F32;
    std::uint64_t permuteHeads = 0;   // > 0: the llama Q/K row permutation applies (rows along shape[0])
    std::vector<float> generated;     // values of a generated tensor (rope_freqs)
};

struct ConversionLayout {
    std::vector<io::GgufKV> metadata;          // in file order, as convertToGguf writes them
    std::vector<ConvertedTensor> tensors;  // in file order
    std::vector<Message> warnings;
};

// What convertToGguf would write for a Hugging Face folder / .safetensors input (metadata with
// general.file_type of `outType`, tensors), without writing anything.
Result<ConversionLayout> planHfConversion(const io::Checkpoint& input, DType outType);
// The tensors only (names, shapes, types, sources; no metadata, no warnings): reads config.json
// and the safetensors headers but no tokenizer file, so it is cheap (checking an edited plan).
Result<ConversionLayout> planHfTensorLayout(const io::Checkpoint& input, DType outType);

// Streams one converted tensor (its outType bytes) to `out`, rows in parallel in the calling arena.
Status writeConvertedTensor(const io::Checkpoint& input, const ConvertedTensor& t, io::TensorOutput& out, std::stop_token stop = {});

} // namespace condense::pipeline
