#pragma once
// HistogramPlot: the 256-bin histogram of one tensor's finite weights (core/analysis), bars
// over the stated range, with the mean and ±3σ marked. Linear or logarithmic count axis; drag
// pans, the wheel zooms, a double click resets the view; hovering a bar shows its range and
// count. Values below or above the range are counted in the caption, not drawn.
#include <qcustomplot.h>

#include <memory>

#include "core/analysis/tensor_analysis.h"

namespace condense::ui {

class HistogramPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit HistogramPlot(QWidget* parent = nullptr);

    void setAnalysis(std::shared_ptr<const analysis::TensorAnalysis> analysis);
    const std::shared_ptr<const analysis::TensorAnalysis>& analysisShown() const { return m_analysis; }
    void setLogScale(bool log);
    bool logScale() const { return m_log; }
    void resetView();

    // Sum of the counts drawn as bars (zero bins are not drawn on the log axis).
    std::uint64_t barCountSum() const;
    // What hovering at weight value `x` shows (empty outside the bins).
    QString hoverText(double x) const;

    void retranslate();

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void rebuild();

    std::shared_ptr<const analysis::TensorAnalysis> m_analysis;
    QCPBars* m_bars = nullptr;
    QCPItemStraightLine* m_meanLine = nullptr;
    QCPItemStraightLine* m_lowLine = nullptr;
    QCPItemStraightLine* m_highLine = nullptr;
    QCPItemText* m_caption = nullptr;
    bool m_log = false;
};

} // namespace condense::ui
