#pragma once
// The low-level pieces of Condense's scratch files: the error code of a failed write (AtomicFile,
// SpillFile), and on POSIX an unlinked temporary file (nothing left behind whatever way the
// process ends) with positional reads and writes that retry interrupted and partial calls
// (SpillFile's blobs, DequantizedLinear's mapped weights).

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "core/common/result.h"

namespace condense::io {

// DiskFull for ENOSPC / EDQUOT, IoError for any other errno.
ErrorCode writeErrorCode(int err) noexcept;

#ifndef _WIN32
// A new file "<folder>/<stem>XXXXXX", opened read-write and unlinked at once: its descriptor,
// or -1 with errno set.
int openUnlinkedTemp(const std::filesystem::path& folder, const char* stem);
// All n bytes at `offset`: 0, or the errno of the failure (ENOSPC when a write makes no progress).
int writeAllAt(int fd, const std::byte* data, std::size_t n, std::uint64_t offset);
// All n bytes from `offset`: 0, or the errno of the failure (EIO when the file ends first).
int readAllAt(int fd, std::byte* data, std::size_t n, std::uint64_t offset);
#endif

} // namespace condense::io
