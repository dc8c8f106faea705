#pragma once
// Checkpoint: one read-only view over a model on disk, whatever its format:
//   - a Hugging Face folder (config.json + model.safetensors or a sharded index),
//   - a single .safetensors file (config.json beside it is used when present),
//   - a GGUF file (v2/v3).
// Metadata is read at open; tensor bytes are views into memory-mapped files, read on demand.
// Pickle checkpoints (.bin/.pt/.pth/.ckpt) are refused, never unpickled: they can execute code.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/dequantized_linear.h"
#include "core/io/gguf_file.h"
#include "core/io/packed_linear_layout.h"
#include "core/io/safetensors_file.h"
#include "core/jobs/progress.h"
#include "core/arch/model_spec.h"
#include "core/tensor/dtype.h"

namespace condense::io {

enum class CheckpointFormat : std::uint8_t { HfFolder, Safetensors, Gguf };
const char* checkpointFormatName(CheckpointFormat f) noexcept;

struct TensorEntry {
    std::string name;                 // as stored in the file
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape; // outermost first (PyTorch order); GGUF ne reversed
    std::uint64_t bytes = 0;
    std::uint32_t source = 0;         // index into Checkpoint::files()
    std::uint32_t indexInSource = 0;  // tensor index inside that file
    std::int32_t dequantized = -1;    // >= 0: an integer-quantized linear shown as its F32 weight
                                      // (Checkpoint::dequantizedLinear), decoded on first access

    std::uint64_t elements() const;
    std::uint64_t rowLength() const { return shape.empty() ? 1 : shape.back(); }
    // ggml-order dims (innermost first), padded to 4 with 1s.
    std::array<std::uint64_t, 4> ne() const;
};

struct MetadataEntry {
    std::string key;
    std::string value; // display form
};

class Checkpoint {
public:
    CheckpointFormat format() const { return m_format; }
    const std::filesystem::path& path() const { return m_path; }
    std::string displayName() const;
    const std::vector<std::string>& files() const { return m_files; }
    const std::vector<TensorEntry>& tensors() const { return m_tensors; }
    const arch::ModelSpec& spec() const { return m_spec; }
    bool hasConfig() const { return m_hasConfig; }
    const std::vector<MetadataEntry>& metadata() const { return m_metadata; }

    std::int64_t findTensor(std::string_view name) const;
    std::uint64_t parameterCount() const;
    std::uint64_t totalTensorBytes() const;
    std::map<DType, std::uint64_t> bytesPerDtype() const;
    std::map<DType, std::uint64_t> elementsPerDtype() const;

    // Bytes of a tensor: a view into a mapped file, or for a quantized linear of a GPTQ / AWQ /
    // compressed-tensors folder its F32 weight, decoded on first access (thread-safe).
    std::span<const std::byte> tensorData(std::size_t index) const;

    // Hugging Face integer-quantized folders: the scheme read from quantization_config (nullopt
    // otherwise), and the linear behind a TensorEntry::dequantized index. Their packed tensors
    // (qweight, scales, ...) are not listed in tensors(): each linear appears as `<p>.weight`.
    const std::optional<PackConfig>& quantization() const { return m_quantization; }
    const DequantizedLinear& dequantizedLinear(std::size_t i) const { return *m_dequantized.at(i); }
    std::size_t dequantizedCount() const { return m_dequantized.size(); }

    // Format-specific access (null when not that format).
    const GgufFile* gguf() const { return m_gguf.get(); }
    const std::vector<std::shared_ptr<const SafetensorsFile>>& safetensors() const { return m_shards; }
    // Folder holding tokenizer/config files (HF folder, or the folder of a .safetensors file).
    const std::filesystem::path& folder() const { return m_folder; }

private:
    friend struct CheckpointOpener;
    CheckpointFormat m_format = CheckpointFormat::HfFolder;
    std::filesystem::path m_path;
    std::filesystem::path m_folder;
    std::vector<std::string> m_files;
    std::vector<TensorEntry> m_tensors;
    arch::ModelSpec m_spec;
    bool m_hasConfig = false;
    std::vector<MetadataEntry> m_metadata;
    std::shared_ptr<const GgufFile> m_gguf;
    std::vector<std::shared_ptr<const SafetensorsFile>> m_shards;
    std::optional<PackConfig> m_quantization;
    std::vector<std::shared_ptr<const DequantizedLinear>> m_dequantized;
};

// Opens any supported model path. Reports Stage::Opening per file.
Result<std::shared_ptr<const Checkpoint>> openCheckpoint(const std::filesystem::path& path,
                                                         jobs::ProgressSink& progress,
                                                         std::stop_token stop = {});

// ModelSpec from GGUF metadata (general.architecture and {arch}.* keys).
arch::ModelSpec specFromGguf(const GgufFile& g);

} // namespace condense::io
