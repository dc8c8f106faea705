#pragma once
// OutlierMapPlot: where a tensor's large weights sit. The rows x columns of the weight matrix
// max-pooled onto at most 256 x 256 cells, each coloured by max |w| / std (viridis, labelled
// colour bar); rows run down, columns across. The top outliers are marked; clicking near one
// emits outlierClicked, and highlightOutlier rings one. Hovering a cell shows its row and
// column range and value.
#include <qcustomplot.h>

#include <memory>

#include "core/analysis/tensor_analysis.h"

namespace condense::ui {

class OutlierMapPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit OutlierMapPlot(QWidget* parent = nullptr);

    void setAnalysis(std::shared_ptr<const analysis::TensorAnalysis> analysis);
    void highlightOutlier(int index); // into TensorAnalysis::top; -1 none
    int highlightedOutlier() const { return m_highlight; }

    QCPColorMap* colorMap() const { return m_map; }
    // Cell (column, row) under plot coordinates, or {-1, -1}.
    QPoint cellAt(double key, double value) const;
    QString hoverText(double key, double value) const;
    // Index of the top outlier drawn within `radius` pixels of `pos`, or -1.
    int outlierNear(const QPointF& pos, double radius = 8.0) const;

    void retranslate();

Q_SIGNALS:
    void outlierClicked(int index);

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    std::shared_ptr<const analysis::TensorAnalysis> m_analysis;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPGraph* m_top = nullptr;
    QCPGraph* m_selected = nullptr;
    QPointF m_pressPos;
    int m_highlight = -1;
};

} // namespace condense::ui
