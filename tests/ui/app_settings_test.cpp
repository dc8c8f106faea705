// AppSettings against a temporary .ini: defaults, recent files (most recent first, no
// duplicates, at most 10), language and window state round trips, version migration.
#include <QSettings>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "ui/settings/app_settings.h"

using condense::ui::AppSettings;

namespace {
QString iniIn(const condense::test::TempDir& dir) { return QString::fromStdString((dir / "condense.ini").string()); }
} // namespace

TEST(AppSettings, DefaultsInAFreshFile)
{
    condense::test::TempDir dir;
    AppSettings s(iniIn(dir));
    EXPECT_EQ(s.version(), AppSettings::kVersion);
    EXPECT_EQ(s.language(), QStringLiteral("system"));
    EXPECT_TRUE(s.recentFiles().isEmpty());
    EXPECT_TRUE(s.windowGeometry().isEmpty());
}

TEST(AppSettings, RecentFilesRoundTrip)
{
    condense::test::TempDir dir;
    {
        AppSettings s(iniIn(dir));
        for (int i = 0; i < 12; ++i) s.addRecentFile(QStringLiteral("/models/m%1").arg(i));
        s.addRecentFile(QStringLiteral("/models/m5")); // again: moves to the front
        s.addRecentFile(QStringLiteral("/models/x/../m6/")); // cleaned: same as /models/m6
        s.sync();
    }
    AppSettings s(iniIn(dir));
    const QStringList r = s.recentFiles();
    ASSERT_EQ(r.size(), AppSettings::kMaxRecentFiles);
    EXPECT_EQ(r[0], QStringLiteral("/models/m6"));
    EXPECT_EQ(r[1], QStringLiteral("/models/m5"));
    EXPECT_EQ(r[2], QStringLiteral("/models/m11"));
    EXPECT_EQ(r.count(QStringLiteral("/models/m5")), 1);
    EXPECT_FALSE(r.contains(QStringLiteral("/models/m0")));
    s.removeRecentFile(QStringLiteral("/models/m5"));
    EXPECT_FALSE(s.recentFiles().contains(QStringLiteral("/models/m5")));
    s.clearRecentFiles();
    EXPECT_TRUE(s.recentFiles().isEmpty());
}

TEST(AppSettings, LanguageAndWindowRoundTrip)
{
    condense::test::TempDir dir;
    const QByteArray geometry("\x01\x02\x03geometry", 11);
    {
        AppSettings s(iniIn(dir));
        s.setLanguage(QStringLiteral("de"));
        s.setWindowGeometry(geometry);
        s.setWindowState(QByteArrayLiteral("state"));
        s.setSplitterState(QByteArrayLiteral("split"));
        s.sync();
    }
    AppSettings s(iniIn(dir));
    EXPECT_EQ(s.language(), QStringLiteral("de"));
    EXPECT_EQ(s.windowGeometry(), geometry);
    EXPECT_EQ(s.windowState(), QByteArrayLiteral("state"));
    EXPECT_EQ(s.splitterState(), QByteArrayLiteral("split"));
    s.setLanguage(QStringLiteral("system"));
    EXPECT_EQ(s.language(), QStringLiteral("system"));
}

TEST(AppSettings, OldFileIsMigratedToTheCurrentVersion)
{
    condense::test::TempDir dir;
    {
        QSettings raw(iniIn(dir), QSettings::IniFormat);
        raw.setValue(QStringLiteral("files/recent"), QStringList{QStringLiteral("/a"), QStringLiteral("/b")});
        raw.sync();
    }
    AppSettings s(iniIn(dir));
    EXPECT_EQ(s.version(), AppSettings::kVersion);
    EXPECT_EQ(s.recentFiles(), (QStringList{QStringLiteral("/a"), QStringLiteral("/b")}));
}
