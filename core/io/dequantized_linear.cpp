#include "core/io/dequantized_linear.h"

#include <cerrno>
#include <filesystem>
#include <optional>

#include "core/io/packed_linear_reader.h"
#include "core/io/temp_file.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace condense::io {

namespace {

#ifndef _WIN32
// `bytes` written to an unlinked temporary file and mapped read-only; nullptr when that fails.
const std::byte* mapToTempFile(std::span<const std::byte> bytes)
{
    std::error_code ec;
    const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) return nullptr;
    const int fd = openUnlinkedTemp(dir, "condense-dequant-");
    if (fd < 0) return nullptr;
    if (writeAllAt(fd, bytes.data(), bytes.size(), 0) != 0) {
        ::close(fd);
        return nullptr;
    }
    void* p = ::mmap(nullptr, bytes.size(), PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    return p == MAP_FAILED ? nullptr : static_cast<const std::byte*>(p);
}
#endif

} // namespace

Result<std::shared_ptr<DequantizedLinear>> DequantizedLinear::create(std::string file, std::string prefix, const PackConfig& config,
                                                                     std::vector<PackedView> views)
{
    auto checked = unpackPackedLinear(views, config, UnpackMode::Check);
    if (!checked) {
        Error e = std::move(checked).error();
        e.file = file;
        e.tensor = prefix + "." + (e.tensor.empty() ? std::string(packedMarkerSuffix(config.format)) : e.tensor);
        return e;
    }
    auto d = std::shared_ptr<DequantizedLinear>(new DequantizedLinear());
    d->m_file = std::move(file);
    d->m_prefix = std::move(prefix);
    d->m_config = config;
    d->m_views = std::move(views);
    d->m_rows = checked->rows;
    d->m_cols = checked->cols;
    return d;
}

DequantizedLinear::~DequantizedLinear()
{
#ifndef _WIN32
    if (m_mapped != nullptr) ::munmap(const_cast<std::byte*>(m_mapped), static_cast<std::size_t>(bytes()));
#endif
}

void DequantizedLinear::decode() const
{
    auto u = unpackPackedLinear(m_views, m_config, UnpackMode::Full);
    // Cannot fail after create()'s checks (the views are immutable mappings).
    if (!u) return;
#ifndef _WIN32
    m_mapped = mapToTempFile(std::as_bytes(std::span<const float>(u->dequantized)));
    if (m_mapped == nullptr) m_weight = std::move(u->dequantized);
#else
    m_weight = std::move(u->dequantized);
#endif
    m_decoded.store(true, std::memory_order_release);
}

std::span<const std::byte> DequantizedLinear::data() const
{
    try {
        std::call_once(m_once, [this] { decode(); });
    } catch (const std::bad_alloc&) {
        return {};
    }
    if (m_mapped != nullptr) return {m_mapped, static_cast<std::size_t>(bytes())};
    return std::as_bytes(std::span<const float>(m_weight));
}

bool DequantizedLinear::decoded() const { return m_decoded.load(std::memory_order_acquire); }

} // namespace condense::io
