#pragma once
// Files compiled into core at build time (core/CMakeLists.txt condense_embed,
// packaging/cmake/embed_file.cmake), so reports need no file lookup at run time.

#include <string_view>

namespace condense::report {

// Chart.js (resources/report/chart.umd.min.js, the UMD build from the npm registry; version
// and licence in resources/report/README.md) and its licence text.
std::string_view chartJsSource();
std::string_view chartJsLicense();

} // namespace condense::report
