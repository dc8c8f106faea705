#pragma once
// ProgressSink: how long jobs report. Cheap, callable from any thread. A report carries a
// stage, done/total counts and optionally the item being worked on (a tensor name: data,
// not user text). ThrottledSink forwards at most one report per interval (plus every
// stage change and the final done == total report).
//
// Job-wide progress: a job runs several passes (open, quantize, validate; or open, evaluate,
// measure), each restarting its own done/total. WeightedProgress knows the passes and their
// weights (the share of the job's time each takes) and turns every report into one job-wide
// fraction, as heaptrack does ((pass + passCompletion) / passes, with weights), never going
// backwards, plus an ETA from the elapsed time: elapsed * (1 - f) / f once f and the elapsed
// time are large enough to mean something. It reports both through ProgressSink::overall();
// the CLI's progress line and the GUI's job strip show what core computes.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

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
    Queued,      // waiting for an earlier job of its kind to finish (the GUI's run queue)
    Calibrating, // running calibration text through a model (imatrix, GPTQ, AWQ): done/total in tokens or block runs
};
inline constexpr Stage kLastStage = Stage::Calibrating;

const char* stageName(Stage s) noexcept;

class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item = {}) = 0;
    // The whole job's fraction done (0..1) and the seconds it still needs (< 0: not known yet).
    // Sent just before the report() it belongs to. Sinks that only show stages ignore it.
    virtual void overall(double fraction, double etaSeconds) { (void)fraction; (void)etaSeconds; }
};

// Seconds left for a job `fraction` done after `elapsedSeconds`; -1 while that cannot be
// estimated (less than 1 % done or less than half a second in).
double estimateRemainingSeconds(double elapsedSeconds, double fraction) noexcept;

struct ProgressPass {
    Stage stage;
    double weight; // share of the job's time (any positive scale; normalised)
};

// Maps the reports of a job's passes onto one job-wide fraction (see above). A report of a
// stage that is not one of the passes (a writer's per-tensor report, say) is forwarded as is
// and does not move the fraction. Passes are matched in order: a stage that occurs twice is
// two passes.
class WeightedProgress final : public ProgressSink {
public:
    WeightedProgress(ProgressSink& inner, std::vector<ProgressPass> passes);
    void report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item = {}) override;
    void overall(double fraction, double etaSeconds) override; // a nested job's fraction: ignored
    double fraction() const;

    // A sink for a nested job that runs as pass `index` and reports its own overall fraction
    // (runQuantize with a calibration, say): its overall() moves the fraction within that
    // pass, its reports (of any stage) are forwarded as they are. Valid while this object is.
    std::unique_ptr<ProgressSink> nested(std::size_t index);

private:
    class Nested;
    void nestedOverall(std::size_t index, double fraction);
    ProgressSink& m_inner;
    std::vector<ProgressPass> m_passes;
    double m_totalWeight = 0;
    std::chrono::steady_clock::time_point m_start;
    mutable std::mutex m_mutex;
    std::size_t m_pass = 0;
    double m_fraction = 0;
};

// Forwards a nested job's reports, its overall fraction mapped onto [begin, end] of the whole
// job, with an ETA measured from `jobStart` (the whole job's start). For a job that runs
// another job's code (calibration then an export) as one progress bar.
class NestedProgress final : public ProgressSink {
public:
    NestedProgress(ProgressSink& inner, double begin, double end, std::chrono::steady_clock::time_point jobStart);
    void report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item = {}) override;
    void overall(double fraction, double etaSeconds) override;

private:
    ProgressSink& m_inner;
    double m_begin, m_end;
    std::chrono::steady_clock::time_point m_start;
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
    void overall(double fraction, double etaSeconds) override;

private:
    ProgressSink& m_inner;
    std::chrono::steady_clock::duration m_interval;
    double m_fraction = -1;
    double m_eta = -1;
    std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_last{};
    int m_lastStage = -1;
};

} // namespace condense::jobs
