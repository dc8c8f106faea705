#pragma once
// A fresh temporary folder removed (with its contents) when the object dies.
#include <filesystem>
#include <string>
#include <vector>

namespace condense::test {

class TempDir {
public:
    explicit TempDir(const std::string& prefix = "condense-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }
    // Names of the entries in the folder (to check nothing stray was left behind).
    std::vector<std::string> entries() const;

private:
    std::filesystem::path m_path;
};

// Runs a command line through the shell; returns its exit code and captured stdout/stderr.
struct CommandResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};
CommandResult runCommand(const std::string& commandLine);

// Writes bytes to a file (creating parent folders).
void writeFile(const std::filesystem::path& p, const std::string& bytes);
// readFile: a gtest failure naming the file when it cannot be read; readFileIfExists: "" then.
std::string readFile(const std::filesystem::path& p);
std::string readFileIfExists(const std::filesystem::path& p);

} // namespace condense::test
