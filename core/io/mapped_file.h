#pragma once
// A read-only memory-mapped file. Inputs are never modified: the mapping is PROT_READ.
// Empty files map to an empty span.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/common/result.h"

namespace condense::io {

class MappedFile {
public:
    static Result<std::shared_ptr<const MappedFile>> open(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::byte* data() const { return m_data; }
    std::uint64_t size() const { return m_size; }
    std::span<const std::byte> bytes() const { return {m_data, static_cast<std::size_t>(m_size)}; }
    const std::string& path() const { return m_path; }

    // Bounds-checked sub-span; nullopt-like empty result with ok()==false when out of range.
    Result<std::span<const std::byte>> slice(std::uint64_t offset, std::uint64_t length) const;

private:
    MappedFile() = default;
    std::string m_path;
    const std::byte* m_data = nullptr;
    std::uint64_t m_size = 0;
    void* m_mapping = nullptr; // platform handle / mapped base
};

} // namespace condense::io
