#pragma once
// SHA-256 (FIPS 180-4) of a file or a byte string, as lower-case hex. Tests use it to compare
// our outputs with llama.cpp outputs made by hand, whose digests are recorded in the tests.
#include <filesystem>
#include <string>
#include <string_view>

namespace condense::test {

std::string sha256Hex(std::string_view bytes);
std::string sha256File(const std::filesystem::path& p); // "" if the file cannot be read

} // namespace condense::test
