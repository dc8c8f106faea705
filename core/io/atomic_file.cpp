#include "core/io/atomic_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "core/io/temp_file.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#else
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#endif

namespace condense::io {

namespace fs = std::filesystem;

namespace {

Error ioError(int e, const std::string& file, const std::string& what)
{
    return makeError(writeErrorCode(e), file, what + ": " + std::strerror(e));
}

void syncDirectory([[maybe_unused]] const fs::path& dir)
{
#ifndef _WIN32
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd); // best effort: the data itself is already synced
        ::close(fd);
    }
#endif
}

void closeFd(int fd)
{
#ifndef _WIN32
    ::close(fd);
#else
    ::_close(fd);
#endif
}

} // namespace

AtomicFile::~AtomicFile() { discard(); }

Status AtomicFile::open(const fs::path& target, const std::vector<fs::path>& inputs)
{
    discard();
    const std::string out = target.string();
    std::error_code ec;
    if (target.filename().empty()) return makeError(ErrorCode::InvalidArgument, out, "output path names a folder, not a file");
    if (fs::is_directory(target, ec)) return makeError(ErrorCode::InvalidArgument, out, "output path is an existing folder");
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) return makeError(ErrorCode::NotFound, out, "the output folder does not exist");
    if (fs::exists(target, ec))
        for (const auto& in : inputs) {
            std::error_code eq;
            if (fs::equivalent(target, in, eq)) return makeError(ErrorCode::InvalidArgument, out, "refusing to overwrite an input file of this job");
        }

    std::random_device rd;
    std::mt19937_64 rng((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
    for (int attempt = 0; attempt < 16; ++attempt) {
        char suffix[24];
        std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng()));
        const fs::path p = dir / ("." + target.filename().string() + ".condense-" + suffix + ".tmp");
#ifndef _WIN32
        const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
#else
        const int fd = ::_wopen(p.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
#endif
        if (fd >= 0) {
            m_fd = fd;
            m_temp = p;
            m_target = target;
            m_written = 0;
            m_finished = false;
            return okStatus();
        }
        if (errno != EEXIST) return ioError(errno, p.string(), "cannot create the temporary output file");
    }
    return makeError(ErrorCode::IoError, out, "cannot find a free temporary file name beside the output");
}

Status AtomicFile::write(const std::byte* p, std::size_t n)
{
    if (m_fd < 0) return makeError(ErrorCode::IoError, m_target.string(), "write to a file that is not open");
    while (n > 0) {
        const std::size_t chunk = std::min<std::size_t>(n, std::size_t{1} << 30);
#ifndef _WIN32
        const ssize_t w = ::write(m_fd, p, chunk);
#else
        const int w = ::_write(m_fd, p, static_cast<unsigned>(chunk));
#endif
        if (w < 0) {
            if (errno == EINTR) continue;
            return ioError(errno, m_temp.string(), "write failed");
        }
        if (w == 0) return makeError(ErrorCode::IoError, m_temp.string(), "write made no progress");
        p += w;
        n -= static_cast<std::size_t>(w);
        m_written += static_cast<std::uint64_t>(w);
    }
    return okStatus();
}

Status AtomicFile::finish()
{
    if (m_fd < 0) return makeError(ErrorCode::IoError, m_target.string(), "finish of a file that is not open");
#ifndef _WIN32
    if (::fsync(m_fd) != 0 && errno != EINVAL && errno != EROFS) return ioError(errno, m_temp.string(), "fsync failed");
    const int rc = ::close(m_fd);
#else
    if (::_commit(m_fd) != 0) return ioError(errno, m_temp.string(), "flush failed");
    const int rc = ::_close(m_fd);
#endif
    m_fd = -1;
    if (rc != 0 && errno != EINTR) return ioError(errno, m_temp.string(), "close failed");
    m_finished = true;
    return okStatus();
}

Status AtomicFile::commit()
{
    if (!m_finished) CONDENSE_TRY(finish());
    std::error_code ec;
    fs::rename(m_temp, m_target, ec);
    if (ec) return makeError(ErrorCode::IoError, m_target.string(), "cannot move the finished file into place: " + ec.message());
    m_temp.clear();
    syncDirectory(m_target.has_parent_path() ? m_target.parent_path() : fs::path("."));
    return okStatus();
}

void AtomicFile::discard()
{
    if (m_fd >= 0) {
        closeFd(m_fd);
        m_fd = -1;
    }
    if (!m_temp.empty()) {
        std::error_code ec;
        fs::remove(m_temp, ec);
        m_temp.clear();
    }
    m_finished = false;
}

Status writeFileAtomically(const fs::path& target, std::string_view text, const std::vector<fs::path>& inputs)
{
    AtomicFile f;
    CONDENSE_TRY(f.open(target, inputs));
    CONDENSE_TRY(f.write(text));
    return f.commit();
}

} // namespace condense::io
