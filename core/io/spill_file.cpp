#include "core/io/spill_file.h"

#include <cerrno>
#include <cstring>

#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif

namespace condense::io {

namespace {

Error spillError(int e, const std::filesystem::path& folder, const std::string& what)
{
    bool full = e == ENOSPC;
#ifdef EDQUOT
    full = full || e == EDQUOT;
#endif
    return makeError(full ? ErrorCode::DiskFull : ErrorCode::IoError, folder.string(),
                     what + " (a temporary file of intermediate results in this folder): " + std::strerror(e));
}

} // namespace

Result<std::shared_ptr<SpillFile>> SpillFile::create(const std::filesystem::path& folder)
{
    auto f = std::shared_ptr<SpillFile>(new SpillFile());
    f->m_folder = folder.empty() ? std::filesystem::path(".") : folder;
#ifndef _WIN32
    std::string templ = (f->m_folder / ".condense-spill-XXXXXX").string();
    const int fd = ::mkstemp(templ.data());
    if (fd < 0) return spillError(errno, f->m_folder, "cannot create");
    ::unlink(templ.c_str());
    f->m_fd = fd;
#endif
    return f;
}

SpillFile::~SpillFile()
{
#ifndef _WIN32
    if (m_fd >= 0) ::close(m_fd);
#endif
}

Status SpillFile::put(const std::string& name, std::span<const std::byte> bytes)
{
#ifndef _WIN32
    std::uint64_t offset = 0;
    {
        std::lock_guard lock(m_mutex);
        offset = m_end;
        m_end += bytes.size();
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(m_fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return spillError(n < 0 ? errno : ENOSPC, m_folder, "cannot write");
        done += static_cast<std::size_t>(n);
    }
    std::lock_guard lock(m_mutex);
    m_entries[name] = Entry{offset, bytes.size()};
#else
    std::lock_guard lock(m_mutex);
    m_memory[name].assign(bytes.begin(), bytes.end());
    m_entries[name] = Entry{0, bytes.size()};
    m_end += bytes.size();
#endif
    return okStatus();
}

bool SpillFile::contains(const std::string& name) const
{
    std::lock_guard lock(m_mutex);
    return m_entries.count(name) > 0;
}

std::optional<std::uint64_t> SpillFile::size(const std::string& name) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_entries.find(name);
    if (it == m_entries.end()) return std::nullopt;
    return it->second.size;
}

Status SpillFile::read(const std::string& name, std::uint64_t offset, std::span<std::byte> out) const
{
    Entry e;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_entries.find(name);
        if (it == m_entries.end()) return makeError(ErrorCode::InvalidArgument, {}, "no intermediate data for tensor '" + name + "'");
        e = it->second;
    }
    if (offset > e.size || out.size() > e.size - offset)
        return makeError(ErrorCode::InvalidArgument, {}, "read past the end of the intermediate data of tensor '" + name + "'");
#ifndef _WIN32
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(m_fd, out.data() + done, out.size() - done, static_cast<off_t>(e.offset + offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return spillError(n < 0 ? errno : EIO, m_folder, "cannot read back");
        done += static_cast<std::size_t>(n);
    }
#else
    std::lock_guard lock(m_mutex);
    const auto& v = m_memory.at(name);
    std::memcpy(out.data(), v.data() + offset, out.size());
#endif
    return okStatus();
}

std::vector<std::pair<std::string, std::uint64_t>> SpillFile::entries() const
{
    std::lock_guard lock(m_mutex);
    std::vector<std::pair<std::string, std::uint64_t>> v;
    for (const auto& [name, e] : m_entries) v.emplace_back(name, e.size);
    return v;
}

std::uint64_t SpillFile::fileBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_end;
}

} // namespace condense::io
