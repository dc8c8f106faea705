// report.html (core/report/run_report_html.h) opened in headless Chromium (Debian's `chromium`,
// installed by packaging/install-deps.sh): the page of a real run on the demo model, compared
// with a second run, renders its charts (the page marks <html data-rendered="ok">, the
// screenshot holds the chart's bar colour and is far from blank) with no console message.
// Controls prove the checks can fail: a page whose script throws, and a blank page.
// Skipped, saying why, only when no chromium executable is installed.
#include <gtest/gtest.h>

#include "tests/support/skip.h"

#include <QColor>
#include <QImage>

#include <cstdlib>
#include <sstream>

#include "core/pipeline/bundled_eval_text.h"
#include "core/pipeline/pipeline_run.h"
#include "tests/support/small_run.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
namespace fs = std::filesystem;

namespace {

fs::path findChromium()
{
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':'))
        for (const char* name : {"chromium", "chromium-browser"}) {
            const fs::path p = fs::path(dir) / name;
            std::error_code ec;
            if (fs::is_regular_file(p, ec)) return p;
        }
    return {};
}

struct PageCheck {
    std::string dom;        // --dump-dom
    std::string htmlTag;    // its <html ...> start tag (where the page reports how rendering went)
    std::string log;        // stderr with --enable-logging
    int rendered = 0;       // pixels not near white
    int chartBlue = 0;      // pixels of the per-layer chart's bar colour (#3b6fb6)
    int total = 0;
};

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

PageCheck openInChromium(const fs::path& chromium, const fs::path& html, const fs::path& work)
{
    PageCheck c;
    // Own profile folder, no sandbox (tests may run as root in containers), no GPU.
    const std::string common = "timeout 120 " + q(chromium) + " --headless --no-sandbox --disable-gpu --no-first-run " +
                               "--disable-dev-shm-usage --user-data-dir=" + q(work / "profile") +
                               " --enable-logging=stderr --v=0 --window-size=1200,1800 ";
    const std::string url = "file://" + fs::absolute(html).string();
    const auto dom = test::runCommand(common + "--dump-dom " + q(url));
    EXPECT_EQ(dom.exitCode, 0) << dom.err;
    c.dom = dom.out;
    if (const auto at = c.dom.find("<html"); at != std::string::npos) c.htmlTag = c.dom.substr(at, c.dom.find('>', at) - at + 1);
    const fs::path png = work / "shot.png";
    const auto shot = test::runCommand(common + "--screenshot=" + q(png) + " " + q(url));
    EXPECT_EQ(shot.exitCode, 0) << shot.err;
    c.log = dom.err + shot.err;
    QImage img(QString::fromStdString(png.string()));
    EXPECT_FALSE(img.isNull()) << "no screenshot at " << png;
    if (img.isNull()) return c;
    img = img.convertToFormat(QImage::Format_RGB32);
    c.total = img.width() * img.height();
    for (int y = 0; y < img.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x) {
            const int r = qRed(line[x]), g = qGreen(line[x]), b = qBlue(line[x]);
            if (r < 235 || g < 235 || b < 235) ++c.rendered;
            if (std::abs(r - 0x3b) < 12 && std::abs(g - 0x6f) < 12 && std::abs(b - 0xb6) < 12) ++c.chartBlue;
        }
    }
    return c;
}

// Console messages as Chromium logs them with --enable-logging ("...:CONSOLE(12)] ...").
std::vector<std::string> consoleLines(const std::string& log)
{
    std::vector<std::string> out;
    std::stringstream s(log);
    std::string line;
    while (std::getline(s, line))
        if (line.find(":CONSOLE") != std::string::npos) out.push_back(line);
    return out;
}

pipeline::RunRequest smallRun(const fs::path& text, const fs::path& out, const std::string& mix)
{
    return test::smallDemoRun(text, out, mix, 3);
}

class ReportHtmlInChromium : public ::testing::Test {
protected:
    void SetUp() override
    {
        chromium = findChromium();
        if (chromium.empty())
            CONDENSE_SKIP() << "chromium is not installed (Debian package 'chromium'; packaging/install-deps.sh installs it)";
    }
    fs::path chromium;
    test::TempDir dir{"condense-html-test"};
};

TEST_F(ReportHtmlInChromium, ChartsRenderWithoutConsoleErrors)
{
    test::writeFile(dir / "eval.txt", std::string(pipeline::bundledEvalText().substr(0, 10000)));
    fs::create_directories(dir / "runs");
    jobs::NullSink sink;
    auto first = pipeline::runPipeline(smallRun(dir / "eval.txt", dir / "runs" / "q8", "Q8_0"), sink);
    ASSERT_TRUE(first) << describe(first.error());
    auto second = pipeline::runPipeline(smallRun(dir / "eval.txt", dir / "runs" / "q4", "Q4_K_M"), sink);
    ASSERT_TRUE(second) << describe(second.error());

    const auto c = openInChromium(chromium, second->reportHtml, dir.path());
    EXPECT_NE(c.htmlTag.find("data-rendered=\"ok\""), std::string::npos) << c.htmlTag;
    EXPECT_EQ(c.htmlTag.find("data-console-errors"), std::string::npos) << c.htmlTag;
    EXPECT_EQ(c.htmlTag.find("data-error"), std::string::npos) << c.htmlTag;
    // The comparison chart is shown (two runs) and the headline table filled.
    EXPECT_EQ(c.dom.find("id=\"runsbox\" style=\"display: none"), std::string::npos);
    EXPECT_NE(c.dom.find("<td>Perplexity</td>"), std::string::npos);
    EXPECT_TRUE(consoleLines(c.log).empty()) << consoleLines(c.log)[0];
    ASSERT_GT(c.total, 0);
    EXPECT_GT(c.rendered, c.total / 20) << "screenshot nearly blank";
    EXPECT_GT(c.chartBlue, 5000) << "no chart bars in the screenshot";
}

TEST_F(ReportHtmlInChromium, ControlsFailTheChecks)
{
    // A script error: flagged by the console log, and the page never marks itself rendered.
    test::writeFile(dir / "broken.html", "<!DOCTYPE html><html data-rendered=\"no\"><body><p>x</p>"
                                         "<script>notDefinedAnywhere();</script></body></html>");
    const auto broken = openInChromium(chromium, dir / "broken.html", dir.path());
    EXPECT_NE(broken.htmlTag.find("data-rendered=\"no\""), std::string::npos) << broken.htmlTag;
    EXPECT_FALSE(consoleLines(broken.log).empty()) << broken.log;
    // A blank page: the pixel checks fail.
    test::writeFile(dir / "blank.html", "<!DOCTYPE html><html><body style=\"background:#fff\"></body></html>");
    const auto blank = openInChromium(chromium, dir / "blank.html", dir.path());
    ASSERT_GT(blank.total, 0);
    EXPECT_LT(blank.rendered, blank.total / 100);
    EXPECT_EQ(blank.chartBlue, 0);
}

} // namespace
