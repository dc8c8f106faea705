#include "ui/pages/results_page.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QEvent>
#include <QFile>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSplitter>
#include <QStackedWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>

#include "ui/i18n/number_format.h"
#include "ui/jobs/fs_path.h"
#include "ui/jobs/job_runner.h"
#include "ui/plots/comparison_chart.h"
#include "ui/plots/layer_chart.h"

namespace condense::ui {

namespace {
const QString kHistorySlot = QStringLiteral("results-history");


QString signedPercent(double from, double to)
{
    if (!(from != 0) || !std::isfinite(from) || !std::isfinite(to)) return QStringLiteral("–");
    const double change = (to - from) / from * 100.0;
    return (change > 0 ? QStringLiteral("+") : change < 0 ? QStringLiteral("−") : QString()) +
           QLocale().toString(std::fabs(change), 'f', std::fabs(change) < 10 ? 2 : 1) + QLatin1Char('%');
}
QString number(double v, int decimals) { return QLocale().toString(v, 'f', decimals); }
QString share(double v) { return QLocale().toString(v * 100.0, 'f', 1) + QLatin1Char('%'); }
QString points(double from, double to)
{
    const double d = (to - from) * 100.0;
    return (d > 0 ? QStringLiteral("+") : d < 0 ? QStringLiteral("−") : QString()) + QLocale().toString(std::fabs(d), 'f', 1) +
           QCoreApplication::translate("condense::ui::ResultsPage", " pts");
}
} // namespace

ResultsPage::ResultsPage(JobRunner& runner, QWidget* parent) : QWidget(parent), m_runner(runner)
{
    setObjectName(QStringLiteral("resultsPage"));
    m_empty = new QLabel(this);
    m_empty->setObjectName(QStringLiteral("resultsEmpty"));
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);

    auto* content = new QWidget(this);
    m_title = new QLabel(content);
    m_title->setObjectName(QStringLiteral("resultsTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_runLabel = new QLabel(content);
    m_runCombo = new QComboBox(content);
    m_runCombo->setObjectName(QStringLiteral("runCombo"));
    m_runCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_runLabel->setBuddy(m_runCombo);
    m_openReport = new QToolButton(content);
    m_openReport->setObjectName(QStringLiteral("openReportButton"));
    connect(m_openReport, &QToolButton::clicked, this, [this] {
        if (!m_run) return;
        const auto html = m_run->reportPath.parent_path() / std::string(report::kRunReportHtmlFile);
        QDesktopServices::openUrl(QUrl::fromLocalFile(fromFsPath(html)));
    });
    m_export = new QToolButton(content);
    m_export->setObjectName(QStringLiteral("resultsExportButton"));
    m_export->setPopupMode(QToolButton::InstantPopup);
    m_export->setMenu(new QMenu(m_export));
    connect(m_export->menu(), &QMenu::aboutToShow, this, [this] {
        m_export->menu()->clear();
        m_export->menu()->addAction(tr("Per-layer chart as PNG…"), this, [this] { exportPlot(reinterpret_cast<QCustomPlot*>(m_layers), tr("layers")); });
        m_export->menu()->addAction(tr("Comparison chart as PNG…"), this,
                                    [this] { exportPlot(reinterpret_cast<QCustomPlot*>(m_comparison), tr("comparison")); });
    });
    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(m_runLabel);
    top->addWidget(m_runCombo);
    top->addWidget(m_openReport);
    top->addWidget(m_export);

    m_headlineBox = new QGroupBox(content);
    m_grid = new QGridLayout(m_headlineBox);
    m_grid->setHorizontalSpacing(18);
    m_grid->setVerticalSpacing(3);

    m_layersBox = new QGroupBox(content);
    m_layers = new LayerChart(m_layersBox);
    connect(m_layers, &LayerChart::layerActivated, this, &ResultsPage::layerActivated);
    auto* ll = new QVBoxLayout(m_layersBox);
    ll->addWidget(m_layers);
    m_comparisonBox = new QGroupBox(content);
    m_metric = new QComboBox(m_comparisonBox);
    m_metric->setObjectName(QStringLiteral("comparisonMetric"));
    m_metric->addItem(QString(), static_cast<int>(ComparisonChart::Metric::Kld));
    m_metric->addItem(QString(), static_cast<int>(ComparisonChart::Metric::Perplexity));
    m_comparison = new ComparisonChart(m_comparisonBox);
    connect(m_metric, &QComboBox::currentIndexChanged, this,
            [this] { m_comparison->setMetric(static_cast<ComparisonChart::Metric>(m_metric->currentData().toInt())); });
    auto* cl = new QVBoxLayout(m_comparisonBox);
    cl->addWidget(m_metric, 0, Qt::AlignRight);
    cl->addWidget(m_comparison, 1);
    auto* charts = new QSplitter(Qt::Horizontal, content);
    charts->addWidget(m_layersBox);
    charts->addWidget(m_comparisonBox);
    charts->setChildrenCollapsible(false);

    auto* cl2 = new QVBoxLayout(content);
    cl2->setContentsMargins(8, 8, 8, 4);
    cl2->addLayout(top);
    cl2->addWidget(m_headlineBox);
    cl2->addWidget(charts, 1);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_empty);
    m_stack->addWidget(content);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    connect(m_runCombo, &QComboBox::activated, this, [this](int i) {
        if (!m_history || i < 0 || i >= static_cast<int>(m_history->runs.size())) return;
        const auto& e = m_history->runs[static_cast<std::size_t>(i)];
        auto run = std::make_shared<RunResult>();
        run->report = e.report;
        run->reportPath = e.reportPath;
        run->runsFolder = m_run ? m_run->runsFolder : e.reportPath.parent_path().parent_path();
        m_run = std::move(run);
        fillHeadline();
        m_layers->setLayers(m_run->report.layers);
        m_comparison->setRuns(m_history->runs, m_run->reportPath);
    });
    connect(&m_runner, &JobRunner::finished, this, [this](JobId id, const QVariant& result) {
        if (id != m_historyJob) return;
        m_history = result.value<std::shared_ptr<const RunHistory>>();
        m_runCombo->clear();
        int current = -1;
        for (std::size_t i = 0; i < m_history->runs.size(); ++i) {
            const auto& r = m_history->runs[i].report;
            m_runCombo->addItem(QStringLiteral("%1 · %2").arg(QString::fromStdString(r.mix), QString::fromStdString(r.created)));
            if (m_run && m_history->runs[i].reportPath == m_run->reportPath) current = static_cast<int>(i);
        }
        if (m_showNewest && !m_history->runs.empty()) {
            current = static_cast<int>(m_history->runs.size()) - 1;
            Q_EMIT m_runCombo->activated(current);
        }
        m_runCombo->setCurrentIndex(current);
        if (m_run) m_comparison->setRuns(m_history->runs, m_run->reportPath);
        m_stack->setCurrentIndex(m_run ? 1 : 0);
        Q_EMIT historyLoaded();
    });
    connect(&m_runner, &JobRunner::ended, this, [this](JobId id) {
        if (id == m_historyJob) m_historyJob = 0;
    });
    retranslate();
}

void ResultsPage::clear()
{
    m_run.reset();
    m_history.reset();
    m_runCombo->clear();
    m_layers->setLayers({});
    m_comparison->setRuns({}, {});
    m_stack->setCurrentIndex(0);
}

void ResultsPage::showRun(std::shared_ptr<const RunResult> run)
{
    m_run = std::move(run);
    if (!m_run) {
        clear();
        return;
    }
    m_stack->setCurrentIndex(1);
    fillHeadline();
    m_layers->setLayers(m_run->report.layers);
    m_comparison->setRuns({report::RunIndexEntry{m_run->reportPath, m_run->report}}, m_run->reportPath);
    m_showNewest = false;
    loadHistory(m_run->runsFolder, m_run->report.model);
}

void ResultsPage::loadHistory(const std::filesystem::path& runsFolder, const std::string& model)
{
    if (!m_run) m_showNewest = true;
    m_historyJob = m_runner.startTyped(tr("Read earlier runs"), kHistorySlot,
                                       [runsFolder, model](jobs::ProgressSink&, std::stop_token) -> Result<std::shared_ptr<const RunHistory>> {
                                           auto h = std::make_shared<RunHistory>();
                                           h->model = model;
                                           std::error_code ec;
                                           if (std::filesystem::is_directory(runsFolder, ec)) {
                                               auto index = report::listRunReports(runsFolder, model);
                                               if (!index) return std::move(index).error();
                                               h->runs = std::move(index->runs);
                                           }
                                           return std::shared_ptr<const RunHistory>(std::move(h));
                                       }, true);
}

QStringList ResultsPage::headline(const QString& key) const
{
    QStringList out;
    for (const QString& part : {QStringLiteral("original"), QStringLiteral("quantized"), QStringLiteral("change")}) {
        auto* label = findChild<QLabel*>(QStringLiteral("headline_%1_%2").arg(key, part));
        out << (label ? label->text() : QString());
    }
    return out;
}

void ResultsPage::setRow(int row, const QString& key, const QString& name, const QString& original, const QString& quantized,
                         const QString& change, bool worse)
{
    const auto cell = [&](int col, const QString& text, const QString& part) {
        QLayoutItem* item = m_grid->itemAtPosition(row, col);
        QLabel* label = item ? qobject_cast<QLabel*>(item->widget()) : nullptr;
        if (!label) {
            label = new QLabel(m_headlineBox);
            label->setTextInteractionFlags(Qt::TextSelectableByMouse);
            m_grid->addWidget(label, row, col, col == 0 ? Qt::AlignLeft : Qt::AlignRight);
        }
        label->setObjectName(part.isEmpty() ? QString() : QStringLiteral("headline_%1_%2").arg(key, part));
        label->setText(text);
        return label;
    };
    cell(0, name, QString());
    cell(1, original, QStringLiteral("original"));
    cell(2, QStringLiteral("→"), QString());
    QLabel* q = cell(3, quantized, QStringLiteral("quantized"));
    QFont f = q->font();
    f.setBold(true);
    q->setFont(f);
    QLabel* c = cell(4, change, QStringLiteral("change"));
    c->setStyleSheet(worse ? QStringLiteral("color: #b03000") : QString());
}

void ResultsPage::fillHeadline()
{
    if (!m_run) return;
    const report::RunReport& r = m_run->report;
    const auto& o = r.original;
    const auto& q = r.quantized;
    if (r.format != "gguf")
        m_title->setText(tr("%1 as %2: a %3 folder, method %4")
                             .arg(QString::fromStdString(r.model), QString::fromStdString(r.mix), QString::fromStdString(r.format),
                                  QString::fromStdString(r.method)));
    else
        m_title->setText(tr("%1 as %2").arg(QString::fromStdString(r.model), QString::fromStdString(r.mix)));
    m_title->setToolTip(fromFsPath(m_run->reportPath.parent_path()));
    int row = 0;
    setRow(row++, QStringLiteral("size"), tr("Size"), formatBytes(o.bytes), formatBytes(q.bytes),
           signedPercent(static_cast<double>(o.bytes), static_cast<double>(q.bytes)), false);
    setRow(row++, QStringLiteral("bpw"), tr("Bits per weight"), number(o.bitsPerWeight, 2), number(q.bitsPerWeight, 2),
           signedPercent(o.bitsPerWeight, q.bitsPerWeight), false);
    setRow(row++, QStringLiteral("ppl"), tr("Perplexity"), number(o.ppl, 3), number(q.ppl, 3) + QStringLiteral(" ± ") + number(q.pplUncertainty, 3),
           signedPercent(o.ppl, q.ppl), q.ppl > o.ppl);
    setRow(row++, QStringLiteral("kld"), tr("KL divergence"), QStringLiteral("0"),
           QLocale().toString(q.kld.mean, 'g', 4) + QStringLiteral(" ± ") + QLocale().toString(q.kld.uncertainty, 'g', 2),
           tr("p99 %1").arg(QLocale().toString(q.kld.p99, 'g', 3)), q.kld.mean > 0);
    setRow(row++, QStringLiteral("same_top"), tr("Same top token"), share(o.sameTop), share(q.sameTop), points(o.sameTop, q.sameTop),
           q.sameTop < o.sameTop);
    setRow(row++, QStringLiteral("top1"), tr("Top-1 accuracy"), share(o.top1), share(q.top1), points(o.top1, q.top1), q.top1 < o.top1);
    if (!o.mc.empty() && !q.mc.empty())
        setRow(row++, QStringLiteral("mc"), tr("Multiple choice (%1 tasks)").arg(q.mc.front().tasks), share(o.mc.front().accuracy),
               share(q.mc.front().accuracy), points(o.mc.front().accuracy, q.mc.front().accuracy), q.mc.front().accuracy < o.mc.front().accuracy);
    if (o.latency && q.latency) {
        setRow(row++, QStringLiteral("pp"), tr("Prompt tokens/s"), number(o.latency->ppTokensPerSecond, 1), number(q.latency->ppTokensPerSecond, 1),
               signedPercent(o.latency->ppTokensPerSecond, q.latency->ppTokensPerSecond), q.latency->ppTokensPerSecond < o.latency->ppTokensPerSecond);
        setRow(row++, QStringLiteral("tg"), tr("Generation tokens/s"), number(o.latency->tgTokensPerSecond, 1), number(q.latency->tgTokensPerSecond, 1),
               signedPercent(o.latency->tgTokensPerSecond, q.latency->tgTokensPerSecond), q.latency->tgTokensPerSecond < o.latency->tgTokensPerSecond);
    }
    if (m_run->predictedTg > 0 && q.latency)
        setRow(row++, QStringLiteral("tg_predicted"), tr("Generation tokens/s, %1 (predicted) → here").arg(QString::fromStdString(m_run->profileName)),
               number(m_run->predictedTg, 1), number(q.latency->tgTokensPerSecond, 1),
               signedPercent(m_run->predictedTg, q.latency->tgTokensPerSecond), false);
    setRow(row++, QStringLiteral("predicted"), tr("Size, planned → written"), formatBytes(r.predictedBytes), formatBytes(q.bytes),
           signedPercent(static_cast<double>(r.predictedBytes), static_cast<double>(q.bytes)), false);
    // Rows left from a run with more metrics.
    for (int extra = row; extra < m_grid->rowCount(); ++extra)
        for (int col = 0; col < 5; ++col)
            if (QLayoutItem* item = m_grid->itemAtPosition(extra, col))
                if (auto* label = qobject_cast<QLabel*>(item->widget())) {
                    label->clear();
                    label->setObjectName(QString());
                }
}

void ResultsPage::exportPlot(QCustomPlot* plot, const QString& what)
{
    const QImage image = plot->toPixmap(plot->width(), plot->height(), 2.0).toImage();
    const QString base = (m_run ? QString::fromStdString(m_run->report.model + "-" + m_run->report.mix) : QStringLiteral("run")) +
                         QLatin1Char('-') + what;
    Q_EMIT exportRequested(image, base);
}

void ResultsPage::retranslate()
{
    m_empty->setText(tr("Nothing has been run yet. On the Quantize page, pick the machine the model must run on and press "
                        "“Quantize and test”: this page then compares the original and the quantized model."));
    m_runLabel->setText(tr("&Run:"));
    m_openReport->setText(tr("Open &report"));
    m_openReport->setToolTip(tr("Open report.html (charts, every figure) in the browser"));
    m_export->setText(tr("E&xport"));
    m_headlineBox->setTitle(tr("Original → quantized"));
    m_layersBox->setTitle(tr("Per layer"));
    m_comparisonBox->setTitle(tr("Every run of this model"));
    m_metric->setItemText(0, tr("KL divergence"));
    m_metric->setItemText(1, tr("Perplexity"));
    m_layers->retranslate();
    m_comparison->retranslate();
    fillHeadline();
}

void ResultsPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
