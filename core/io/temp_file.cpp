#include "core/io/temp_file.h"

#include <cerrno>
#include <string>

#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif

namespace condense::io {

ErrorCode writeErrorCode(int err) noexcept
{
#ifdef EDQUOT
    if (err == EDQUOT) return ErrorCode::DiskFull;
#endif
    return err == ENOSPC ? ErrorCode::DiskFull : ErrorCode::IoError;
}

#ifndef _WIN32
int openUnlinkedTemp(const std::filesystem::path& folder, const char* stem)
{
    std::string templ = (folder / (std::string(stem) + "XXXXXX")).string();
    const int fd = ::mkstemp(templ.data());
    if (fd >= 0) ::unlink(templ.c_str());
    return fd;
}

int writeAllAt(int fd, const std::byte* data, std::size_t n, std::uint64_t offset)
{
    std::size_t done = 0;
    while (done < n) {
        const ssize_t w = ::pwrite(fd, data + done, n - done, static_cast<off_t>(offset + done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return errno;
        if (w == 0) return ENOSPC;
        done += static_cast<std::size_t>(w);
    }
    return 0;
}

int readAllAt(int fd, std::byte* data, std::size_t n, std::uint64_t offset)
{
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = ::pread(fd, data + done, n - done, static_cast<off_t>(offset + done));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        if (r == 0) return EIO;
        done += static_cast<std::size_t>(r);
    }
    return 0;
}
#endif

} // namespace condense::io
