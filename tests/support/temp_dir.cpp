#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace condense::test {

TempDir::TempDir(const std::string& prefix)
{
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path();
    for (;;) {
        auto p = base / (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(rd() % 100000));
        if (std::filesystem::create_directory(p)) {
            m_path = p;
            break;
        }
    }
}

TempDir::~TempDir()
{
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::vector<std::string> TempDir::entries() const
{
    std::vector<std::string> r;
    for (const auto& e : std::filesystem::directory_iterator(m_path)) r.push_back(e.path().filename().string());
    return r;
}

CommandResult runCommand(const std::string& commandLine)
{
    TempDir tmp("condense-cmd");
    const auto outPath = tmp / "out.txt";
    const auto errPath = tmp / "err.txt";
    const std::string full = commandLine + " >'" + outPath.string() + "' 2>'" + errPath.string() + "' </dev/null";
    const int status = std::system(full.c_str());
    CommandResult r;
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = readFileIfExists(outPath);
    r.err = readFileIfExists(errPath);
    return r;
}

void writeFile(const std::filesystem::path& p, const std::string& bytes)
{
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    std::ofstream f(p, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readFile(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    if (!f) {
        ADD_FAILURE() << "cannot read " << p << (std::filesystem::exists(p) ? "" : " (missing)");
        return {};
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string readFileIfExists(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    std::ostringstream ss;
    if (f) ss << f.rdbuf();
    return ss.str();
}

} // namespace condense::test
