// JobRunner: progress reaches the GUI thread, coalesced; cancel stops a job that only ends
// when asked; superseded results are dropped; values and errors arrive by value.
#include <QCoreApplication>
#include <QSignalSpy>
#include <QThread>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/support/qt_wait.h"
#include "ui/jobs/job_runner.h"

using condense::ErrorCode;
using condense::Result;
using condense::jobs::ProgressSink;
using condense::jobs::Stage;
using condense::test::waitUntil;
using condense::ui::JobId;
using condense::ui::JobProgress;
using condense::ui::JobRunner;

namespace {

// A job that reports progress until it is asked to stop.
Result<QVariant> loopUntilStopped(ProgressSink& sink, std::stop_token stop)
{
    std::uint64_t i = 0;
    while (!stop.stop_requested()) {
        sink.report(Stage::Reading, i % 1000, 1000, "blk.0.attn_q.weight");
        ++i;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return condense::makeError(ErrorCode::Cancelled, {}, "cancelled");
}

} // namespace

TEST(JobRunner, ProgressArrivesOnGuiThreadAndCancelWorks)
{
    JobRunner runner;
    QThread* gui = QCoreApplication::instance()->thread();
    int progressCount = 0;
    bool allOnGui = true;
    JobProgress last;
    QObject::connect(&runner, &JobRunner::progress, [&](JobId, const JobProgress& p) {
        ++progressCount;
        allOnGui = allOnGui && QThread::currentThread() == gui;
        last = p;
    });
    QSignalSpy started(&runner, &JobRunner::started);
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy ended(&runner, &JobRunner::ended);

    const JobId id = runner.start(QStringLiteral("loop"), {}, loopUntilStopped);
    ASSERT_EQ(started.count(), 1);
    EXPECT_TRUE(runner.isRunning(id));
    ASSERT_TRUE(waitUntil([&] { return progressCount >= 3; }));
    EXPECT_TRUE(allOnGui);
    EXPECT_EQ(last.stage, Stage::Reading);
    EXPECT_EQ(last.total, 1000u);
    EXPECT_EQ(last.item, QStringLiteral("blk.0.attn_q.weight"));

    runner.cancel(id);
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 1; }));
    EXPECT_EQ(cancelled.count(), 1);
    EXPECT_EQ(cancelled.first().first().value<JobId>(), id);
    EXPECT_EQ(finished.count(), 0);
    EXPECT_EQ(failed.count(), 0);
    EXPECT_FALSE(runner.isRunning(id));
}

TEST(JobRunner, ProgressIsCoalescedWhileTheGuiThreadIsBusy)
{
    JobRunner runner;
    std::atomic<bool> reported{false};
    QSignalSpy progress(&runner, &JobRunner::progress);
    QSignalSpy ended(&runner, &JobRunner::ended);
    const JobId id = runner.start(QStringLiteral("chatty"), {}, [&](ProgressSink& sink, std::stop_token stop) -> Result<QVariant> {
        constexpr std::uint64_t n = 10000;
        for (std::uint64_t i = 1; i <= n; ++i) sink.report(Stage::Quantizing, i, n, "t");
        reported = true;
        while (!stop.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return condense::makeError(ErrorCode::Cancelled, {}, "cancelled");
    });
    // Keep the GUI thread away from its event loop until every report has been made.
    while (!reported) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    QTest::qWait(20);
    // One delivery was in flight; it carries the newest report, not the first.
    ASSERT_EQ(progress.count(), 1);
    const auto p = progress.first().at(1).value<JobProgress>();
    EXPECT_EQ(p.stage, Stage::Quantizing);
    EXPECT_EQ(p.done, 10000u);
    EXPECT_EQ(p.total, 10000u);
    EXPECT_DOUBLE_EQ(p.fraction(), 1.0);
    runner.cancel(id);
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 1; }));
}

TEST(JobRunner, DeliversValuesAndErrorsByValue)
{
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy ended(&runner, &JobRunner::ended);

    const JobId ok = runner.startTyped(QStringLiteral("ok"), {}, [](ProgressSink&, std::stop_token) { return Result<int>(42); });
    const JobId bad = runner.startTyped(QStringLiteral("bad"), {}, [](ProgressSink&, std::stop_token) {
        return Result<int>(condense::makeError(ErrorCode::Malformed, "x.gguf", "bad header", 24));
    });
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 2; }));
    ASSERT_EQ(finished.count(), 1);
    EXPECT_EQ(finished.first().at(0).value<JobId>(), ok);
    EXPECT_EQ(finished.first().at(1).value<QVariant>().toInt(), 42);
    ASSERT_EQ(failed.count(), 1);
    EXPECT_EQ(failed.first().at(0).value<JobId>(), bad);
    const auto e = failed.first().at(1).value<condense::Error>();
    EXPECT_EQ(e.code, ErrorCode::Malformed);
    EXPECT_EQ(e.file, "x.gguf");
    EXPECT_EQ(e.offset, 24);
}

TEST(JobRunner, SupersededResultsAreDropped)
{
    JobRunner runner;
    std::atomic<bool> releaseFirst{false};
    std::atomic<bool> releaseSecond{false};
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy ended(&runner, &JobRunner::ended);

    // The first job ignores its stop request and returns a value anyway: it must not arrive.
    const JobId first = runner.startTyped(QStringLiteral("first"), QStringLiteral("open"), [&](ProgressSink&, std::stop_token) {
        while (!releaseFirst) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return Result<int>(1);
    });
    const JobId second = runner.startTyped(QStringLiteral("second"), QStringLiteral("open"), [&](ProgressSink&, std::stop_token) {
        while (!releaseSecond) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return Result<int>(2);
    });
    releaseFirst = true;
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 1; }));
    EXPECT_EQ(ended.first().first().value<JobId>(), first);
    EXPECT_EQ(finished.count(), 0);
    EXPECT_EQ(cancelled.count(), 0);

    releaseSecond = true;
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 2; }));
    ASSERT_EQ(finished.count(), 1);
    EXPECT_EQ(finished.first().at(0).value<JobId>(), second);
    EXPECT_EQ(finished.first().at(1).value<QVariant>().toInt(), 2);
}

TEST(JobRunner, JobsInDifferentSlotsRunSideBySide)
{
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy ended(&runner, &JobRunner::ended);
    runner.startTyped(QStringLiteral("a"), QStringLiteral("a"), [](ProgressSink&, std::stop_token) { return Result<int>(1); });
    runner.startTyped(QStringLiteral("b"), QStringLiteral("b"), [](ProgressSink&, std::stop_token) { return Result<int>(2); });
    runner.startTyped(QStringLiteral("c"), {}, [](ProgressSink&, std::stop_token) { return Result<int>(3); });
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 3; }));
    EXPECT_EQ(finished.count(), 3);
}

TEST(JobRunner, DestructorStopsRunningJobs)
{
    std::atomic<bool> stopSeen{false};
    {
        JobRunner runner;
        runner.start(QStringLiteral("loop"), {}, [&](ProgressSink& sink, std::stop_token stop) {
            auto r = loopUntilStopped(sink, stop);
            stopSeen = true;
            return r;
        });
        QTest::qWait(5);
    }
    EXPECT_TRUE(stopSeen);
}
