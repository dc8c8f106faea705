#include "ui/plots/heatmap_plot.h"

#include <QTimer>
#include <QLocale>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "core/arch/tensor_role.h"
#include "core/io/checkpoint.h"
#include "ui/i18n/statistic_text.h"
#include "ui/plots/color_scales.h"

namespace condense::ui {

HeatmapPlot::HeatmapPlot(AnalysisStore& store, QWidget* parent) : QCustomPlot(parent), m_store(store)
{
    setObjectName(QStringLiteral("heatmapPlot"));
    setMinimumHeight(240);
    setBackground(palette().base());
    setFocusPolicy(Qt::StrongFocus);
    m_map = new QCPColorMap(xAxis, yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(this);
    plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_map->setColorScale(m_scale);
    m_map->setGradient(viridisGradient());
    auto* group = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    yAxis->setRangeReversed(true);
    xAxis->setTickLabelRotation(40);
    xAxis->grid()->setVisible(false);
    yAxis->grid()->setVisible(false);

    m_currentRect = new QCPItemRect(this);
    m_currentRect->setPen(QPen(QColor(0xff, 0x30, 0x30), 2.5));
    m_currentRect->setBrush(Qt::NoBrush);
    m_currentRect->setVisible(false);
    m_cursorRect = new QCPItemRect(this);
    QPen cursorPen(palette().color(QPalette::Text), 1.5);
    cursorPen.setStyle(Qt::DashLine);
    m_cursorRect->setPen(cursorPen);
    m_cursorRect->setBrush(Qt::NoBrush);
    m_cursorRect->setVisible(false);

    m_rebuildTimer = new QTimer(this);
    m_rebuildTimer->setSingleShot(true);
    m_rebuildTimer->setInterval(100);
    connect(m_rebuildTimer, &QTimer::timeout, this, &HeatmapPlot::rebuildNow);
    connect(&m_store, &AnalysisStore::reset, this, &HeatmapPlot::scheduleRebuild);
    connect(&m_store, &AnalysisStore::tensorsAnalyzed, this, &HeatmapPlot::scheduleRebuild);
    connect(&m_store, &AnalysisStore::stateChanged, this, &HeatmapPlot::scheduleRebuild);
    setMouseTracking(true);
    rebuildNow();
}

void HeatmapPlot::setStatistic(TensorStatistic statistic)
{
    if (m_statistic == statistic) return;
    m_statistic = statistic;
    rebuildNow();
}

void HeatmapPlot::setCurrentTensor(int tensorIndex)
{
    m_currentTensor = tensorIndex;
    for (int r = 0; r < gridRows(); ++r)
        for (int c = 0; c < gridColumns(); ++c)
            if (tensorAt(r, c) == tensorIndex && tensorIndex >= 0) m_cursor = {c, r};
    updateMarkers();
}

int HeatmapPlot::tensorAt(int row, int column) const
{
    if (row < 0 || column < 0 || row >= gridRows() || column >= gridColumns()) return -1;
    return m_cells[static_cast<std::size_t>(row) * m_roles.size() + static_cast<std::size_t>(column)];
}

void HeatmapPlot::scheduleRebuild()
{
    if (!m_rebuildTimer->isActive()) m_rebuildTimer->start();
}

void HeatmapPlot::rebuildNow()
{
    m_rebuildTimer->stop();
    m_rowLayers.clear();
    m_roles.clear();
    m_cells.clear();
    const auto& ck = m_store.checkpoint();
    std::map<std::pair<int, int>, int> byCell; // (layer, role) -> first weight tensor
    std::set<int> layers, roles;
    if (ck) {
        const auto& tensors = ck->tensors();
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const arch::TensorId id = arch::classifyTensor(tensors[i].name);
            // The matrices quantization acts on: the linear layers and the token embedding.
            if (id.part != arch::TensorPart::Weight || !(id.isLinear() || id.role == arch::TensorRole::TokenEmbd)) continue;
            const int role = static_cast<int>(id.role);
            byCell.emplace(std::pair{id.layer, role}, static_cast<int>(i));
            layers.insert(id.layer);
            roles.insert(role);
        }
    }
    m_rowLayers.assign(layers.begin(), layers.end());
    m_roles.assign(roles.begin(), roles.end());
    m_cells.assign(m_rowLayers.size() * m_roles.size(), -1);
    for (std::size_t r = 0; r < m_rowLayers.size(); ++r)
        for (std::size_t c = 0; c < m_roles.size(); ++c) {
            const auto it = byCell.find({m_rowLayers[r], m_roles[c]});
            if (it != byCell.end()) m_cells[r * m_roles.size() + c] = it->second;
        }

    const int rows = gridRows(), cols = gridColumns();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    if (rows > 0 && cols > 0) {
        m_map->data()->setSize(cols, rows);
        m_map->data()->setRange(QCPRange(0, cols - 1), QCPRange(0, rows - 1));
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) {
                const int t = tensorAt(r, c);
                const std::optional<double> v = t >= 0 ? m_store.value(t, m_statistic) : std::nullopt;
                const double d = v && std::isfinite(*v) ? *v : std::numeric_limits<double>::quiet_NaN();
                m_map->data()->setCell(c, r, d);
                if (!std::isnan(d)) {
                    lo = std::min(lo, d);
                    hi = std::max(hi, d);
                }
            }
        m_map->setVisible(true);
    } else {
        m_map->data()->clear();
        m_map->setVisible(false);
    }
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (lo == hi) hi = lo + 1;
    if (lo > 0 && m_statistic != TensorStatistic::Kurtosis) lo = 0;
    m_map->setDataRange(QCPRange(lo, hi));
    xAxis->setRange(-0.5, std::max(cols, 1) - 0.5);
    yAxis->setRange(-0.5, std::max(rows, 1) - 0.5);
    m_cursor.setX(std::clamp(m_cursor.x(), 0, std::max(cols - 1, 0)));
    m_cursor.setY(std::clamp(m_cursor.y(), 0, std::max(rows - 1, 0)));
    retranslate();
    setCurrentTensor(m_currentTensor);
}

void HeatmapPlot::updateMarkers()
{
    const auto place = [this](QCPItemRect* rect, int row, int col, bool show) {
        rect->setVisible(show && row >= 0 && col >= 0 && row < gridRows() && col < gridColumns());
        rect->topLeft->setCoords(col - 0.5, row - 0.5);
        rect->bottomRight->setCoords(col + 0.5, row + 0.5);
    };
    int curRow = -1, curCol = -1;
    for (int r = 0; r < gridRows() && curRow < 0; ++r)
        for (int c = 0; c < gridColumns(); ++c)
            if (m_currentTensor >= 0 && tensorAt(r, c) == m_currentTensor) {
                curRow = r;
                curCol = c;
                break;
            }
    place(m_currentRect, curRow, curCol, true);
    place(m_cursorRect, m_cursor.y(), m_cursor.x(), hasFocus());
    replot(QCustomPlot::rpQueuedReplot);
}

QPointF HeatmapPlot::cellCenter(int row, int column) const
{
    return {xAxis->coordToPixel(column), yAxis->coordToPixel(row)};
}

QPoint HeatmapPlot::cellAtPixel(const QPointF& pos) const
{
    if (!axisRect()->rect().contains(pos.toPoint())) return {-1, -1};
    const int c = static_cast<int>(std::lround(xAxis->pixelToCoord(pos.x())));
    const int r = static_cast<int>(std::lround(yAxis->pixelToCoord(pos.y())));
    if (r < 0 || c < 0 || r >= gridRows() || c >= gridColumns()) return {-1, -1};
    return {c, r};
}

QString HeatmapPlot::cellText(int row, int column) const
{
    const int t = tensorAt(row, column);
    if (t < 0) return {};
    const QString name = QString::fromStdString(m_store.checkpoint()->tensors()[static_cast<std::size_t>(t)].name);
    if (m_store.isPending(t) || (m_statistic == TensorStatistic::PreviewError && m_store.isPreviewPending(t)))
        return tr("%1\n%2: pending").arg(name, statisticName(m_statistic));
    const std::optional<double> v = m_store.value(t, m_statistic);
    return tr("%1\n%2: %3").arg(name, statisticName(m_statistic), v ? formatStatistic(m_statistic, *v) : tr("n/a"));
}

void HeatmapPlot::retranslate()
{
    setLocale(QLocale()); // tick labels in the window's number format
    auto yTicks = QSharedPointer<QCPAxisTickerText>::create();
    const int rows = gridRows();
    const int every = rows > 40 ? 8 : rows > 20 ? 4 : rows > 12 ? 2 : 1;
    for (int r = 0; r < rows; ++r) {
        const int layer = m_rowLayers[static_cast<std::size_t>(r)];
        if (layer < 0) yTicks->addTick(r, tr("outside"));
        else if (layer % every == 0) yTicks->addTick(r, QString::number(layer));
    }
    yAxis->setTicker(yTicks);
    auto xTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int c = 0; c < gridColumns(); ++c)
        xTicks->addTick(c, QString::fromLatin1(arch::tensorRoleKey(static_cast<arch::TensorRole>(m_roles[static_cast<std::size_t>(c)]))));
    xAxis->setTicker(xTicks);
    xAxis->setLabel(tr("Tensor role"));
    yAxis->setLabel(tr("Layer"));
    m_scale->axis()->setLabel(statisticName(m_statistic));
    replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapPlot::moveCursor(int dRow, int dColumn)
{
    if (gridRows() == 0) return;
    m_cursor.setX(std::clamp(m_cursor.x() + dColumn, 0, gridColumns() - 1));
    m_cursor.setY(std::clamp(m_cursor.y() + dRow, 0, gridRows() - 1));
    updateMarkers();
    const QString text = cellText(m_cursor.y(), m_cursor.x());
    if (!text.isEmpty()) QToolTip::showText(mapToGlobal(cellCenter(m_cursor.y(), m_cursor.x()).toPoint()), text, this);
}

void HeatmapPlot::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Left: moveCursor(0, -1); return;
    case Qt::Key_Right: moveCursor(0, 1); return;
    case Qt::Key_Up: moveCursor(-1, 0); return;
    case Qt::Key_Down: moveCursor(1, 0); return;
    case Qt::Key_Home: moveCursor(-gridRows(), 0); return;
    case Qt::Key_End: moveCursor(gridRows(), 0); return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space: {
        const int t = tensorAt(m_cursor.y(), m_cursor.x());
        if (t >= 0) Q_EMIT tensorActivated(t);
        return;
    }
    default: QCustomPlot::keyPressEvent(event);
    }
}

void HeatmapPlot::focusInEvent(QFocusEvent* event)
{
    QCustomPlot::focusInEvent(event);
    updateMarkers();
}

void HeatmapPlot::focusOutEvent(QFocusEvent* event)
{
    QCustomPlot::focusOutEvent(event);
    updateMarkers();
}

void HeatmapPlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    const QPoint cell = cellAtPixel(event->position());
    const QString text = cell.x() >= 0 ? cellText(cell.y(), cell.x()) : QString();
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void HeatmapPlot::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = event->position();
    QCustomPlot::mousePressEvent(event);
}

void HeatmapPlot::mouseReleaseEvent(QMouseEvent* event)
{
    QCustomPlot::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || (event->position() - m_pressPos).manhattanLength() > 4) return;
    const QPoint cell = cellAtPixel(event->position());
    if (cell.x() < 0) return;
    m_cursor = cell;
    const int t = tensorAt(cell.y(), cell.x());
    if (t >= 0) Q_EMIT tensorActivated(t);
    updateMarkers();
}

void HeatmapPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QCustomPlot::changeEvent(event);
}

} // namespace condense::ui
