#pragma once
// runChild: one benchmark run as a child process (fork + execv, output to a log file), timed
// from outside: wall time, the child's user + system CPU and its peak RSS (wait4). Shared by the
// benchmarks that compare whole processes (condense-cli against llama.cpp's tools).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace condense::bench {

struct ChildRun {
    bool ok = false; // exited with status 0
    double wall = 0;
    double cpu = 0; // user + system of the child
    long maxRssKb = 0;
};

// Runs argv (argv[0] a path) with stdout/stderr sent to `log`.
inline ChildRun runChild(const std::vector<std::string>& argv, const std::filesystem::path& log)
{
    ChildRun r;
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) return r;
    if (pid == 0) {
        std::FILE* f = std::fopen(log.c_str(), "w");
        if (f) {
            ::dup2(fileno(f), STDOUT_FILENO);
            ::dup2(fileno(f), STDERR_FILENO);
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        std::_Exit(127);
    }
    int status = 0;
    struct rusage ru {};
    if (::wait4(pid, &status, 0, &ru) != pid) return r;
    r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    r.maxRssKb = ru.ru_maxrss;
    r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return r;
}

} // namespace condense::bench
