#pragma once
// ResultsPage (UI.md "Results"): what a quantization run cost. Headline numbers first, each
// "original -> quantized (change)": size, bits per weight, perplexity, KL divergence, same top
// token, top-1, multiple-choice accuracy, prompt and generation tokens/s, predicted vs measured
// size; then the per-layer chart (drift and weight error, worst layers marked; a click selects
// the layer on Inspect) and the comparison chart of every run of this model (size against KLD
// or perplexity, Pareto front). Runs persist as report.json files; the history is read back by
// a job, so it survives a restart.
#include <QImage>
#include <QWidget>

#include <memory>

#include "ui/jobs/job_types.h"
#include "ui/jobs/plan_types.h"

class QComboBox;
class QGridLayout;
class QGroupBox;
class QLabel;
class QStackedWidget;
class QToolButton;
class QCustomPlot;

namespace condense::ui {

class ComparisonChart;
class JobRunner;
class LayerChart;

class ResultsPage : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPage(JobRunner& runner, QWidget* parent = nullptr);

    // Shows a run (and reads the model's other runs from its runs folder).
    void showRun(std::shared_ptr<const RunResult> run);
    // The runs of `model` under `runsFolder` (after a model opens): shows the newest, if any.
    void loadHistory(const std::filesystem::path& runsFolder, const std::string& model);
    void clear();

    const std::shared_ptr<const RunResult>& run() const { return m_run; }
    LayerChart* layerChart() const { return m_layers; }
    ComparisonChart* comparisonChart() const { return m_comparison; }
    // The headline text of a metric ("size", "ppl", "kld", ...): original, quantized, change.
    QStringList headline(const QString& key) const;
    bool isLoadingHistory() const { return m_historyJob != 0; }

Q_SIGNALS:
    void layerActivated(int layer);
    void exportRequested(const QImage& image, const QString& suggestedName);
    void historyLoaded();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void fillHeadline();
    void setRow(int row, const QString& key, const QString& name, const QString& original, const QString& quantized, const QString& change,
                bool worse);
    void exportPlot(QCustomPlot* plot, const QString& what);

    JobRunner& m_runner;
    std::shared_ptr<const RunResult> m_run;
    std::shared_ptr<const RunHistory> m_history;
    JobId m_historyJob = 0;
    bool m_showNewest = false;

    QStackedWidget* m_stack = nullptr;
    QLabel* m_empty = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_runLabel = nullptr;
    QComboBox* m_runCombo = nullptr;
    QToolButton* m_openReport = nullptr;
    QToolButton* m_export = nullptr;
    QGroupBox* m_headlineBox = nullptr;
    QGridLayout* m_grid = nullptr;
    QGroupBox* m_layersBox = nullptr;
    LayerChart* m_layers = nullptr;
    QGroupBox* m_comparisonBox = nullptr;
    QComboBox* m_metric = nullptr;
    ComparisonChart* m_comparison = nullptr;
};

} // namespace condense::ui
