#pragma once
// GGUF v3 writer (ggml-org/ggml docs/gguf.md, src/gguf.cpp; gguf-py/gguf/gguf_writer.py;
// ../shared/reference/formats.md 2.1).
//
//   u32 magic 'GGUF' | u32 version = 3 | u64 n_tensors | u64 n_kv
//   n_kv × { string key, u32 value type, value }        string = u64 length + bytes, no NUL
//        arrays: u32 element type, u64 count, elements   (never nested)
//   n_tensors × { string name, u32 n_dims, u64 ne[n_dims] (innermost first), u32 ggml type,
//                 u64 offset }
//   0x00 padding up to ALIGNMENT | tensor data, each tensor followed by 0x00 padding to ALIGNMENT
//
// ALIGNMENT is general.alignment (a power-of-two u32) or 32. Offsets are relative to the data
// section and computed as ggml and gguf-py do: offset_0 = 0,
// offset_i = offset_{i-1} + align(bytes_{i-1}). Keys keep their insertion order; setting an
// existing key replaces its value in place (as gguf-py does), so the output is deterministic.
//
// Writing streams: the header goes out first, then each tensor's bytes come from a producer
// callback, one tensor at a time, so a whole model never sits in memory. The file is written to
// a temporary name in the target folder, flushed to disk, re-opened with GgufFile::open and
// checked (tensor count, names, types, shapes, offsets, sizes, metadata), and only then renamed
// over the target. On any error, on cancellation and on a full disk the temporary file is
// removed and nothing is left behind. The writer refuses a target that is one of the inputs.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/io/gguf_file.h"
#include "core/io/gguf_value.h"
#include "core/io/model_writer.h"
#include "core/jobs/progress.h"
#include "core/tensor/dtype.h"

namespace condense::io {

// GGUF names of the common writer types (ModelWriter's).
using GgufWriteOptions = ModelWriteOptions;
using GgufWriteReport = ModelWriteReport;

// The GGUF implementation of ModelWriter; GGUF metadata (set/remove/find) is its own.
class GgufWriter final : public ModelWriter {
public:
    std::string_view formatName() const override { return "gguf"; }

    // Metadata in insertion order; replacing a key keeps its position.
    void set(std::string key, GgufValue value);
    bool remove(std::string_view key);
    const GgufValue* find(std::string_view key) const;
    const std::vector<GgufKV>& metadata() const { return m_kv; }

    // Adds a tensor of `ne` (ggml order, innermost first; 1 to 4 dims, n_dims written as given).
    Status addTensor(std::string name, DType type, const std::vector<std::uint64_t>& ne) override;
    std::size_t tensorCount() const override { return m_tensors.size(); }
    std::uint64_t tensorBytes(std::size_t index) const override { return m_tensors.at(index).bytes; }
    // Tensor infos with offsets and sizes for the current alignment.
    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; }

    // general.alignment if set (validated when writing), else 32.
    std::uint32_t alignment() const;
    // Bytes of the tensor data section (sum of aligned tensor sizes).
    std::uint64_t dataBytes() const;

    // The header (magic up to and including the padding before the data section).
    Result<std::vector<std::byte>> serializeHeader() const;

    Result<GgufWriteReport> write(const std::filesystem::path& output, const TensorProducer& produce,
                                  const GgufWriteOptions& options, jobs::ProgressSink& progress,
                                  std::stop_token stop = {}) const override;

private:
    void relayout();
    std::vector<GgufKV> m_kv;
    std::vector<GgufTensorInfo> m_tensors;
};

} // namespace condense::io
