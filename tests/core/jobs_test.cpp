// core/jobs: throttling, parallel loops, cancellation through std::stop_token.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/jobs/progress.h"
#include "core/jobs/thread_arena.h"

using namespace condense::jobs;

namespace {
struct Recorder final : ProgressSink {
    struct Event { Stage stage; std::uint64_t done, total; std::string item; };
    std::vector<Event> events;
    void report(Stage s, std::uint64_t d, std::uint64_t t, std::string_view item) override
    {
        events.push_back({s, d, t, std::string(item)});
    }
};
} // namespace

TEST(ThrottledSink, ForwardsStageChangesAndCompletionButDropsBursts)
{
    Recorder rec;
    ThrottledSink sink(rec, std::chrono::hours(1)); // nothing passes on time alone
    sink.report(Stage::Reading, 0, 1000, "a");
    for (int i = 1; i < 999; ++i) sink.report(Stage::Reading, i, 1000, "a");
    sink.report(Stage::Reading, 1000, 1000, "a");   // completion always passes
    sink.report(Stage::Writing, 0, 10, "b");        // stage change always passes
    ASSERT_EQ(rec.events.size(), 3u);
    EXPECT_EQ(rec.events[0].done, 0u);
    EXPECT_EQ(rec.events[1].done, 1000u);
    EXPECT_EQ(rec.events[2].stage, Stage::Writing);
    EXPECT_EQ(rec.events[2].item, "b");
}

TEST(ThrottledSink, PassesReportsOnceTheIntervalElapsed)
{
    Recorder rec;
    ThrottledSink sink(rec, std::chrono::milliseconds(0));
    for (int i = 0; i < 5; ++i) sink.report(Stage::Quantizing, i, 10);
    EXPECT_EQ(rec.events.size(), 5u);
}

TEST(ThrottledSink, IsSafeFromManyThreads)
{
    Recorder rec;
    struct Locked final : ProgressSink {
        std::mutex m; Recorder& r;
        explicit Locked(Recorder& rr) : r(rr) {}
        void report(Stage s, std::uint64_t d, std::uint64_t t, std::string_view i) override
        {
            std::lock_guard g(m); r.report(s, d, t, i);
        }
    } locked(rec);
    ThrottledSink sink(locked, std::chrono::milliseconds(1));
    std::vector<std::thread> ts;
    for (int k = 0; k < 4; ++k)
        ts.emplace_back([&] { for (int i = 0; i < 2000; ++i) sink.report(Stage::Reading, i, 100000); });
    for (auto& t : ts) t.join();
    EXPECT_GE(rec.events.size(), 1u);
    EXPECT_LT(rec.events.size(), 8000u);
}

TEST(ThreadArena, HonoursTheRequestedConcurrency)
{
    ThreadArena one({1});
    EXPECT_EQ(one.concurrency(), 1);
    ThreadArena two({2});
    EXPECT_EQ(two.concurrency(), 2);
}

TEST(ParallelFor, VisitsEveryIndexExactlyOnce)
{
    ThreadArena arena({2});
    std::vector<std::atomic<int>> hits(10000);
    bool complete = false;
    arena.execute([&] { complete = parallelFor(hits.size(), {}, [&](std::size_t i) { hits[i]++; }); });
    EXPECT_TRUE(complete);
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
}

TEST(ParallelFor, StopsWhenCancelledFromInside)
{
    ThreadArena arena({2});
    std::stop_source src;
    std::atomic<std::size_t> ran{0};
    bool complete = true;
    arena.execute([&] {
        complete = parallelFor(1'000'000, src.get_token(), [&](std::size_t i) {
            ran++;
            if (i == 100) src.request_stop();
        });
    });
    EXPECT_FALSE(complete);
    EXPECT_LT(ran.load(), 1'000'000u);
}

TEST(ParallelFor, StopsWhenCancelledFromAnotherThread)
{
    ThreadArena arena({2});
    std::stop_source src;
    std::atomic<bool> started{false};
    std::atomic<std::size_t> ran{0};
    std::thread canceller([&] {
        while (!started) std::this_thread::yield();
        src.request_stop();
    });
    bool complete = true;
    arena.execute([&] {
        complete = parallelFor(50'000'000, src.get_token(), [&](std::size_t) {
            started = true;
            ran++;
        }, 1024);
    });
    canceller.join();
    EXPECT_FALSE(complete);
    EXPECT_LT(ran.load(), 50'000'000u);
}

TEST(ParallelFor, AlreadyStoppedTokenRunsNothing)
{
    std::stop_source src;
    src.request_stop();
    std::atomic<int> ran{0};
    EXPECT_FALSE(parallelFor(100, src.get_token(), [&](std::size_t) { ran++; }));
    EXPECT_EQ(ran.load(), 0);
}

namespace {
struct OverallRecorder final : ProgressSink {
    std::vector<double> fractions;
    std::vector<Stage> stages;
    void report(Stage s, std::uint64_t, std::uint64_t, std::string_view) override { stages.push_back(s); }
    void overall(double f, double) override { fractions.push_back(f); }
};
} // namespace

TEST(WeightedProgress, OneJobWideFractionOverWeightedPasses)
{
    OverallRecorder rec;
    WeightedProgress p(rec, {{Stage::Opening, 1}, {Stage::Quantizing, 8}, {Stage::Validating, 1}});
    p.report(Stage::Opening, 0, 1);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.0);
    p.report(Stage::Opening, 1, 1);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.1);
    p.report(Stage::Quantizing, 0, 100); // a new pass restarts its counts, not the job's fraction
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.1);
    p.report(Stage::Quantizing, 50, 100);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.5);
    p.report(Stage::Writing, 3, 7); // not a pass: forwarded, fraction unchanged and not re-sent
    EXPECT_EQ(rec.fractions.size(), 4u);
    EXPECT_EQ(rec.stages.back(), Stage::Writing);
    p.report(Stage::Quantizing, 40, 100); // never backwards
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.5);
    p.report(Stage::Validating, 1, 1);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 1.0);
    p.report(Stage::Opening, 0, 1); // an earlier pass's stage after a later one: ignored
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 1.0);
    EXPECT_DOUBLE_EQ(p.fraction(), 1.0);
}

TEST(WeightedProgress, NestedJobMovesItsOwnPass)
{
    OverallRecorder rec;
    WeightedProgress p(rec, {{Stage::Opening, 1}, {Stage::Calibrating, 6}, {Stage::Validating, 1}, {Stage::Evaluating, 2}});
    p.report(Stage::Opening, 1, 1);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.1);
    {
        auto nested = p.nested(1);
        nested->report(Stage::Quantizing, 3, 10, "blk.0"); // any stage: forwarded, fraction unchanged
        EXPECT_EQ(rec.stages.back(), Stage::Quantizing);
        EXPECT_EQ(rec.fractions.size(), 1u);
        nested->overall(0.5, -1);
        EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.4);
        nested->overall(0.25, -1); // never backwards
        EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.4);
        nested->overall(1.0, -1);
        EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.7);
    }
    p.report(Stage::Validating, 1, 1);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.8);
    p.report(Stage::Evaluating, 1, 2);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.9);
}

TEST(NestedProgress, MapsAJobOntoPartOfAnother)
{
    OverallRecorder rec;
    NestedProgress n(rec, 0.2, 0.6, std::chrono::steady_clock::now());
    n.overall(0.5, -1);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.4);
    n.overall(2.0, -1); // clamped
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.6);
    n.report(Stage::Writing, 1, 2, "x");
    EXPECT_EQ(rec.stages.back(), Stage::Writing);
}

TEST(WeightedProgress, EtaFollowsElapsedTimeAndFraction)
{
    EXPECT_LT(estimateRemainingSeconds(10.0, 0.005), 0.0); // too early to say
    EXPECT_LT(estimateRemainingSeconds(0.1, 0.5), 0.0);
    EXPECT_DOUBLE_EQ(estimateRemainingSeconds(10.0, 0.25), 30.0);
    EXPECT_DOUBLE_EQ(estimateRemainingSeconds(10.0, 1.0), 0.0);
}

TEST(ThrottledSink, ForwardsTheJobWideFractionWithTheReport)
{
    OverallRecorder rec;
    ThrottledSink sink(rec, std::chrono::hours(1));
    sink.overall(0.25, 3.0);
    sink.report(Stage::Reading, 0, 10); // a stage change passes, with the fraction before it
    ASSERT_EQ(rec.fractions.size(), 1u);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 0.25);
    sink.overall(0.3, 2.0);
    sink.report(Stage::Reading, 1, 10); // throttled: neither passes
    EXPECT_EQ(rec.fractions.size(), 1u);
    sink.overall(1.0, 0.0);
    sink.report(Stage::Reading, 10, 10);
    EXPECT_DOUBLE_EQ(rec.fractions.back(), 1.0);
}
