#pragma once
// AtomicFile: how Condense writes every file (models, plans, reports). Nothing half-written is
// ever seen under the target name, and an input is never overwritten:
//
//   1. open():   checks the target (not a folder, its folder exists, not one of `inputs`) and
//                creates a temporary file exclusively beside it (".<name>.condense-<random>.tmp",
//                same folder, so the final rename stays on one file system);
//   2. write():  any number of times; ENOSPC / EDQUOT come back as ErrorCode::DiskFull;
//   3. finish(): fsync and close (delayed-allocation and NFS errors surface here);
//                the caller may now re-open tempPath() and validate what is on disk;
//   4. commit(): renames the temporary file over the target and syncs the folder.
//
// Destroying an AtomicFile that was not committed (an error, a cancellation, an exception)
// removes the temporary file. writeFileAtomically() does all four steps for a small text.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace condense::io {

class AtomicFile {
public:
    AtomicFile() = default;
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    Status open(const std::filesystem::path& target, const std::vector<std::filesystem::path>& inputs = {});
    Status write(const std::byte* data, std::size_t n);
    Status write(std::span<const std::byte> bytes) { return write(bytes.data(), bytes.size()); }
    Status write(std::string_view text) { return write(reinterpret_cast<const std::byte*>(text.data()), text.size()); }
    Status finish();
    Status commit();
    // Removes the temporary file now (also what the destructor does).
    void discard();

    const std::filesystem::path& target() const { return m_target; }
    const std::filesystem::path& tempPath() const { return m_temp; }
    std::uint64_t written() const { return m_written; }

private:
    int m_fd = -1;
    std::filesystem::path m_target;
    std::filesystem::path m_temp;
    std::uint64_t m_written = 0;
    bool m_finished = false;
};

// The whole of `text` to `target`, atomically (plans, reports).
Status writeFileAtomically(const std::filesystem::path& target, std::string_view text,
                           const std::vector<std::filesystem::path>& inputs = {});

} // namespace condense::io
