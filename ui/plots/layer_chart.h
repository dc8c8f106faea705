#pragma once
// LayerChart: where a quantized model lost quality, layer by layer (Results page): bars of the
// hidden-state drift each block's output shows against the original (relative error, left
// axis) and a line of the block's weight error (relative RMSE, right axis). The worst layers
// are drawn in a warning colour; clicking a layer emits layerActivated; hovering shows exact
// values.
#include <qcustomplot.h>

#include <vector>

#include "core/report/run_report.h"

namespace condense::ui {

class LayerChart : public QCustomPlot {
    Q_OBJECT
public:
    explicit LayerChart(QWidget* parent = nullptr);

    void setLayers(std::vector<report::RunLayer> layers);
    const std::vector<report::RunLayer>& layers() const { return m_layers; }
    // Layer under a widget position, or -1.
    int layerAt(const QPointF& pos) const;
    QPointF layerCenter(int layer) const; // widget pixels of a layer's bar top
    QString hoverText(int layer) const;
    QCPBars* driftBars() const { return m_drift; }
    QCPBars* worstBars() const { return m_worst; }
    QCPGraph* weightLine() const { return m_weight; }
    void retranslate();

Q_SIGNALS:
    void layerActivated(int layer);

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    std::vector<report::RunLayer> m_layers;
    QCPBars* m_drift = nullptr;
    QCPBars* m_worst = nullptr;
    QCPGraph* m_weight = nullptr;
    QPointF m_pressPos;
};

} // namespace condense::ui
