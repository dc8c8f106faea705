#pragma once
// ProgressSink: how long jobs report. Cheap, callable from any thread. A report carries a
// stage, done/total counts and optionally the item being worked on (a tensor name: data,
// not user text). ThrottledSink forwards at most one report per interval (plus every
// stage change and the final done == total report).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace condense::jobs {

enum class Stage : std::uint8_t {
    Opening,     // reading headers / metadata
    Reading,     // reading tensor bytes
    Converting,  // dtype conversion / conversion to GGUF
    Quantizing,
    Writing,
    Validating,  // re-reading a written file
    Analyzing,
    Evaluating,
    Measuring,   // timing prompt processing / generation (latency, bench)
    Generating,  // producing tokens
};

const char* stageName(Stage s) noexcept;

class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item = {}) = 0;
};

class NullSink final : public ProgressSink {
public:
    void report(Stage, std::uint64_t, std::uint64_t, std::string_view) override {}
};

// Forwards to `inner` at most every `interval`; stage changes and completion always pass.
class ThrottledSink final : public ProgressSink {
public:
    explicit ThrottledSink(ProgressSink& inner,
                           std::chrono::milliseconds interval = std::chrono::milliseconds(50));
    void report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item = {}) override;

private:
    ProgressSink& m_inner;
    std::chrono::steady_clock::duration m_interval;
    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_last{};
    int m_lastStage = -1;
};

} // namespace condense::jobs
