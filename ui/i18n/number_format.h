#pragma once
// How Condense writes numbers (UI.md "Visual language"): SI units, sizes in kB/MB/GB with one
// decimal, parameter counts as 6.8 M, shapes as 4096 × 256, durations as m:ss. Unit symbols
// are not translated; decimal separators follow the default QLocale.
#include <QString>

#include <cstdint>
#include <vector>

namespace condense::ui {

QString formatBytes(std::uint64_t bytes);           // "13.6 MB", "512 B"
QString formatCount(std::uint64_t n);               // "6.8 M", "22.3 M", "7.0 B", "950"
QString formatExactCount(std::uint64_t n);          // "6,819,072"
QString formatShape(const std::vector<std::uint64_t>& shape); // "128 × 256"
QString formatDuration(std::int64_t ms);            // "0:12", "1:02:03"
QString formatPercent(double fraction);             // "63%"

} // namespace condense::ui
