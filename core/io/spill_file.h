#pragma once
// SpillFile: named byte blobs parked in a temporary file until they are written out, for the
// results of a long computation that would otherwise sit in memory until its end (GPTQ inside
// GGUF holds the quantized linears of a whole model, ~0.6 GB at 1.1B parameters in Q4_K_M,
// until the writer runs; gguf_gptq_run.h).
//
// The file is created in the folder given (the output's: a tmpfs /tmp would hold it in memory)
// and unlinked at once on POSIX, so nothing is left behind whatever way the process ends; on
// Windows the blobs stay in memory. Pages written go to the page cache, not to the process's
// anonymous memory. put() is thread-safe; reads (pread) may run beside it.
//
//   auto spill = io::SpillFile::create(output.parent_path());
//   (*spill)->put("blk.0.attn_q.weight", bytes);                 // from any thread
//   (*spill)->read("blk.0.attn_q.weight", 0, buffer);             // a slice at a time

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace condense::io {

class SpillFile {
public:
    static Result<std::shared_ptr<SpillFile>> create(const std::filesystem::path& folder);
    ~SpillFile();
    SpillFile(const SpillFile&) = delete;
    SpillFile& operator=(const SpillFile&) = delete;

    // Stores `bytes` under `name` (a second put of a name replaces it). ErrorCode::DiskFull when
    // the disk is full, IoError otherwise, naming the folder.
    Status put(const std::string& name, std::span<const std::byte> bytes);
    bool contains(const std::string& name) const;
    std::optional<std::uint64_t> size(const std::string& name) const;
    // out.size() bytes of `name` from `offset`; InvalidArgument past its end or for a name not held.
    Status read(const std::string& name, std::uint64_t offset, std::span<std::byte> out) const;
    // (name, size) of every blob, by name.
    std::vector<std::pair<std::string, std::uint64_t>> entries() const;
    // Bytes the file holds (replaced blobs included).
    std::uint64_t fileBytes() const;

private:
    SpillFile() = default;
    struct Entry {
        std::uint64_t offset = 0;
        std::uint64_t size = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::string, Entry> m_entries;
    std::uint64_t m_end = 0;
    int m_fd = -1;
    std::filesystem::path m_folder;
    std::map<std::string, std::vector<std::byte>> m_memory; // where no file is used (Windows)
};

} // namespace condense::io
