#include "ui/plots/histogram_plot.h"

#include <QLocale>
#include <QToolTip>

#include <cmath>

#include "ui/i18n/number_format.h"
#include "ui/i18n/statistic_text.h"

namespace condense::ui {

namespace {
QCPItemStraightLine* makeLine(QCustomPlot* plot, const QPen& pen)
{
    auto* line = new QCPItemStraightLine(plot);
    line->setPen(pen);
    line->setSelectable(false);
    line->setVisible(false);
    return line;
}
void placeVertical(QCPItemStraightLine* line, double x)
{
    line->point1->setCoords(x, 0);
    line->point2->setCoords(x, 1);
    line->setVisible(std::isfinite(x));
}
} // namespace

HistogramPlot::HistogramPlot(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("histogramPlot"));
    setMinimumHeight(160);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    setBackground(palette().base());
    xAxis->ticker()->setTickCount(5); // weight values have many digits: fewer, readable ticks
    m_bars = new QCPBars(xAxis, yAxis);
    m_bars->setWidthType(QCPBars::wtPlotCoords);
    const QColor accent = palette().color(QPalette::Highlight);
    m_bars->setPen(Qt::NoPen);
    m_bars->setBrush(accent);
    QPen meanPen(palette().color(QPalette::Text));
    meanPen.setWidthF(1.2);
    m_meanLine = makeLine(this, meanPen);
    QPen sigmaPen(QColor(0xd6, 0x5f, 0x00));
    sigmaPen.setStyle(Qt::DashLine);
    m_lowLine = makeLine(this, sigmaPen);
    m_highLine = makeLine(this, sigmaPen);
    m_caption = new QCPItemText(this);
    m_caption->setPositionAlignment(Qt::AlignTop | Qt::AlignRight);
    m_caption->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_caption->position->setCoords(0.99, 0.02);
    m_caption->setTextAlignment(Qt::AlignRight);
    m_caption->setColor(palette().color(QPalette::Text));
    m_caption->setClipToAxisRect(true);
    setMouseTracking(true);
    setFocusPolicy(Qt::NoFocus);
    retranslate();
}

void HistogramPlot::setAnalysis(std::shared_ptr<const analysis::TensorAnalysis> analysis)
{
    m_analysis = std::move(analysis);
    rebuild();
}

void HistogramPlot::setLogScale(bool log)
{
    if (m_log == log) return;
    m_log = log;
    rebuild();
}

void HistogramPlot::rebuild()
{
    QVector<double> keys, values;
    const analysis::TensorAnalysis* a = m_analysis.get();
    const bool valid = a && !a->error && a->histogram.hi > a->histogram.lo;
    if (valid) {
        const auto& h = a->histogram;
        const double width = (static_cast<double>(h.hi) - h.lo) / analysis::kHistogramBins;
        m_bars->setWidth(width);
        keys.reserve(analysis::kHistogramBins);
        values.reserve(analysis::kHistogramBins);
        for (std::size_t i = 0; i < analysis::kHistogramBins; ++i) {
            const auto c = h.bins[i];
            if (m_log && c == 0) continue;
            keys << h.lo + (static_cast<double>(i) + 0.5) * width;
            values << static_cast<double>(c);
        }
    }
    m_bars->setData(keys, values, true);
    if (m_log) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        m_bars->setBaseValue(0.5);
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_bars->setBaseValue(0);
    }
    if (valid) {
        const auto& s = a->stats;
        placeVertical(m_meanLine, s.mean);
        placeVertical(m_lowLine, s.mean - 3 * s.std);
        placeVertical(m_highLine, s.mean + 3 * s.std);
    } else {
        m_meanLine->setVisible(false);
        m_lowLine->setVisible(false);
        m_highLine->setVisible(false);
    }
    retranslate();
    resetView();
}

void HistogramPlot::resetView()
{
    const analysis::TensorAnalysis* a = m_analysis.get();
    if (a && !a->error && a->histogram.hi > a->histogram.lo) {
        // The populated bins, with a margin of a few bins: the ±8σ range is mostly empty.
        const auto& h = a->histogram;
        std::size_t first = 0, last = analysis::kHistogramBins - 1;
        while (first < last && h.bins[first] == 0) ++first;
        while (last > first && h.bins[last] == 0) --last;
        const double width = (static_cast<double>(h.hi) - h.lo) / analysis::kHistogramBins;
        const std::size_t margin = std::max<std::size_t>(4, (last - first) / 20);
        const double from = h.under ? h.lo : h.lo + static_cast<double>(first > margin ? first - margin : 0) * width;
        const double to = h.over ? h.hi : h.lo + static_cast<double>(std::min(last + margin + 1, analysis::kHistogramBins)) * width;
        xAxis->setRange(from, to);
        double peak = 1;
        for (auto c : a->histogram.bins) peak = std::max(peak, static_cast<double>(c));
        if (m_log) yAxis->setRange(0.5, peak * 2.0);
        else yAxis->setRange(0, peak * 1.05);
    } else {
        xAxis->setRange(-1, 1);
        yAxis->setRange(m_log ? 0.5 : 0, m_log ? 10 : 1);
    }
    replot();
}

std::uint64_t HistogramPlot::barCountSum() const
{
    std::uint64_t sum = 0;
    for (auto it = m_bars->data()->constBegin(); it != m_bars->data()->constEnd(); ++it) sum += static_cast<std::uint64_t>(std::llround(it->value));
    return sum;
}

QString HistogramPlot::hoverText(double x) const
{
    const analysis::TensorAnalysis* a = m_analysis.get();
    if (!a || a->error || !(a->histogram.hi > a->histogram.lo)) return {};
    const auto& h = a->histogram;
    const double width = (static_cast<double>(h.hi) - h.lo) / analysis::kHistogramBins;
    const double t = (x - h.lo) / width;
    if (!(t >= 0) || t >= static_cast<double>(analysis::kHistogramBins)) return {};
    const auto bin = static_cast<std::size_t>(t);
    const double from = h.lo + static_cast<double>(bin) * width;
    return tr("%1 to %2: %3 weights").arg(formatSignificant(from), formatSignificant(from + width), formatExactCount(h.bins[bin]));
}

void HistogramPlot::retranslate()
{
    setLocale(QLocale()); // tick labels in the window's number format
    xAxis->setLabel(tr("Weight value"));
    yAxis->setLabel(m_log ? tr("Count (log scale)") : tr("Count"));
    const analysis::TensorAnalysis* a = m_analysis.get();
    if (a && !a->error) {
        const auto& h = a->histogram;
        QString caption = tr("mean and ±3σ marked");
        if (h.under + h.over > 0)
            caption += QLatin1Char('\n') + tr("%1 below, %2 above the range").arg(formatExactCount(h.under), formatExactCount(h.over));
        if (a->stats.hasNonFinite())
            caption += QLatin1Char('\n') + tr("%1 NaN/Inf not counted").arg(formatExactCount(a->stats.nan + a->stats.inf));
        m_caption->setText(caption);
        m_caption->setVisible(true);
    } else {
        m_caption->setVisible(false);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void HistogramPlot::mouseMoveEvent(QMouseEvent* event)
{
    QCustomPlot::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton) return;
    const QString text = axisRect()->rect().contains(event->pos()) ? hoverText(xAxis->pixelToCoord(event->position().x())) : QString();
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void HistogramPlot::mouseDoubleClickEvent(QMouseEvent* event)
{
    QCustomPlot::mouseDoubleClickEvent(event);
    resetView();
}

void HistogramPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QCustomPlot::changeEvent(event);
}

} // namespace condense::ui
