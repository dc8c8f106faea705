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

void TerminalProgress::overall(double fraction, double etaSeconds)
{
    m_fraction = fraction;
    m_eta = etaSeconds;
}

void TerminalProgress::report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item)
{
    if (!m_enabled) return;
    // The job-wide fraction and ETA core computes; a job without passes shows its stage's share.
    const double f = m_fraction >= 0 ? m_fraction : (total ? static_cast<double>(done) / static_cast<double>(total) : 0.0);
    const int pct = static_cast<int>(100.0 * f);
    char eta[32] = "";
    if (m_fraction >= 0 && m_eta >= 0) {
        const auto s = static_cast<long long>(m_eta + 0.5);
        std::snprintf(eta, sizeof eta, " ETA %lld:%02lld", s / 60, s % 60);
    }
    std::fprintf(stderr, "\r\033[K%3d%%%s %s %.*s", pct, eta, jobs::stageName(stage), static_cast<int>(item.size()), item.data());
    std::fflush(stderr);
    m_dirty = true;
}

} // namespace condense::cli
