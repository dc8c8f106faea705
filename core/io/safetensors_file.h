#pragma once
// safetensors reader (huggingface/safetensors README "Format"; ../shared/reference/formats.md 1.1).
//
//   u64 N (little-endian) | N bytes of UTF-8 JSON header | byte buffer
//   header: { "name": {"dtype": "F16", "shape": [d0, ...], "data_offsets": [begin, end]}, ...,
//             "__metadata__": {"k": "v"} }     offsets relative to the buffer, end exclusive
//
// Checked before use: N <= 100 MB and within the file, valid UTF-8 JSON, known dtype, shape
// product without overflow and equal to (end-begin)/element size, ranges inside the file and
// not overlapping. Tensor bytes are a view into the read-only mapping.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/mapped_file.h"
#include "core/tensor/dtype.h"

namespace condense::io {

struct SafetensorsTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape; // PyTorch order (outermost first)
    std::uint64_t begin = 0;          // relative to the byte buffer
    std::uint64_t end = 0;
    std::uint64_t bytes() const { return end - begin; }
};

class SafetensorsFile {
public:
    static Result<std::shared_ptr<const SafetensorsFile>> open(const std::filesystem::path& path);
    static Result<std::shared_ptr<const SafetensorsFile>> parse(std::shared_ptr<const MappedFile> file);

    const std::string& path() const { return m_file->path(); }
    std::uint64_t dataOffset() const { return m_dataOffset; } // absolute offset of the buffer
    // Tensors in header order as written (sorted by name for display stability).
    const std::vector<SafetensorsTensor>& tensors() const { return m_tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    std::span<const std::byte> tensorData(std::size_t index) const;
    const std::shared_ptr<const MappedFile>& file() const { return m_file; }

private:
    std::shared_ptr<const MappedFile> m_file;
    std::uint64_t m_dataOffset = 0;
    std::vector<SafetensorsTensor> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

} // namespace condense::io
