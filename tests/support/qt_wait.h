#pragma once
// Waiting in UI tests: spins the event loop of the test thread (the GUI thread) until a
// condition holds. The timeout only guards against hangs; tests never assert on time.
#include <QTest>

#include <functional>

namespace condense::test {

constexpr int kUiWaitTimeoutMs = 60'000;

inline bool waitUntil(const std::function<bool()>& condition, int timeoutMs = kUiWaitTimeoutMs)
{
    return QTest::qWaitFor(condition, timeoutMs);
}

} // namespace condense::test
