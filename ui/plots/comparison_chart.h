#pragma once
// ComparisonChart: every run of a model side by side (Results page): file size across, KL
// divergence (or perplexity) up, one labelled point per run, the original as a reference, and
// the Pareto front (no other run is both smaller and better) drawn through the runs on it.
// The current run is ringed; hovering a point shows its exact figures.
#include <qcustomplot.h>

#include <filesystem>
#include <vector>

#include "core/report/run_report.h"

namespace condense::ui {

class ComparisonChart : public QCustomPlot {
    Q_OBJECT
public:
    enum class Metric { Kld, Perplexity };

    explicit ComparisonChart(QWidget* parent = nullptr);

    void setRuns(std::vector<report::RunIndexEntry> runs, const std::filesystem::path& current);
    void setMetric(Metric metric);
    Metric metric() const { return m_metric; }
    int pointCount() const { return static_cast<int>(m_runs.size()); }
    // Runs on the Pareto front, by index into the runs given, in size order.
    const std::vector<int>& front() const { return m_front; }
    QString hoverText(int run) const;
    void retranslate();

protected:
    using QCustomPlot::metric; // QWidget's paint-device metric, not hidden by metric() above (clang's -Woverloaded-virtual)
    void mouseMoveEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    double yOf(const report::RunReport& r) const;
    int runNear(const QPointF& pos) const;

    std::vector<report::RunIndexEntry> m_runs;
    std::filesystem::path m_current;
    Metric m_metric = Metric::Kld;
    std::vector<int> m_front;
    QCPGraph* m_points = nullptr;
    QCPGraph* m_frontLine = nullptr;
    QCPGraph* m_currentPoint = nullptr;
    QCPGraph* m_original = nullptr;
    QList<QCPItemText*> m_labels;
};

} // namespace condense::ui
