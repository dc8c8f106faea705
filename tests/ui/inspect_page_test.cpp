// The Inspect page, offscreen, on the demo model and on synthetic GGUFs, driven like a user:
// select a tensor -> the histogram's bars + under/overflow count every finite weight and the
// statistics shown are the core's own analysis of that tensor (analysed again here, directly)
// -> the outlier map holds the core's cells -> clicking an outlier ring selects it in the list
// and the reverse -> a heatmap click (and Enter on the keyboard cursor) selects the tensor in
// the tree; the tree's statistic and error columns hold the analysis values and sort; a
// second open reads the cache; a NaN tensor is marked. (The event loop's latency while a model
// is analysed: responsiveness_test.cpp.)
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLocale>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QMenu>
#include <QTreeView>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include <qcustomplot.h>

#include "core/analysis/tensor_analysis.h"
#include "core/arch/tensor_role.h"
#include "core/io/checkpoint.h"
#include "core/jobs/thread_arena.h"
#include "tests/support/qt_wait.h"
#include "tests/support/synthetic_gguf.h"
#include "tests/support/temp_dir.h"
#include "ui/i18n/statistic_text.h"
#include "ui/main_window.h"
#include "ui/models/analysis_store.h"
#include "ui/models/model_tree_model.h"
#include "ui/models/outlier_list_model.h"
#include "ui/pages/inspect_page.h"
#include "ui/plots/heatmap_plot.h"
#include "ui/plots/histogram_plot.h"
#include "ui/plots/outlier_map_plot.h"
#include "ui/settings/app_settings.h"
#include "ui/widgets/model_panel.h"

using namespace condense;
using namespace condense::ui;
using condense::test::waitUntil;

namespace {

QString qpath(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

analysis::TensorAnalysis analyzeDirectly(const io::Checkpoint& ck, int index)
{
    jobs::ThreadArena arena(jobs::ThreadingConfig{2});
    analysis::TensorAnalysis out;
    arena.execute([&] {
        auto r = analysis::analyzeTensor(ck, static_cast<std::size_t>(index), {});
        ASSERT_TRUE(r.ok());
        out = std::move(*r);
    });
    return out;
}

class InspectPageTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_settings = std::make_unique<AppSettings>(qpath(m_dir / "settings.ini"));
        m_window = std::make_unique<MainWindow>(*m_settings, nullptr);
        m_window->setAnalysisCacheDir(qpath(m_dir / "cache"));
        m_window->resize(1280, 860);
        m_window->show();
    }
    void TearDown() override { m_window.reset(); }

    // Opens `path` (or the demo) and waits until its analysis has ended.
    void openAndAnalyse(const QString& path = {})
    {
        QSignalSpy analysed(m_window.get(), &MainWindow::analysisEnded);
        if (path.isEmpty()) m_window->openDemo();
        else m_window->openPath(path);
        ASSERT_TRUE(waitUntil([&] { return analysed.count() >= 1 && m_window->analysisStore()->state() == AnalysisStore::State::Done; }));
    }
    void waitForAnalysis()
    {
        ASSERT_TRUE(waitUntil([&] { return m_window->analysisStore()->state() == AnalysisStore::State::Done; }));
    }

    InspectPage& page() { return *m_window->inspectPage(); }
    AnalysisStore& store() { return *m_window->analysisStore(); }
    int tensorIndex(const char* name) { return store().indexOf(name); }
    QString statText(const char* key)
    {
        auto* label = page().findChild<QLabel*>(QStringLiteral("stat_") + QLatin1String(key));
        return label ? label->text() : QStringLiteral("<missing>");
    }

    test::TempDir m_dir;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

TEST_F(InspectPageTest, HistogramStatisticsAndOutlierMapAreTheCoresAnalysis)
{
    openAndAnalyse();
    const char* name = "model.layers.1.mlp.down_proj.weight";
    const int idx = tensorIndex(name);
    ASSERT_GE(idx, 0);
    ASSERT_TRUE(m_window->selectTensor(QString::fromLatin1(name)));
    EXPECT_EQ(page().shownTensor(), idx);
    EXPECT_EQ(m_window->modelPanel()->selectedTensor(), idx);

    const io::Checkpoint& ck = *m_window->checkpoint();
    const analysis::TensorAnalysis direct = analyzeDirectly(ck, idx);
    const std::uint64_t elements = ck.tensors()[static_cast<std::size_t>(idx)].elements();
    ASSERT_EQ(elements, 256u * 768u);

    // The bars count every weight: bins + under + over = element count (no NaN here).
    HistogramPlot& hist = *page().histogram();
    ASSERT_TRUE(hist.analysisShown());
    EXPECT_EQ(hist.barCountSum() + hist.analysisShown()->histogram.under + hist.analysisShown()->histogram.over, elements);
    EXPECT_EQ(hist.analysisShown()->histogram.bins, direct.histogram.bins);
    // Log scale hides empty bins only: the sum stays.
    page().findChild<QCheckBox*>(QStringLiteral("logScaleCheck"))->click();
    EXPECT_EQ(hist.yAxis->scaleType(), QCPAxis::stLogarithmic);
    EXPECT_EQ(hist.barCountSum() + direct.histogram.under + direct.histogram.over, elements);
    EXPECT_FALSE(hist.hoverText(direct.stats.mean).isEmpty());

    // The statistics shown are the core's, formatted.
    EXPECT_EQ(statText("mean"), formatSignificant(direct.stats.mean));
    EXPECT_EQ(statText("std"), formatSignificant(direct.stats.std));
    EXPECT_EQ(statText("min"), formatSignificant(direct.stats.min));
    EXPECT_EQ(statText("max"), formatSignificant(direct.stats.max));
    EXPECT_EQ(statText("absMax"), formatSignificant(direct.stats.absMax));
    EXPECT_EQ(statText("kurtosis"), formatStatistic(TensorStatistic::Kurtosis, direct.stats.kurtosis));
    QString beyond3 = statText("beyond3");
    beyond3.chop(1);
    EXPECT_NEAR(QLocale().toDouble(beyond3), direct.stats.beyond3Std * 100.0, 0.0006);
    EXPECT_EQ(statText("previewType"), QStringLiteral("Q4_K")); // Q4_K_M gives ffn_down of layer 1 Q4_K
    EXPECT_FALSE(statText("relRmse").isEmpty());

    // The outlier map holds the core's cells.
    OutlierMapPlot& map = *page().outlierMap();
    QCPColorMapData* cells = map.colorMap()->data();
    ASSERT_EQ(static_cast<std::uint32_t>(cells->keySize()), direct.outlierMap.cellCols);
    ASSERT_EQ(static_cast<std::uint32_t>(cells->valueSize()), direct.outlierMap.cellRows);
    double peak = 0;
    for (std::uint32_t r = 0; r < direct.outlierMap.cellRows; ++r)
        for (std::uint32_t c = 0; c < direct.outlierMap.cellCols; ++c) {
            const double v = cells->cell(static_cast<int>(c), static_cast<int>(r));
            ASSERT_EQ(v, static_cast<double>(direct.outlierMap.cells[r * direct.outlierMap.cellCols + c]));
            peak = std::max(peak, v);
        }
    EXPECT_NEAR(peak, direct.stats.absMax / direct.stats.std, 1e-3);

    // The largest weights: listed; a list row rings the outlier, a click on a ring selects its row.
    QTableView& table = *page().outlierTable();
    ASSERT_EQ(table.model()->rowCount(), static_cast<int>(direct.top.size()));
    EXPECT_EQ(table.model()->index(0, OutlierListModel::ValueColumn).data(OutlierListModel::RawValueRole).toDouble(),
              static_cast<double>(direct.top[0].value));
    table.setCurrentIndex(table.model()->index(3, 0));
    EXPECT_EQ(map.highlightedOutlier(), 3);
    map.replot();
    const auto& o = direct.top[7];
    const QPoint ring(static_cast<int>(std::lround(map.xAxis->coordToPixel(static_cast<double>(o.col) + 0.5))),
                      static_cast<int>(std::lround(map.yAxis->coordToPixel(static_cast<double>(o.row) + 0.5))));
    const int expected = map.outlierNear(ring);
    ASSERT_GE(expected, 0);
    QTest::mouseClick(&map, Qt::LeftButton, {}, ring);
    EXPECT_EQ(table.currentIndex().row(), expected);
    EXPECT_EQ(map.highlightedOutlier(), expected);
    EXPECT_FALSE(map.hoverText(static_cast<double>(o.col), static_cast<double>(o.row)).isEmpty());
}

TEST_F(InspectPageTest, HeatmapClickAndKeyboardSelectTheTensor)
{
    openAndAnalyse();
    page().setView(InspectPage::View::Model);
    HeatmapPlot& heat = *page().heatmap();
    heat.rebuildNow();
    heat.replot();
    // Demo: the row outside the blocks plus 6 layers; token_embd, q, k, v, o, gate, up, down, output.
    ASSERT_EQ(heat.gridRows(), 7);
    ASSERT_EQ(heat.gridColumns(), 9);
    int row = -1, col = -1;
    for (int r = 0; r < heat.gridRows(); ++r)
        for (int c = 0; c < heat.gridColumns(); ++c) {
            const int t = heat.tensorAt(r, c);
            if (t >= 0 && m_window->checkpoint()->tensors()[static_cast<std::size_t>(t)].name == "model.layers.3.mlp.down_proj.weight") {
                row = r;
                col = c;
            }
        }
    ASSERT_GE(row, 0);
    const int target = heat.tensorAt(row, col);
    // The cell shows the store's value of the chosen statistic.
    EXPECT_EQ(heat.colorMap()->data()->cell(col, row), *store().value(target, TensorStatistic::Kurtosis));

    QTest::mouseClick(&heat, Qt::LeftButton, {}, heat.cellCenter(row, col).toPoint());
    EXPECT_EQ(m_window->modelPanel()->selectedTensor(), target);
    EXPECT_EQ(page().shownTensor(), target);
    EXPECT_EQ(m_window->modelPanel()->treeView()->currentIndex().data(ModelTreeModel::FullNameRole).toString(),
              QStringLiteral("model.layers.3.mlp.down_proj.weight"));

    // Keyboard: the cursor starts on the selected cell; Up, then Enter selects layer 2's.
    heat.setFocus();
    QTest::keyClick(&heat, Qt::Key_Up);
    QTest::keyClick(&heat, Qt::Key_Return);
    EXPECT_EQ(m_window->modelPanel()->selectedTensor(), heat.tensorAt(row - 1, col));
    EXPECT_EQ(QString::fromStdString(m_window->checkpoint()->tensors()[static_cast<std::size_t>(page().shownTensor())].name),
              QStringLiteral("model.layers.2.mlp.down_proj.weight"));

    // Another statistic recolours the map and renames the tree column.
    page().setStatistic(TensorStatistic::PreviewError);
    EXPECT_EQ(heat.colorMap()->data()->cell(col, row), *store().value(target, TensorStatistic::PreviewError));
    EXPECT_EQ(m_window->modelPanel()->treeModel()->headerData(ModelTreeModel::StatisticColumn, Qt::Horizontal).toString(),
              statisticName(TensorStatistic::PreviewError));
}

TEST_F(InspectPageTest, TreeColumnsHoldTheAnalysisAndSort)
{
    ModelTreeModel& model = *m_window->modelPanel()->treeModel();
    QAbstractItemModelTester treeTester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester proxyTester(m_window->modelPanel()->proxyModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester outlierTester(page().outlierModel(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    openAndAnalyse();

    const int q = tensorIndex("model.layers.0.self_attn.q_proj.weight");
    const QModelIndex qi = model.indexOfTensor(q);
    ASSERT_TRUE(qi.isValid());
    const auto a = store().analysis(q);
    ASSERT_TRUE(a && a->preview);
    EXPECT_EQ(model.index(qi.row(), ModelTreeModel::StatisticColumn, qi.parent()).data(ModelTreeModel::RawValueRole).toDouble(),
              a->stats.kurtosis);
    const double q4Error = model.index(qi.row(), ModelTreeModel::ErrorColumn, qi.parent()).data(ModelTreeModel::RawValueRole).toDouble();
    EXPECT_EQ(q4Error, a->preview->sums.relRmse());
    EXPECT_EQ(model.headerData(ModelTreeModel::ErrorColumn, Qt::Horizontal).toString(), QStringLiteral("Q4_K_M"));
    // Norm vectors have no preview: "–".
    const QModelIndex norm = model.indexOfTensor(tensorIndex("model.layers.0.input_layernorm.weight"));
    EXPECT_FALSE(model.index(norm.row(), ModelTreeModel::ErrorColumn, norm.parent()).data(ModelTreeModel::RawValueRole).isValid());

    // Sorting by the error column orders a layer's tensors by it.
    QSortFilterProxyModel& proxy = *m_window->modelPanel()->proxyModel();
    proxy.sort(ModelTreeModel::ErrorColumn, Qt::DescendingOrder);
    const QModelIndex layer0 = proxy.mapFromSource(qi.parent());
    double last = 1e9;
    int withError = 0;
    for (int r = 0; r < proxy.rowCount(layer0); ++r) {
        const QVariant v = proxy.index(r, ModelTreeModel::ErrorColumn, layer0).data(ModelTreeModel::RawValueRole);
        if (!v.isValid()) continue;
        EXPECT_LE(v.toDouble(), last);
        last = v.toDouble();
        ++withError;
    }
    EXPECT_EQ(withError, 7);

    // Another preview mix: only the previews run again; Q8_0 errs far less than Q4_K_M.
    QSignalSpy analysed(m_window.get(), &MainWindow::analysisEnded);
    page().findChild<QComboBox*>(QStringLiteral("previewCombo"))->setCurrentText(QStringLiteral("Q8_0"));
    ASSERT_TRUE(waitUntil([&] { return analysed.count() >= 1; }));
    waitForAnalysis();
    EXPECT_EQ(model.headerData(ModelTreeModel::ErrorColumn, Qt::Horizontal).toString(), QStringLiteral("Q8_0"));
    const double q8Error = model.index(qi.row(), ModelTreeModel::ErrorColumn, qi.parent()).data(ModelTreeModel::RawValueRole).toDouble();
    EXPECT_GT(q8Error, 0.0);
    EXPECT_LT(q8Error * 4, q4Error);
    // Selecting tensors exercises the outlier model under its tester.
    m_window->selectTensor(QStringLiteral("model.layers.2.self_attn.v_proj.weight"));
    m_window->selectTensor(QStringLiteral("model.norm.weight"));
    EXPECT_EQ(page().outlierModel()->rowCount(), 32);
}

TEST_F(InspectPageTest, SecondOpenReadsTheCache)
{
    openAndAnalyse();
    for (int i = 0; i < store().tensorCount(); ++i) EXPECT_FALSE(store().analysis(i)->fromCache);
    m_window->closeModel();
    openAndAnalyse();
    ASSERT_EQ(store().analyzedCount(), store().tensorCount());
    for (int i = 0; i < store().tensorCount(); ++i) EXPECT_TRUE(store().analysis(i)->fromCache) << i;
}

TEST_F(InspectPageTest, TensorWithNanIsAnalysedAndMarked)
{
    const auto path = m_dir / "nan.gguf";
    test::SyntheticLlama spec;
    spec.nLayer = 2;
    ASSERT_EQ(test::writeSyntheticLlama(path, spec), "");
    // Poke an F16 NaN into blk.1.ffn_up.weight: find its bytes in the file by their start.
    std::string bytes = test::readFile(path);
    {
        jobs::NullSink sink;
        auto ck = io::openCheckpoint(path, sink);
        ASSERT_TRUE(ck.ok());
        std::size_t idx = 0;
        while ((*ck)->tensors()[idx].name != "blk.1.ffn_up.weight") ++idx;
        const auto data = (*ck)->tensorData(idx);
        const std::string head(reinterpret_cast<const char*>(data.data()), 64);
        const auto at = bytes.find(head);
        ASSERT_NE(at, std::string::npos);
        ASSERT_EQ(bytes.find(head, at + 1), std::string::npos);
        bytes[at + 10] = '\x00';
        bytes[at + 11] = '\x7e'; // element 5: 0x7e00, a quiet NaN
    }
    test::writeFile(path, bytes);

    openAndAnalyse(qpath(path));
    const int idx = tensorIndex("blk.1.ffn_up.weight");
    ASSERT_GE(idx, 0);
    const auto a = store().analysis(idx);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->stats.nan, 1u);
    EXPECT_FALSE(a->preview); // the quantizer refuses NaN
    ModelTreeModel& model = *m_window->modelPanel()->treeModel();
    const QModelIndex ti = model.indexOfTensor(idx);
    const QModelIndex stat = model.index(ti.row(), ModelTreeModel::StatisticColumn, ti.parent());
    EXPECT_EQ(stat.data(Qt::ForegroundRole).value<QColor>(), QColor(0xc0, 0x20, 0x20));
    EXPECT_TRUE(stat.data(Qt::ToolTipRole).toString().contains(QStringLiteral("NaN")));
    ASSERT_TRUE(m_window->selectTensor(QStringLiteral("blk.1.ffn_up.weight")));
    auto* hint = page().findChild<QLabel*>(QStringLiteral("tensorHint"));
    ASSERT_TRUE(hint);
    EXPECT_FALSE(hint->isHidden());
    EXPECT_TRUE(hint->text().contains(QStringLiteral("NaN")));
    EXPECT_EQ(page().histogram()->barCountSum() + a->histogram.under + a->histogram.over, a->stats.count - 1);
    EXPECT_EQ(statText("nonFinite"), QStringLiteral("1 / 0"));
}

TEST_F(InspectPageTest, ExportOffersThePlotsOfTheViewAsImages)
{
    openAndAnalyse();
    ASSERT_TRUE(m_window->selectTensor(QStringLiteral("model.layers.0.self_attn.q_proj.weight")));
    auto* button = page().findChild<QToolButton*>(QStringLiteral("exportButton"));
    ASSERT_TRUE(button && button->menu());
    QSignalSpy requested(&page(), &InspectPage::exportRequested);
    Q_EMIT button->menu()->aboutToShow();
    ASSERT_EQ(button->menu()->actions().size(), 2); // histogram, outlier map
    button->menu()->actions().at(1)->trigger();
    ASSERT_EQ(requested.count(), 1);
    const QImage image = requested.at(0).at(0).value<QImage>();
    EXPECT_EQ(image.width(), page().outlierMap()->width() * 2); // rendered at 2x for sharp prints
    EXPECT_TRUE(requested.at(0).at(1).toString().endsWith(QStringLiteral("model.layers.0.self_attn.q_proj.weight-outlier-map")));
    // The heatmap view offers the heatmap.
    page().setView(InspectPage::View::Model);
    Q_EMIT button->menu()->aboutToShow();
    ASSERT_EQ(button->menu()->actions().size(), 1);
    button->menu()->actions().at(0)->trigger();
    ASSERT_EQ(requested.count(), 2);
    EXPECT_FALSE(requested.at(1).at(0).value<QImage>().isNull());
}

} // namespace
