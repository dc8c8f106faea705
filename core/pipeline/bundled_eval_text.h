#pragma once
// The evaluation text a run uses when the user chooses none: resources/eval/sample.txt (public
// domain; resources/eval/README.md), compiled into core at build time (core/CMakeLists.txt).

#include <string_view>

namespace condense::pipeline {

std::string_view bundledEvalText();
// The label reports give it.
inline constexpr std::string_view kBundledEvalTextLabel = "sample.txt (bundled)";

} // namespace condense::pipeline
