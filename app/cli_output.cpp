#include "app/cli_output.h"

#include <cstdio>
#include <iostream>

namespace condense::cli {

int fail(const Error& e)
{
    std::cerr << "condense-cli: error: " << (e.file.empty() ? std::string("-") : e.file) << ": " << describe(e) << '\n';
    return 1;
}

std::string humanBytes(std::uint64_t b)
{
    char buf[32];
    if (b >= 1000ull * 1000 * 1000) std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(b) / 1e9);
    else if (b >= 1000ull * 1000) std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(b) / 1e6);
    else if (b >= 1000ull) std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(b) / 1e3);
    else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
    return buf;
}

TerminalProgress::~TerminalProgress()
{
    if (m_enabled && m_dirty) std::fputs("\r\033[K", stderr);
}

void TerminalProgress::report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item)
{
    if (!m_enabled) return;
    const int pct = total ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)) : 0;
    std::fprintf(stderr, "\r\033[K%s %3d%% %.*s", jobs::stageName(stage), pct, static_cast<int>(item.size()), item.data());
    std::fflush(stderr);
    m_dirty = true;
}

} // namespace condense::cli
