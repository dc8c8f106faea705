#include "ui/plots/layer_chart.h"

#include <QLocale>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace condense::ui {

namespace {
QString pct(double v) { return QLocale().toString(v * 100.0, 'f', v * 100 < 10 ? 2 : 1) + QLatin1Char('%'); }
} // namespace

LayerChart::LayerChart(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("layerChart"));
    setMinimumSize(220, 200); // explicit: the layout hint (axes, legend) would widen the window
    setBackground(palette().base());
    m_drift = new QCPBars(xAxis, yAxis);
    m_drift->setPen(Qt::NoPen);
    m_drift->setBrush(QColor(0x3b, 0x52, 0x8b));
    m_drift->setWidth(0.7);
    m_worst = new QCPBars(xAxis, yAxis);
    m_worst->setPen(Qt::NoPen);
    m_worst->setBrush(QColor(0xd6, 0x5f, 0x00));
    m_worst->setWidth(0.7);
    m_weight = new QCPGraph(xAxis, yAxis2);
    m_weight->setPen(QPen(QColor(0x21, 0x91, 0x8c), 2));
    m_weight->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QColor(0x21, 0x91, 0x8c), Qt::white, 6));
    yAxis2->setVisible(true);
    // The legend in a row of its own under the plot, never over the data.
    legend->setVisible(true);
    legend->setBrush(Qt::NoBrush);
    legend->setBorderPen(Qt::NoPen);
    legend->setWrap(2);
    legend->setFillOrder(QCPLegend::foColumnsFirst, true); // two items a row
    axisRect()->insetLayout()->take(legend);
    plotLayout()->addElement(1, 0, legend);
    plotLayout()->setRowStretchFactor(1, 0.001);
    xAxis->setTicker(QSharedPointer<QCPAxisTickerFixed>::create());
    qSharedPointerCast<QCPAxisTickerFixed>(xAxis->ticker())->setTickStep(1);
    qSharedPointerCast<QCPAxisTickerFixed>(xAxis->ticker())->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    setMouseTracking(true);
    retranslate();
}

void LayerChart::setLayers(std::vector<report::RunLayer> layers)
{
    m_layers = std::move(layers);
    QVector<double> x, drift, worstX, worst, weight;
    double maxDrift = 0, maxWeight = 0;
    for (const auto& l : m_layers) {
        const double d = l.driftRelativeError;
        if (l.worstDrift) {
            worstX << l.layer;
            worst << d;
        } else {
            x << l.layer;
            drift << d;
        }
        weight << l.weightRelativeRmse;
        maxDrift = std::max(maxDrift, d);
        maxWeight = std::max(maxWeight, l.weightRelativeRmse);
    }
    m_drift->setData(x, drift);
    m_worst->setData(worstX, worst);
    QVector<double> wx;
    for (const auto& l : m_layers) wx << l.layer;
    m_weight->setData(wx, weight);
    xAxis->setRange(-0.7, m_layers.empty() ? 1 : m_layers.back().layer + 0.7);
    yAxis->setRange(0, maxDrift > 0 ? maxDrift * 1.15 : 1);
    yAxis2->setRange(0, maxWeight > 0 ? maxWeight * 1.15 : 1);
    replot(QCustomPlot::rpQueuedReplot);
}

int LayerChart::layerAt(const QPointF& pos) const
{
    if (m_layers.empty() || !axisRect()->rect().contains(pos.toPoint())) return -1;
    const double x = xAxis->pixelToCoord(pos.x());
    const int layer = static_cast<int>(std::lround(x));
    if (std::fabs(x - layer) > 0.45) return -1;
    for (const auto& l : m_layers)
        if (l.layer == layer) return layer;
    return -1;
}

QPointF LayerChart::layerCenter(int layer) const
{
    for (const auto& l : m_layers)
        if (l.layer == layer) return {xAxis->coordToPixel(layer), yAxis->coordToPixel(l.driftRelativeError / 2)};
    return {};
}

QString LayerChart::hoverText(int layer) const
{
    for (const auto& l : m_layers) {
        if (l.layer != layer) continue;
        QString text = tr("Layer %1\ndrift of its output: %2 (cosine %3)\nweight error: %4")
                           .arg(layer)
                           .arg(pct(l.driftRelativeError), QLocale().toString(l.driftCosine, 'f', 5), pct(l.weightRelativeRmse));
        if (l.worstDrift) text += QLatin1Char('\n') + tr("among the layers that add the most drift");
        if (l.worstWeight) text += QLatin1Char('\n') + tr("among the layers with the largest weight error");
        return text + QLatin1Char('\n') + tr("Click to inspect this layer");
    }
    return {};
}

void LayerChart::retranslate()
{
    setLocale(QLocale()); // tick labels in the window's number format
    xAxis->setLabel(tr("Layer"));
    yAxis->setLabel(tr("Drift of the layer's output (relative error)"));
    yAxis2->setLabel(tr("Weight error (relative RMSE)"));
    m_drift->setName(tr("drift"));
    m_worst->setName(tr("drift, worst layers"));
    m_weight->setName(tr("weight error"));
    replot(QCustomPlot::rpQueuedReplot);
}

void LayerChart::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    const int layer = layerAt(event->position());
    if (layer < 0) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), hoverText(layer), this);
}

void LayerChart::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = event->position();
    QCustomPlot::mousePressEvent(event);
}

void LayerChart::mouseReleaseEvent(QMouseEvent* event)
{
    QCustomPlot::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || (event->position() - m_pressPos).manhattanLength() > 4) return;
    const int layer = layerAt(event->position());
    if (layer >= 0) Q_EMIT layerActivated(layer);
}

void LayerChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QCustomPlot::changeEvent(event);
}

} // namespace condense::ui
