#pragma once
// What every condense-cli subcommand prints the same way: the one-line error, sizes, and the
// rewritten progress line on a terminal.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.h"
#include "core/jobs/progress.h"

namespace condense::cli {

// Prints "condense-cli: error: <file>: <problem>" and returns exit code 1.
int fail(const Error& e);
// "13.6 MB" (SI units, one decimal).
std::string humanBytes(std::uint64_t bytes);

// " 42% ETA 1:05 stage item" on one rewritten stderr line when stderr is a terminal (the job-wide
// fraction and ETA from core when the job reports them); silent otherwise.
class TerminalProgress final : public jobs::ProgressSink {
public:
    explicit TerminalProgress(bool enabled) : m_enabled(enabled) {}
    ~TerminalProgress() override;
    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item) override;
    void overall(double fraction, double etaSeconds) override;

private:
    bool m_enabled;
    bool m_dirty = false;
    double m_fraction = -1;
    double m_eta = -1;
};

} // namespace condense::cli
