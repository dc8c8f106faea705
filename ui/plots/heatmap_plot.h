#pragma once
// HeatmapPlot: the whole model at a glance. Layers down (tensors outside the blocks in a first
// row), tensor roles across (attn_q, ffn_down, ...), each cell coloured by the chosen statistic
// of that tensor (viridis, labelled colour bar; pending cells stay empty). Clicking a cell, or
// moving the keyboard cursor with the arrow keys and pressing Enter, emits tensorActivated; the
// tensor selected elsewhere is outlined.
#include <qcustomplot.h>

#include <vector>

#include "ui/models/analysis_store.h"

class QTimer;

namespace condense::ui {

class HeatmapPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit HeatmapPlot(AnalysisStore& store, QWidget* parent = nullptr);

    void setStatistic(TensorStatistic statistic);
    TensorStatistic statistic() const { return m_statistic; }
    void setCurrentTensor(int tensorIndex);

    // The grid as drawn (rebuilt from the store at most every 100 ms while analysis runs).
    int gridRows() const { return static_cast<int>(m_rowLayers.size()); }
    int gridColumns() const { return static_cast<int>(m_roles.size()); }
    int tensorAt(int row, int column) const;
    // Centre of a cell in widget pixels (for tests and the keyboard cursor).
    QPointF cellCenter(int row, int column) const;
    QPoint cellAtPixel(const QPointF& pos) const; // {column, row} or {-1, -1}
    QString cellText(int row, int column) const;
    QCPColorMap* colorMap() const { return m_map; }

    void rebuildNow();
    void retranslate();

Q_SIGNALS:
    void tensorActivated(int tensorIndex);

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void scheduleRebuild();
    void updateMarkers();
    void moveCursor(int dRow, int dColumn);

    AnalysisStore& m_store;
    TensorStatistic m_statistic = TensorStatistic::Kurtosis;
    QTimer* m_rebuildTimer = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemRect* m_currentRect = nullptr;
    QCPItemRect* m_cursorRect = nullptr;
    std::vector<int> m_rowLayers;  // layer of each grid row (-1: outside the blocks)
    std::vector<int> m_roles;      // arch::TensorRole of each grid column
    std::vector<int> m_cells;      // row-major tensor index per cell, -1 empty
    int m_currentTensor = -1;
    QPoint m_cursor{0, 0};         // {column, row}
    QPointF m_pressPos;
};

} // namespace condense::ui
