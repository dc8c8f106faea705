#pragma once
// CONDENSE_SKIP() << "why": skips a test whose precondition this machine lacks (no AVX2,
// chromium not installed, ...). A skipped test proves nothing, so where every test must run --
// CI, which configures with CONDENSE_REQUIRE_EXTENDED=ON and so compiles the tests with
// CONDENSE_NO_SKIPS -- the same line fails the test instead, saying why.
#include <gtest/gtest.h>

#ifdef CONDENSE_NO_SKIPS
#define CONDENSE_SKIP() GTEST_FAIL() << "would be skipped, but every test must run here (CONDENSE_REQUIRE_EXTENDED): "
#else
#define CONDENSE_SKIP() GTEST_SKIP()
#endif
