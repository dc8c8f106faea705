#include "ui/plots/comparison_chart.h"

#include <QLocale>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/i18n/number_format.h"

namespace condense::ui {

ComparisonChart::ComparisonChart(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("comparisonChart"));
    setMinimumSize(220, 200); // explicit: the layout hint (axes, legend) would widen the window
    setBackground(palette().base());
    m_frontLine = new QCPGraph(xAxis, yAxis);
    m_frontLine->setPen(QPen(QColor(0xd6, 0x5f, 0x00), 1.5, Qt::DashLine));
    m_frontLine->setLineStyle(QCPGraph::lsLine);
    m_points = new QCPGraph(xAxis, yAxis);
    m_points->setLineStyle(QCPGraph::lsNone);
    m_points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, QColor(0x3b, 0x52, 0x8b), QColor(0x3b, 0x52, 0x8b), 8));
    m_currentPoint = new QCPGraph(xAxis, yAxis);
    m_currentPoint->setLineStyle(QCPGraph::lsNone);
    m_currentPoint->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(0xd0, 0x20, 0x20), 2.5), Qt::NoBrush, 16));
    m_original = new QCPGraph(xAxis, yAxis);
    m_original->setLineStyle(QCPGraph::lsNone);
    m_original->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(palette().color(QPalette::Text), 1.5), Qt::NoBrush, 10));
    // The legend in a row of its own under the plot, never over the data.
    legend->setVisible(true);
    legend->setBrush(Qt::NoBrush);
    legend->setBorderPen(Qt::NoPen);
    legend->setWrap(2);
    legend->setFillOrder(QCPLegend::foColumnsFirst, true); // two items a row
    axisRect()->insetLayout()->take(legend);
    plotLayout()->addElement(1, 0, legend);
    plotLayout()->setRowStretchFactor(1, 0.001);
    setMouseTracking(true);
    retranslate();
}

void ComparisonChart::setRuns(std::vector<report::RunIndexEntry> runs, const std::filesystem::path& current)
{
    m_runs = std::move(runs);
    m_current = current;
    rebuild();
}

void ComparisonChart::setMetric(Metric metric)
{
    m_metric = metric;
    rebuild();
    retranslate();
}

double ComparisonChart::yOf(const report::RunReport& r) const { return m_metric == Metric::Kld ? r.quantized.kld.mean : r.quantized.ppl; }

void ComparisonChart::rebuild()
{
    for (QCPItemText* t : m_labels) removeItem(t);
    m_labels.clear();
    QVector<double> x, y, cx, cy;
    std::vector<int> order;
    double xmax = 0, ymax = 0;
    for (std::size_t i = 0; i < m_runs.size(); ++i) {
        const auto& r = m_runs[i].report;
        const double mb = static_cast<double>(r.quantized.bytes) / 1e6;
        x << mb;
        y << yOf(r);
        xmax = std::max(xmax, mb);
        ymax = std::max(ymax, yOf(r));
        order.push_back(static_cast<int>(i));
        if (m_runs[i].reportPath == m_current) {
            cx << mb;
            cy << yOf(r);
        }
        auto* label = new QCPItemText(this);
        label->position->setCoords(mb, yOf(r));
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setPadding(QMargins(6, 0, 0, 4));
        label->setText(QString::fromStdString(r.mix.empty() ? std::string("custom") : r.mix));
        label->setColor(palette().color(QPalette::Text));
        m_labels << label;
    }
    m_points->setData(x, y);
    m_currentPoint->setData(cx, cy);
    // The original: its size, KLD 0 (or its own perplexity).
    QVector<double> ox, oy;
    if (!m_runs.empty()) {
        const auto& o = m_runs.back().report.original;
        ox << static_cast<double>(o.bytes) / 1e6;
        oy << (m_metric == Metric::Kld ? 0.0 : o.ppl);
        xmax = std::max(xmax, ox.front());
        ymax = std::max(ymax, oy.front());
    }
    m_original->setData(ox, oy);
    // Pareto front: by size, each run better than every smaller one.
    std::sort(order.begin(), order.end(), [&](int a, int b) { return x[a] < x[b] || (x[a] == x[b] && y[a] < y[b]); });
    m_front.clear();
    double best = std::numeric_limits<double>::infinity();
    QVector<double> fx, fy;
    for (int i : order)
        if (y[i] < best) {
            best = y[i];
            m_front.push_back(i);
            fx << x[i];
            fy << y[i];
        }
    m_frontLine->setData(fx, fy, true);
    xAxis->setRange(0, xmax > 0 ? xmax * 1.12 : 1);
    yAxis->setRange(0, ymax > 0 ? ymax * 1.2 : 1);
    replot(QCustomPlot::rpQueuedReplot);
}

int ComparisonChart::runNear(const QPointF& pos) const
{
    int best = -1;
    double bestD = 64;
    for (std::size_t i = 0; i < m_runs.size(); ++i) {
        const auto& r = m_runs[i].report;
        const double px = xAxis->coordToPixel(static_cast<double>(r.quantized.bytes) / 1e6), py = yAxis->coordToPixel(yOf(r));
        const double d = (px - pos.x()) * (px - pos.x()) + (py - pos.y()) * (py - pos.y());
        if (d < bestD) {
            bestD = d;
            best = static_cast<int>(i);
        }
    }
    return best;
}

QString ComparisonChart::hoverText(int run) const
{
    if (run < 0 || run >= pointCount()) return {};
    const auto& r = m_runs[static_cast<std::size_t>(run)].report;
    return tr("%1, %2\n%3 (%4 bits per weight)\nKLD %5 · perplexity %6 · same top token %7")
        .arg(QString::fromStdString(r.mix), QString::fromStdString(r.created), formatBytes(r.quantized.bytes),
             QLocale().toString(r.quantized.bitsPerWeight, 'f', 2), QLocale().toString(r.quantized.kld.mean, 'g', 4),
             QLocale().toString(r.quantized.ppl, 'f', 3), QLocale().toString(r.quantized.sameTop * 100, 'f', 1) + QLatin1Char('%'));
}

void ComparisonChart::retranslate()
{
    setLocale(QLocale()); // tick labels in the window's number format
    xAxis->setLabel(tr("File size (MB)"));
    yAxis->setLabel(m_metric == Metric::Kld ? tr("KL divergence to the original (mean)") : tr("Perplexity"));
    m_points->setName(tr("runs"));
    m_frontLine->setName(tr("Pareto front"));
    m_currentPoint->setName(tr("this run"));
    m_original->setName(tr("original"));
    replot(QCustomPlot::rpQueuedReplot);
}

void ComparisonChart::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    const int run = runNear(event->position());
    if (run < 0) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), hoverText(run), this);
}

void ComparisonChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QCustomPlot::changeEvent(event);
}

} // namespace condense::ui
