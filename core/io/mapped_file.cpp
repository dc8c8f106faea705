#include "core/io/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <system_error>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace condense::io {

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::filesystem::path& path)
{
    const std::string p = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return makeError(ErrorCode::NotFound, p, "no such file");
    if (std::filesystem::is_directory(path, ec))
        return makeError(ErrorCode::UnsupportedFormat, p, "is a directory, expected a file");

    std::shared_ptr<MappedFile> f(new MappedFile());
    f->m_path = p;
#ifndef _WIN32
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return makeError(ErrorCode::IoError, p, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return makeError(ErrorCode::IoError, p, std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(ErrorCode::UnsupportedFormat, p, "not a regular file");
    }
    f->m_size = static_cast<std::uint64_t>(st.st_size);
    if (f->m_size > 0) {
        void* base = ::mmap(nullptr, static_cast<std::size_t>(f->m_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (base == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            return makeError(ErrorCode::IoError, p, std::string("cannot map file: ") + std::strerror(err));
        }
        f->m_mapping = base;
        f->m_data = static_cast<const std::byte*>(base);
    }
    ::close(fd);
#else
#error "MappedFile: Windows mapping not implemented yet"
#endif
    return std::shared_ptr<const MappedFile>(std::move(f));
}

MappedFile::~MappedFile()
{
#ifndef _WIN32
    if (m_mapping) ::munmap(m_mapping, static_cast<std::size_t>(m_size));
#endif
}

Result<std::span<const std::byte>> MappedFile::slice(std::uint64_t offset, std::uint64_t length) const
{
    if (offset > m_size || length > m_size - offset)
        return makeError(ErrorCode::OutOfRange, m_path,
                         "range [" + std::to_string(offset) + ", +" + std::to_string(length) +
                             ") beyond file size " + std::to_string(m_size),
                         static_cast<std::int64_t>(offset));
    return std::span<const std::byte>(m_data + offset, static_cast<std::size_t>(length));
}

} // namespace condense::io
