#include "ui/plots/outlier_map_plot.h"

#include <QLocale>
#include <QToolTip>

#include <cmath>

#include "ui/i18n/number_format.h"
#include "ui/i18n/statistic_text.h"
#include "ui/plots/color_scales.h"

namespace condense::ui {

namespace {
// The first row (or column) of cell j when n rows are pooled onto `cells` cells: the core maps
// row r to cell r * cells / n, so cell j starts at ceil(j * n / cells).
std::uint64_t cellStart(std::uint64_t j, std::uint64_t n, std::uint64_t cells) { return (j * n + cells - 1) / cells; }
} // namespace

OutlierMapPlot::OutlierMapPlot(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("outlierMapPlot"));
    setMinimumHeight(180);
    setBackground(palette().base());
    m_map = new QCPColorMap(xAxis, yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(true);
    m_scale = new QCPColorScale(this);
    plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_map->setColorScale(m_scale);
    m_map->setGradient(viridisGradient());
    auto* group = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    yAxis->setRangeReversed(true);

    m_top = new QCPGraph(xAxis, yAxis);
    m_top->setLineStyle(QCPGraph::lsNone);
    m_top->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::white, 1.2), Qt::NoBrush, 7));
    m_selected = new QCPGraph(xAxis, yAxis);
    m_selected->setLineStyle(QCPGraph::lsNone);
    m_selected->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(0xff, 0x30, 0x30), 2.5), Qt::NoBrush, 14));
    setMouseTracking(true);
    setFocusPolicy(Qt::NoFocus);
    retranslate();
}

void OutlierMapPlot::setAnalysis(std::shared_ptr<const analysis::TensorAnalysis> analysis)
{
    m_analysis = std::move(analysis);
    m_highlight = -1;
    const analysis::TensorAnalysis* a = m_analysis.get();
    QVector<double> tx, ty;
    if (a && !a->error && a->outlierMap.cellRows > 0 && a->outlierMap.cellCols > 0) {
        const auto& m = a->outlierMap;
        const double cols = static_cast<double>(a->cols), rows = static_cast<double>(a->rows);
        // QCPColorMap draws nothing along an axis of one cell (its range would be a point): a
        // single row or column (a norm vector) is drawn as two identical half-height cells.
        const int keySize = std::max<int>(2, static_cast<int>(m.cellCols)), valueSize = std::max<int>(2, static_cast<int>(m.cellRows));
        const double kw = cols / keySize, vh = rows / valueSize;
        m_map->data()->setSize(keySize, valueSize);
        m_map->data()->setRange(QCPRange(kw / 2, cols - kw / 2), QCPRange(vh / 2, rows - vh / 2));
        double peak = 0;
        for (int r = 0; r < valueSize; ++r)
            for (int c = 0; c < keySize; ++c) {
                const std::size_t cr = std::min<std::size_t>(static_cast<std::size_t>(r), m.cellRows - 1);
                const std::size_t cc = std::min<std::size_t>(static_cast<std::size_t>(c), m.cellCols - 1);
                const double v = m.cells[cr * m.cellCols + cc];
                m_map->data()->setCell(c, r, v);
                if (std::isfinite(v)) peak = std::max(peak, v);
            }
        m_map->setDataRange(QCPRange(0, peak > 0 ? peak : 1));
        for (const auto& o : a->top) {
            tx << static_cast<double>(o.col) + 0.5;
            ty << static_cast<double>(o.row) + 0.5;
        }
        xAxis->setRange(0, cols);
        yAxis->setRange(0, rows);
        m_map->setVisible(true);
    } else {
        m_map->data()->clear();
        m_map->setVisible(false);
        xAxis->setRange(0, 1);
        yAxis->setRange(0, 1);
    }
    m_top->setData(tx, ty);
    m_selected->data()->clear();
    replot(QCustomPlot::rpQueuedReplot);
}

void OutlierMapPlot::highlightOutlier(int index)
{
    const analysis::TensorAnalysis* a = m_analysis.get();
    m_selected->data()->clear();
    m_highlight = (a && index >= 0 && index < static_cast<int>(a->top.size())) ? index : -1;
    if (m_highlight >= 0) {
        const auto& o = a->top[static_cast<std::size_t>(m_highlight)];
        m_selected->addData(static_cast<double>(o.col) + 0.5, static_cast<double>(o.row) + 0.5);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

QPoint OutlierMapPlot::cellAt(double key, double value) const
{
    const analysis::TensorAnalysis* a = m_analysis.get();
    if (!a || a->error || a->outlierMap.cellRows == 0) return {-1, -1};
    if (!(key >= 0) || !(value >= 0) || key >= static_cast<double>(a->cols) || value >= static_cast<double>(a->rows)) return {-1, -1};
    const auto col = static_cast<std::uint64_t>(key), row = static_cast<std::uint64_t>(value);
    return {static_cast<int>(col * a->outlierMap.cellCols / a->cols), static_cast<int>(row * a->outlierMap.cellRows / a->rows)};
}

QString OutlierMapPlot::hoverText(double key, double value) const
{
    const QPoint cell = cellAt(key, value);
    if (cell.x() < 0) return {};
    const analysis::TensorAnalysis& a = *m_analysis;
    const auto& m = a.outlierMap;
    const auto cx = static_cast<std::uint64_t>(cell.x()), cy = static_cast<std::uint64_t>(cell.y());
    const std::uint64_t r0 = cellStart(cy, a.rows, m.cellRows), r1 = cellStart(cy + 1, a.rows, m.cellRows) - 1;
    const std::uint64_t c0 = cellStart(cx, a.cols, m.cellCols), c1 = cellStart(cx + 1, a.cols, m.cellCols) - 1;
    const double v = m.cells[cy * m.cellCols + cx];
    const auto range = [](std::uint64_t from, std::uint64_t to) {
        return from == to ? QString::number(from) : QStringLiteral("%1–%2").arg(from).arg(to);
    };
    return tr("Rows %1, columns %2\nmax |w| / std = %3").arg(range(r0, r1), range(c0, c1), formatSignificant(v, 3));
}

int OutlierMapPlot::outlierNear(const QPointF& pos, double radius) const
{
    const analysis::TensorAnalysis* a = m_analysis.get();
    if (!a) return -1;
    int best = -1;
    double bestD = radius * radius;
    for (std::size_t i = 0; i < a->top.size(); ++i) {
        const double px = xAxis->coordToPixel(static_cast<double>(a->top[i].col) + 0.5);
        const double py = yAxis->coordToPixel(static_cast<double>(a->top[i].row) + 0.5);
        const double d = (px - pos.x()) * (px - pos.x()) + (py - pos.y()) * (py - pos.y());
        if (d <= bestD) {
            bestD = d;
            best = static_cast<int>(i);
        }
    }
    return best;
}

void OutlierMapPlot::retranslate()
{
    setLocale(QLocale()); // tick labels in the window's number format
    xAxis->setLabel(tr("Column (input channel)"));
    yAxis->setLabel(tr("Row (output channel)"));
    m_scale->axis()->setLabel(tr("max |w| / std"));
    replot(QCustomPlot::rpQueuedReplot);
}

void OutlierMapPlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    if (!axisRect()->rect().contains(event->pos())) {
        QToolTip::hideText();
        return;
    }
    const int near = outlierNear(event->position());
    QString text;
    if (near >= 0) {
        const auto& o = m_analysis->top[static_cast<std::size_t>(near)];
        text = tr("Outlier #%1: row %2, column %3, w = %4").arg(near + 1).arg(o.row).arg(o.col).arg(formatSignificant(o.value));
    } else {
        text = hoverText(xAxis->pixelToCoord(event->position().x()), yAxis->pixelToCoord(event->position().y()));
    }
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void OutlierMapPlot::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = event->position();
    QCustomPlot::mousePressEvent(event);
}

void OutlierMapPlot::mouseReleaseEvent(QMouseEvent* event)
{
    QCustomPlot::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || (event->position() - m_pressPos).manhattanLength() > 4) return;
    const int near = outlierNear(event->position());
    if (near >= 0) {
        highlightOutlier(near);
        Q_EMIT outlierClicked(near);
    }
}

void OutlierMapPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QCustomPlot::changeEvent(event);
}

} // namespace condense::ui
