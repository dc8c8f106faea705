#pragma once
// Writes a Hugging Face model folder (the HF quantized exports): safetensors shards, the index,
// config files and copied tokenizer files, atomically as a whole.
//
//   <target>/model.safetensors                       one file when it fits maxShardBytes, else
//   <target>/model-0000i-of-0000n.safetensors         shards filled greedily in tensor order
//   <target>/model.safetensors.index.json             {"metadata": {"total_size"}, "weight_map"}
//   <target>/<text files>, <copied files>
//   (huggingface_hub serialization/_base.py naming; ../shared/reference/formats.md 1.2)
//
// Everything is built in a temporary folder beside the target (".<name>.condense-XXXXXX.tmp",
// same file system) and renamed into place only when complete; each shard goes through
// SafetensorsWriter (a ModelWriter: streamed tensor by tensor, re-read before it is kept). An
// error or a cancellation removes the temporary folder: nothing is left. A target that exists
// and is not an empty folder is refused (a folder holding a model is named as such).

#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/io/model_writer.h"
#include "core/jobs/progress.h"
#include "core/tensor/dtype.h"

namespace condense::io {

struct HfFolderTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape; // PyTorch order
};

struct HfFolderContent {
    std::vector<HfFolderTensor> tensors;                        // in file order
    std::vector<std::pair<std::string, std::string>> textFiles; // file name -> content (config.json, ...)
    std::vector<std::filesystem::path> copyFiles;               // copied byte for byte under their own names
    std::uint64_t maxShardBytes = 5'000'000'000ull;             // huggingface_hub's default "5GB"
};

struct HfFolderReport {
    std::filesystem::path folder;
    std::vector<std::string> shards; // file names
    std::uint64_t tensorBytes = 0;   // sum of tensor sizes (the index's total_size)
    std::uint64_t fileBytes = 0;     // everything written
};

// The checks writeHfFolder makes before writing anything (also usable before a long job starts):
// the target is not an input, its parent folder exists, and it is absent or an empty folder.
Status checkOutputFolder(const std::filesystem::path& target, const std::vector<std::filesystem::path>& inputs);

// `produce(i, out)` writes tensor i of content.tensors (global index, in order).
Result<HfFolderReport> writeHfFolder(const std::filesystem::path& target, const HfFolderContent& content,
                                     const ModelWriter::TensorProducer& produce, const ModelWriteOptions& options,
                                     jobs::ProgressSink& progress, std::stop_token stop = {});

} // namespace condense::io
