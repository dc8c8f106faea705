#include "core/io/spill_file.h"

#include <cerrno>
#include <cstring>

#include "core/io/temp_file.h"

#ifndef _WIN32
#include <unistd.h>
#endif

namespace condense::io {

namespace {

Error spillError(int e, const std::filesystem::path& folder, const std::string& what)
{
    return makeError(writeErrorCode(e), folder.string(),
                     what + " (a temporary file of intermediate results in this folder): " + std::strerror(e));
}

} // namespace

Result<std::shared_ptr<SpillFile>> SpillFile::create(const std::filesystem::path& folder)
{
    auto f = std::shared_ptr<SpillFile>(new SpillFile());
    f->m_folder = folder.empty() ? std::filesystem::path(".") : folder;
#ifndef _WIN32
    f->m_fd = openUnlinkedTemp(f->m_folder, ".condense-spill-");
    if (f->m_fd < 0) return spillError(errno, f->m_folder, "cannot create");
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
    if (const int e = writeAllAt(m_fd, bytes.data(), bytes.size(), offset); e != 0) return spillError(e, m_folder, "cannot write");
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
    if (const int err = readAllAt(m_fd, out.data(), out.size(), e.offset + offset); err != 0)
        return spillError(err, m_folder, "cannot read back");
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
