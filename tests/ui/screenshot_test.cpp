// saveScreenshot: a readable PNG of the widget at the target, and on failure nothing at all
// (the old file stays as it was, no temporary file is left beside it).
#include <QImage>
#include <QLabel>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "ui/widgets/screenshot.h"

using condense::test::TempDir;

namespace {

QString qpath(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

TEST(Screenshot, WritesAPngOfTheWidget)
{
    TempDir dir;
    QLabel label(QStringLiteral("Condense"));
    label.resize(120, 40);
    condense::test::writeFile(dir / "shot.png", "old contents");
    ASSERT_TRUE(condense::ui::saveScreenshot(label, qpath(dir / "shot.png")));
    QImage image;
    ASSERT_TRUE(image.load(qpath(dir / "shot.png"), "PNG"));
    EXPECT_EQ(image.size(), label.grab().size());
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"shot.png"});
}

TEST(Screenshot, AFailedSaveLeavesNothing)
{
    TempDir dir;
    QLabel label(QStringLiteral("Condense"));
    label.resize(120, 40);
    EXPECT_FALSE(condense::ui::saveScreenshot(label, qpath(dir / "missing-folder" / "shot.png")));
    // A folder as the target: refused, and nothing is left beside it.
    std::filesystem::create_directories(dir / "taken.png");
    EXPECT_FALSE(condense::ui::saveScreenshot(label, qpath(dir / "taken.png")));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"taken.png"});
}

} // namespace
