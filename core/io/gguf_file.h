#pragma once
// GGUF v2/v3 reader (ggml-org/ggml docs/gguf.md, src/gguf.cpp; ../shared/reference/formats.md 2.1).
//
//   u32 magic 'GGUF' | u32 version (2 or 3) | u64 n_tensors | u64 n_kv
//   n_kv × { string key, u32 type, value }         string = u64 len + bytes
//   n_tensors × { string name, u32 n_dims (<=4), u64 ne[n_dims], u32 ggml_type, u64 offset }
//   zero padding to general.alignment (default 32) | tensor data (offsets relative to here)
//
// Every count, length and offset read from the file is checked against the bytes that
// remain before anything is allocated, so a hostile header cannot make us allocate or read
// beyond the file (tests/core/bad_input_test.cpp measures it). Checked like ggml's reader:
// magic, version 2/3, unique non-empty keys, known value types, no nested arrays, u32
// power-of-two general.alignment, unique names < 64 bytes, 1..4 dims, element and byte counts
// within 64 bits, known ggml type, row length a multiple of the block size, aligned offsets,
// every tensor inside the file, no two overlapping. Tensor bytes are not read at open;
// `tensorData` returns a view into the mapping.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/gguf_value.h"
#include "core/io/mapped_file.h"
#include "core/tensor/dtype.h"

namespace condense::io {

constexpr std::uint32_t kGgufMagic = 0x46554747u; // "GGUF" little-endian
constexpr std::uint32_t kGgufDefaultAlignment = 32;

struct GgufTensorInfo {
    std::string name;
    DType type = DType::F32;
    std::uint32_t nDims = 0;
    std::uint64_t ne[4] = {1, 1, 1, 1}; // ggml order: ne[0] innermost
    std::uint64_t offset = 0;           // relative to the data section
    std::uint64_t bytes = 0;
    std::uint64_t elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
};

class GgufFile {
public:
    static Result<std::shared_ptr<const GgufFile>> open(const std::filesystem::path& path);

    std::uint32_t version() const { return m_version; }
    std::uint32_t alignment() const { return m_alignment; }
    std::uint64_t dataOffset() const { return m_dataOffset; } // absolute offset of the data section
    const std::vector<GgufKV>& metadata() const { return m_kv; }
    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; }
    const std::string& path() const { return m_file->path(); }
    std::uint64_t fileSize() const { return m_file->size(); }
    const std::shared_ptr<const MappedFile>& file() const { return m_file; }

    const GgufValue* find(std::string_view key) const;
    std::optional<std::uint64_t> getUInt(std::string_view key) const;
    std::optional<double> getFloat(std::string_view key) const;
    std::optional<std::string> getString(std::string_view key) const;
    std::optional<bool> getBool(std::string_view key) const;
    // Index of a tensor by name, or -1.
    std::int64_t findTensor(std::string_view name) const;

    std::span<const std::byte> tensorData(std::size_t index) const;

private:
    std::shared_ptr<const MappedFile> m_file;
    std::uint32_t m_version = 0;
    std::uint32_t m_alignment = kGgufDefaultAlignment;
    std::uint64_t m_dataOffset = 0;
    std::vector<GgufKV> m_kv;
    std::vector<GgufTensorInfo> m_tensors;
    friend class GgufParser;
};

// Parses an already mapped file; errors name file->path().
Result<std::shared_ptr<const GgufFile>> parseGguf(std::shared_ptr<const MappedFile> file);

} // namespace condense::io
