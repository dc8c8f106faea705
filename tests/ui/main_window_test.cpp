// The main window, offscreen, driven like a user: real drag-and-drop events onto the drop
// zone, the demo button, Esc on a running job, and a language switch. Expected values come
// from ../shared/models/README.md (tiny-llama-spm: LlamaForCausalLM, 6,819,072 parameters,
// float16, 13.6 MB, 6 layers, hidden 256, 4 KV heads x head_dim 32).
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QUrl>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/io/checkpoint.h"
#include "tests/support/qt_wait.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "ui/demo_model.h"
#include "ui/i18n/language_manager.h"
#include "ui/jobs/job_runner.h"
#include "ui/main_window.h"
#include "ui/models/model_tree_model.h"
#include "ui/settings/app_settings.h"
#include "ui/widgets/drop_zone.h"
#include "ui/widgets/job_strip.h"
#include "ui/widgets/message_banner.h"
#include "ui/widgets/model_panel.h"

using namespace condense::ui;
using condense::test::waitUntil;
namespace test = condense::test;

namespace {

QString qpath(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

class MainWindowTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_settings = std::make_unique<AppSettings>(qpath(m_dir / "settings.ini"));
        m_window = std::make_unique<MainWindow>(*m_settings, nullptr);
        m_window->show();
    }
    void TearDown() override { m_window.reset(); }

    // Drags `path` over `target` and drops it, as a file manager would. Returns the hint
    // the target showed during the drag (DropZone only).
    QString dropOn(QWidget* target, const QString& path)
    {
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        const QPoint pos = target->rect().center();
        QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(target, &enter);
        EXPECT_TRUE(enter.isAccepted());
        QDragMoveEvent move(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(target, &move);
        EXPECT_TRUE(move.isAccepted());
        QString hint;
        if (auto* zone = qobject_cast<DropZone*>(target)) {
            EXPECT_TRUE(zone->isHighlighted());
            hint = zone->hintText();
        }
        QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(target, &drop);
        EXPECT_TRUE(drop.isAccepted());
        return hint;
    }

    QString label(const char* name) const
    {
        auto* l = m_window->findChild<QLabel*>(QString::fromLatin1(name));
        return l ? l->text() : QStringLiteral("<missing %1>").arg(QString::fromLatin1(name));
    }

    test::TempDir m_dir;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

QModelIndex findTensor(const QAbstractItemModel& m, const QString& fullName)
{
    for (int g = 0; g < m.rowCount(); ++g) {
        const QModelIndex group = m.index(g, 0);
        for (int r = 0; r < m.rowCount(group); ++r)
            if (m.index(r, 0, group).data(ModelTreeModel::FullNameRole).toString() == fullName) return m.index(r, 0, group);
    }
    return {};
}

} // namespace

TEST_F(MainWindowTest, StartsOnTheDropZone)
{
    EXPECT_FALSE(m_window->isShowingModel());
    EXPECT_EQ(m_window->dropZone()->headlineText(), QStringLiteral("Drop a model folder or a .gguf file here"));
    EXPECT_TRUE(m_window->findChild<QPushButton*>(QStringLiteral("dropDemoButton")) != nullptr);
    EXPECT_TRUE(m_window->errorBanner()->isHidden());
    EXPECT_EQ(m_window->windowTitle(), QStringLiteral("Condense"));
}

TEST_F(MainWindowTest, DroppingTheDemoFolderShowsSummaryAndTree)
{
    const QString folder = qpath(test::sourceDir() / "resources" / "demo");
    QSignalSpy opened(m_window.get(), &MainWindow::modelOpened);
    QSignalSpy ended(m_window.get(), &MainWindow::openEnded);
    const QString hint = dropOn(m_window->dropZone(), folder);
    EXPECT_EQ(hint, QStringLiteral("Release to open the model folder “demo”."));
    EXPECT_EQ(m_window->jobStrip()->rowCount(), 1); // the open job is running, not done in the drop
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 1; }));
    ASSERT_EQ(opened.count(), 1) << m_window->errorBanner()->text().toStdString();

    EXPECT_TRUE(m_window->isShowingModel());
    EXPECT_TRUE(m_window->errorBanner()->isHidden());
    EXPECT_TRUE(m_window->windowTitle().startsWith(QStringLiteral("tiny-llama-spm")));
    EXPECT_EQ(label("summaryName"), QStringLiteral("tiny-llama-spm (demo)"));
    EXPECT_TRUE(label("summaryArchitecture").contains(QStringLiteral("LlamaForCausalLM")));
    EXPECT_EQ(label("summaryParameters"), QStringLiteral("6.8 M"));
    EXPECT_TRUE(m_window->findChild<QLabel*>(QStringLiteral("summaryParameters"))->toolTip().contains(QStringLiteral("6,819,072")));
    EXPECT_EQ(label("summarySize"), QStringLiteral("13.6 MB"));
    EXPECT_EQ(label("summaryTypes"), QStringLiteral("F16"));
    EXPECT_TRUE(label("summaryLayers").startsWith(QStringLiteral("6 layers, hidden size 256")));

    // The tree the user sees (through the filter proxy).
    auto* view = m_window->findChild<QTreeView*>(QStringLiteral("tensorTree"));
    ASSERT_NE(view, nullptr);
    const QAbstractItemModel& tree = *view->model();
    ASSERT_EQ(tree.rowCount(), 8); // embedding, 6 layers, output
    int tensors = 0;
    for (int g = 0; g < tree.rowCount(); ++g) tensors += tree.rowCount(tree.index(g, 0));
    EXPECT_EQ(tensors, 57);
    EXPECT_EQ(tree.index(1, 0).data().toString(), QStringLiteral("model.layers.0"));
    EXPECT_EQ(tree.index(6, 0).data().toString(), QStringLiteral("model.layers.5"));
    EXPECT_EQ(tree.rowCount(tree.index(3, 0)), 9);
    const QModelIndex v = findTensor(tree, QStringLiteral("model.layers.2.self_attn.v_proj.weight"));
    ASSERT_TRUE(v.isValid());
    EXPECT_EQ(v.parent().data().toString(), QStringLiteral("model.layers.2"));
    EXPECT_EQ(v.data().toString(), QStringLiteral("self_attn.v_proj.weight"));
    EXPECT_EQ(tree.index(v.row(), ModelTreeModel::TypeColumn, v.parent()).data().toString(), QStringLiteral("F16"));
    EXPECT_EQ(tree.index(v.row(), ModelTreeModel::ShapeColumn, v.parent()).data().toString(), QStringLiteral("128 × 256"));
    EXPECT_EQ(tree.index(v.row(), ModelTreeModel::SizeColumn, v.parent()).data().toString(), QStringLiteral("65.5 kB"));

    // The filter box narrows the tree.
    m_window->modelPanel()->filterEdit()->setText(QStringLiteral("mlp.down"));
    EXPECT_EQ(tree.rowCount(), 6);

    // Opening was remembered, and the job left a one-line result.
    EXPECT_EQ(m_settings->recentFiles().value(0), folder);
    bool inRecentMenu = false;
    for (QAction* a : m_window->recentMenu()->actions()) inRecentMenu = inRecentMenu || a->data().toString() == folder;
    EXPECT_TRUE(inRecentMenu);
    EXPECT_TRUE(waitUntil([&] { return m_window->jobStrip()->rowCount() == 0; }));
    EXPECT_TRUE(m_window->jobStrip()->lastResultText().contains(QStringLiteral("done")));
}

TEST_F(MainWindowTest, DroppingTheSharedModelFolderWorksToo)
{
    QSignalSpy opened(m_window.get(), &MainWindow::modelOpened);
    dropOn(m_window->dropZone(), qpath(test::tinyLlamaDir()));
    ASSERT_TRUE(waitUntil([&] { return opened.count() == 1; }));
    EXPECT_EQ(label("summaryName"), QStringLiteral("tiny-llama-spm"));
    EXPECT_EQ(label("summaryParameters"), QStringLiteral("6.8 M"));
}

TEST_F(MainWindowTest, MalformedGgufShowsTheBanner)
{
    test::writeFile(m_dir / "garbage.gguf", std::string("GGUF\x03\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f", 16));
    QSignalSpy failed(m_window.get(), &MainWindow::openFailed);
    QSignalSpy ended(m_window.get(), &MainWindow::openEnded);
    const QString hint = dropOn(m_window->dropZone(), qpath(m_dir / "garbage.gguf"));
    EXPECT_EQ(hint, QStringLiteral("Release to open the GGUF file “garbage.gguf”."));
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 1; }));
    ASSERT_EQ(failed.count(), 1);
    MessageBanner* banner = m_window->errorBanner();
    EXPECT_FALSE(banner->isHidden());
    EXPECT_EQ(banner->kind(), MessageBanner::Kind::Error);
    EXPECT_TRUE(banner->headline().startsWith(QStringLiteral("Could not open “garbage.gguf”: "))) << banner->headline().toStdString();
    EXPECT_TRUE(banner->detail().contains(qpath(m_dir / "garbage.gguf"))) << banner->detail().toStdString();
    EXPECT_FALSE(m_window->isShowingModel());
    EXPECT_EQ(m_window->checkpoint(), nullptr);
    EXPECT_TRUE(m_settings->recentFiles().isEmpty());
}

TEST_F(MainWindowTest, NotAGgufAtAllShowsTheBanner)
{
    test::writeFile(m_dir / "notes.gguf", "these are my notes, not a model\n");
    QSignalSpy ended(m_window.get(), &MainWindow::openEnded);
    dropOn(m_window->dropZone(), qpath(m_dir / "notes.gguf"));
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 1; }));
    EXPECT_FALSE(m_window->errorBanner()->isHidden());
    EXPECT_TRUE(m_window->errorBanner()->headline().contains(QStringLiteral("notes.gguf")));
}

TEST_F(MainWindowTest, PickleIsRefusedWithAdvice)
{
    test::writeFile(m_dir / "pytorch_model.bin", std::string("\x80\x02}q\x00.", 6));
    QSignalSpy ended(m_window.get(), &MainWindow::openEnded);
    const QString hint = dropOn(m_window->dropZone(), qpath(m_dir / "pytorch_model.bin"));
    EXPECT_TRUE(hint.contains(QStringLiteral("refuses"))) << hint.toStdString();
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 1; }));
    const QString text = m_window->errorBanner()->text();
    EXPECT_FALSE(m_window->errorBanner()->isHidden());
    EXPECT_TRUE(text.contains(QStringLiteral("pytorch_model.bin"))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("Convert the model to safetensors"))) << text.toStdString();
    EXPECT_FALSE(m_window->isShowingModel());
}

TEST_F(MainWindowTest, BadDropOnAnOpenModelKeepsTheModel)
{
    QSignalSpy ended(m_window.get(), &MainWindow::openEnded);
    m_window->openPath(qpath(test::tinyLlamaDir()));
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 1; }));
    ASSERT_TRUE(m_window->isShowingModel());
    const auto before = m_window->checkpoint();

    test::writeFile(m_dir / "model.pt", "not really");
    dropOn(m_window.get(), qpath(m_dir / "model.pt")); // onto the workspace, not the drop zone
    ASSERT_TRUE(waitUntil([&] { return ended.count() == 2; }));
    EXPECT_TRUE(m_window->errorBanner()->headline().contains(QStringLiteral("model.pt")));
    EXPECT_TRUE(m_window->isShowingModel());
    EXPECT_EQ(m_window->checkpoint(), before);
}

TEST_F(MainWindowTest, DemoButtonOpensTheBundledModel)
{
    QSignalSpy opened(m_window.get(), &MainWindow::modelOpened);
    auto* demo = m_window->findChild<QPushButton*>(QStringLiteral("dropDemoButton"));
    ASSERT_NE(demo, nullptr);
    demo->click();
    ASSERT_TRUE(waitUntil([&] { return opened.count() == 1; })) << m_window->errorBanner()->text().toStdString();
    EXPECT_EQ(opened.first().first().toString(), QStringLiteral("tiny-llama-spm (demo)"));
    EXPECT_EQ(m_window->checkpoint()->tensors().size(), 57u);
}

// The build-tree location of the demo model is the source tree's resources/demo, and it is a
// faithful copy of the shared tiny-llama-spm (config and weights byte for byte). Extended
// suite: it reads ../shared/models/tiny-llama-spm.
TEST(DemoModel, FoundInTheBuildTreeAndIsACopyOfTinyLlama)
{
    const QStringList candidates = demoModelCandidates(QStringLiteral("/opt/condense/bin"));
    ASSERT_EQ(candidates.size(), 2);
    EXPECT_EQ(candidates[0], QStringLiteral("/opt/condense/share/condense/demo"));
    const std::filesystem::path demo = test::sourceDir() / "resources" / "demo";
    EXPECT_EQ(candidates[1], QDir::cleanPath(qpath(demo)));
    for (const char* f : {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer.model",
                          "tokenizer_config.json", "special_tokens_map.json"})
        EXPECT_EQ(test::readFile(demo / f), test::readFile(test::sharedTinyLlamaDir() / f)) << f;
    EXPECT_TRUE(std::filesystem::exists(demo / "README.md"));
    EXPECT_TRUE(isDemoModelPath(qpath(demo) + QStringLiteral("/"), QStringLiteral("/opt/condense/bin")));

    condense::jobs::NullSink sink;
    auto r = openDemoModel({QStringLiteral("/nonexistent/share/condense/demo"), qpath(demo)}, sink, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->spec().hfArchitecture, "LlamaForCausalLM");
    auto missing = openDemoModel({QStringLiteral("/nonexistent/a"), QStringLiteral("/nonexistent/b")}, sink, {});
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, condense::ErrorCode::NotFound);
}

TEST_F(MainWindowTest, EscapeCancelsTheRunningJob)
{
    QSignalSpy cancelled(&m_window->jobRunner(), &JobRunner::cancelled);
    m_window->jobRunner().start(QStringLiteral("Long job"), {}, [](condense::jobs::ProgressSink& sink, std::stop_token stop) {
        std::uint64_t i = 0;
        while (!stop.stop_requested()) {
            sink.report(condense::jobs::Stage::Quantizing, ++i % 100, 100, "blk.4.ffn_down.weight");
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return condense::Result<QVariant>(condense::makeError(condense::ErrorCode::Cancelled, {}, "cancelled"));
    });
    ASSERT_EQ(m_window->jobStrip()->rowCount(), 1);
    m_window->activateWindow();
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    ASSERT_TRUE(waitUntil([&] { return cancelled.count() == 1; }));
    EXPECT_TRUE(waitUntil([&] { return m_window->jobStrip()->rowCount() == 0; }));
    EXPECT_TRUE(m_window->jobStrip()->lastResultText().contains(QStringLiteral("cancelled")));
}

TEST_F(MainWindowTest, LanguageSwitchRetranslatesTheWindow)
{
    LanguageManager languages;
    EXPECT_EQ(languages.apply(QStringLiteral("de")), QStringLiteral("de"));
    ASSERT_TRUE(waitUntil([&] { return m_window->dropZone()->headlineText() != QStringLiteral("Drop a model folder or a .gguf file here"); }));
    EXPECT_EQ(m_window->dropZone()->headlineText(), QStringLiteral("Ziehen Sie einen Modellordner oder eine .gguf-Datei hierher"));
    EXPECT_EQ(languages.apply(QStringLiteral("fr")), QStringLiteral("fr"));
    ASSERT_TRUE(waitUntil([&] { return m_window->dropZone()->headlineText().startsWith(QStringLiteral("Déposez")); }));
    EXPECT_EQ(languages.apply(QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
    ASSERT_TRUE(waitUntil([&] { return m_window->dropZone()->headlineText().contains(QStringLiteral("拖")); }));
    EXPECT_EQ(languages.apply(QStringLiteral("en")), QStringLiteral("en"));
    ASSERT_TRUE(waitUntil([&] { return m_window->dropZone()->headlineText() == QStringLiteral("Drop a model folder or a .gguf file here"); }));
}
