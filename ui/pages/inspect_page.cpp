#include "ui/pages/inspect_page.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "core/io/checkpoint.h"
#include "ui/i18n/number_format.h"
#include "ui/i18n/statistic_text.h"
#include "ui/models/outlier_list_model.h"
#include "ui/models/tensor_group.h"
#include "ui/plots/heatmap_plot.h"
#include "ui/plots/histogram_plot.h"
#include "ui/plots/outlier_map_plot.h"

namespace condense::ui {

namespace {
QString percent(double fraction) { return QLocale().toString(fraction * 100.0, 'f', fraction * 100.0 < 10 ? 3 : 2) + QLatin1Char('%'); }
} // namespace

QStringList InspectPage::previewMixes()
{
    return {QStringLiteral("Q8_0"), QStringLiteral("Q6_K"), QStringLiteral("Q5_K_M"), QStringLiteral("Q4_K_M"), QStringLiteral("Q4_K_S"),
            QStringLiteral("Q4_0"), QStringLiteral("Q3_K_M"), QStringLiteral("Q2_K")};
}

InspectPage::InspectPage(AnalysisStore& store, QWidget* parent) : QWidget(parent), m_store(store)
{
    setObjectName(QStringLiteral("inspectPage"));

    // Tool row: view toggle, statistic, preview type, export, status.
    m_tensorViewButton = new QToolButton(this);
    m_tensorViewButton->setObjectName(QStringLiteral("tensorViewButton"));
    m_modelViewButton = new QToolButton(this);
    m_modelViewButton->setObjectName(QStringLiteral("modelViewButton"));
    for (QToolButton* b : {m_tensorViewButton, m_modelViewButton}) {
        b->setCheckable(true);
        b->setAutoRaise(false);
        b->setFocusPolicy(Qt::StrongFocus);
    }
    m_viewGroup = new QButtonGroup(this);
    m_viewGroup->setExclusive(true);
    m_viewGroup->addButton(m_tensorViewButton, static_cast<int>(View::Tensor));
    m_viewGroup->addButton(m_modelViewButton, static_cast<int>(View::Model));
    m_tensorViewButton->setChecked(true);

    m_statisticLabel = new QLabel(this);
    m_statisticCombo = new QComboBox(this);
    m_statisticCombo->setObjectName(QStringLiteral("statisticCombo"));
    for (int i = 0; i < kTensorStatisticCount; ++i) m_statisticCombo->addItem(QString(), i);
    m_statisticCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_statisticCombo->setMinimumContentsLength(10);
    m_statisticLabel->setBuddy(m_statisticCombo);
    m_previewLabel = new QLabel(this);
    m_previewCombo = new QComboBox(this);
    m_previewCombo->setObjectName(QStringLiteral("previewCombo"));
    for (const QString& mix : previewMixes()) m_previewCombo->addItem(mix, mix);
    m_previewCombo->setCurrentIndex(static_cast<int>(previewMixes().indexOf(QStringLiteral("Q4_K_M"))));
    m_previewLabel->setBuddy(m_previewCombo);
    m_exportButton = new QToolButton(this);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setMenu(new QMenu(m_exportButton));
    connect(m_exportButton->menu(), &QMenu::aboutToShow, this, [this] {
        QMenu* menu = m_exportButton->menu();
        menu->clear();
        for (QCustomPlot* plot : visiblePlots()) {
            const QString what = plot == m_histogram ? tr("Histogram") : plot == m_outlierMap ? tr("Outlier map") : tr("Heatmap");
            menu->addAction(tr("%1 as PNG…").arg(what), this, [this, plot, what] { exportPlot(plot, what); });
        }
    });
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("analysisStatus"));
    m_status->setForegroundRole(QPalette::PlaceholderText);

    auto* tools = new QHBoxLayout;
    tools->addWidget(m_tensorViewButton);
    tools->addWidget(m_modelViewButton);
    tools->addSpacing(12);
    tools->addWidget(m_statisticLabel);
    tools->addWidget(m_statisticCombo);
    tools->addSpacing(8);
    tools->addWidget(m_previewLabel);
    tools->addWidget(m_previewCombo);
    tools->addSpacing(8);
    tools->addWidget(m_exportButton);
    tools->addStretch();

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(buildTensorView());
    m_stack->addWidget(buildModelView());

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 4);
    layout->addLayout(tools);
    layout->addWidget(m_status);
    layout->addWidget(m_stack, 1);

    connect(m_viewGroup, &QButtonGroup::idClicked, this, [this](int id) { setView(static_cast<View>(id)); });
    connect(m_statisticCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_heatmap->setStatistic(statistic());
        Q_EMIT statisticChanged(statistic());
    });
    connect(m_previewCombo, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT previewMixChanged(previewMix()); });
    connect(&m_store, &AnalysisStore::tensorsAnalyzed, this, &InspectPage::onTensorsAnalyzed);
    connect(&m_store, &AnalysisStore::stateChanged, this, &InspectPage::updateStatus);
    connect(&m_store, &AnalysisStore::reset, this, [this] {
        updateTensorFacts();
        updateModelFacts();
        updateStatus();
    });
    setTabOrder(m_tensorViewButton, m_modelViewButton);
    setTabOrder(m_modelViewButton, m_statisticCombo);
    setTabOrder(m_statisticCombo, m_previewCombo);
    setTabOrder(m_previewCombo, m_exportButton);
    setTabOrder(m_exportButton, m_logScale);
    setTabOrder(m_logScale, m_outlierTable);
    retranslate();
}

QWidget* InspectPage::buildTensorView()
{
    auto* view = new QWidget(this);
    m_histogramBox = new QGroupBox(view);
    m_histogram = new HistogramPlot(m_histogramBox);
    m_logScale = new QCheckBox(m_histogramBox);
    m_logScale->setObjectName(QStringLiteral("logScaleCheck"));
    connect(m_logScale, &QCheckBox::toggled, m_histogram, &HistogramPlot::setLogScale);
    auto* hl = new QVBoxLayout(m_histogramBox);
    hl->addWidget(m_logScale, 0, Qt::AlignRight);
    hl->addWidget(m_histogram, 1);

    m_mapBox = new QGroupBox(view);
    m_outlierMap = new OutlierMapPlot(m_mapBox);
    m_outlierModel = new OutlierListModel(this);
    m_outlierTable = new QTableView(view);
    m_outlierTable->setObjectName(QStringLiteral("outlierTable"));
    m_outlierTable->setModel(m_outlierModel);
    m_outlierTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_outlierTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_outlierTable->verticalHeader()->hide();
    m_outlierTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_outlierTable->horizontalHeader()->setStretchLastSection(true);
    m_outlierTable->verticalHeader()->setDefaultSectionSize(m_outlierTable->fontMetrics().height() + 6);
    m_outlierTable->setMinimumHeight(160);
    m_outlierTable->setAlternatingRowColors(true);
    connect(m_outlierTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { m_outlierMap->highlightOutlier(current.isValid() ? current.row() : -1); });
    connect(m_outlierMap, &OutlierMapPlot::outlierClicked, this,
            [this](int index) { m_outlierTable->setCurrentIndex(m_outlierModel->index(index, 0)); });
    auto* ml = new QVBoxLayout(m_mapBox);
    ml->addWidget(m_outlierMap, 1);

    auto* plots = new QSplitter(Qt::Vertical, view);
    plots->setObjectName(QStringLiteral("inspectPlotSplitter"));
    plots->addWidget(m_histogramBox);
    plots->addWidget(m_mapBox);
    plots->setChildrenCollapsible(false);
    plots->setSizes({300, 380});

    m_statsBox = new QGroupBox;
    m_statsForm = new QFormLayout(m_statsBox);
    auto* side = new QWidget;
    auto* sl = new QVBoxLayout(side);
    sl->setContentsMargins(0, 0, 0, 0);
    sl->addWidget(m_statsBox);
    sl->addStretch();
    auto* scroll = new QScrollArea(view);
    scroll->setWidget(side);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_topLabel = new QLabel(view);
    auto* right = new QWidget(view);
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(scroll, 5);
    rl->addWidget(m_topLabel);
    rl->addWidget(m_outlierTable, 3);
    right->setMinimumWidth(330);

    auto* split = new QSplitter(Qt::Horizontal, view);
    split->addWidget(plots);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    // What the tensor is, in two lines above the plots.
    m_tensorTitle = new QLabel(view);
    m_tensorTitle->setObjectName(QStringLiteral("tensorTitle"));
    m_tensorTitle->setTextFormat(Qt::PlainText);
    m_tensorTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setBold(true);
    m_tensorTitle->setFont(mono);
    m_tensorFacts = new QLabel(view);
    m_tensorFacts->setObjectName(QStringLiteral("tensorFacts"));
    m_tensorFacts->setTextFormat(Qt::PlainText);
    m_tensorFacts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tensorHint = new QLabel(view);
    m_tensorHint->setObjectName(QStringLiteral("tensorHint"));
    m_tensorHint->setWordWrap(true);
    m_tensorHint->setForegroundRole(QPalette::PlaceholderText);

    auto* layout = new QVBoxLayout(view);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_tensorTitle);
    layout->addWidget(m_tensorFacts);
    layout->addWidget(m_tensorHint);
    layout->addWidget(split, 1);
    return view;
}

QWidget* InspectPage::buildModelView()
{
    auto* view = new QWidget(this);
    m_heatmap = new HeatmapPlot(m_store, view);
    connect(m_heatmap, &HeatmapPlot::tensorActivated, this, &InspectPage::tensorActivated);
    m_modelBox = new QGroupBox;
    m_modelForm = new QFormLayout(m_modelBox);
    m_previewBox = new QGroupBox;
    m_previewForm = new QFormLayout(m_previewBox);
    auto* side = new QWidget;
    auto* sl = new QVBoxLayout(side);
    sl->setContentsMargins(0, 0, 0, 0);
    sl->addWidget(m_modelBox);
    sl->addWidget(m_previewBox);
    sl->addStretch();
    auto* scroll = new QScrollArea(view);
    scroll->setWidget(side);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(250);
    auto* split = new QSplitter(Qt::Horizontal, view);
    split->addWidget(m_heatmap);
    split->addWidget(scroll);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(view);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    return view;
}

void InspectPage::setCheckpoint(std::shared_ptr<const io::Checkpoint> checkpoint)
{
    m_checkpoint = std::move(checkpoint);
    m_tensor = -1;
    m_histogram->setAnalysis(nullptr);
    m_outlierMap->setAnalysis(nullptr);
    m_outlierModel->setAnalysis(nullptr);
    m_heatmap->setCurrentTensor(-1);
    updateTensorFacts();
    updateModelFacts();
    updateStatus();
}

void InspectPage::showTensor(int tensorIndex)
{
    m_tensor = (m_checkpoint && tensorIndex >= 0 && tensorIndex < static_cast<int>(m_checkpoint->tensors().size())) ? tensorIndex : -1;
    const auto a = m_store.analysis(m_tensor);
    m_histogram->setAnalysis(a);
    m_outlierMap->setAnalysis(a);
    m_outlierModel->setAnalysis(a);
    m_heatmap->setCurrentTensor(m_tensor);
    updateTensorFacts();
}

void InspectPage::onTensorsAnalyzed(const QList<int>& indices)
{
    if (m_tensor >= 0 && indices.contains(m_tensor)) {
        const auto a = m_store.analysis(m_tensor);
        if (a != m_histogram->analysisShown()) {
            m_histogram->setAnalysis(a);
            m_outlierMap->setAnalysis(a);
            m_outlierModel->setAnalysis(a);
        }
        updateTensorFacts();
    }
    updateStatus();
}

void InspectPage::setView(View view)
{
    m_stack->setCurrentIndex(view == View::Tensor ? 0 : 1);
    (view == View::Tensor ? m_tensorViewButton : m_modelViewButton)->setChecked(true);
    if (view == View::Model) {
        m_heatmap->rebuildNow();
        updateModelFacts();
    }
}

InspectPage::View InspectPage::view() const { return m_stack->currentIndex() == 0 ? View::Tensor : View::Model; }

TensorStatistic InspectPage::statistic() const { return static_cast<TensorStatistic>(m_statisticCombo->currentData().toInt()); }

void InspectPage::setStatistic(TensorStatistic statistic) { m_statisticCombo->setCurrentIndex(static_cast<int>(statistic)); }

QString InspectPage::previewMix() const { return m_previewCombo->currentData().toString(); }

QList<QCustomPlot*> InspectPage::visiblePlots() const
{
    if (view() == View::Model) return {m_heatmap};
    return {m_histogram, m_outlierMap};
}

void InspectPage::exportPlot(QCustomPlot* plot, const QString& what)
{
    // Rendering is cheap; encoding and writing happen off the GUI thread (MainWindow).
    const QImage image = plot->toPixmap(plot->width(), plot->height(), 2.0).toImage();
    QString base = m_checkpoint ? QString::fromStdString(m_checkpoint->displayName()) : QStringLiteral("model");
    if (plot != m_heatmap && m_checkpoint && m_tensor >= 0)
        base += QLatin1Char('-') + QString::fromStdString(m_checkpoint->tensors()[static_cast<std::size_t>(m_tensor)].name);
    base += QLatin1Char('-') + what.toLower().replace(QLatin1Char(' '), QLatin1Char('-'));
    Q_EMIT exportRequested(image, base);
}

void InspectPage::setRows(QFormLayout* form, const QList<QPair<QString, QString>>& rows, const QStringList& keys, bool monoFirst)
{
    while (form->rowCount() > 0) form->removeRow(0);
    int i = 0;
    for (const auto& [label, value] : rows) {
        auto* v = new QLabel(value);
        v->setTextFormat(Qt::PlainText);
        v->setTextInteractionFlags(Qt::TextSelectableByMouse);
        v->setWordWrap(true);
        if (i < keys.size() && !keys[i].isEmpty()) v->setObjectName(QStringLiteral("stat_") + keys[i]);
        if (i == 0 && monoFirst) {
            // Tensor names break badly at dots; keep them on one line.
            v->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
            v->setWordWrap(false);
        }
        ++i;
        form->addRow(label, v);
    }
}

void InspectPage::retranslate()
{
    m_tensorViewButton->setText(tr("&Tensor"));
    m_tensorViewButton->setToolTip(tr("Histogram and outlier map of the selected tensor"));
    m_modelViewButton->setText(tr("&Whole model"));
    m_modelViewButton->setToolTip(tr("Heatmap of every tensor: layers down, tensor roles across"));
    m_statisticLabel->setText(tr("Colour &by:"));
    for (int i = 0; i < kTensorStatisticCount; ++i) {
        m_statisticCombo->setItemText(i, statisticName(static_cast<TensorStatistic>(i)));
        m_statisticCombo->setItemData(i, statisticDescription(static_cast<TensorStatistic>(i)), Qt::ToolTipRole);
    }
    m_previewLabel->setText(tr("&Preview as:"));
    m_previewCombo->setToolTip(tr("Quantize and dequantize every tensor as this llama-quantize mix would, and show the error"));
    m_exportButton->setText(tr("E&xport"));
    m_exportButton->setToolTip(tr("Save a plot as a PNG image"));
    m_histogramBox->setTitle(tr("Histogram"));
    m_logScale->setText(tr("&Log scale"));
    m_mapBox->setTitle(tr("Outlier map"));
    m_topLabel->setText(tr("Largest weights"));
    m_statsBox->setTitle(tr("Statistics"));
    m_modelBox->setTitle(tr("Model"));
    m_previewBox->setTitle(tr("Quantization preview"));
    m_outlierModel->retranslate();
    updateTensorFacts();
    updateModelFacts();
    updateStatus();
}

void InspectPage::updateStatus()
{
    const int n = m_store.tensorCount(), done = m_store.analyzedCount();
    QString text;
    switch (m_store.state()) {
    case AnalysisStore::State::Idle: break;
    case AnalysisStore::State::Running: text = tr("Analysing: %1 of %2 tensors").arg(done).arg(n); break;
    case AnalysisStore::State::Done: text = tr("%1 tensors analysed").arg(done); break;
    case AnalysisStore::State::Failed: text = tr("Analysis failed after %1 of %2 tensors").arg(done).arg(n); break;
    case AnalysisStore::State::Cancelled: text = tr("Analysis stopped after %1 of %2 tensors").arg(done).arg(n); break;
    }
    m_status->setText(text);
    if (view() == View::Model) updateModelFacts();
}

void InspectPage::updateTensorFacts()
{
    if (!m_checkpoint || m_tensor < 0) {
        m_tensorTitle->clear();
        m_tensorFacts->clear();
        setRows(m_statsForm, {});
        m_statsBox->hide();
        m_tensorHint->setText(tr("Select a tensor in the tree on the left."));
        m_tensorHint->show();
        m_topLabel->setText(tr("Largest weights"));
        return;
    }
    const io::TensorEntry& t = m_checkpoint->tensors()[static_cast<std::size_t>(m_tensor)];
    const auto& files = m_checkpoint->files();
    const QString file = t.source < files.size() ? QFileInfo(QString::fromStdString(files[t.source])).fileName() : QString();
    const TensorGroupKey g = tensorGroupOf(t.name);
    const QString layer = g.kind == TensorGroupKind::Layer ? tr("layer %1").arg(g.layer) : tr("not in a layer");
    const QString sep = QStringLiteral("  ·  ");
    m_tensorTitle->setText(QString::fromStdString(t.name));
    m_tensorFacts->setText(layer + sep + QString::fromLatin1(dtypeName(t.dtype)) + sep +
                           tr("%1 = %2 elements").arg(formatShape(t.shape), formatExactCount(t.elements())) + sep +
                           tr("%1 (%2 bytes)").arg(formatBytes(t.bytes), formatExactCount(t.bytes)) + sep + file);
    m_tensorFacts->setToolTip(m_tensorFacts->text());
    m_tensorHint->hide();

    const auto a = m_store.analysis(m_tensor);
    m_statsBox->show();
    if (!a) {
        m_tensorHint->setText(m_store.state() == AnalysisStore::State::Running ? tr("Analysis of this tensor is pending…")
                                                                               : tr("This tensor has not been analysed."));
        m_tensorHint->show();
        setRows(m_statsForm, {});
        m_statsBox->hide();
        return;
    }
    if (a->error) {
        m_tensorHint->setText(tr("This tensor could not be read: %1").arg(QString::fromStdString(a->error->detail)));
        m_tensorHint->show();
        setRows(m_statsForm, {});
        m_statsBox->hide();
        return;
    }
    m_tensorHint->setVisible(a->stats.hasNonFinite());
    if (a->stats.hasNonFinite())
        m_tensorHint->setText(tr("Contains %1 NaN and %2 infinite values: the statistics and the histogram count the finite ones.")
                                  .arg(formatExactCount(a->stats.nan), formatExactCount(a->stats.inf)));
    const analysis::TensorStats& s = a->stats;
    QList<QPair<QString, QString>> rows = {
        {tr("Mean"), formatSignificant(s.mean)},
        {tr("Std"), formatSignificant(s.std)},
        {tr("Min"), formatSignificant(s.min)},
        {tr("Max"), formatSignificant(s.max)},
        {tr("Abs max"), formatSignificant(s.absMax)},
        {tr("Abs max / std"), s.std > 0 ? formatStatistic(TensorStatistic::AbsMaxOverStd, s.absMax / s.std) : QStringLiteral("–")},
        {tr("Kurtosis (excess)"), formatStatistic(TensorStatistic::Kurtosis, s.kurtosis)},
        {tr("Beyond 3σ"), percent(s.beyond3Std)},
        {tr("Beyond 6σ"), percent(s.beyond6Std)},
        {tr("Exact zeros"), s.count ? percent(static_cast<double>(s.zeros) / static_cast<double>(s.count)) : QStringLiteral("–")},
        {tr("NaN / Inf"), QStringLiteral("%1 / %2").arg(formatExactCount(s.nan), formatExactCount(s.inf))},
    };
    QStringList keys = {QStringLiteral("mean"),     QStringLiteral("std"),       QStringLiteral("min"),       QStringLiteral("max"),
                        QStringLiteral("absMax"),   QStringLiteral("absMaxStd"), QStringLiteral("kurtosis"),  QStringLiteral("beyond3"),
                        QStringLiteral("beyond6"),  QStringLiteral("zeros"),     QStringLiteral("nonFinite")};
    if (a->preview && !m_store.isPreviewPending(m_tensor)) {
        const auto& p = a->preview->sums;
        const QString type = QString::fromLatin1(dtypeName(a->preview->type));
        rows.append({tr("Preview type"), type});
        rows.append({tr("Relative RMSE"), formatStatistic(TensorStatistic::PreviewError, p.relRmse())});
        rows.append({tr("SNR"), tr("%1 dB").arg(QLocale().toString(p.snrDb(), 'f', 2))});
        rows.append({tr("Max abs error"), formatSignificant(p.maxAbsError)});
        keys << QStringLiteral("previewType") << QStringLiteral("relRmse") << QStringLiteral("snr") << QStringLiteral("maxError");
        if (p.weighted) {
            rows.append({tr("Weighted RMSE"), formatStatistic(TensorStatistic::PreviewError, p.weightedRelRmse())});
            keys << QStringLiteral("weightedRmse");
        }
    } else if (m_store.isPreviewPending(m_tensor) && m_store.state() == AnalysisStore::State::Running) {
        rows.append({tr("Preview"), tr("pending…")});
        keys << QStringLiteral("previewType");
    } else {
        rows.append({tr("Preview"), tr("none for this tensor")});
        keys << QStringLiteral("previewType");
    }
    setRows(m_statsForm, rows, keys);
    m_topLabel->setText(tr("Largest weights (%1)").arg(a->top.size()));
}

void InspectPage::updateModelFacts()
{
    if (m_checkpoint) {
        const arch::ModelSpec& s = m_checkpoint->spec();
        const auto num = [](std::uint64_t v) { return v ? formatExactCount(v) : QStringLiteral("–"); };
        setRows(m_modelForm, {
                                 {tr("Vocabulary"), num(s.vocabSize)},
                                 {tr("Hidden size"), num(s.hiddenSize)},
                                 {tr("Feed-forward size"), num(s.intermediateSize)},
                                 {tr("Layers"), num(s.numLayers)},
                                 {tr("Attention heads"), num(s.numHeads)},
                                 {tr("Key/value heads"), num(s.numKvHeads)},
                                 {tr("Head size"), num(s.headDim)},
                                 {tr("Context length"), num(s.maxPositions)},
                                 {tr("RoPE base"), QLocale().toString(s.ropeTheta, 'g', 8)},
                                 {tr("Norm epsilon"), QString::number(s.rmsNormEps, 'g', 3)},
                                 {tr("Tied embeddings"), s.tieWordEmbeddings ? tr("yes") : tr("no")},
                             });
    } else {
        setRows(m_modelForm, {});
    }
    // The preview over the whole model and its worst layers.
    QList<QPair<QString, QString>> rows;
    if (m_checkpoint && !m_store.previewLabel().isEmpty()) {
        analysis::PreviewSums total;
        bool any = false;
        std::vector<std::pair<double, int>> layers;
        for (int l = -1; l < static_cast<int>(m_checkpoint->spec().numLayers); ++l) {
            const auto sums = m_store.layerPreview(l);
            if (!sums) continue;
            total.add(*sums);
            any = true;
            if (l >= 0) layers.emplace_back(sums->relRmse(), l);
        }
        rows.append({tr("Mix"), m_store.previewLabel()});
        if (any) {
            rows.append({tr("Relative RMSE"), formatStatistic(TensorStatistic::PreviewError, total.relRmse())});
            rows.append({tr("SNR"), tr("%1 dB").arg(QLocale().toString(total.snrDb(), 'f', 2))});
            std::sort(layers.rbegin(), layers.rend());
            QStringList worst;
            for (std::size_t i = 0; i < layers.size() && i < 3; ++i)
                worst << tr("layer %1 (%2)").arg(layers[i].second).arg(formatStatistic(TensorStatistic::PreviewError, layers[i].first));
            if (!worst.isEmpty()) rows.append({tr("Worst layers"), worst.join(QStringLiteral(", "))});
        } else {
            rows.append({tr("Relative RMSE"), m_store.state() == AnalysisStore::State::Running ? tr("pending…") : QStringLiteral("–")});
        }
    }
    setRows(m_previewForm, rows);
}

void InspectPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
