// The .ts files stay complete: every message has a non-empty, finished translation, the three
// languages cover the same strings, lupdate run over today's sources finds nothing new to
// translate, and the .qm files are embedded and load.
#include <QDir>
#include <QFile>
#include <QSet>
#include <QTranslator>
#include <QXmlStreamReader>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace test = condense::test;

namespace {

struct TsCheck {
    int messages = 0;
    QStringList problems;        // unfinished / empty / obsolete messages
    QSet<QString> keys;          // context + source
};

TsCheck checkTs(const QString& path)
{
    TsCheck r;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        r.problems << QStringLiteral("cannot read ") + path;
        return r;
    }
    QXmlStreamReader xml(&f);
    QString context, source, translation, type;
    bool numerus = false;
    bool sawTranslation = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            const auto name = xml.name();
            if (name == QLatin1String("context")) context.clear();
            else if (name == QLatin1String("name")) context = xml.readElementText();
            else if (name == QLatin1String("message")) {
                source.clear();
                translation.clear();
                type.clear();
                sawTranslation = false;
                numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            } else if (name == QLatin1String("source")) source = xml.readElementText();
            else if (name == QLatin1String("translation")) {
                sawTranslation = true;
                type = xml.attributes().value(QLatin1String("type")).toString();
                if (!numerus) translation = xml.readElementText();
            } else if (name == QLatin1String("numerusform")) {
                const QString form = xml.readElementText();
                if (form.trimmed().isEmpty()) translation.clear();
                else if (translation.isEmpty()) translation = form;
            }
        } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            ++r.messages;
            r.keys.insert(context + QLatin1Char('\x1f') + source);
            if (!sawTranslation || translation.trimmed().isEmpty() || !type.isEmpty())
                r.problems << QStringLiteral("[%1] %2 (%3)").arg(context, source, type.isEmpty() ? QStringLiteral("empty") : type);
        }
    }
    if (xml.hasError()) r.problems << QStringLiteral("XML error: ") + xml.errorString();
    return r;
}

// Keys in `a` missing from `b`, readable.
std::string missingFrom(const QSet<QString>& a, const QSet<QString>& b)
{
    QStringList out;
    for (const QString& k : a)
        if (!b.contains(k)) out << QString(k).replace(QLatin1Char('\x1f'), QStringLiteral(" | "));
    out.sort();
    return out.join(QLatin1Char('\n')).toStdString();
}

const QStringList kLanguages{QStringLiteral("de"), QStringLiteral("fr"), QStringLiteral("zh_CN")};

QString tsPath(const QString& lang) { return QStringLiteral(CONDENSE_TRANSLATIONS_DIR "/condense_") + lang + QStringLiteral(".ts"); }

} // namespace

TEST(Translations, EveryMessageIsTranslated)
{
    QSet<QString> first;
    for (const QString& lang : kLanguages) {
        const TsCheck r = checkTs(tsPath(lang));
        EXPECT_GT(r.messages, 100) << lang.toStdString();
        EXPECT_TRUE(r.problems.isEmpty()) << lang.toStdString() << ":\n" << r.problems.join(QLatin1Char('\n')).toStdString();
        if (first.isEmpty()) first = r.keys;
        else
            EXPECT_TRUE(r.keys == first) << lang.toStdString() << " lacks:\n" << missingFrom(first, r.keys) << "\nand has extra:\n"
                                         << missingFrom(r.keys, first);
    }
}

// lupdate over ui/ and app/ as they are now: a string added to the sources without a
// translation shows up as unfinished here.
TEST(Translations, SourcesHaveNoUntranslatedStrings)
{
    test::TempDir dir;
    for (const QString& lang : kLanguages) {
        const std::filesystem::path copy = dir / ("condense_" + lang.toStdString() + ".ts");
        test::writeFile(copy, test::readFile(tsPath(lang).toStdString()));
        const std::string cmd = std::string("'") + CONDENSE_LUPDATE + "' -silent -no-obsolete -locations none -I '" + test::sourceDir().string() + "' '" +
                                (test::sourceDir() / "ui").string() + "' '" + (test::sourceDir() / "app" / "condense_main.cpp").string() +
                                "' -ts '" + copy.string() + "'";
        const auto run = test::runCommand(cmd);
        ASSERT_EQ(run.exitCode, 0) << cmd << "\n" << run.out << run.err;
        const TsCheck r = checkTs(QString::fromStdString(copy.string()));
        EXPECT_TRUE(r.problems.isEmpty()) << lang.toStdString() << ": strings in the sources lack a translation:\n"
                                          << r.problems.join(QLatin1Char('\n')).toStdString();
        const QSet<QString> committed = checkTs(tsPath(lang)).keys;
        EXPECT_TRUE(r.keys == committed) << lang.toStdString() << ": the .ts file holds strings the sources no longer use:\n"
                                         << missingFrom(committed, r.keys);
    }
}

TEST(Translations, QmFilesAreEmbedded)
{
    for (const QString& lang : kLanguages) {
        QTranslator t;
        ASSERT_TRUE(t.load(QStringLiteral(":/i18n/condense_") + lang + QStringLiteral(".qm"))) << lang.toStdString();
        const QString s = t.translate("condense::ui::DropZone", "Drop a model folder or a .gguf file here");
        EXPECT_FALSE(s.isEmpty()) << lang.toStdString();
        EXPECT_NE(s, QStringLiteral("Drop a model folder or a .gguf file here")) << lang.toStdString();
    }
}
