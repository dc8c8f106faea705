// The Quantize and Results pages, offscreen, on the demo model, driven like a user: pick a
// profile -> the plan fits (memory bar, table) -> edit a type -> the plan follows -> Start ->
// Results shows perplexity and KLD of original and quantized and the per-layer chart, a click
// on a layer selects it on Inspect; a model dropped on a profile card runs the pipeline (two
// drops queue); Cancel mid-run leaves no file; a profile added in the editor is saved and
// shown; runs persist across a reopen. QAbstractItemModelTester on the plan model.
//
// Runs evaluate 2 chunks and 8 continuation tasks without latency (setEvaluation) to keep the
// suite fast; the full default is what `condense-cli run` tests.
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLabel>
#include <QComboBox>
#include <QLocale>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QMimeData>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QUrl>

#include <gtest/gtest.h>

#include <filesystem>

#include "core/io/checkpoint.h"
#include "core/jobs/progress.h"
#include "tests/support/skip.h"
#include "tests/support/qt_wait.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "ui/dialogs/profile_dialog.h"
#include "ui/i18n/number_format.h"
#include "ui/jobs/job_runner.h"
#include "ui/main_window.h"
#include "ui/models/analysis_store.h"
#include "ui/models/plan_table_model.h"
#include "ui/pages/inspect_page.h"
#include "ui/pages/quantize_page.h"
#include "ui/pages/results_page.h"
#include "ui/plots/comparison_chart.h"
#include "ui/plots/layer_chart.h"
#include "ui/settings/app_settings.h"
#include "ui/widgets/job_strip.h"
#include "ui/widgets/memory_fit_bar.h"
#include "ui/widgets/model_panel.h"
#include "ui/widgets/profile_card.h"

using namespace condense;
using namespace condense::ui;
using condense::test::waitUntil;
namespace fs = std::filesystem;

namespace {

QString qpath(const fs::path& p) { return QString::fromStdString(p.string()); }

constexpr int kRunTimeoutMs = 240'000;

std::size_t filesUnder(const fs::path& dir)
{
    std::size_t n = 0;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
    return n;
}

class QuantizePageTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        // The window's default output folder for the demo is Documents/Condense: keep it here.
        m_home = qgetenv("HOME");
        qputenv("HOME", QByteArray::fromStdString(m_dir.path().string()));
        m_settings = std::make_unique<AppSettings>(qpath(m_dir / "settings.ini"));
        makeWindow();
    }
    void TearDown() override
    {
        m_window.reset();
        qputenv("HOME", m_home);
    }
    void makeWindow()
    {
        m_window = std::make_unique<MainWindow>(*m_settings, nullptr);
        m_window->setUserProfileDir(qpath(m_dir / "profiles"));
        page().setProfileFolders(page().builtinProfileCandidates(), m_dir / "profiles");
        eval::EvalConfig quick;
        quick.maxChunks = 2;
        quick.driftChunks = 1;
        quick.continuationTasks = 8;
        page().setEvaluation(quick, false);
        m_window->resize(1280, 860);
        m_window->show();
    }
    QuantizePage& page() { return *m_window->quantizePage(); }
    ResultsPage& results() { return *m_window->resultsPage(); }

    // Opens the demo and waits for the profiles, the tensor list and the first plan.
    void openDemo()
    {
        m_window->openDemo();
        ASSERT_TRUE(waitUntil([&] { return page().profiles() && page().planView() && !page().isPlanning(); }));
    }
    void pick(const char* id)
    {
        if (page().selectedProfileId() == QLatin1String(id) && page().planView() && page().planView()->fit.profileId == id) return;
        QSignalSpy ready(&page(), &QuantizePage::planReady);
        ASSERT_TRUE(page().selectProfile(QString::fromLatin1(id)));
        ASSERT_TRUE(waitUntil([&] { return ready.count() >= 1 && !page().isPlanning(); }));
        ASSERT_EQ(page().planView()->fit.profileId, id);
    }
    int row(const char* tensor)
    {
        const auto& plan = page().planModel()->plan();
        return static_cast<int>(plan.find(tensor));
    }

    test::TempDir m_dir;
    QByteArray m_home;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

TEST_F(QuantizePageTest, PickAProfileAndThePlanFits)
{
    QAbstractItemModelTester tester(page().planModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    openDemo();
    // The demo's built-in default: UI.md's "laptop, 16 GB".
    EXPECT_EQ(page().selectedProfileId(), QStringLiteral("laptop-cpu-16gb"));
    for (const char* id : {"laptop-cpu-8gb", "raspberry-pi-5-8gb", "rtx-4090-24gb"}) {
        pick(id);
        const PlanView& v = *page().planView();
        EXPECT_TRUE(v.fits) << id;
        EXPECT_EQ(page().planModel()->rowCount(), 57) << id;
        EXPECT_TRUE(page().startButton()->isEnabled()) << id;
        const auto& pools = page().fitBar()->pools();
        ASSERT_FALSE(pools.isEmpty()) << id;
        EXPECT_LE(pools.front().need(), pools.front().usable) << id;
        // Every weight byte is in one of the pools (a GPU machine keeps token_embd in RAM).
        std::uint64_t weights = 0;
        for (const auto& pool : pools) weights += pool.weights;
        EXPECT_EQ(weights, v.plan.totalBytes()) << id;
        EXPECT_TRUE(page().verdictLabel()->text().contains(QString::fromStdString(v.plan.mix))) << id;
    }
    // The table's bytes are the plan's, and the totals line says so.
    const auto& plan = page().planModel()->plan();
    const int q = row("blk.0.attn_q.weight");
    ASSERT_GE(q, 0);
    EXPECT_EQ(page().planModel()->index(q, PlanTableModel::BytesColumn).data(PlanTableModel::RawValueRole).toULongLong(),
              plan.tensors[static_cast<std::size_t>(q)].bytes());
}

TEST_F(QuantizePageTest, EditingATypeReplansAtOnce)
{
    QAbstractItemModelTester tester(page().planModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    openDemo();
    pick("laptop-cpu-8gb");
    const std::uint64_t before = page().planView()->plan.totalBytes();
    const int q = row("blk.0.attn_q.weight");
    ASSERT_GE(q, 0);
    const DType was = page().planView()->plan.tensors[static_cast<std::size_t>(q)].type;
    ASSERT_NE(was, DType::Q4_0);
    QSignalSpy ready(&page(), &QuantizePage::planReady);
    ASSERT_TRUE(page().planModel()->setData(page().planModel()->index(q, PlanTableModel::TypeColumn), QStringLiteral("Q4_0")));
    ASSERT_TRUE(waitUntil([&] { return ready.count() >= 1 && !page().isPlanning(); }));
    const int q2 = row("blk.0.attn_q.weight");
    EXPECT_EQ(page().planView()->plan.tensors[static_cast<std::size_t>(q2)].type, DType::Q4_0);
    EXPECT_TRUE(page().planModel()->edited().contains(QStringLiteral("blk.0.attn_q.weight")));
    EXPECT_LT(page().planView()->plan.totalBytes(), before);
    EXPECT_EQ(page().planView()->device.weights, page().planView()->plan.totalBytes());
    // Every other tensor kept its type.
    std::size_t changed = 0;
    for (const auto& t : page().planView()->plan.tensors) changed += t.type != page().planView()->fit.plan.tensors[static_cast<std::size_t>(page().planView()->fit.plan.find(t.name))].type;
    EXPECT_EQ(changed, 1u);
    // Reset: the planner's plan again.
    auto* reset = page().findChild<QToolButton*>(QStringLiteral("resetEditsButton"));
    ASSERT_TRUE(reset && !reset->isHidden());
    ready.clear();
    reset->click();
    ASSERT_TRUE(waitUntil([&] { return ready.count() >= 1 && !page().isPlanning(); }));
    EXPECT_EQ(page().planView()->plan.totalBytes(), before);
}

TEST_F(QuantizePageTest, StartRunsThePipelineAndResultsShowIt)
{
    openDemo();
    pick("laptop-cpu-8gb");
    const fs::path out = m_dir / "out";
    page().setOutputFolder(qpath(out));
    QSignalSpy finished(&page(), &QuantizePage::runFinished);
    QSignalSpy failed(&page(), &QuantizePage::runFailed);
    QTest::keyClick(m_window.get(), Qt::Key_Return, Qt::ControlModifier); // needs the page showing
    m_window->showPage(QStringLiteral("quantize"));
    QTest::keyClick(page().startButton(), Qt::Key_Return, Qt::ControlModifier);
    ASSERT_TRUE(waitUntil([&] { return finished.count() + failed.count() >= 1; }, kRunTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.at(0).at(1).toString().toStdString();
    ASSERT_EQ(finished.count(), 1);

    const auto run = results().run();
    ASSERT_TRUE(run);
    const std::string mix = page().planView()->plan.mix;
    EXPECT_EQ(run->report.mix, mix);
    EXPECT_TRUE(fs::exists(out / ("demo-" + mix) / ("demo-" + mix + ".gguf")));
    EXPECT_TRUE(fs::exists(out / ("demo-" + mix) / "report.json"));
    EXPECT_TRUE(fs::exists(out / ("demo-" + mix) / "report.html"));
    // Headline: perplexity and KLD of original and quantized.
    const QStringList ppl = results().headline(QStringLiteral("ppl"));
    EXPECT_EQ(ppl[0], QLocale().toString(run->report.original.ppl, 'f', 3));
    EXPECT_TRUE(ppl[1].startsWith(QLocale().toString(run->report.quantized.ppl, 'f', 3)));
    EXPECT_GT(run->report.quantized.kld.mean, 0.0);
    EXPECT_EQ(results().headline(QStringLiteral("kld"))[0], QStringLiteral("0"));
    EXPECT_FALSE(results().headline(QStringLiteral("kld"))[1].isEmpty());
    // The per-layer chart: one bar per layer (drift), worst ones marked.
    LayerChart& layers = *results().layerChart();
    ASSERT_EQ(layers.layers().size(), 6u);
    EXPECT_EQ(layers.driftBars()->dataCount() + layers.worstBars()->dataCount(), 6);
    EXPECT_GE(layers.worstBars()->dataCount(), 1);
    ASSERT_TRUE(waitUntil([&] { return !results().isLoadingHistory(); }));
    EXPECT_EQ(results().comparisonChart()->pointCount(), 1);
    // The job strip offers the results; the link opens the page.
    EXPECT_TRUE(m_window->jobStrip()->isOfferingResults());
    Q_EMIT m_window->jobStrip()->resultsRequested();
    EXPECT_EQ(m_window->pageTabs()->currentWidget(), &results());
    // A click on layer 4 selects it on Inspect.
    layers.replot();
    QTest::mouseClick(&layers, Qt::LeftButton, {}, layers.layerCenter(4).toPoint());
    EXPECT_EQ(m_window->pageTabs()->currentWidget(), m_window->inspectPage());
    const int shown = m_window->inspectPage()->shownTensor();
    ASSERT_GE(shown, 0);
    EXPECT_TRUE(QString::fromStdString(m_window->checkpoint()->tensors()[static_cast<std::size_t>(shown)].name).startsWith(QStringLiteral("model.layers.4.")));

    // Runs persist: reopen the model, the Results page reads the run back.
    m_window->closeModel();
    results().clear();
    page().setOutputFolder(qpath(out));
    QSignalSpy history(&results(), &ResultsPage::historyLoaded);
    m_window->openDemo();
    ASSERT_TRUE(waitUntil([&] { return history.count() >= 1; }));
    // (The default output folder of the demo is Documents/Condense under HOME; this run went to out/.)
    results().loadHistory(out, "demo");
    ASSERT_TRUE(waitUntil([&] { return history.count() >= 2; }));
    ASSERT_TRUE(results().run());
    EXPECT_EQ(results().run()->report, run->report);
}

TEST_F(QuantizePageTest, DropsOnAProfileCardQueueRuns)
{
    openDemo();
    // A copy of the demo: a drop writes next to the model.
    const fs::path models = m_dir / "models";
    fs::create_directories(models);
    fs::copy(test::demoDir(), models / "demo", fs::copy_options::recursive);
    ProfileCard* card = page().card(QStringLiteral("laptop-cpu-8gb"));
    ASSERT_TRUE(card);
    QSignalSpy finished(&page(), &QuantizePage::runFinished);
    QSignalSpy failed(&page(), &QuantizePage::runFailed);
    QSignalSpy progress(&m_window->jobRunner(), &JobRunner::progress);
    for (int i = 0; i < 2; ++i) {
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(qpath(models / "demo"))});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(card, &enter);
        EXPECT_TRUE(enter.isAccepted());
        EXPECT_TRUE(card->isDragHighlighted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(card, &drop);
        EXPECT_FALSE(card->isDragHighlighted());
    }
    ASSERT_TRUE(waitUntil([&] { return finished.count() + failed.count() >= 2; }, 2 * kRunTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.at(0).at(1).toString().toStdString();
    // The second waited for the first (it said so), and neither overwrote the other.
    bool queued = false;
    for (const auto& args : progress) queued = queued || args.at(1).value<JobProgress>().stage == jobs::Stage::Queued;
    EXPECT_TRUE(queued);
    const std::string mix = finished.at(0).at(0).value<std::shared_ptr<const RunResult>>()->report.mix;
    EXPECT_TRUE(fs::exists(models / ("demo-" + mix) / "report.json"));
    EXPECT_TRUE(fs::exists(models / ("demo-" + mix + "-2") / "report.json"));
}

TEST_F(QuantizePageTest, CancelMidRunLeavesNoFile)
{
    openDemo();
    pick("laptop-cpu-8gb");
    const fs::path out = m_dir / "cancelled";
    page().setOutputFolder(qpath(out));
    QSignalSpy started(&page(), &QuantizePage::runStarted);
    QSignalSpy finished(&page(), &QuantizePage::runFinished);
    JobRunner& runner = m_window->jobRunner();
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    bool asked = false;
    QObject::connect(&runner, &JobRunner::progress, [&](JobId id, const JobProgress& p) {
        if (!asked && started.count() == 1 && id == started.at(0).at(0).value<JobId>() && p.stage == jobs::Stage::Evaluating) {
            asked = true;
            runner.cancel(id);
        }
    });
    page().start();
    ASSERT_EQ(started.count(), 1);
    ASSERT_TRUE(waitUntil([&] { return cancelled.count() + finished.count() >= 1; }, kRunTimeoutMs));
    EXPECT_TRUE(asked);
    EXPECT_EQ(cancelled.count(), 1);
    EXPECT_EQ(filesUnder(out), 0u) << "a cancelled run left files in " << out;
}

TEST_F(QuantizePageTest, AProfileAddedInTheEditorIsSavedAndShown)
{
    openDemo();
    QSignalSpy loaded(&page(), &QuantizePage::profilesLoaded);
    m_window->editProfile(std::nullopt);
    auto* dialog = m_window->findChild<ProfileDialog*>();
    ASSERT_TRUE(dialog);
    dialog->nameEdit()->setText(QStringLiteral("Test box 6 GB"));
    dialog->accept();
    ASSERT_TRUE(waitUntil([&] { return loaded.count() >= 1; }));
    EXPECT_TRUE(fs::exists(m_dir / "profiles" / "test-box-6-gb.json"));
    ProfileCard* card = page().card(QStringLiteral("test-box-6-gb"));
    ASSERT_TRUE(card);
    EXPECT_EQ(card->profile()->name, "Test box 6 GB");
    EXPECT_FALSE(card->profile()->builtin);
}

TEST_F(QuantizePageTest, AnImportanceMatrixMadeFromATextWeightsThePreviewAndTheRun)
{
    openDemo();
    ASSERT_TRUE(waitUntil([&] { return m_window->analysisStore()->state() == AnalysisStore::State::Done; }));
    const fs::path out = m_dir / "imat";
    page().setOutputFolder(qpath(out));
    QSignalSpy made(&page(), &QuantizePage::calibrationFinished);
    QSignalSpy failed(&page(), &QuantizePage::runFailed);
    ASSERT_NE(page().calibrate(qpath(test::sourceDir() / "resources" / "eval" / "sample.txt")), 0u);
    ASSERT_TRUE(waitUntil([&] { return made.count() + failed.count() >= 1; }, kRunTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.at(0).at(1).toString().toStdString();
    EXPECT_TRUE(fs::exists(out / "demo-imatrix.gguf"));
    EXPECT_EQ(page().importanceMatrix(), qpath(out / "demo-imatrix.gguf"));
    // Inspect's preview now quantizes with it and reports the importance-weighted error.
    ASSERT_TRUE(waitUntil([&] {
        const auto a = m_window->analysisStore()->analysis(m_window->analysisStore()->indexOf("model.layers.0.mlp.down_proj.weight"));
        return m_window->analysisStore()->state() == AnalysisStore::State::Done && a && a->preview && a->preview->sums.weighted;
    }));
    EXPECT_TRUE(m_window->analysisStore()->previewLabel().endsWith(QStringLiteral("+imatrix")));
    // A run quantizes with it: the GGUF records the importance matrix, as llama-quantize does.
    pick("laptop-cpu-8gb");
    page().setMix(QStringLiteral("Q4_K_M"));
    ASSERT_TRUE(waitUntil([&] { return !page().isPlanning() && page().planView() && page().planView()->plan.mix == "Q4_K_M"; }));
    QSignalSpy finished(&page(), &QuantizePage::runFinished);
    page().start();
    ASSERT_TRUE(waitUntil([&] { return finished.count() + failed.count() >= 1; }, kRunTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.at(0).at(1).toString().toStdString();
    const std::string gguf = test::readFile(out / "demo-Q4_K_M" / "demo-Q4_K_M.gguf");
    EXPECT_NE(gguf.find("quantize.imatrix.file"), std::string::npos);
    // A new model forgets it.
    m_window->closeModel();
    m_window->openDemo();
    ASSERT_TRUE(waitUntil([&] { return m_window->checkpoint() != nullptr; }));
    EXPECT_TRUE(page().importanceMatrix().isEmpty());
}

TEST_F(QuantizePageTest, GptqMethodRunsCalibratedWithThePlansTypes)
{
    openDemo();
    pick("laptop-cpu-8gb");
    page().setMix(QStringLiteral("Q4_K_M"));
    ASSERT_TRUE(waitUntil([&] { return !page().isPlanning() && page().planView() && page().planView()->plan.mix == "Q4_K_M"; }));
    // Round to nearest: the calibration set is not asked for, the importance matrix is.
    auto* calibration = page().findChild<QComboBox*>(QStringLiteral("calibrationCombo"));
    auto* tokens = page().findChild<QComboBox*>(QStringLiteral("calibrationTokensCombo"));
    auto* imatrix = page().findChild<QToolButton*>(QStringLiteral("imatrixButton"));
    ASSERT_TRUE(calibration && tokens && imatrix);
    EXPECT_FALSE(calibration->isEnabled());
    EXPECT_FALSE(tokens->isEnabled());
    EXPECT_TRUE(imatrix->isEnabled());
    EXPECT_EQ(page().calibrationTokens(), 65536);
    // GPTQ by keyboard: the method combo takes focus and the next entry.
    page().methodCombo()->setFocus();
    QTest::keyClick(page().methodCombo(), Qt::Key_Down);
    EXPECT_EQ(page().method(), QStringLiteral("gptq"));
    EXPECT_TRUE(calibration->isEnabled());
    EXPECT_FALSE(imatrix->isEnabled());
    page().setCalibrationSet(QStringLiteral("chat"));
    EXPECT_EQ(page().calibrationSet(), QStringLiteral("chat"));
    // The token budget by keyboard: the next entry of the Tokens row.
    EXPECT_TRUE(tokens->isEnabled());
    tokens->setFocus();
    QTest::keyClick(tokens, Qt::Key_Down);
    EXPECT_EQ(page().calibrationTokens(), 131072);
    EXPECT_NE(tokens->currentText().indexOf(QLocale().toString(131072)), -1) << tokens->currentText().toStdString();
    // A budget outside the list joins it (a short run for the test).
    page().setCalibrationTokens(1024);
    EXPECT_EQ(tokens->currentData().toLongLong(), 1024);

    const fs::path out = m_dir / "gptq";
    page().setOutputFolder(qpath(out));
    QSignalSpy finished(&page(), &QuantizePage::runFinished);
    QSignalSpy failed(&page(), &QuantizePage::runFailed);
    page().start();
    ASSERT_TRUE(waitUntil([&] { return finished.count() + failed.count() >= 1; }, kRunTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.at(0).at(1).toString().toStdString();
    const auto run = results().run();
    ASSERT_TRUE(run);
    EXPECT_EQ(run->report.method, "gptq");
    EXPECT_EQ(run->report.calibration, "chat");
    EXPECT_EQ(run->report.mix, "Q4_K_M");
    EXPECT_GT(run->report.quantized.kld.mean, 0.0);
    // The file holds the plan's types (GPTQ changes values, not types or sizes).
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(out / "demo-Q4_K_M" / "demo-Q4_K_M.gguf", sink);
    ASSERT_TRUE(ck);
    for (const auto& t : page().planView()->plan.tensors) {
        const std::int64_t i = (*ck)->findTensor(t.name);
        ASSERT_GE(i, 0) << t.name;
        EXPECT_EQ((*ck)->tensors()[static_cast<std::size_t>(i)].dtype, t.type) << t.name;
    }
}

TEST_F(QuantizePageTest, AConfigOnlyFolderIsPlannedBeforeTheDownload)
{
    // The 2 KB a user can fetch for any model: config.json and nothing else.
    const fs::path folder = m_dir / "just-config";
    fs::create_directories(folder);
    fs::copy_file(test::demoDir() / "config.json", folder / "config.json");
    m_window->openPath(qpath(folder));
    ASSERT_TRUE(waitUntil([&] { return m_window->isPlanOnly() && page().profiles() && page().planView() && !page().isPlanning(); }));
    EXPECT_EQ(m_window->pageTabs()->currentWidget(), &page());
    EXPECT_FALSE(m_window->pageTabs()->isTabEnabled(m_window->pageTabs()->indexOf(m_window->inspectPage())));
    pick("laptop-cpu-8gb");
    // The same tensors and sizes as planning the real model: its 57 tensors, Q8_0 everywhere it fits.
    EXPECT_EQ(page().planModel()->rowCount(), 57);
    EXPECT_TRUE(page().planView()->fits);
    EXPECT_FALSE(page().startButton()->isEnabled()); // no weights to quantize
    const std::uint64_t configOnlyBytes = page().planView()->plan.totalBytes();
    m_window->openDemo();
    ASSERT_TRUE(waitUntil([&] { return !m_window->isPlanOnly() && m_window->checkpoint() && page().planView() && !page().isPlanning(); }));
    pick("laptop-cpu-8gb");
    EXPECT_EQ(page().planView()->plan.totalBytes(), configOnlyBytes);
    EXPECT_TRUE(page().startButton()->isEnabled());
    EXPECT_TRUE(m_window->pageTabs()->isTabEnabled(m_window->pageTabs()->indexOf(m_window->inspectPage())));
}

} // namespace

// The HF formats in the window: a GPTQ folder chosen and set up by keyboard on the demo model,
// run with round to nearest at 4 bits in groups of 32; the table shows the folder's plan, the
// Results page the run of the folder against the original.
TEST_F(QuantizePageTest, GptqFolderByKeyboardRunsAndResultsShowIt)
{
    QAbstractItemModelTester tester(page().planModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    openDemo();
    auto* hfRow = page().findChild<QWidget*>(QStringLiteral("hfSettings"));
    auto* group = page().findChild<QComboBox*>(QStringLiteral("groupCombo"));
    auto* bits = page().findChild<QComboBox*>(QStringLiteral("bitsCombo"));
    auto* actOrder = page().findChild<QCheckBox*>(QStringLiteral("actOrderCheck"));
    auto* mix = page().findChild<QComboBox*>(QStringLiteral("mixCombo"));
    ASSERT_TRUE(hfRow && group && bits && actOrder && mix);
    EXPECT_EQ(page().format(), QStringLiteral("gguf"));
    EXPECT_FALSE(hfRow->isVisible());

    // Alt+U (the label's mnemonic) focuses the format; Down picks the GPTQ folder.
    m_window->showPage(QStringLiteral("quantize"));
    QTest::keyClick(m_window.get(), Qt::Key_U, Qt::AltModifier);
    ASSERT_TRUE(waitUntil([&] { return page().formatCombo()->hasFocus(); }));
    QTest::keyClick(page().formatCombo(), Qt::Key_Down);
    EXPECT_EQ(page().format(), QStringLiteral("gptq"));
    EXPECT_TRUE(hfRow->isVisible());
    EXPECT_FALSE(mix->isEnabled());
    EXPECT_EQ(page().method(), QStringLiteral("rtn"));
    ASSERT_EQ(page().methodCombo()->count(), 2);
    EXPECT_EQ(page().methodCombo()->itemData(1).toString(), QStringLiteral("gptq"));
    EXPECT_EQ(bits->count(), 4); // 2, 3, 4, 8
    EXPECT_EQ(page().bits(), 4);
    EXPECT_EQ(page().groupSize(), 128);
    EXPECT_TRUE(page().symmetric());
    EXPECT_FALSE(actOrder->isEnabled()); // act-order orders GPTQ's sweep: not for round to nearest
    // GPTQ by keyboard allows act-order; back to round to nearest, it is off again.
    page().methodCombo()->setFocus();
    QTest::keyClick(page().methodCombo(), Qt::Key_Down);
    EXPECT_EQ(page().method(), QStringLiteral("gptq"));
    EXPECT_TRUE(actOrder->isEnabled());
    actOrder->setFocus();
    QTest::keyClick(actOrder, Qt::Key_Space);
    EXPECT_TRUE(page().actOrder());
    ASSERT_TRUE(page().hfPlan());
    EXPECT_TRUE(page().hfPlan()->actOrder);
    EXPECT_EQ(page().hfPlan()->method, plan::PlanMethod::Gptq);
    QTest::keyClick(page().methodCombo(), Qt::Key_Up);
    EXPECT_EQ(page().method(), QStringLiteral("rtn"));
    EXPECT_FALSE(page().actOrder());
    // Alt+G focuses the group size; Up twice: 128 -> 64 -> 32.
    QTest::keyClick(m_window.get(), Qt::Key_G, Qt::AltModifier);
    ASSERT_TRUE(waitUntil([&] { return group->hasFocus(); }));
    QTest::keyClick(group, Qt::Key_Up);
    QTest::keyClick(group, Qt::Key_Up);
    EXPECT_EQ(page().groupSize(), 32);

    // The table shows the folder's plan: the 42 decoder linears at 4 bits in groups of 32.
    ASSERT_TRUE(page().hfPlan());
    const plan::QuantPlan& hf = *page().hfPlan();
    EXPECT_EQ(hf.mix, "GPTQ-4bit-g32");
    EXPECT_EQ(page().planModel()->rowCount(), 57);
    EXPECT_EQ(std::count_if(hf.tensors.begin(), hf.tensors.end(), [](const auto& t) { return t.group.has_value(); }), 42);
    EXPECT_EQ(*hf.tensors[static_cast<std::size_t>(hf.find("blk.0.attn_q.weight"))].group, (plan::GroupEncoding{4, 32, true}));
    EXPECT_TRUE(page().startButton()->isEnabled());

    const fs::path out = m_dir / "hf";
    page().setOutputFolder(qpath(out));
    QSignalSpy finished(&page(), &QuantizePage::runFinished);
    QSignalSpy failed(&page(), &QuantizePage::runFailed);
    QTest::keyClick(page().startButton(), Qt::Key_Return, Qt::ControlModifier);
    ASSERT_TRUE(waitUntil([&] { return finished.count() + failed.count() >= 1; }, kRunTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.at(0).at(1).toString().toStdString();

    const auto run = results().run();
    ASSERT_TRUE(run);
    EXPECT_EQ(run->report.format, "gptq");
    EXPECT_EQ(run->report.method, "rtn");
    EXPECT_EQ(run->report.bits, 4);
    EXPECT_EQ(run->report.groupSize, 32);
    EXPECT_EQ(run->report.mix, "GPTQ-4bit-g32");
    const fs::path folder = out / "demo-GPTQ-4bit-g32" / "demo-GPTQ-4bit-g32";
    EXPECT_TRUE(fs::is_regular_file(folder / "model.safetensors"));
    EXPECT_TRUE(fs::is_regular_file(folder / "config.json"));
    EXPECT_EQ(run->report.quantized.path, folder.string());
    EXPECT_GT(run->report.quantized.kld.mean, 0.0);
    EXPECT_LT(run->report.quantized.bytes, run->report.original.bytes);
    // Results: the headline compares the folder with the original; the title names the format.
    const QStringList size = results().headline(QStringLiteral("size"));
    EXPECT_EQ(size[1], formatBytes(run->report.quantized.bytes));
    EXPECT_FALSE(results().headline(QStringLiteral("kld"))[1].isEmpty());
    auto* title = results().findChild<QLabel*>(QStringLiteral("resultsTitle"));
    ASSERT_TRUE(title);
    EXPECT_TRUE(title->text().contains(QStringLiteral("gptq"))) << title->text().toStdString();
    EXPECT_EQ(results().layerChart()->layers().size(), 6u);
}

// AWQ in the window: 4 bits and zero points only, its own calibrated method, a short calibration.
TEST_F(QuantizePageTest, AwqFolderRunsCalibrated)
{
    openDemo();
    page().setFormat(QStringLiteral("awq"));
    auto* bits = page().findChild<QComboBox*>(QStringLiteral("bitsCombo"));
    auto* symmetry = page().findChild<QComboBox*>(QStringLiteral("symmetryCombo"));
    auto* calibration = page().findChild<QComboBox*>(QStringLiteral("calibrationCombo"));
    ASSERT_TRUE(bits && symmetry && calibration);
    EXPECT_EQ(bits->count(), 1);
    EXPECT_FALSE(bits->isEnabled());
    EXPECT_FALSE(page().symmetric());
    EXPECT_FALSE(symmetry->isEnabled());
    EXPECT_EQ(page().methodCombo()->itemData(1).toString(), QStringLiteral("awq"));
    EXPECT_FALSE(calibration->isEnabled());
    page().setMethod(QStringLiteral("awq"));
    EXPECT_TRUE(calibration->isEnabled());
    page().setGroupSize(64);
    page().setCalibrationTokens(512);
    // Back to GGUF and again to AWQ: the GGUF methods return, the AWQ choice is kept by position.
    page().setFormat(QStringLiteral("gguf"));
    EXPECT_EQ(page().method(), QStringLiteral("gptq"));
    EXPECT_FALSE(page().hfPlan());
    // The table shows the GGUF plan again (ggml types, no bit groups).
    ASSERT_EQ(page().planModel()->rowCount(), 57);
    for (const auto& t : page().planModel()->plan().tensors) EXPECT_FALSE(t.group.has_value()) << t.name;
    page().setFormat(QStringLiteral("awq"));
    EXPECT_EQ(page().method(), QStringLiteral("awq"));
    ASSERT_TRUE(page().hfPlan());
    EXPECT_EQ(page().hfPlan()->mix, "AWQ-4bit-g64");

    page().setOutputFolder(qpath(m_dir / "awq"));
    QSignalSpy finished(&page(), &QuantizePage::runFinished);
    QSignalSpy failed(&page(), &QuantizePage::runFailed);
    page().start();
    ASSERT_TRUE(waitUntil([&] { return finished.count() + failed.count() >= 1; }, kRunTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.at(0).at(1).toString().toStdString();
    const auto run = results().run();
    ASSERT_TRUE(run);
    EXPECT_EQ(run->report.format, "awq");
    EXPECT_EQ(run->report.method, "awq");
    EXPECT_FALSE(run->report.symmetric);
    EXPECT_EQ(run->report.calibration, "general");
    EXPECT_TRUE(fs::is_regular_file(m_dir / "awq" / "demo-AWQ-4bit-g64" / "demo-AWQ-4bit-g64" / "model.safetensors"));
}

// A GGUF file cannot become an HF folder: the page says so and Start stays off.
TEST_F(QuantizePageTest, AGgufModelCannotBeMadeIntoAFolder)
{
    const fs::path gguf = test::referenceGguf("F16");
    if (!fs::exists(gguf)) CONDENSE_SKIP() << gguf << " is missing";
    QSignalSpy ended(m_window.get(), &MainWindow::openEnded);
    m_window->openPath(qpath(gguf));
    ASSERT_TRUE(waitUntil([&] { return ended.count() >= 1 && page().profiles() && page().planView() && !page().isPlanning(); }));
    EXPECT_TRUE(page().startButton()->isEnabled());
    page().setFormat(QStringLiteral("compressed-tensors"));
    ASSERT_TRUE(page().hfPlan());
    EXPECT_FALSE(page().startButton()->isEnabled());
    EXPECT_TRUE(page().verdictLabel()->text().contains(QStringLiteral("GGUF file"))) << page().verdictLabel()->text().toStdString();
    page().setFormat(QStringLiteral("gguf"));
    EXPECT_TRUE(page().startButton()->isEnabled());
}
